"""The mailbox by phone end to end (issue 7): real Kamailio + rtpengine + media app process.

``*97`` from the mailbox's own phone with the PIN sent as RFC 4733 events: the message is
heard (found in what the phone received by cross-correlation), 7 deletes it and the
message-waiting light goes off. ``*98`` with three wrong PINs locks the mailbox: the
admin is emailed, sees it locked in the console and unlocks it. ``*98`` in an English
tenant speaks English from its first prompt (issue 12).
"""
from __future__ import annotations

import asyncio
import fcntl
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import fftconvolve

from rtp.audio.files import read_wav
from tenants import credentials, jobs, mail, mailbox_pin
from tenants.models import Job, Mailbox, Tenant
from tenants.voicemail import notify, service
from tenants.voicemail.models import MailboxSettings, VoiceMessage
from tests import factories
from tests.kamailio.conftest import (
    make_ext,
    speech,  # noqa: F401 - fixture
)
from tests.kamailio.phone_caller import PhoneCaller
from tests.kamailio.test_voicemail_routing import (  # noqa: F401 - fixtures: one stack for this module
    DOMAIN,
    assert_ok,
    leave_message,
    messages_for,
    shared_prompts,
    sip,
)
from tests.sip_fixtures import free_port, wait_for

credentials.use_fast_hashing()


@pytest.fixture(scope="module")
def tenant(sip):  # noqa: F811
    from tenants.secrets_store import sip_key

    sip.use_database()
    credentials.configure_sip_key(sip_key(sip.settings.data_dir))
    t = factories.tenant(DOMAIN)
    factories.account("admin", t, email="boss@voice.example.org")
    return t


def found_in(heard: np.ndarray, reference: np.ndarray) -> float:
    """Best normalized cross-correlation of ``reference`` over ``heard`` (1.0: the same audio)."""
    if heard.shape[0] < reference.shape[0] or not np.any(reference):
        return 0.0
    corr = fftconvolve(heard, reference[::-1], mode="valid")
    energy = np.cumsum(np.concatenate([[0.0], heard.astype(np.float64) ** 2]))
    window = energy[reference.shape[0]:] - energy[:-reference.shape[0]]
    ncc = corr / (np.sqrt(np.maximum(window, 1e-12)) * np.linalg.norm(reference))
    return float(np.max(ncc))


async def until(condition, timeout: float, phone: PhoneCaller, what: str):
    """Keep the call's audio flowing while waiting for ``condition`` (a deadline, not a duration)."""
    return await phone.until(condition, timeout, what)


async def keys(phone: PhoneCaller, digits: str) -> None:
    for digit in digits:
        await phone.key(digit)
        await phone.silence(0.06)


def folder_of(message_id: int) -> str:
    return VoiceMessage.get_by_id(message_id).folder


def test_star_97_plays_the_message_and_7_deletes_it(sip, tenant, speech):  # noqa: F811
    box, caller = make_ext(tenant), make_ext(tenant)
    mailbox = Mailbox.get(Mailbox.extension == box.model.id)
    mailbox_pin.change_pin(mailbox.id, "4711")  # past the first access: no forced PIN change
    MailboxSettings.create(mailbox=mailbox, setup_done=True)
    assert leave_message(sip, caller, box.number, speech) == 200
    (message,) = wait_for(lambda: messages_for(box), 15, what="the voice message row")
    reference, _rate = read_wav(sip.settings.data_dir / message.path)

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), box.number, DOMAIN, box.password, "*97").open()
        try:
            answer = await phone.invite()
            assert answer.status == 200 and "Poste-Media" in (answer.get("Server") or "")
            await phone.silence(0.5)
            await keys(phone, "4711#")
            # "1" once the PIN is accepted: the message starts and is marked heard (New -> Old)
            for _attempt in range(10):
                await phone.silence(0.5)
                await keys(phone, "1")
                try:
                    await until(lambda: folder_of(message.id) == "old", 1.0, phone, "the message heard")
                    break
                except AssertionError:
                    continue
            assert folder_of(message.id) == "old"
            start = len(phone.rtp.received)
            await until(lambda: found_in(audio_since(phone, start), reference) > 0.8, 30, phone,
                        "the stored message in what the phone hears")
            await keys(phone, "7")
            await until(lambda: folder_of(message.id) == "deleted", 10, phone, "the message deleted")
            assert (await phone.bye()).status == 200
        finally:
            phone.close()
    asyncio.run(asyncio.wait_for(main(), 90))
    # the light goes off: the counts say so, the MWI job is queued, and the phone gets "no"
    assert service.mwi_counts(box.model.id).new == 0
    assert Job.select().where(Job.kind == "voicemail_mwi").count() >= 2  # the message, then the move(s)
    port = free_port()
    light = sip.sipp("uas_notify", background=True, port=port, substitutions={"WAITING": "no"}, timeout=40)
    assert_ok(sip.register(box.number, DOMAIN, box.password, contact_port=port))
    # A change queued now is run by the media app (from its own socket, with the shared secret):
    # it reads the counts when it runs and puts the light out.
    jobs.enqueue(notify.MWI_JOB, {"extension_id": box.model.id})
    assert_ok(light.wait())


