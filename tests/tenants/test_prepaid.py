"""Prepaid accounts (C6) in the database: top-ups, atomic reservations, settlement, release,
the toll-fraud limits, the reconciliation job and the rate import (all or nothing)."""
import datetime as dt
import threading

import pytest

from tenants import prepaid
from tenants.audit import Actor
from tenants.db import database
from tenants.models import AuditEntry
from tenants.prepaid import LedgerEntry, PrepaidCall, RateEntry
from tenants.problems import DomainError
from tests import factories

RATES = ("prefix,description,cents_per_minute,increment_s,first_increment_s\n"
         "+1,Amérique du Nord,60,60,\n"  # one cent a second, by the minute
         "+44,Royaume-Uni,5,1,30\n")


@pytest.fixture
def acme(db):
    tenant = factories.tenant()
    prepaid.import_rates(Actor.cli(), RATES)
    prepaid.enable(Actor.cli(), tenant)
    return tenant


def _adds_up(tenant):
    assert prepaid.balance(tenant) == prepaid.ledger_sum(tenant)
    for call in PrepaidCall.select():
        if call.state != prepaid.RESERVED:
            rows = {e.kind: e.cents for e in LedgerEntry.select().where(LedgerEntry.call == call)}
            assert rows[prepaid.RESERVATION] == rows.get(prepaid.DEBIT, 0) + rows[prepaid.RELEASE]


def test_topup_reserve_settle_adds_up(acme):
    prepaid.topup(Actor.cli(), acme, 1000, note="virement")
    held = prepaid.reserve(acme, "call-1", "2001", "+12125550100", max_seconds=300)
    assert (held.refusal, held.cents, held.seconds, held.balance_cents) == ("", 300, 300, 700)
    assert prepaid.balance(acme) == 700
    call = prepaid.settle("call-1", 61)
    assert (call.state, call.debited_cents) == (prepaid.SETTLED, 120)
    assert prepaid.balance(acme) == 880
    assert [(e.kind, e.cents, e.delta) for e in prepaid.ledger(acme)] == [
        ("release", 180, 180), ("debit", 120, 0), ("reservation", 300, -300), ("topup", 1000, 1000)]
    assert prepaid.settle("call-1", 61) is None and prepaid.release("call-1") is None  # never twice
    assert prepaid.balance(acme) == 880
    _adds_up(acme)


def test_a_call_never_connected_costs_nothing(acme):
    prepaid.topup(Actor.cli(), acme, 500)
    assert prepaid.reserve(acme, "c", "2001", "+442079460000").refusal == ""
    assert prepaid.release("c").state == prepaid.RELEASED
    assert prepaid.balance(acme) == 500
    _adds_up(acme)


def test_refusals_no_funds_no_rate_disabled_and_duplicates(acme):
    prepaid.topup(Actor.cli(), acme, 59)
    assert prepaid.reserve(acme, "a", "2001", "+12125550100").refusal == prepaid.NO_FUNDS
    assert prepaid.reserve(acme, "b", "2001", "+4915112345678").refusal == prepaid.NO_RATE
    assert prepaid.reserve(acme, "c", "2001", "+442079460000").refusal == ""
    assert prepaid.reserve(acme, "c", "2001", "+442079460000").refusal == prepaid.DUPLICATE
    prepaid.disable(Actor.cli(), acme)
    assert prepaid.reserve(acme, "d", "2001", "+442079460000").refusal == prepaid.NOT_ENABLED
    _adds_up(acme)


def test_toll_fraud_limits(acme):
    prepaid.enable(Actor.cli(), acme, max_calls=2, max_daily_cents=250)
    prepaid.topup(Actor.cli(), acme, 10_000)
    assert prepaid.reserve(acme, "a", "2001", "+12125550100", max_seconds=60).refusal == ""
    assert prepaid.reserve(acme, "b", "2001", "+12125550100", max_seconds=60).refusal == ""
    assert prepaid.reserve(acme, "c", "2001", "+12125550100", max_seconds=60).refusal == "concurrent_limit"
    prepaid.settle("a", 60)
    prepaid.settle("b", 60)
    held = prepaid.reserve(acme, "d", "2001", "+12125550100", max_seconds=180)  # 120 spent: 130 left today
    assert (held.refusal, held.cents, held.seconds) == ("", 120, 120)  # only what the day allows
    assert prepaid.reserve(acme, "e", "2001", "+12125550100", max_seconds=60).refusal == "daily_limit"  # 10 left
    prepaid.settle("d", 30)  # 60 debited, 60 released: 70 left today
    assert prepaid.reserve(acme, "f", "2001", "+12125550100", max_seconds=180).cents == 60
    _adds_up(acme)


