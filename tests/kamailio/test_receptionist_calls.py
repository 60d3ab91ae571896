"""The virtual receptionist end to end (issue 16: H1, D13, A6, D2 from outside): the real poste.cfg,
rtpengine and media app; sipp plays the carrier on 127.0.0.2 (a scenario that answers REFER 405:
the receptionist never needs one) and the desk phones. One Kamailio + rtpengine + media app here."""
from __future__ import annotations

import asyncio
import datetime as dt

import numpy as np
import pytest

from rtp.audio.g711 import to_pcm16, ulaw_encode
from rtp.prompts.store import PromptStore
from rtp.rtp_io.packet import parse as parse_rtp
from tenants import extensions, mailbox_pin, tenancy, trunk
from tenants.db import database
from tenants.models import Account, Extension, Mailbox, Tenant
from tenants.receptionist import rules, service
from tenants.voicemail.models import MailboxSettings
from tests import factories
from tests.kamailio.conftest import Ext
from tests.kamailio.media_stack import media_stack
from tests.receptionist.early_caller import EarlyCaller
from tests.sip_fixtures import assert_ok, free_port, wait_for

MEDIA_ADDRESS = "127.0.0.12"
CARRIER = "127.0.0.2"
DOMAIN = "accueil.pbx.example"
DID = "+33184880300"
CALLER = "+33612345678"
PIN = "4711"



@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        yield stack


def _ext(tenant, number: str, name: str) -> Ext:
    ext, password = extensions.create_extension(
        factories.CLI, tenant, extensions.ExtensionInput(number, name, f"p{number}@{tenant.domain}"))
    return Ext(number, tenant.domain, password, ext)


@pytest.fixture(scope="module")
def office(sip):
    """The module's tenant: 2000 the operator, 2001 Jean Dupont (PIN 4711), the DID to the receptionist."""
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    people = {n: _ext(tenant, n, name) for n, name in (("2000", "Accueil Standard"), ("2001", "Jean Dupont"),
                                                        ("2002", "Paul Martin"))}
    box = Mailbox.get(Mailbox.extension == people["2001"].model.id)
    mailbox_pin.change_pin(box.id, PIN)
    MailboxSettings.create(mailbox=box, setup_done=True)
    tenancy.add_did(factories.CLI, tenant, DID, receptionist=True)
    tenancy.update_tenant(factories.CLI, tenant, main_number=DID)  # the tenant's main number
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=CARRIER, port=free_port(CARRIER)))
    service.update(factories.CLI, tenant, service.Change(hours="mon-sun 00:00-24:00", holidays=""))
    return tenant, people


@pytest.fixture(autouse=True)
def _open_all_day(office):
    tenant, _people = office
    yield
    Tenant.update(receptionist_voicemail=True).where(Tenant.id == tenant.id).execute()
    service.update(factories.CLI, tenant, service.Change(hours="mon-sun 00:00-24:00", holidays="", operator="",
                                                         keys=[]))


def phone(sip, ext: Ext, timeout: float = 60):
    """A registered sipp phone of ``ext`` that checks what a receptionist's call looks like and
    echoes the RTP it gets (what the caller sends comes back: audio both ways)."""
    port = free_port()
    uas = sip.sipp("uas_receptionist", port=port, background=True, timeout=timeout, extra=["-rtp_echo"],
                   substitutions={"CALLER": CALLER.replace("+", r"\+")})
    assert_ok(sip.register(ext.number, ext.domain, ext.password, contact_port=port))
    return uas


def carrier_call(sip, script, timeout: float = 120):
    """The carrier calls the DID; ``script(caller)`` once the receptionist's early media is there."""
    async def main():
        caller = await EarlyCaller(("127.0.0.1", sip.sip_port), mailbox=None, secret=None,
                                   ruri=f"sip:{DID}@127.0.0.1:{sip.sip_port}", caller=CALLER,
                                   domain="carrier.example", local_ip=CARRIER, display_name=None).open()
        try:
            caller.sipp.place(caller)
            await caller.until(lambda: caller.early or caller.answer, 15, "the receptionist's early media",
                               audio=False)
            assert caller.early, f"no early media: {caller.answer}"
            await caller.silence(0.3)
            return await script(caller)
        finally:
            caller.close()
    return asyncio.run(asyncio.wait_for(main(), timeout))


