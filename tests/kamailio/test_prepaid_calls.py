"""Paid calls from the prepaid account (issue 15, C6), end to end: the real poste.cfg, rtpengine
and media app; sipp plays the desk phone (tests/media/caller.py: sipp's SIP, Python's RTP) and,
on its own loopback address, the carrier. The balance is heard before the carrier is even called,
the funds are reserved atomically at call time, the dialog ends when they run out, and every
call is settled once: at hang-up, or by the job when Kamailio never saw its end."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import threading
import time
from collections import Counter

import pytest

from rtp.prompts.phrases import balance
from rtp.prompts.store import PromptStore
from rtp.rtp_io.packet import parse as parse_rtp
from tenants import jobs, mail, prepaid
from tenants.audit import Actor
from tenants.db import database
from tenants.models import utcnow
from tenants.prepaid import LedgerEntry, PrepaidCall
from tests import factories
from tests.kamailio.conftest import connect_to_carrier, make_ext, postgres_database
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
    # 50 callers at once from one address: pike would ban it. rtpengine takes two RTP/RTCP pairs a
    # call (4 ports): 50 announcements at once, then the paid calls' new offers, need more than the
    # 200 ports a test stack has by default (out of ports, it cannot anchor: the call gets 503)
    base = random.randrange(20000, 30000, 2)
    with media_stack(MEDIA_ADDRESS, pike_density=1000, database_url=postgres_database("poste_prepaid"),
                     rtp_port_min=base, rtp_port_max=base + 999) as stack:
        stack.carrier_port = free_port(CARRIER)
        yield stack


@pytest.fixture(scope="module")
def office(sip):
    sip.use_database()
    tenant = factories.tenant(DOMAIN)
    me = make_ext(tenant)
    connect_to_carrier(sip, tenant, DID, CARRIER, extension=me.number)
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


async def dial(sip, me, dialled: str = MOBILE_DE) -> PhoneCaller:
    """A phone of ``me`` ready to call ``dialled``, on its own sipp without UDP retransmissions
    (loopback loses nothing; on a loaded machine a late 407 to a retransmitted first INVITE would
    pass for the answer to the authenticated one)."""
    def make(**kw):
        return PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password, dialled, **kw)
    uac = await SippUac(make(), retransmit=False).start()
    phone = make(sipp=uac)
    phone._own_sipp = True  # closing the phone stops its sipp
    return await phone.open()


def carrier_takes(sip, number: str, calls: int = 1, timeout: float = 60):
    return sip.sipp("carrier_answer", local_ip=CARRIER, port=sip.carrier_port, background=True, timeout=timeout,
                    calls=calls, substitutions={"RURI": number.replace("+", r"\+")})


def audio_of(packets: list[bytes]) -> bytes:
    return b"".join(p.payload for p in map(parse_rtp, packets) if p.payload_type == 0)


def heard(prompts: PromptStore, keys: list[str], audio: bytes, share: float = 1.0) -> bool:
    """The prompt made of ``keys`` is in ``audio``: all of it but its first and last 0.2 s in one
    piece (it is played from the start of the stream, so its 20 ms packets line up with the
    stream's); with ``share`` < 1, at least that share of its 20 ms packets (many calls at once on
    two cores: a packet may come too late for the jitter-free comparison, never another prompt's)."""
    played = b"".join(prompts.segment(k, "fr", 0) for k in keys)
    whole = played[:len(played) // 160 * 160]
    assert len(whole) > 8000
    if share >= 1.0:
        return whole[1600:-1600] in audio
    frames = [whole[i:i + 160] for i in range(1600, len(whole) - 1600, 160)]
    got = {audio[i:i + 160] for i in range(0, len(audio) - 159, 160)}
    return sum(f in got for f in frames) >= share * len(frames)


def paid_calls(tenant, since: int = 0) -> list[PrepaidCall]:
    """The tenant's paid calls after the one numbered ``since`` (those of the test under way)."""
    return list(PrepaidCall.select().where((PrepaidCall.tenant == tenant) & (PrepaidCall.id > since))
                .order_by(PrepaidCall.id))


def last_call_id() -> int:
    last = PrepaidCall.select().order_by(PrepaidCall.id.desc()).first()
    return last.id if last else 0


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


def finished(tenant, count: int, since: int = 0):
    calls = paid_calls(tenant, since)
    return calls if len(calls) == count and all(c.state != prepaid.RESERVED for c in calls) else None


def test_a_priced_call_hears_the_balance_before_the_carrier_answers_and_is_settled_at_hang_up(sip, office, account):
    tenant, me = office[0], office[1]
    prepaid.topup(Actor.cli(), tenant, 1250)  # "douze euros cinquante"
    since = last_call_id()
    carrier = carrier_takes(sip, "+4915112345678")

    async def main():
        phone = await dial(sip, me)
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
    (call,) = wait_for(lambda: finished(tenant, 1, since), 15, what="the call settled at hang-up")
    rows = entries(call)
    assert set(rows) == {"reservation", "debit", "release"}
    assert rows["reservation"] == 1250 and 1 <= rows["debit"] <= 5  # a second or so, by the second
    assert call.state == prepaid.SETTLED and call.destination == "+4915112345678"
    assert prepaid.balance(tenant) == 1250 - rows["debit"]
    assert_adds_up(tenant)


class BalanceWatch(threading.Thread):
    """Reads the balance and the ledger's sum every few milliseconds while calls run, on its own
    connection: the lowest balance seen, and any moment the two disagreed."""

    def __init__(self, tenant):
        super().__init__(daemon=True)
        self.tenant, self.stop, self.lowest, self.reads, self.error = tenant, threading.Event(), None, 0, None

    def run(self):
        try:
            database.connect(reuse_if_open=True)
            while not self.stop.is_set():
                # one statement, one snapshot (a reservation and its ledger row commit together),
                # and no transaction: Kamailio's own writes (acc, dialogs) never wait on a reader
                left, total = database.execute_sql(
                    f"SELECT (SELECT balance_cents FROM prepaid_account WHERE tenant_id = {database.param}), "
                    f"(SELECT COALESCE(SUM(delta), 0) FROM prepaid_ledger WHERE tenant_id = {database.param})", (self.tenant.id, self.tenant.id)).fetchone()
                assert left == total, f"balance {left} but ledger {total}"
                self.lowest = left if self.lowest is None else min(self.lowest, left)
                self.reads += 1
                self.stop.wait(0.02)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            database.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.join(10)


async def place(sip, me, count: int, cut_expected: int, dialled: str = MOBILE_DE):
    """``count`` calls at once from ``me`` through one sipp (placed 40 ms apart: two cores carry
    Kamailio, rtpengine, the media app and sipp); each caller's answer, with what it heard before
    it, and the BYE of each answered one (the far end hangs up: within 30 s)."""
    model = PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password, dialled)
    uac = await SippUac(model, trace=False, retransmit=False).start()  # loopback: nothing is lost
    callers = [PhoneCaller(("127.0.0.1", sip.sip_port), me.number, DOMAIN, me.password, dialled, sipp=uac)
               for _ in range(count)]
    try:
        for caller in callers:
            await caller.open()
        invites = []
        for caller in callers:  # all 50 within 2 s (each lasts longer): at once, minus the burst
            invites.append(asyncio.ensure_future(caller.invite(timeout=60)))
            await asyncio.sleep(0.04)
        answers = await asyncio.gather(*invites)
        heard_before = [list(c.rtp.received) for c in callers]
        # the connected calls are cut by Kamailio (its BYE, which sipp answers and reports), counted
        # by the BYE itself (what proves Kamailio cut them)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while sum(c.bye_received is not None for c in callers) < cut_expected and loop.time() < deadline:
            await asyncio.sleep(0.1)
        # (no more than those: only the ten paid calls were answered, the test checks)
        return answers, heard_before, [c.bye_received is not None for c in callers]
    finally:
        for caller in callers:
            caller.close()
        uac.stop()


def test_fifty_calls_at_once_on_a_balance_for_ten(sip, office, account):
    """The balance never goes below zero (watched while the calls run), the ledger always adds up,
    the calls past the funds hear why, and the ten that went through are cut when their
    reservation runs out (4 s each: ``--max-call-seconds 4`` at one cent a second)."""
    tenant, me = office
    prepaid.enable(Actor.cli(), tenant, max_call_seconds=4)
    prepaid.topup(Actor.cli(), tenant, 40)
    since = last_call_id()
    carrier = carrier_takes(sip, "+4915112345678", calls=10, timeout=120)
    with BalanceWatch(tenant) as watch:
        answers, heard_before, cut = asyncio.run(asyncio.wait_for(place(sip, me, 50, 10), 150))
        calls = wait_for(lambda: finished(tenant, 10, since), 30, what="the ten calls settled")
    assert watch.error is None, watch.error
    assert watch.reads > 10 and watch.lowest == 0, (watch.reads, watch.lowest)
    # ten connected, each cut by Kamailio when its 4 s ran out (nobody hung up): the BYE each got
    assert sum(cut) == 10, Counter((a.status, a.reason) for a in answers)
    assert len(paid_calls(tenant, since)) == 10  # the 40 others reserved nothing
    # the others refused with 402 after their announcement (a 183 the media app repeats, for an
    # INVITE Kamailio sent again on a loaded machine, is no answer: tests/media/scenarios/caller.xml)
    statuses = Counter((a.status, a.reason) for a, bye in zip(answers, cut, strict=True) if not bye)
    assert statuses == {(402, "Insufficient Prepaid Balance"): 40}, statuses
    assert all(a.status == 200 for a, bye in zip(answers, cut, strict=True) if bye)
    assert carrier.wait().ok, carrier.explain()
    prompts = PromptStore(sip.data_dir)
    refused = [audio_of(h) for h, bye in zip(heard_before, cut, strict=True) if not bye]
    missed = [n for n, audio in enumerate(refused) if not heard(prompts, ["prepaid-no-funds"], audio, 0.9)]
    assert not missed, f"{len(missed)} refusals not heard (of {len(refused)})"
    for call in calls:
        rows = entries(call)
        assert rows["reservation"] == 4 and rows.get("debit", 0) <= 4, rows
        assert call.reserved_seconds == 4
    assert prepaid.balance(tenant) >= 0
    assert_adds_up(tenant)


def _kill_kamailio(sip) -> None:
    """Kamailio dies at once (kill -9: nothing written on the way out), then starts again."""
    import signal

    proc = sip.procs["kamailio"]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    sip.stop_process("kamailio")
    sip._spawn("kamailio", dict(sip_service_commands(sip))["kamailio"])
    sip.wait_kamailio()


def sip_service_commands(sip):
    from kamailio import service

    return service.commands(sip.settings, sip.options)


@pytest.mark.parametrize("how", ["restart", "kill"])
def test_kamailio_restarted_in_the_middle_of_a_paid_call(sip, office, account, how):
    """Kamailio restarted (SIGTERM) or killed (SIGKILL) while a paid call is connected, then the
    caller hangs up. Either the new Kamailio knows the dialog (read back from the database) and
    settles the call at the BYE, or it does not (the BYE is refused) and the reconciliation job,
    once the call must have ended, settles it from its accounting record or releases it. Never
    lost, never charged twice: a second run of the job changes nothing."""
    tenant, me = office
    prepaid.topup(Actor.cli(), tenant, 1000)
    since = last_call_id()
    carrier = carrier_takes(sip, "+4915112345678", timeout=90)

    async def main():
        phone = await dial(sip, me)
        try:
            answer = await phone.invite(timeout=30)
            assert answer.status == 200, answer
            await phone.silence(1.0)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sip.restart_kamailio if how == "restart" else lambda: _kill_kamailio(sip))
            await phone.silence(1.0)
            return await phone.bye(timeout=20)
        finally:
            phone.close()
    bye = asyncio.run(asyncio.wait_for(main(), 90))
    (call,) = paid_calls(tenant, since)
    if bye.status == 200:  # the dialog survived: settled at the BYE
        call = wait_for(lambda: finished(tenant, 1, since), 15, what="the call settled at hang-up")[0]
        assert call.state == prepaid.SETTLED and call.debited_cents >= 2
        assert carrier.wait().ok, carrier.explain()
    else:  # forgotten: the BYE is refused, the carrier never hears of it, the call stays reserved
        assert (bye.status, bye.reason) == (403, "Not In A Known Dialog"), bye
        carrier.stop()
        assert PrepaidCall.get_by_id(call.id).state == prepaid.RESERVED
    jobs.register(prepaid.RECONCILE_JOB, prepaid.reconcile_call)
    later = utcnow() + dt.timedelta(seconds=prepaid.RING_SECONDS + call.reserved_seconds + prepaid.GRACE_SECONDS)
    jobs.run_due(later)
    jobs.run_due(later + dt.timedelta(hours=1))  # nothing twice
    call = PrepaidCall.get_by_id(call.id)
    assert call.state in (prepaid.SETTLED, prepaid.RELEASED)
    rows = entries(call)  # each movement once
    assert rows["reservation"] == rows.get("debit", 0) + rows["release"]
    assert prepaid.balance(tenant) == 1000 - rows.get("debit", 0)
    assert_adds_up(tenant)