def test_bad_topups_change_nothing(acme):
    for cents in (0, -5, 10**12, "12", 1.5, True):
        with pytest.raises(DomainError) as error:
            prepaid.topup(Actor.cli(), acme, cents)
        assert "centimes" in str(error.value)
    prepaid.topup(Actor.cli(), acme, prepaid.MAX_CENTS)
    with pytest.raises(DomainError):
        prepaid.topup(Actor.cli(), acme, 1)  # the balance itself would be absurd
    assert prepaid.balance(acme) == prepaid.MAX_CENTS == prepaid.ledger_sum(acme)


def test_enable_without_rates_is_refused(db):
    tenant = factories.tenant()
    with pytest.raises(DomainError) as error:
        prepaid.enable(Actor.cli(), tenant)
    assert "grille tarifaire" in str(error.value)
    assert not prepaid.account_of(tenant).enabled
    assert not AuditEntry.select().where(AuditEntry.action == "prepaid.enable").exists()


def test_concurrent_reservations_never_overdraw(acme, settings):
    prepaid.topup(Actor.cli(), acme, 600)  # ten calls of 60 s at one cent a second
    answers, errors = [], []

    def call(n):
        try:
            database.connect(reuse_if_open=True)
            answers.append(prepaid.reserve(acme, f"call-{n}", "2001", "+12125550100", max_seconds=60))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    database.connect(reuse_if_open=True)
    assert not errors
    assert sorted(a.refusal for a in answers) == [""] * 10 + [prepaid.NO_FUNDS] * 20
    assert prepaid.balance(acme) == 0 == prepaid.ledger_sum(acme)


def test_reconcile_settles_from_accounting_or_releases(acme):
    prepaid.topup(Actor.cli(), acme, 1000)
    start = dt.datetime(2026, 1, 1, 12, 0)
    prepaid.reserve(acme, "seen", "2001", "+12125550100", max_seconds=300, now=start)
    prepaid.reserve(acme, "lost", "2001", "+12125550100", max_seconds=300, now=start)
    database.execute_sql(f"INSERT INTO acc_cdrs (callid, duration) VALUES ({database.param}, 90.2)", ("seen",))
    assert prepaid.reconcile(start + dt.timedelta(seconds=400)) == []  # the calls may still be going on
    assert sorted(prepaid.reconcile(start + dt.timedelta(seconds=481))) == ["lost", "seen"]
    assert PrepaidCall.get(PrepaidCall.call_id == "seen").debited_cents == 120
    assert PrepaidCall.get(PrepaidCall.call_id == "lost").state == prepaid.RELEASED
    assert prepaid.reconcile(start + dt.timedelta(days=1)) == []
    assert prepaid.balance(acme) == 880
    _adds_up(acme)


def test_rate_import_reports_each_bad_line_and_imports_nothing(acme):
    bad = ("prefix,description,cents_per_minute,increment_s,first_increment_s\n"
           "+33,France,1,60,60\n"
           "33,Sans plus,1,60,\n"
           "+49,Allemagne,-3,60,\n"
           "+33,Encore,1,60,\n"
           "+41,Suisse,1,0,\n")
    with pytest.raises(DomainError) as error:
        prepaid.import_rates(Actor.cli(), bad)
    text = str(error.value)
    assert "Ligne 3" in text and "Ligne 4" in text and "Ligne 5" in text and "Ligne 6" in text
    assert "Ligne 2" not in text
    assert sorted(RateEntry.select(RateEntry.prefix).tuples()) == [("+1",), ("+44",)]  # unchanged
    with pytest.raises(DomainError):
        prepaid.import_rates(Actor.cli(), "prefix;description\n+1;x\n")
    count, reports = prepaid.import_rates(Actor.cli(), RATES + "+447,Royaume-Uni mobiles,20,1,30\n")
    assert count == 3 and [r.line for r in reports] == [2, 3, 4]
    assert prepaid.rate_for("+447700900123").cents_per_minute == 20
    assert prepaid.export_rates("+44").splitlines() == [
        "prefix,description,cents_per_minute,increment_s,first_increment_s",
        "+44,Royaume-Uni,5,1,30", "+447,Royaume-Uni mobiles,20,1,30"]
    assert prepaid.rate_for("+12125550100").first_increment_s == 60  # empty: the increment


