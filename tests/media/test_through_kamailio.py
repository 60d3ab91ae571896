"""Voicemail through Kamailio + rtpengine: unregistered and busy extensions reach the media app,
the message is stored, and the registered sipp phone gets the message-waiting NOTIFY.

Kamailio runs kamailio/poste.cfg as scripts/run renders it; the media app sits behind it
(dispatcher set 1), trusting only its socket and their shared secret.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest

import tests.sip_fixtures as sip_fixtures
from tenants import credentials, extensions, jobs
from tenants.models import Job
from tenants.secrets_store import sip_key
from tenants.voicemail import notify
from tenants.voicemail.models import VoiceMessage
from tests import factories
from tests.media.caller import Caller
from tests.media.conftest import MediaProcess, wait_until
from tests.sip_fixtures import SipStack, free_port

credentials.use_fast_hashing()
HERE = Path(__file__).parent
# Kamailio trusts the media app by its socket and secret: phones and callers use other addresses.
CALLER_IP, PHONE_IP = "127.0.0.2", "127.0.0.3"


@pytest.fixture(scope="module")
def voicemail_stack(prompt_dir):
    scenarios = Path(tempfile.mkdtemp(prefix="poste-scen-"))
    for source in (sip_fixtures.SCENARIOS, HERE / "scenarios"):
        for xml in source.glob("*.xml"):
            shutil.copy(xml, scenarios / xml.name)
    media_port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sip_fixtures, "SCENARIOS", scenarios)
        stack = SipStack(media_nodes=(f"127.0.0.1:{media_port}",))
        try:
            stack.start()
            (stack.data_dir / "prompts").symlink_to(prompt_dir)
            media = MediaProcess(stack.settings, kamailio=True)
            media.port = media_port
            media.env["POSTE_MEDIA_SIP_PORT"] = str(media_port)
            media.start()
            try:
                yield stack, media
            finally:
                media.stop()
        finally:
            stack.stop()
            shutil.rmtree(scenarios, ignore_errors=True)


@pytest.fixture
def stack(voicemail_stack):
    sip, media = voicemail_stack
    sip.use_database()
    credentials.configure_sip_key(sip_key(sip.settings.data_dir))
    return sip, media


_n = iter(range(100))


def new_pair():
    """A fresh tenant with 2001 (callee) and 2002 (caller); their SIP passwords."""
    tenant = factories.tenant(f"vm{next(_n)}.pbx.example")
    made = {}
    for number in ("2001", "2002"):
        ext, password = extensions.create_extension(factories.CLI, tenant, extensions.ExtensionInput(
            number, f"Poste {number}", f"p{number}@{tenant.domain}"))
        made[number] = (ext, password)
    return tenant, made


def leave_message(sip, tenant, password, speech):
    async def main():
        caller = await Caller(("127.0.0.1", sip.sip_port), mailbox=None, ruri=f"sip:2001@{tenant.domain}",
                              caller="2002", auth=("2002", password), domain=tenant.domain,
                              local_ip=CALLER_IP, secret=None).open()
        ok = await caller.invite()
        assert ok.status == 200, f"{ok.status} {ok.reason}\n{sip.log_tail('kamailio')}"
        await caller.silence(0.3)
        await caller.key("#")
        await caller.silence(1.0)
        await caller.send_audio(speech)
        await caller.silence(0.4)
        assert (await caller.bye()).status == 200
        caller.close()
    asyncio.run(asyncio.wait_for(main(), 90))


def messages_of(ext):
    return list(VoiceMessage.select().join(VoiceMessage.mailbox.rel_model).where(
        VoiceMessage.mailbox.rel_model.extension == ext))


def mwi_jobs_done(ext) -> int:
    return len([j for j in Job.select().where((Job.kind == notify.MWI_JOB) & (Job.status == Job.DONE))
                if j.payload.get("extension_id") == ext.id])


def test_unregistered_extension_goes_to_voicemail_and_mwi_reaches_the_phone(stack, speech):
    sip, media = stack
    tenant, made = new_pair()
    leave_message(sip, tenant, made["2002"][1], speech)
    (message,) = wait_until(lambda: messages_of(made["2001"][0]), 10, "message row")
    assert message.reason == "unavailable" and message.caller_number == "2002"
    # the media app ran the message's MWI job: nobody registered, 480 from Kamailio is "done"
    wait_until(lambda: mwi_jobs_done(made["2001"][0]) == 1, 10, "the MWI job done")
    phone_port = free_port(PHONE_IP)
    phone = sip.sipp("mwi_phone", port=phone_port, background=True, timeout=40, local_ip=PHONE_IP)
    sip.register("2001", tenant.domain, made["2001"][1], contact_port=phone_port, local_ip=PHONE_IP)
    jobs.enqueue(notify.MWI_JOB, {"extension_id": made["2001"][0].id})  # the next change
    phone.wait()
    assert phone.ok, phone.explain()


def test_busy_extension_goes_to_voicemail_with_the_busy_reason(stack, speech):
    sip, media = stack
    tenant, made = new_pair()
    phone_port = free_port(PHONE_IP)
    phone = sip.sipp("busy_phone", port=phone_port, background=True, timeout=40, local_ip=PHONE_IP)
    sip.register("2001", tenant.domain, made["2001"][1], contact_port=phone_port, local_ip=PHONE_IP)
    leave_message(sip, tenant, made["2002"][1], speech)
    (message,) = wait_until(lambda: messages_of(made["2001"][0]), 10, "message row")
    assert message.reason == "busy"
    phone.wait()
    assert phone.ok, phone.explain()
    sip.register("2001", tenant.domain, made["2001"][1], contact_port=phone_port, expires=0, local_ip=PHONE_IP)
    mwi_port = free_port(PHONE_IP)
    mwi_phone = sip.sipp("mwi_phone", port=mwi_port, background=True, timeout=40, local_ip=PHONE_IP)
    sip.register("2001", tenant.domain, made["2001"][1], contact_port=mwi_port, local_ip=PHONE_IP)
    jobs.enqueue(notify.MWI_JOB, {"extension_id": made["2001"][0].id})  # sent by the media app
    mwi_phone.wait()
    assert mwi_phone.ok, mwi_phone.explain()