def test_the_limits_refuse_past_them_and_the_admins_are_emailed_once(sip, office, account):
    """``--max-calls 1``: while a paid call is connected, another paid call and an included one
    (the limit counts every outside call) are refused with the announcement; past the day's spend,
    paid calls are refused too; the admins get one email per limit, not one per refusal."""
    import wiring
    from tests.mail_server import MailServer

    tenant, me = office
    factories.account("admin", tenant, email=f"chef-{tenant.id}@prepaid.example")
    factories.account("user", tenant, email=f"alice-{tenant.id}@prepaid.example")
    prepaid.topup(Actor.cli(), tenant, 1000)
    prepaid.enable(Actor.cli(), tenant, max_calls=1, max_call_seconds=60)  # funds left for a second call
    since = last_call_id()
    carrier = carrier_takes(sip, "+4915112345678", timeout=90)
    prompts = PromptStore(sip.data_dir)

    async def call_while_one_runs():
        first = await dial(sip, me)
        try:
            assert (await first.invite(timeout=30)).status == 200
            refused = []
            for dialled in (MOBILE_DE, "0142685300"):  # paid, then included
                other = await dial(sip, me, dialled)
                try:
                    refused.append((await other.invite(timeout=30), audio_of(other.rtp.received)))
                finally:
                    other.close()
            await first.bye()
            return refused
        finally:
            first.close()
    refused = asyncio.run(asyncio.wait_for(call_while_one_runs(), 90))
    assert carrier.wait().ok, carrier.explain()
    for answer, audio in refused:
        assert (answer.status, answer.reason) == (403, "Outside Call Limit Reached")
        assert heard(prompts, ["prepaid-limit"], audio, 0.9)
    wait_for(lambda: finished(tenant, 1, since), 15, what="the first call settled")
    spent = sum(c.debited_cents for c in paid_calls(tenant, since))
    prepaid.PrepaidAccount.update(max_calls=None, max_daily_cents=spent).where(
        prepaid.PrepaidAccount.tenant == tenant).execute()  # today's spend is the day's allowance

    async def past_the_daily_spend():
        answers = []
        for _ in range(2):
            phone = await dial(sip, me)
            try:
                answers.append(await phone.invite(timeout=30))
            finally:
                phone.close()
        return answers
    for answer in asyncio.run(asyncio.wait_for(past_the_daily_spend(), 60)):
        assert (answer.status, answer.reason) == (403, "Daily Spend Limit Reached")
    server = MailServer().start()
    try:
        mail.configure("127.0.0.1", server.port, "Poste <poste@localhost>")
        wiring.register_handlers()
        jobs.run_due(utcnow() + dt.timedelta(seconds=1))
        server.wait_for(2)
        sent = [m for m in server.messages if "prépayé" in str(m["Subject"])]  # not the extension's PIN email
        assert sorted((m["To"], m["Subject"]) for m in sent) == [
            (f"chef-{tenant.id}@prepaid.example", f"Compte prépayé de {DOMAIN} : appels refusés")] * 2
        texts = " ".join(m.get_body(("plain",)).get_content() for m in sent)
        assert "1 appels vers l'extérieur sont déjà en cours" in texts and "dépense maximale" in texts
    finally:
        server.stop()
    assert_adds_up(tenant)