def test_configure_sets_the_threshold_and_needs_rates_to_enable(db):
    tenant = factories.tenant()
    with pytest.raises(DomainError):
        prepaid.configure(Actor.cli(), tenant, enabled=True, low_balance_cents=500)
    assert prepaid.account_of(tenant).low_balance_cents is None  # nothing stored
    prepaid.configure(Actor.cli(), tenant, enabled=False, low_balance_cents=500)
    assert prepaid.account_of(tenant).low_balance_cents == 500
    prepaid.import_rates(Actor.cli(), RATES)
    account = prepaid.configure(Actor.cli(), tenant, enabled=True, low_balance_cents=None)
    assert (account.enabled, account.low_balance_cents) == (True, None)
    with pytest.raises(DomainError):
        prepaid.configure(Actor.cli(), tenant, enabled=True, low_balance_cents=-1)
    assert AuditEntry.select().where(AuditEntry.action == "prepaid.settings").count() == 2


def test_the_admins_are_emailed_once_per_crossing_of_the_threshold(acme):
    from tenants import mail
    from tenants.models import Job

    factories.account("admin", acme, email="boss@acme.example")
    second = factories.account("admin", acme, email="second@acme.example")
    second.language = "en"
    second.save()
    factories.account("user", acme, email="alice@acme.example")

    def sent():
        return sorted((j.payload["to"], j.payload["subject"]) for j in Job.select().where(Job.kind == mail.SEND_MAIL)
                      if "prépayé" in j.payload["subject"] or "Prepaid" in j.payload["subject"])

    prepaid.configure(Actor.cli(), acme, enabled=True, low_balance_cents=500)
    prepaid.topup(Actor.cli(), acme, 1000)
    prepaid.reserve(acme, "a", "2001", "+12125550100", max_seconds=300)  # 700 left
    assert sent() == []
    prepaid.reserve(acme, "b", "2001", "+12125550100", max_seconds=300)  # 400 left: crossed
    assert [to for to, _subject in sent()] == ["boss@acme.example", "second@acme.example"]
    mails = {j.payload["to"]: j.payload["body"] for j in Job.select().where(Job.kind == mail.SEND_MAIL)}
    assert "4,00" in mails["boss@acme.example"] and "5,00" in mails["boss@acme.example"]
    assert "€4.00" in mails["second@acme.example"] and "/compte-prepaye" in mails["second@acme.example"]
    prepaid.reserve(acme, "c", "2001", "+12125550100", max_seconds=300)  # 100 left: the same crossing
    prepaid.topup(Actor.cli(), acme, 100)  # 200: still below
    prepaid.release("c")  # 500: not a new crossing either
    prepaid.reserve(acme, "d", "2001", "+12125550100", max_seconds=60)
    assert len(sent()) == 2
    prepaid.topup(Actor.cli(), acme, 1000)  # back above: the next crossing is told
    prepaid.reserve(acme, "e", "2001", "+12125550100", max_seconds=1200)
    assert len(sent()) == 4
    _adds_up(acme)


