"""D7's "0 for the reception" for a carrier's caller whose side refuses REFER (issue 16): the media
app bridges. The real poste.cfg, rtpengine and media app; the carrier is the receptionist tests'
caller on 127.0.0.2 (its scenario answers REFER 405), the reception's phone a registered sipp that
echoes RTP. The carrier calls the DID of an extension whose phone does not answer, leaves a
message, presses 0: the reception's phone rings and answers, audio flows both ways, either side's
hang-up ends both, and the bridged call's accounting record names the reception."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

from rtp.audio.g711 import to_pcm16, ulaw_encode
from rtp.rtp_io.packet import parse as parse_rtp
from tenants import tenancy, trunk
from tenants.db import database
from tenants.models import Extension, Mailbox
from tenants.routing import MIN_NO_ANSWER_SECONDS
from tenants.voicemail import tenant_options
from tenants.voicemail.models import VoiceMessage
from tests import factories
from tests.kamailio.conftest import make_ext
from tests.kamailio.media_stack import media_stack
from tests.receptionist.early_caller import EarlyCaller
from tests.sip_fixtures import assert_ok, free_port, wait_for

MEDIA_ADDRESS = "127.0.0.23"
CARRIER = "127.0.0.2"
DOMAIN = "pont.pbx.example"
DID = "+33184880700"
CALLER = "+33698765432"



@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        yield stack



@pytest.fixture(scope="module")
def office(sip):
    """The box (its phone rings unanswered for the shortest delay, then its voicemail), the
    reception, the DID to the box."""
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    box, reception = make_ext(tenant), make_ext(tenant)
    Extension.update(no_answer_seconds=MIN_NO_ANSWER_SECONDS).where(Extension.id == box.model.id).execute()
    tenant_options.update(factories.CLI, tenant, "asterisk", reception.number)  # D7's reception
    tenancy.add_did(factories.CLI, tenant, DID, extension=box.number)
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=CARRIER, port=free_port(CARRIER)))
    return tenant, box, reception


def reception_phone(sip, reception, hang_up: bool):
    port = free_port()
    uas = sip.sipp("uas_bridged", port=port, background=True, timeout=90, extra=["-rtp_echo"],
                   substitutions={"CALLER": CALLER.replace("+", r"\+"), "HANGUP": int(hang_up),
                                  "HOLD_MS": 8000})
    assert_ok(sip.register(reception.number, reception.domain, reception.password, contact_port=port))
    return uas


def echoed(caller, since: int, chunks: set[bytes]) -> int:
    return sum(1 for p in map(parse_rtp, caller.rtp.received[since:]) if p.payload in chunks)


def cdr_to(destination: str) -> dict | None:
    row = database.execute_sql(
        "SELECT extension, destination, call_class FROM acc_cdrs WHERE destination = ? AND tenant = ?"
        .replace("?", database.param), (destination, DOMAIN)).fetchall()  # all: no statement left open
    return dict(zip(("extension", "destination", "call_class"), row[0], strict=True)) if row else None


def answer_to(destination: str) -> dict | None:
    """The acc row of the answered INVITE to ``destination``: what it was accounted to."""
    row = database.execute_sql(
        "SELECT extension, destination, call_class FROM acc WHERE method = 'INVITE' AND sip_code = '200' "
        "AND destination = ? AND tenant = ?".replace("?", database.param), (destination, DOMAIN)).fetchall()
    return dict(zip(("extension", "destination", "call_class"), row[0], strict=True)) if row else None


def bridged_call(sip, speech, caller_hangs_up: bool):
    """The carrier's call: the message, 0, the reception's answer and audio both ways; then who
    hangs up. The carrier's REFERs (all refused 405)."""
    noise = np.random.default_rng(7).uniform(-0.5, 0.5, 8000).astype(np.float32)  # 1 s, unlike any prompt
    sent = ulaw_encode(to_pcm16(noise)).tobytes()
    chunks = {sent[i:i + 160] for i in range(0, len(sent) - 159, 160)}

    async def main():
        caller = await EarlyCaller(("127.0.0.1", sip.sip_port), mailbox=None, secret=None,
                                   ruri=f"sip:{DID}@127.0.0.1:{sip.sip_port}", caller=CALLER,
                                   domain="carrier.example", local_ip=CARRIER, display_name=None).open()
        try:
            caller.sipp.place(caller)
            answer = await caller.until(lambda: caller.answer, 60, "the voicemail's answer", audio=False)
            assert answer.status == 200 and "Poste-Media" in (answer.get("Server") or ""), answer
            await caller.silence(0.3)
            await caller.key("#")  # skip the greeting
            await caller.silence(1.0)  # the beep
            await caller.send_audio(speech)
            await caller.silence(0.3)
            await caller.key("#")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 40
            while not caller.refers:  # 0 does nothing until the after-recording menu takes it
                assert loop.time() < deadline, "no REFER after pressing 0"
                await caller.key("0")
                await caller.silence(0.5)
            start = len(caller.rtp.received)
            deadline = loop.time() + 40
            while echoed(caller, start, chunks) < len(chunks) // 2:  # the reception answered and echoes
                assert loop.time() < deadline, f"no audio back from the reception\n{sip.log_tail('kamailio')}"
                assert caller.bye_received is None, "the media app hung up instead of bridging"
                await caller.send_audio(noise)
            if caller_hangs_up:
                assert (await caller.bye()).status == 200
            else:
                await caller.wait_bye(30)  # the reception hung up: the media app ends the caller's leg
            return caller.refers
        finally:
            caller.close()
    return asyncio.run(asyncio.wait_for(main(), 150))