def test_a_caller_who_hangs_up_during_the_balance_pays_nothing(sip, office, account):
    """CANCEL while the balance is being said: the dialog fails, its reservation is released whole,
    and the carrier is never called."""
    tenant, me = office
    prepaid.topup(Actor.cli(), tenant, 500)
    since = last_call_id()
    run = sip.sipp("call_cancel_early", auth=(me.number, me.password),
                   variables={"user": me.number, "domain": DOMAIN, "ruser": MOBILE_DE, "rdomain": DOMAIN,
                              "ua": "Poste-Test-Phone/1.0"})
    assert run.ok, run.explain()
    (call,) = wait_for(lambda: finished(tenant, 1, since), 15, what="the reservation released")
    assert call.state == prepaid.RELEASED and entries(call) == {"reservation": 500, "release": 500}
    assert prepaid.balance(tenant) == 500
    assert_adds_up(tenant)


def _rtpengine_in_use(sip) -> bool:
    """Kamailio sends its offers to rtpengine again (it leaves a node that failed aside; enabling it
    asks it first)."""
    from kamailio import rpc

    try:
        rpc.call("rtpengine.enable", "all", 1, settings=sip.settings)
        nodes = rpc.call("rtpengine.show", "all", settings=sip.settings)
    except rpc.RpcError:
        return False
    nodes = nodes if isinstance(nodes, list) else [nodes]
    return bool(nodes) and all(int(n.get("disabled", 1)) == 0 for n in nodes)


