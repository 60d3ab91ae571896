"""Paid calls from the prepaid account (issue 15, C6), end to end: the real poste.cfg, rtpengine
and media app; sipp plays the desk phone (tests/media/caller.py: sipp's SIP, Python's RTP) and,
on its own loopback address, the carrier. The balance is heard before the carrier is even called,
the funds are reserved atomically at call time, the dialog ends when they run out, and every
call is settled once: at hang-up, or by the job when Kamailio never saw its end."""
from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest

from rtp.prompts.phrases import balance
from rtp.prompts.store import PromptStore
from rtp.rtp_io.packet import parse as parse_rtp
from tenants import jobs, mail, prepaid, tenancy, trunk
from tenants.audit import Actor
from tenants.db import database
from tenants.prepaid import LedgerEntry, PrepaidCall
from tenants.models import utcnow
from tests import factories
from tests.kamailio.conftest import make_ext
from tests.kamailio.media_stack import media_stack
from tests.kamailio.phone_caller import PhoneCaller
from tests.media.caller import SippUac
from tests.sip_fixtures import free_port, wait_for

MEDIA_ADDRESS = "127.0.0.21"  # the media app's own address
CARRIER = "127.0.0.2"  # the carrier trunk's host
DOMAIN = "prepaid.pbx.example"
DID = "+33184880021"
MOBILE_DE = "004915112345678"  # not included: payable once prepaid is enabled
RATES = ("prefix,description,cents_per_minute,increment_s,first_increment_s\n"
         "+49151,Allemagne mobiles,60,1,1\n"  # one cent a second, by the second
         "+33118,Renseignements,60,1,1\n")


@pytest.fixture(scope="module")
def sip():
    with media_stack(MEDIA_ADDRESS) as stack:
        stack.carrier_port = free_port(CARRIER)
        yield stack


@pytest.fixture(scope="module")
def office(sip):
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    me = make_ext(tenant)
    tenancy.add_did(factories.CLI, tenant, DID, extension=me.number)
    tenancy.update_tenant(factories.CLI, tenant, main_number=DID)
    trunk.set_trunk(factories.CLI, trunk.TrunkInput(host=CARRIER, port=sip.carrier_port))
    prepaid.import_rates(Actor.cli(), RATES)
    return tenant, me


@pytest.fixture
def account(office):
    """The module's tenant with prepaid enabled, an empty balance, no limits, nothing reserved."""
    tenant, _me = office
    prepaid.enable(Actor.cli(), tenant)
    prepaid.PrepaidAccount.update(max_calls=None, max_daily_cents=None, max_call_seconds=None,
                                  limit_notified=None).where(prepaid.PrepaidAccount.tenant == tenant).execute()
    left = prepaid.balance(tenant)
    if left:  # back to zero, through the ledger
        database.execute_sql("UPDATE prepaid_account SET balance_cents = 0 WHERE tenant_id = " + database.param,
                             (tenant.id,))
        LedgerEntry.create(tenant=tenant, kind="debit", cents=left, delta=-left, note="test reset")
    return tenant


def carrier_takes(sip, number: str, calls: int = 1, timeout: float = 60):
    return sip.sipp("carrier_answer", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=timeout,
                    calls=calls, substitutions={"RURI": number.replace("+", r"\+")})


def audio_of(packets: list[bytes]) -> bytes:
    return b"".join(p.payload for p in map(parse_rtp, packets) if p.payload_type == 0)


def heard(prompts: PromptStore, keys: list[str], audio: bytes) -> bool:
    """All of the prompt made of ``keys`` but its first and last 0.2 s is in ``audio`` (it is played
    from the start of the stream, so its 20 ms packets line up with the stream's)."""
    played = b"".join(prompts.segment(k, "fr", 0) for k in keys)
    whole = played[:len(played) // 160 * 160]
    assert len(whole) > 8000
    return whole[1600:-1600] in audio


def paid_calls(tenant) -> list[PrepaidCall]:
    return list(PrepaidCall.select().where(PrepaidCall.tenant == tenant).order_by(PrepaidCall.id))


def entries(call: PrepaidCall) -> dict[str, int]:
    rows = LedgerEntry.select().where(LedgerEntry.call == call)
    kinds = [r.kind for r in rows]
    assert len(kinds) == len(set(kinds)), f"a ledger movement twice: {kinds}"
    return {r.kind: r.cents for r in rows}


def assert_adds_up(tenant) -> None:
    assert prepaid.balance(tenant) == prepaid.ledger_sum(tenant) >= 0
    for call in paid_calls(tenant):
        if call.state != prepaid.RESERVED:
            rows = entries(call)
            assert rows["reservation"] == rows.get("debit", 0) + rows["release"], rows


def finished(tenant, count: int):
    calls = paid_calls(tenant)
    return calls if len(calls) == count and all(c.state != prepaid.RESERVED for c in calls) else None


def test_a_priced_call_hears_the_balance_before_the_carrier_answers_and_is_settled_at_hang_up(sip, office, account):
    tenant, me = office[0], office[1]
    prepaid.topup(Actor.cli(), tenant, 1250)  # "douze euros cinquante"
    carrier = carrier_takes(sip, "+4915112345678")

    async def main():
        phone = await PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password, MOBILE_DE).open()
        try:
            answer = await phone.invite(timeout=30)
            before_answer = list(phone.rtp.received)  # what the caller heard before the carrier's 200
            assert answer.status == 200, f"{answer}\n{sip.log_tail('kamailio')}"
            await phone.silence(1.0)
            await phone.bye()
            return answer, before_answer
        finally:
            phone.close()
    answer, before_answer = asyncio.run(asyncio.wait_for(main(), 60))
    assert answer.status == 200, answer
    assert carrier.wait().ok, carrier.explain()
    prompts = PromptStore(sip.data_dir)
    assert heard(prompts, balance(1250, "fr"), audio_of(before_answer)), "the balance was not heard before the answer"
    assert not heard(prompts, balance(1240, "fr"), audio_of(before_answer))
    (call,) = wait_for(lambda: finished(tenant, 1), 15, what="the call settled at hang-up")
    rows = entries(call)
    assert set(rows) == {"reservation", "debit", "release"}
    assert rows["reservation"] == 1250 and 1 <= rows["debit"] <= 5  # a second or so, by the second
    assert call.state == prepaid.SETTLED and call.destination == "+4915112345678"
    assert prepaid.balance(tenant) == 1250 - rows["debit"]
    assert_adds_up(tenant)