@pytest.mark.parametrize("caller_hangs_up", [True, False], ids=["caller-hangs-up", "reception-hangs-up"])
def test_0_bridges_the_carrier_caller_to_the_reception_phone(sip, office, speech, caller_hangs_up):
    _tenant, box, reception = office
    port = free_port()
    ringing = sip.sipp("uas_ring", port=port, background=True, timeout=60)  # the box's phone: never answers
    assert_ok(sip.register(box.number, box.domain, box.password, contact_port=port))
    phone = reception_phone(sip, reception, hang_up=not caller_hangs_up)
    refers = bridged_call(sip, speech, caller_hangs_up)
    assert [r.answered for r in refers] == [405]  # REFER tried once, refused: then the bridge
    assert_ok(ringing.wait())  # the box's phone rang, was CANCELled: then the voicemail answered
    assert_ok(phone.wait())  # the phone got its BYE (or its own BYE was answered): both legs ended
    rows = VoiceMessage.select().join(Mailbox).where(Mailbox.extension == box.model.id)
    wait_for(lambda: list(rows), 15, what="the voice message row")
    # the reception's answer is accounted (acc, written when it answers) to the reception
    answer = wait_for(lambda: answer_to(reception.number), 15, what="the bridged call's answer in acc")
    assert answer == {"extension": reception.number, "destination": reception.number, "call_class": "internal"}
    # and so is the call's record (acc_cdrs, written as both legs end at once). On SQLite one of two
    # rows written at the same instant by two Kamailio workers can be lost: db_sqlite has no busy
    # timeout (kamailio/README.md; production belongs on PostgreSQL). A missing record is accepted
    # only there and only with Kamailio's own log saying so.
    try:
        row = wait_for(lambda: cdr_to(reception.number), 15, what="the bridged call's accounting record")
    except TimeoutError:
        lost = [line for line in sip.log_tail("kamailio").splitlines() if "failed to write cdr" in line]
        assert lost and sip.settings.database_url.startswith("sqlite"), "the CDR is missing, and not to the known limit"
        return
    assert (row["extension"], row["call_class"]) == (reception.number, "internal")