def test_a_paid_call_rtpengine_cannot_anchor_never_reaches_the_carrier(sip, office, account):
    """rtpengine down (or out of ports, or too slow under load): the INVITE never goes on with the
    phone's own SDP, to the carrier least of all; the caller gets 503 and pays nothing."""
    import socket

    tenant, me = office
    prepaid.topup(Actor.cli(), tenant, 500)
    since = last_call_id()
    carrier = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the carrier: what reaches it
    carrier.bind((CARRIER, sip.carrier_port))
    carrier.setblocking(False)
    sip.stop_process("rtpengine")
    try:
        async def main():
            phone = await dial(sip, me)
            try:
                return await phone.invite(timeout=30)
            finally:
                phone.close()
        answer = asyncio.run(asyncio.wait_for(main(), 60))
    finally:
        sip._spawn("rtpengine", dict(sip_service_commands(sip))["rtpengine"])
        wait_for(lambda: _rtpengine_in_use(sip), 30, what="rtpengine back in use")
    try:
        reached = carrier.recv(65535)
    except BlockingIOError:  # the INVITE goes out before the caller's answer: none came
        reached = b""
    finally:
        carrier.close()
    assert not reached, reached[:300]
    assert (answer.status, answer.reason) == (503, "Media Relay Unavailable"), answer
    (call,) = wait_for(lambda: finished(tenant, 1, since), 15, what="the reservation released")
    assert call.state == prepaid.RELEASED and entries(call) == {"reservation": 500, "release": 500}
    assert prepaid.balance(tenant) == 500
    assert_adds_up(tenant)