async def keys(caller, digits: str) -> None:
    for digit in digits:
        await caller.key(digit)
        await caller.silence(0.1)


def prompt(sip, key: str) -> bytes:
    """A prompt as the caller gets it (PCMU), but its first and last 0.2 s (a packet lost at either
    end is not the point)."""
    played = PromptStore(sip.data_dir).segment(key, "fr", 0)
    return played[:len(played) // 160 * 160][1600:-1600]


def heard(caller, since: int = 0) -> bytes:
    return b"".join(p.payload for p in map(parse_rtp, caller.rtp.received[since:]) if p.payload_type == 0)


def cdr_to(destination: str) -> dict | None:
    row = database.execute_sql(
        "SELECT tenant, extension, destination, call_class FROM acc_cdrs WHERE destination = ? AND tenant = ?"
        .replace("?", database.param), (destination, DOMAIN)).fetchone()
    return dict(zip(("tenant", "extension", "destination", "call_class"), row, strict=True)) if row else None


def test_2001_pressed_in_early_media_rings_the_phone_which_answers_and_audio_flows_both_ways(sip, office):
    _tenant, people = office
    desk = phone(sip, people["2001"])
    noise = np.random.default_rng(16).uniform(-0.5, 0.5, 8000).astype(np.float32)  # 1 s, unlike any prompt
    sent = ulaw_encode(to_pcm16(noise)).tobytes()
    chunks = {sent[i:i + 160] for i in range(0, len(sent) - 159, 160)}

    async def script(caller):
        await keys(caller, "2001")
        answer = await caller.until(lambda: caller.answer, 30, "the phone's answer")
        assert answer.status == 200, answer
        start = len(caller.rtp.received)
        await caller.send_audio(noise)
        await caller.until(lambda: sum(1 for p in map(parse_rtp, caller.rtp.received[start:])
                                       if p.payload in chunks) >= len(chunks) // 2, 10,
                           "the caller's audio back from the phone (echoed)")
        assert (await caller.bye()).status == 200
        return caller.refers
    refers = carrier_call(sip, script)
    assert refers == []  # nothing asked the carrier to transfer anything
    assert_ok(desk.wait())
    row = wait_for(lambda: cdr_to("2001"), 15, what="the call's accounting record")
    assert (row["extension"], row["call_class"]) == ("2001", "inbound")


def test_star_2001_and_the_pin_open_the_mailbox_menu(sip, office):
    async def script(caller):
        await keys(caller, "*2001")
        answer = await caller.until(lambda: caller.answer, 15, "the answer for the mailbox")
        assert answer.status == 200
        await caller.until(lambda: prompt(sip, "enter-pin") in heard(caller), 15, "the PIN prompt")
        start = len(caller.rtp.received)
        await keys(caller, PIN + "#")
        await caller.until(lambda: prompt(sip, "you-have-none") in heard(caller, start), 20, "the mailbox menu")
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)


def test_with_a6_off_star_does_nothing(sip, office):
    tenant, _people = office
    Tenant.update(receptionist_voicemail=False).where(Tenant.id == tenant.id).execute()

    async def script(caller):
        await keys(caller, "*")
        await caller.silence(3.0)  # a mailbox prompt would have started by now
        assert caller.answer is None  # still the receptionist's early media
        assert prompt(sip, "receptionist-mailbox-number")[:4000] not in heard(caller)
        assert prompt(sip, "receptionist-mailbox")[:4000] not in heard(caller)  # not offered either
        await keys(caller, "2002")  # the menu still works: 2002 has no phone, its voicemail answers
        answer = await caller.until(lambda: caller.answer, 30, "2002's voicemail")
        assert answer.status == 200 and "Poste-Media" in (answer.get("Server") or "")
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)