def test_each_reservation_queues_its_reconciliation_due_when_the_call_must_have_ended(acme):
    from tenants import jobs
    from tenants.models import Job

    prepaid.topup(Actor.cli(), acme, 1000)
    start = dt.datetime(2026, 1, 1, 12, 0)
    prepaid.reserve(acme, "seen", "2001", "+12125550100", max_seconds=300, now=start)
    prepaid.reserve(acme, "lost", "2001", "+12125550100", max_seconds=300, now=start)
    prepaid.reserve(acme, "ended", "2001", "+12125550100", max_seconds=300, now=start)
    prepaid.settle("ended", 30, now=start + dt.timedelta(seconds=40))  # its end was seen: debited 60
    queued = list(Job.select().where(Job.kind == prepaid.RECONCILE_JOB))
    assert len(queued) == 3 and {j.run_at for j in queued} == {start + dt.timedelta(seconds=120 + 300 + 60)}
    database.execute_sql(f"INSERT INTO acc_cdrs (callid, duration) VALUES ({database.param}, 90.2)", ("seen",))
    jobs.register(prepaid.RECONCILE_JOB, prepaid.reconcile_call)
    assert jobs.run_due(start + dt.timedelta(seconds=479)) == 0  # the calls may still be going on
    assert jobs.run_due(start + dt.timedelta(seconds=480)) == 3
    states = {c.call_id: (c.state, c.debited_cents) for c in PrepaidCall.select()}
    assert states == {"seen": ("settled", 120), "lost": ("released", 0), "ended": ("settled", 60)}
    assert prepaid.balance(acme) == 1000 - 120 - 60
    prepaid.reconcile_call({"call_id": "seen"})  # a job run twice charges nothing twice
    assert prepaid.balance(acme) == 820
    _adds_up(acme)


def test_the_longest_paid_call_caps_each_reservation(acme):
    prepaid.enable(Actor.cli(), acme, max_call_seconds=5)
    prepaid.topup(Actor.cli(), acme, 1000)
    held = prepaid.reserve(acme, "a", "2001", "+442079460000")  # 5 cents a minute, 30 s first increment
    assert (held.cents, held.seconds) == (3, 30)  # at least the first increment
    held = prepaid.reserve(acme, "b", "2001", "+12125550100")  # by the minute
    assert (held.cents, held.seconds) == (60, 60)
    prepaid.import_rates(Actor.cli(), RATES + "+1555,Test,60,1,1\n")
    held = prepaid.reserve(acme, "c", "2001", "+15550100")
    assert (held.cents, held.seconds) == (5, 5)
    with pytest.raises(DomainError):
        prepaid.enable(Actor.cli(), acme, max_call_seconds=0)
    assert prepaid.account_of(acme).max_call_seconds == 5


def test_a_limit_refusal_emails_the_admins_once_a_day_per_limit(acme):
    from tenants import mail
    from tenants.models import Job

    factories.account("admin", acme, email="boss@acme.example")
    factories.account("user", acme, email="alice@acme.example")

    def told():
        return sorted((j.payload["to"], j.payload["subject"]) for j in Job.select().where(Job.kind == mail.SEND_MAIL))

    prepaid.enable(Actor.cli(), acme, max_calls=1, max_daily_cents=100)
    prepaid.topup(Actor.cli(), acme, 10_000)
    day = dt.datetime(2026, 1, 1, 9, 0)
    assert prepaid.reserve(acme, "a", "2001", "+12125550100", max_seconds=60, now=day).refusal == ""
    for n in range(3):
        assert prepaid.reserve(acme, f"b{n}", "2001", "+12125550100", max_seconds=60,
                               now=day).refusal == "concurrent_limit"
    assert told() == [("boss@acme.example", f"Compte prépayé de {acme.domain} : appels refusés")]
    body = Job.get(Job.kind == mail.SEND_MAIL).payload
    assert "1 appels vers l'extérieur sont déjà en cours" in str(body)
    prepaid.settle("a", 60, now=day)
    assert prepaid.reserve(acme, "c", "2001", "+12125550100", max_seconds=60, now=day).refusal == "daily_limit"
    assert prepaid.reserve(acme, "d", "2001", "+12125550100", max_seconds=60, now=day).refusal == "daily_limit"
    assert len(told()) == 2  # the other limit, once
    assert prepaid.reserve(acme, "e", "2001", "+12125550100", max_seconds=60,
                           now=day + dt.timedelta(days=1)).refusal == ""
    assert prepaid.reserve(acme, "f", "2001", "+12125550100", max_seconds=60,
                           now=day + dt.timedelta(days=1)).refusal == "concurrent_limit"
    assert len(told()) == 3  # a new day: told again
    _adds_up(acme)