def test_the_limit_holds_for_calls_the_rules_forward_out_at_once_or_after_ringing(sip, office, account):
    """``--max-calls 1`` counts the outside calls the call rules make (issue 17) as a phone's own:
    while one outside call is connected, a call to an extension forwarding every call to a mobile
    is refused (403, nothing to the carrier), and so is one forwarded on no answer once the phone
    rang out (the Limit step in failure_route); without the call under way the forward goes out."""
    from tenants import call_services
    from tenants.call_rules import FORWARD, CallRules

    tenant, me = office
    forward_all, after_ringing = make_ext(tenant), make_ext(tenant)
    call_services.save_rules(factories.CLI, forward_all.model, CallRules(incoming=FORWARD, forward_to="+33698765421"),
                             24)
    call_services.save_rules(factories.CLI, after_ringing.model,
                             CallRules(no_answer=FORWARD, no_answer_to="+33698765421"), 5)
    port = free_port()
    ringing = sip.sipp("uas_ring", background=True, port=port, timeout=60)
    assert sip.register(after_ringing.number, DOMAIN, after_ringing.password, contact_port=port).ok
    prepaid.enable(Actor.cli(), tenant, max_calls=1)
    carrier = carrier_takes(sip, "+33698765421", calls=2, timeout=90)  # the running call, then the forward
    prompts = PromptStore(sip.data_dir)

    async def forwards_while_one_runs():
        first = await dial(sip, me, "0698765421")  # included: no balance needed
        try:
            assert (await first.invite(timeout=30)).status == 200
            refused = []
            for extension in (forward_all.number, after_ringing.number):
                other = await dial(sip, me, extension)
                try:
                    refused.append((await other.invite(timeout=30), audio_of(other.rtp.received)))
                finally:
                    other.close()
            await first.bye()
        finally:
            first.close()
        # the ended call leaves the profile when Kamailio frees its dialog (once the BYE's
        # transaction is over, seconds later): until then the forward is still refused
        deadline = time.monotonic() + 30
        while True:
            forwarded = await dial(sip, me, forward_all.number)
            try:
                answer = await forwarded.invite(timeout=30)
                if answer.status == 200:
                    await forwarded.bye()
            finally:
                forwarded.close()
            if answer.status != 403 or time.monotonic() > deadline:
                return refused, answer
            await asyncio.sleep(0.5)
    refused, answer = asyncio.run(asyncio.wait_for(forwards_while_one_runs(), 120))
    for index, (got, audio) in enumerate(refused):
        assert (got.status, got.reason) == (403, "Outside Call Limit Reached")
        assert heard(prompts, ["prepaid-limit"], audio, 0.9), (index, len(audio))
    assert ringing.wait().ok, ringing.explain()  # the phone rang out before the refusal
    assert answer.status == 200  # no call under way: the forward reached the carrier
    assert carrier.wait().ok, carrier.explain()  # two calls, the refused ones never reached it