def test_after_hours_the_after_hours_greeting_plays(sip, office):
    tenant, _people = office
    today = dt.datetime.now(dt.UTC).astimezone(rules.zone_of(tenant.timezone)).date().isoformat()
    service.update(factories.CLI, tenant, service.Change(holidays=today))

    async def script(caller):
        await caller.until(lambda: prompt(sip, "receptionist-closed") in heard(caller), 15, "the after-hours greeting")
        assert prompt(sip, "receptionist-open")[:800] not in heard(caller)
        await keys(caller, "2002")
        assert (await caller.until(lambda: caller.answer, 30, "2002's voicemail")).status == 200
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)


def zone_after_hours(now: dt.datetime) -> str:
    """A time zone where it is now between 20:00 and 06:00: the clock the call meets, set by the test."""
    for name in ("Europe/Paris", "America/New_York", "America/Los_Angeles", "Pacific/Auckland", "Asia/Tokyo",
                 "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Honolulu", "Asia/Dubai", "Australia/Perth"):
        hour = now.astimezone(rules.zone_of(name)).hour
        if hour >= 20 or hour < 6:
            return name
    raise AssertionError("no zone is at night now")


def test_after_hours_in_the_tenants_time_zone(sip, office):
    tenant, _people = office
    zone = zone_after_hours(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    Tenant.update(timezone=zone).where(Tenant.id == tenant.id).execute()
    service.update(factories.CLI, tenant, service.Change(hours="mon-sun 07:00-19:00",
                                                         closed_text="Nous sommes fermés, rappelez demain."))
    try:
        from rtp.prompts.generate import render

        spoken = PromptStore(sip.data_dir).samples(render("Nous sommes fermés, rappelez demain.", "fr"), 0)
        spoken = spoken[:len(spoken) // 160 * 160][1600:-1600]  # as the media app speaks it (espeak-ng)

        async def script(caller):
            await caller.until(lambda: spoken in heard(caller), 15, "the typed after-hours greeting, spoken")
            assert prompt(sip, "receptionist-open")[:800] not in heard(caller)
            await keys(caller, "2002")
            assert (await caller.until(lambda: caller.answer, 30, "2002's voicemail")).status == 200
            assert (await caller.bye()).status == 200
        carrier_call(sip, script)
    finally:
        Tenant.update(timezone="Europe/Paris").where(Tenant.id == tenant.id).execute()
        service.update(factories.CLI, tenant, service.Change(closed_text=""))


def test_an_uploaded_greeting_is_what_the_caller_hears(sip, office):
    """Uploaded (any format) through the audio path (rtp/audio, rtp/dsp), then played as stored."""
    import io

    import soundfile as sf

    from rtp.audio.files import read_wav
    from rtp.audio.port import MediaAudio
    from rtp.prompts.generate import render
    from tenants import audio_port

    tenant, _people = office
    upload = io.BytesIO()
    voice = render("Bienvenue au centre d'affaires. Composez le numéro de poste.", "fr")
    sf.write(upload, np.concatenate([np.zeros(8000, np.float32), voice, np.zeros(8000, np.float32)]), 8000,
             format="FLAC")
    previous = audio_port.install(MediaAudio())
    try:
        rel = service.store_upload(tenant, rules.OPEN, upload.getvalue(), "accueil.flac", sip.data_dir)
    finally:
        audio_port.install(previous)
    service.set_greeting_file(factories.CLI, tenant, rules.OPEN, rel)
    stored, _rate = read_wav(sip.data_dir / rel)
    assert stored.shape[0] < voice.shape[0] + 8000  # the silences trimmed by rtp/dsp
    expected = PromptStore(sip.data_dir).samples(stored, 0)
    expected = expected[:len(expected) // 160 * 160][1600:-1600]
    try:
        async def script(caller):
            await caller.until(lambda: expected in heard(caller), 20, "the uploaded greeting")
            await keys(caller, "2002")
            assert (await caller.until(lambda: caller.answer, 30, "2002's voicemail")).status == 200
            assert (await caller.bye()).status == 200
        carrier_call(sip, script)
    finally:
        service.set_greeting_file(factories.CLI, tenant, rules.OPEN, None)


def test_an_extension_without_voicemail_that_does_not_answer_gives_the_caller_back_to_the_menu(sip, office):
    tenant, people = office
    if "2003" not in people:
        people["2003"] = _ext(tenant, "2003", "Sans Messagerie")
        Mailbox.delete().where(Mailbox.extension == people["2003"].model.id).execute()
    desk = phone(sip, people["2001"])

    async def script(caller):
        await keys(caller, "2003")  # no phone registered, no mailbox: back to the receptionist
        await caller.until(lambda: prompt(sip, "is-unavailable") in heard(caller), 30, "why, back at the menu")
        start = len(caller.rtp.received)
        await caller.until(lambda: prompt(sip, "receptionist-menu")[:8000] in heard(caller, start), 20, "the menu")
        assert caller.answer is None
        await keys(caller, "2001")
        answer = await caller.until(lambda: caller.answer, 30, "2001 answering")
        assert answer.status == 200
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)
    assert_ok(desk.wait())


def test_dial_by_name_387_finds_dupont_and_1_connects(sip, office):
    _tenant, people = office
    desk = phone(sip, people["2001"])

    async def script(caller):
        await keys(caller, "#387#")
        await caller.until(lambda: prompt(sip, "name-choose") in heard(caller), 30, "Dupont announced")
        await keys(caller, "1")
        answer = await caller.until(lambda: caller.answer, 30, "Dupont's phone answering")
        assert answer.status == 200
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)
    assert_ok(desk.wait())


def test_no_key_for_three_menus_rings_the_operator(sip, office):
    tenant, people = office
    service.update(factories.CLI, tenant, service.Change(operator="2000"))
    desk = phone(sip, people["2000"], timeout=120)

    async def script(caller):
        answer = await caller.until(lambda: caller.answer, 100, "the operator answering")
        assert answer.status == 200
        assert (await caller.bye()).status == 200
    carrier_call(sip, script, timeout=150)
    assert_ok(desk.wait())
    assert Extension.get(Extension.number == "2000", Extension.tenant == tenant)


def test_the_admin_edits_hours_and_keys_in_chromium_and_the_next_call_follows_them(sip, office):
    """Playwright in Debian's Chromium on the console of this stack: every day closed, key 4 to
    2001; then the carrier's call hears the after-hours greeting and 4 rings 2001."""
    import threading

    from playwright.sync_api import expect, sync_playwright
    from werkzeug.serving import make_server

    from console import create_app
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.browser.signing import sign_in

    tenant, people = office
    f_email = "boss@accueil.example"
    if not Account.select().where(Account.email == f_email).exists():
        factories.account("admin", tenant, email=f_email)
    server = make_server("127.0.0.1", 0, create_app(sip.settings, TESTING=True, RATELIMIT_ENABLED=False),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:  # closed before the call: its loop would stop asyncio.run
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = chromium.new_context(locale="fr-FR", viewport={"width": 360, "height": 800}).new_page()
            live = f"http://127.0.0.1:{server.server_port}"
            sign_in(page, live, f_email)
            page.goto(f"{live}/receptionniste/")
            for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
                page.get_by_label(day, exact=True).fill("")
            page.get_by_label("Touche 4", exact=True).fill("2001")
            page.get_by_label("Touche 5", exact=True).fill("2404")  # first a mistake: said, nothing stored
            page.get_by_role("button", name="Enregistrer", exact=True).click()
            expect(page.locator(".form-errors")).to_contain_text("Le poste 2404 n'existe pas")
            assert service.snapshot(service.current(tenant))["keys"] == {}
            page.get_by_label("Touche 5", exact=True).fill("")
            page.get_by_role("button", name="Enregistrer", exact=True).click()
            expect(page.locator(".flash.success")).to_contain_text("Réceptionniste enregistrée.")
            chromium.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    shown = service.snapshot(service.current(tenant))
    assert shown["hours"] == "" and shown["keys"] == {"4": ["2001"]}
    desk = phone(sip, people["2001"])

    async def script(caller):
        await caller.until(lambda: prompt(sip, "receptionist-closed") in heard(caller), 15, "the after-hours greeting")
        await keys(caller, "4")
        answer = await caller.until(lambda: caller.answer, 30, "2001 answering")
        assert answer.status == 200
        assert (await caller.bye()).status == 200
    carrier_call(sip, script)
    assert_ok(desk.wait())