def audio_since(phone: PhoneCaller, start: int) -> np.ndarray:
    saved = phone.rtp.received
    try:
        phone.rtp.received = saved[start:]
        return phone.received_audio()
    finally:
        phone.rtp.received = saved


def test_three_wrong_pins_from_star_98_lock_the_mailbox_and_the_admin_unlocks_it(sip, tenant):  # noqa: F811
    box, other = make_ext(tenant), make_ext(tenant)
    mailbox_id = Mailbox.get(Mailbox.extension == box.model.id).id
    mails_before = Job.select().where(Job.kind == mail.SEND_MAIL).count()

    def failed():
        return Mailbox.get_by_id(mailbox_id).failed_attempts

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), other.number, DOMAIN, other.password, "*98").open()
        try:
            assert (await phone.invite()).status == 200
            await phone.silence(0.5)
            await keys(phone, box.number + "#")
            await phone.silence(1.0)  # the mailbox is looked up, then "entrez votre code secret"
            for n, pin in enumerate(("1111", "2222", "3333"), start=1):
                await keys(phone, pin + "#")
                await until(lambda n=n: failed() >= n or Mailbox.get_by_id(mailbox_id).locked, 10, phone,
                            f"wrong PIN {n} counted")
            await phone.wait_bye(30)  # "verrouillée ... au revoir", then the media app hangs up
        finally:
            phone.close()
    asyncio.run(asyncio.wait_for(main(), 60))
    assert Mailbox.get_by_id(mailbox_id).locked
    sent = [j.payload for j in Job.select().where(Job.kind == mail.SEND_MAIL).order_by(Job.id)][mails_before:]
    assert [p["to"] for p in sent] == ["boss@voice.example.org"] and box.number in sent[0]["body"]

    from console import create_app

    client = create_app(sip.settings, TESTING=True, RATELIMIT_ENABLED=False).test_client()
    factories.login(client, "boss@voice.example.org")
    page = client.get(f"/postes/{box.model.id}")
    assert page.status_code == 200 and "Verrouillée" in page.text
    response = client.post(f"/postes/{box.model.id}/deverrouiller",
                           data={"csrf_token": factories.csrf_token(page.text)})
    assert response.status_code == 302
    assert not Mailbox.get_by_id(mailbox_id).locked
    assert mailbox_pin.try_pin(mailbox_id, "0000") == mailbox_pin.PinOutcome.WRONG  # PINs are checked again


def english_prompts() -> Path:
    """The English prompts, rendered once per machine beside the French ones that the stack's
    media app plays from (``shared_prompts``), under the same lock."""
    from rtp.prompts.generate import generate_prompts

    prompts = shared_prompts()
    with open(prompts.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        generate_prompts(prompts.parent, languages=("en",))
    return prompts


def test_star_98_in_an_english_tenant_speaks_english_from_the_first_prompt(sip, tenant):  # noqa: F811
    """Issue 12: the mailbox number, the PIN and the menu are asked in the tenant's language,
    though nothing but the tenant (the domain) is known when the call is answered."""
    prompts = english_prompts()
    box, other = make_ext(tenant), make_ext(tenant)
    mailbox = Mailbox.get(Mailbox.extension == box.model.id)
    mailbox_pin.change_pin(mailbox.id, "4711")
    MailboxSettings.create(mailbox=mailbox, setup_done=True)

    def prompt(language: str, key: str) -> np.ndarray:
        return read_wav(prompts / language / f"{key}.wav")[0]

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), other.number, DOMAIN, other.password, "*98").open()
        try:
            assert (await phone.invite()).status == 200
            for key, typed in (("enter-mailbox", box.number + "#"), ("enter-pin", "4711#"), ("menu-listen", "")):
                start = len(phone.rtp.received)
                await until(lambda key=key, start=start: found_in(audio_since(phone, start), prompt("en", key)) > 0.8,
                            20, phone, f"the English prompt {key!r}")
                assert found_in(audio_since(phone, start), prompt("fr", key)) < 0.6, f"{key!r} in French too"
                await keys(phone, typed)
            assert (await phone.bye()).status == 200
        finally:
            phone.close()
    Tenant.update(language="en").where(Tenant.id == tenant.id).execute()
    try:
        asyncio.run(asyncio.wait_for(main(), 120))
    finally:
        Tenant.update(language="fr").where(Tenant.id == tenant.id).execute()
