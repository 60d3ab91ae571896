"""Prepaid funds (C6): each tenant's account, its ledger, the rate table, and the reservation,
settlement and release of paid calls. The decisions are ``tenants/prepaid_rules.py``'s.

The balance is the money a tenant may still spend: a top-up adds to it, a call's reservation
takes from it, the release of what a call did not use gives it back; the debit of a call is
taken from its reservation, not from the balance again. Every change of the balance is a ledger
row written in the same transaction, so ``balance == sum(ledger.delta)`` always holds.

A reservation is one conditional ``UPDATE ... SET balance = balance - R WHERE balance >= R``:
never a balance read in Python then written back, so concurrent calls cannot overdraw it, on
SQLite and on PostgreSQL. Before it, the transaction takes the account row (a no-op update),
so the toll-fraud counts it reads are those of the calls already reserved.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import peewee as pw

from tenants import audit, config, emails, jobs, mail
from tenants.accounts import admins
from tenants.audit import Actor
from tenants.db import database
from tenants.models import BaseModel, JSONField, Tenant, utcnow
from tenants.prepaid_rules import (
    CONCURRENT_LIMIT,
    DAILY_LIMIT,
    MAX_CALL_SECONDS,
    MAX_CENTS,
    Rate,
    billed_seconds,
    cost_cents,
    find_rate,
    limit_reached,
    rate_key,
    reservation,
    settlement,
)
from tenants.problems import N_, DomainError, Problem

TOPUP, RESERVATION, DEBIT, RELEASE = "topup", "reservation", "debit", "release"
KINDS = (TOPUP, RESERVATION, DEBIT, RELEASE)
RESERVED, SETTLED, RELEASED = "reserved", "settled", "released"
# A reservation whose call was never seen to end is settled or released after this long past
# the most the call could have lasted (ringing, then its reserved seconds).
RING_SECONDS = 120
GRACE_SECONDS = 60
# One job per reservation, due when its call must have ended: settles or releases it if the
# call's end was never seen (Kamailio restarted); does nothing to a call already settled.
RECONCILE_JOB = jobs.declare("prepaid_reconcile")


class PrepaidAccount(BaseModel):
    tenant = pw.ForeignKeyField(Tenant, backref="prepaid", unique=True, on_delete="CASCADE")
    enabled = pw.BooleanField(default=False)
    balance_cents = pw.BigIntegerField(default=0)
    low_balance_cents = pw.BigIntegerField(null=True)  # the admins are emailed once per crossing
    low_balance_notified = pw.BooleanField(default=False)
    max_calls = pw.IntegerField(null=True)  # toll-fraud limits: paid calls at once
    max_daily_cents = pw.BigIntegerField(null=True)  # and spent per day (UTC)
    max_call_seconds = pw.IntegerField(null=True)  # the longest a paid call may last (None: MAX_CALL_SECONDS)
    limit_notified = pw.CharField(max_length=40, null=True)  # "<day>:<limit>" the admins were last told of
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "prepaid_account"


class PrepaidCall(BaseModel):
    """A paid call: what it reserved, at which rate, and how it ended."""

    if TYPE_CHECKING:  # peewee's foreign-key column
        tenant_id: int

    tenant = pw.ForeignKeyField(Tenant, on_delete="CASCADE")
    call_id = pw.CharField(max_length=255, unique=True)
    extension = pw.CharField(max_length=16, default="")
    destination = pw.CharField(max_length=32)
    rate = JSONField()  # the Rate it was reserved at, kept for its settlement
    reserved_cents = pw.BigIntegerField()
    reserved_seconds = pw.IntegerField()
    state = pw.CharField(max_length=10, default=RESERVED, index=True)
    connected_seconds = pw.IntegerField(null=True)
    debited_cents = pw.BigIntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow, index=True)
    ended_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "prepaid_call"


class LedgerEntry(BaseModel):
    """One movement of money: ``cents`` (positive) of ``kind``, ``delta`` its effect on the balance."""

    tenant = pw.ForeignKeyField(Tenant, on_delete="CASCADE")
    kind = pw.CharField(max_length=12)
    cents = pw.BigIntegerField()
    delta = pw.BigIntegerField()
    call = pw.ForeignKeyField(PrepaidCall, null=True, on_delete="SET NULL", column_name="paid_call_id")
    call_id = pw.CharField(max_length=255, default="")
    extension = pw.CharField(max_length=16, default="")
    destination = pw.CharField(max_length=32, default="")
    seconds = pw.IntegerField(null=True)  # a debit's billed duration
    note = pw.CharField(max_length=200, default="")
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        table_name = "prepaid_ledger"
        indexes = ((("tenant", "id"), False),)


class RateEntry(BaseModel):
    prefix = pw.CharField(max_length=17, unique=True)
    description = pw.CharField(max_length=100)
    cents_per_minute = pw.IntegerField()
    increment_s = pw.IntegerField()
    first_increment_s = pw.IntegerField()

    class Meta:
        table_name = "rate"


MODELS = [PrepaidAccount, PrepaidCall, LedgerEntry, RateEntry]  # made by m0050_prepaid


def _sql(text: str, params: tuple = ()):
    return database.execute_sql(text.replace("?", database.param), params)


# ------------------------------------------------------------------ the account


def account_of(tenant: Tenant) -> PrepaidAccount:
    """The tenant's account, made (disabled, empty) on first use."""
    found = PrepaidAccount.get_or_none(PrepaidAccount.tenant == tenant)
    if found is None:
        with database.atomic():
            PrepaidAccount.insert(tenant=tenant).on_conflict_ignore().execute()
        found = PrepaidAccount.get(PrepaidAccount.tenant == tenant)
    return found


def _snapshot(account: PrepaidAccount) -> dict:
    return {"enabled": account.enabled, "max_calls": account.max_calls, "max_daily_cents": account.max_daily_cents,
            "max_call_seconds": account.max_call_seconds, "low_balance_cents": account.low_balance_cents}


def _check_limit(value, name: str, top: int) -> list[Problem]:
    if value is None:
        return []
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= top:
        return [Problem(name, N_("La limite doit être un nombre entier entre 1 et %(top)s."), {"top": top})]
    return []


def _without_rates() -> list[Problem]:
    """Prepaid cannot be enabled before a rate table is imported: what to say then."""
    if RateEntry.select().exists():
        return []
    return [Problem("enabled", N_("Aucune grille tarifaire n'est importée : le compte prépayé ne peut pas "
                                  "être activé (flask --app wsgi rates import FICHIER.csv)."))]


def enable(actor: Actor, tenant: Tenant, *, max_calls: int | None = None, max_daily_cents: int | None = None,
           low_balance_cents: int | None = None, max_call_seconds: int | None = None) -> PrepaidAccount:
    """Enable the prepaid account (and set the limits given); refused while there is no rate table."""
    problems = (_check_limit(max_calls, "max_calls", 10_000) + _check_limit(max_daily_cents, "max_daily_cents", MAX_CENTS)
                + _check_limit(low_balance_cents, "low_balance_cents", MAX_CENTS)
                + _check_limit(max_call_seconds, "max_call_seconds", MAX_CALL_SECONDS))
    if not problems:
        problems += _without_rates()
    if problems:
        raise DomainError(problems)
    with database.atomic():
        account = account_of(tenant)
        before = _snapshot(account)
        account.enabled = True
        if max_calls is not None:
            account.max_calls = max_calls
        if max_daily_cents is not None:
            account.max_daily_cents = max_daily_cents
        if low_balance_cents is not None:
            account.low_balance_cents = low_balance_cents
        if max_call_seconds is not None:
            account.max_call_seconds = max_call_seconds
        account.updated_at = utcnow()
        account.save(only=[PrepaidAccount.enabled, PrepaidAccount.max_calls, PrepaidAccount.max_daily_cents,
                           PrepaidAccount.low_balance_cents, PrepaidAccount.max_call_seconds,
                           PrepaidAccount.updated_at])
        audit.record(actor, "prepaid.enable", tenant, "prepaid", account.id, tenant.domain, before, _snapshot(account))
    return account


def disable(actor: Actor, tenant: Tenant) -> PrepaidAccount:
    """Disable it: payable destinations are refused again; the balance stays."""
    with database.atomic():
        account = account_of(tenant)
        before = _snapshot(account)
        account.enabled = False
        account.updated_at = utcnow()
        account.save(only=[PrepaidAccount.enabled, PrepaidAccount.updated_at])
        audit.record(actor, "prepaid.disable", tenant, "prepaid", account.id, tenant.domain, before, _snapshot(account))
    return account


def configure(actor: Actor, tenant: Tenant, *, enabled: bool, low_balance_cents: int | None) -> PrepaidAccount:
    """The admin's settings ("Compte prépayé"): enabled or not (enabled needs a rate table), and
    the low-balance threshold (None: no email). A new threshold is a new crossing to tell of."""
    problems = [] if low_balance_cents is None or (
        isinstance(low_balance_cents, int) and 0 <= low_balance_cents <= MAX_CENTS) else [
        Problem("low_balance", N_("Le seuil doit être un montant entre 0 et %(top)s centimes."), {"top": MAX_CENTS})]
    if enabled:
        problems += _without_rates()
    if problems:
        raise DomainError(problems)
    with database.atomic():
        account = account_of(tenant)
        before = _snapshot(account)
        if account.low_balance_cents != low_balance_cents:
            account.low_balance_notified = False
        account.enabled, account.low_balance_cents, account.updated_at = bool(enabled), low_balance_cents, utcnow()
        account.save(only=[PrepaidAccount.enabled, PrepaidAccount.low_balance_cents,
                           PrepaidAccount.low_balance_notified, PrepaidAccount.updated_at])
        audit.record(actor, "prepaid.settings", tenant, "prepaid", account.id, tenant.domain, before,
                     _snapshot(account))
    return account


def calls(tenant: Tenant, limit: int = 100) -> list[PrepaidCall]:
    """The tenant's paid calls, newest first, with what each cost."""
    return list(PrepaidCall.select().where(PrepaidCall.tenant == tenant).order_by(PrepaidCall.id.desc()).limit(limit))


def balance(tenant: Tenant) -> int:
    row = _sql("SELECT balance_cents FROM prepaid_account WHERE tenant_id = ?", (tenant.id,)).fetchone()
    return int(row[0]) if row else 0


def ledger_sum(tenant: Tenant) -> int:
    row = _sql("SELECT COALESCE(SUM(delta), 0) FROM prepaid_ledger WHERE tenant_id = ?", (tenant.id,)).fetchone()
    return int(row[0])


def ledger(tenant: Tenant, limit: int | None = None) -> list[LedgerEntry]:
    query = LedgerEntry.select().where(LedgerEntry.tenant == tenant).order_by(LedgerEntry.id.desc())
    return list(query.limit(limit) if limit else query)


def topup(actor: Actor, tenant: Tenant, cents, note: str = "") -> LedgerEntry:
    """Add ``cents`` to the balance (one ledger row, in the transaction of the change)."""
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        raise DomainError(Problem("cents", N_("Le montant d'un rechargement est un nombre entier de centimes "
                                              "supérieur à zéro.")))
    if cents > MAX_CENTS:
        raise DomainError(Problem("cents", N_("Montant invraisemblable : au plus %(top)s centimes."), {"top": MAX_CENTS}))
    note = (note or "").strip()[:200]
    account_of(tenant)
    with database.atomic():
        added = _sql("UPDATE prepaid_account SET balance_cents = balance_cents + ?, low_balance_notified = CASE "
                     "WHEN low_balance_cents IS NULL OR balance_cents + ? >= low_balance_cents THEN ? "
                     "ELSE low_balance_notified END WHERE tenant_id = ? AND balance_cents + ? <= ?",
                     (cents, cents, False, tenant.id, cents, MAX_CENTS)).rowcount
        if added != 1:
            raise DomainError(Problem("cents", N_("Le solde dépasserait %(top)s centimes : rechargement refusé."),
                                      {"top": MAX_CENTS}))
        entry = LedgerEntry.create(tenant=tenant, kind=TOPUP, cents=cents, delta=cents, note=note)
        audit.record(actor, "prepaid.topup", tenant, "prepaid", entry.id, f"{tenant.domain} +{cents}",
                     None, {"cents": cents, "note": note})
    return entry


# ------------------------------------------------------------------ paid calls


@dataclass(frozen=True)
class Reserved:
    """The answer to a paid call: ``refusal`` (``""`` when it may go on), the reservation made,
    and the balance left (what the caller hears before the call connects)."""

    refusal: str
    cents: int = 0
    seconds: int = 0
    balance_cents: int = 0


NOT_ENABLED, NO_RATE, NO_FUNDS, DUPLICATE = "prepaid_disabled", "no_rate", "no_funds", "duplicate"


def rates() -> dict[str, Rate]:
    return {r.prefix: Rate(r.prefix, r.description, r.cents_per_minute, r.increment_s, r.first_increment_s)
            for r in RateEntry.select()}


def rate_for(destination: str) -> Rate | None:
    """The rate of ``destination`` (longest prefix), read with the prefixes it could match only."""
    key = rate_key(destination)
    prefixes = [key[:end] for end in range(2, len(key) + 1)]
    found = RateEntry.select().where(RateEntry.prefix.in_(prefixes))
    return find_rate(destination, [Rate(r.prefix, r.description, r.cents_per_minute, r.increment_s,
                                        r.first_increment_s) for r in found])


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def reserve(tenant: Tenant, call_id: str, extension: str, destination: str,
            max_seconds: int = MAX_CALL_SECONDS, now: dt.datetime | None = None) -> Reserved:
    """Reserve the funds of a paid call before it connects, atomically (see the module's doc)."""
    rate = rate_for(destination)
    if rate is None:
        return Reserved(NO_RATE)
    now = now or utcnow()
    if PrepaidCall.select().where(PrepaidCall.call_id == call_id).exists():
        return Reserved(DUPLICATE)  # a retransmission: the call has its reservation
    for _attempt in range(5):  # the balance read only sizes the reservation; the update decides
        try:
            answer = _reserve_once(tenant, call_id, extension or "", destination, rate, max_seconds, now)
        except pw.IntegrityError:  # the same call reserved at the same time: everything rolled back
            return Reserved(DUPLICATE)
        if answer is not None:
            return answer
    return Reserved(NO_FUNDS)


def _reserve_once(tenant: Tenant, call_id: str, extension: str, destination: str, rate: Rate, max_seconds: int,
                  now: dt.datetime) -> Reserved | None:
    """One attempt, in one transaction; None when the balance changed under it (try again)."""
    with database.atomic():
        locked = _sql("UPDATE prepaid_account SET balance_cents = balance_cents WHERE tenant_id = ? AND enabled = ?",
                      (tenant.id, True)).rowcount
        if locked != 1:
            return Reserved(NOT_ENABLED)
        available, max_calls, max_daily, longest = _sql(
            "SELECT balance_cents, max_calls, max_daily_cents, max_call_seconds FROM prepaid_account "
            "WHERE tenant_id = ?", (tenant.id,)).fetchone()
        longest = min(max_seconds, longest or MAX_CALL_SECONDS)
        held = reservation(rate, int(available), longest)
        if held is None:
            return Reserved(NO_FUNDS, balance_cents=int(available))
        if max_calls is not None or max_daily is not None:
            active, spent = _sql(
                "SELECT COUNT(CASE WHEN state = ? THEN 1 END), "
                "COALESCE(SUM(CASE WHEN state = ? THEN reserved_cents ELSE debited_cents END), 0) "
                "FROM prepaid_call WHERE tenant_id = ? AND (state = ? OR created_at >= ?)",
                (RESERVED, RESERVED, tenant.id, RESERVED, str(_day_start(now)))).fetchone()
            # past the daily spend, not even the first increment; short of it, the call reserves
            # (and may last) only what is left of the day's allowance
            refusal = limit_reached(active_calls=int(active), max_calls=max_calls, spent_today_cents=int(spent),
                                    max_daily_cents=max_daily, next_cents=cost_cents(rate, rate.first_increment_s))
            if not refusal and max_daily is not None:
                held = reservation(rate, min(int(available), max_daily - int(spent)), longest) or held
            if refusal:
                _tell_limit(tenant, refusal, max_calls if refusal == CONCURRENT_LIMIT else max_daily, now)
                return Reserved(refusal, balance_cents=int(available))
        taken = _sql("UPDATE prepaid_account SET balance_cents = balance_cents - ? "
                     "WHERE tenant_id = ? AND enabled = ? AND balance_cents >= ?",
                     (held.cents, tenant.id, True, held.cents)).rowcount
        if taken != 1:
            return None
        call = PrepaidCall.create(tenant=tenant, call_id=call_id, extension=extension, destination=destination,
                                  rate=vars(rate), reserved_cents=held.cents, reserved_seconds=held.seconds,
                                  created_at=now)
        LedgerEntry.create(tenant=tenant, kind=RESERVATION, cents=held.cents, delta=-held.cents, call=call,
                           call_id=call_id, extension=extension, destination=destination, at=now)
        jobs.enqueue(RECONCILE_JOB, {"call_id": call_id}, tenant, run_at=now + _longest_life(held.seconds))
        _tell_low_balance(tenant)
        return Reserved("", held.cents, held.seconds, int(available) - held.cents)


def _money(cents: int, language: str) -> str:
    from babel.numbers import format_currency

    return format_currency(Decimal(cents) / 100, "EUR", locale=emails.language_of(language))


def _longest_life(reserved_seconds: int) -> dt.timedelta:
    """How long after its reservation a paid call has surely ended: ringing (after the balance
    announcement), the reserved seconds (its dialog timeout), and a margin."""
    return dt.timedelta(seconds=RING_SECONDS + reserved_seconds + GRACE_SECONDS)


def outside_limit_reached(tenant: Tenant, limit: int, now: dt.datetime | None = None) -> None:
    """Kamailio refused an outside call: ``limit`` calls to the outside were under way (the
    toll-fraud limit ``max_calls``, counted by its dialog profile). The admins are told once a day."""
    with database.atomic():
        _tell_limit(tenant, CONCURRENT_LIMIT, limit, now or utcnow())


def _tell_limit(tenant: Tenant, kind: str, limit: int, now: dt.datetime) -> None:
    """A toll-fraud limit refused a call: every admin of the tenant is emailed, once a day per
    limit (a conditional update claims the telling: concurrent refusals send it once)."""
    mark = f"{now.date().isoformat()}:{kind}"
    claimed = _sql("UPDATE prepaid_account SET limit_notified = ? WHERE tenant_id = ? AND "
                   "(limit_notified IS NULL OR limit_notified <> ?)", (mark, tenant.id, mark)).rowcount
    if claimed != 1:
        return
    url = f"{config.current().public_url}/compte-prepaye"
    for admin in admins(tenant):
        language = admin.language or tenant.language
        shown = _money(limit, language) if kind == DAILY_LIMIT else str(limit)
        email = emails.render("prepaid_limit", language, tenant.timezone, domain=tenant.domain, url=url, limit_kind=kind,
                              limit=shown)
        mail.queue_mail(admin.email, *email, tenant=tenant)


def _tell_low_balance(tenant: Tenant) -> None:
    """Once per crossing (until a top-up brings the balance back to the threshold): every admin of
    the tenant is emailed when the balance is below the threshold. In the caller's transaction."""
    crossed = _sql("UPDATE prepaid_account SET low_balance_notified = ? WHERE tenant_id = ? AND "
                   "low_balance_notified = ? AND low_balance_cents IS NOT NULL AND balance_cents < low_balance_cents",
                   (True, tenant.id, False)).rowcount
    if crossed != 1:
        return
    left, threshold = _sql("SELECT balance_cents, low_balance_cents FROM prepaid_account WHERE tenant_id = ?",
                           (tenant.id,)).fetchone()
    url = f"{config.current().public_url}/compte-prepaye"
    for admin in admins(tenant):
        language = admin.language or tenant.language
        email = emails.render("low_balance", language, tenant.timezone, domain=tenant.domain, url=url,
                              balance=_money(int(left), language), threshold=_money(int(threshold), language))
        mail.queue_mail(admin.email, *email, tenant=tenant)


def _finish(call_id: str, connected_seconds: int | None, now: dt.datetime | None = None) -> PrepaidCall | None:
    """Settle (``connected_seconds`` known, 0 for a call never connected) a reserved call: the
    debit of its billed duration, the release of the rest. Once only: a call already settled or
    released is left as it is (None)."""
    now = now or utcnow()
    with database.atomic():
        call = PrepaidCall.get_or_none(PrepaidCall.call_id == call_id)
        if call is None:
            return None
        seconds = max(0, int(connected_seconds or 0))
        rate = Rate(**call.rate)
        debit, release = settlement(call.reserved_cents, rate, seconds)
        state = SETTLED if debit else RELEASED
        claimed = _sql("UPDATE prepaid_call SET state = ?, connected_seconds = ?, debited_cents = ?, ended_at = ? "
                       "WHERE id = ? AND state = ?", (state, seconds, debit, str(now), call.id, RESERVED)).rowcount
        if claimed != 1:
            return None
        if release:
            _sql("UPDATE prepaid_account SET balance_cents = balance_cents + ? WHERE tenant_id = ?",
                 (release, call.tenant_id))
        common = {"tenant": call.tenant_id, "call": call, "call_id": call.call_id, "extension": call.extension,
                  "destination": call.destination, "at": now}
        if debit:
            LedgerEntry.create(kind=DEBIT, cents=debit, delta=0, seconds=billed_seconds(rate, seconds), **common)
        LedgerEntry.create(kind=RELEASE, cents=release, delta=release, **common)
    return PrepaidCall.get_by_id(call.id)


def settle(call_id: str, connected_seconds: int, now: dt.datetime | None = None) -> PrepaidCall | None:
    """The call ended after ``connected_seconds`` connected: debit, release the rest."""
    return _finish(call_id, connected_seconds, now)


def release(call_id: str, now: dt.datetime | None = None) -> PrepaidCall | None:
    """The call never connected: the whole reservation goes back."""
    return _finish(call_id, 0, now)


def _connected_seconds(call_id: str) -> int | None:
    """How long the call was connected, from its accounting record (``acc_cdrs``, written when
    Kamailio saw the dialog end), or None when there is none."""
    row = _sql("SELECT duration FROM acc_cdrs WHERE callid = ? ORDER BY id DESC LIMIT 1", (call_id,)).fetchone()
    if row is None or row[0] is None:
        return None
    return int(-(-float(row[0]) // 1))


def reconcile_call(payload: dict) -> None:
    """The job of one reservation (``RECONCILE_JOB``), due once its call must have ended: a call
    still reserved then is settled from its accounting record, or released without one. A call
    already settled (at hang-up) is left alone: it is never charged twice."""
    call = PrepaidCall.get_or_none(PrepaidCall.call_id == str(payload.get("call_id", "")))
    if call is None or call.state != RESERVED:
        return
    _finish(call.call_id, _connected_seconds(call.call_id) or 0)


def reconcile(now: dt.datetime | None = None) -> list[str]:
    """The job for reservations whose end was never seen (Kamailio restarted): once past the
    most their call could have lasted, each is settled from its accounting record (``acc_cdrs``,
    the connected duration) or, with none, released. Returns the Call-IDs it finished."""
    now = now or utcnow()
    done = []
    for call in PrepaidCall.select().where(PrepaidCall.state == RESERVED):
        if call.created_at + dt.timedelta(seconds=RING_SECONDS + call.reserved_seconds + GRACE_SECONDS) > now:
            continue
        if _finish(call.call_id, _connected_seconds(call.call_id) or 0, now) is not None:
            done.append(call.call_id)
    return done


# ------------------------------------------------------------------ the rate table

RATE_HEADER = ["prefix", "description", "cents_per_minute", "increment_s", "first_increment_s"]
MAX_RATE_CENTS = 100_000  # 1 000 € a minute: past this, a price is a mistake


@dataclass(frozen=True)
class LineReport:
    line: int
    problems: tuple[Problem, ...] = ()
    prefix: str = ""


def _whole(text: str, low: int, high: int) -> int | None:
    text = (text or "").strip()
    if not (text.isdigit() or (text.startswith("-") and text[1:].isdigit())):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_rates(text: str) -> tuple[list[Rate], list[LineReport]]:
    """Read a rate file (see ``RATE_HEADER``); pure. Every line gets a report (its problems,
    none when it is good); the rates are returned only when no line has one."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows or [c.strip() for c in rows[0]] != RATE_HEADER:
        return [], [LineReport(1, (Problem("header", N_("La première ligne doit être l'en-tête « %(header)s »."),
                                           {"header": ",".join(RATE_HEADER)}),))]
    found: list[Rate] = []
    reports: list[LineReport] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problems = []
        if len(row) != len(RATE_HEADER):
            reports.append(LineReport(number, (Problem("line", N_("Ligne %(line)s : %(count)s colonnes au lieu de 5."),
                                                       {"line": number, "count": len(row)}),)))
            continue
        prefix, description, price, increment, first = (cell.strip() for cell in row)
        if not (prefix.startswith("+") and prefix[1:].isdigit() and 1 <= len(prefix) - 1 <= 15 and prefix[1] != "0"):
            problems.append(Problem("prefix", N_("Ligne %(line)s : le préfixe « %(value)s » n'est pas un début de numéro "
                                                 "E.164 (+ puis des chiffres)."), {"line": number, "value": prefix[:20]}))
        elif prefix in seen:
            problems.append(Problem("prefix", N_("Ligne %(line)s : le préfixe %(value)s figure déjà ligne %(other)s."),
                                    {"line": number, "value": prefix, "other": seen[prefix]}))
        if not description or len(description) > 100:
            problems.append(Problem("description", N_("Ligne %(line)s : la description est obligatoire "
                                                      "(100 caractères au plus)."), {"line": number}))
        cents = _whole(price, 0, MAX_RATE_CENTS)
        if cents is None:
            problems.append(Problem("cents_per_minute", N_("Ligne %(line)s : le prix par minute « %(value)s » doit être "
                                                           "un nombre entier de centimes entre 0 et %(top)s."),
                                    {"line": number, "value": price[:20], "top": MAX_RATE_CENTS}))
        step = _whole(increment, 1, 3600)
        if step is None:
            problems.append(Problem("increment_s", N_("Ligne %(line)s : l'incrément « %(value)s » doit être un nombre "
                                                      "entier de secondes entre 1 et 3600."),
                                    {"line": number, "value": increment[:20]}))
        first_step = step if not first else _whole(first, 1, 3600)
        if first and first_step is None:
            problems.append(Problem("first_increment_s", N_("Ligne %(line)s : le premier incrément « %(value)s » doit "
                                                            "être un nombre entier de secondes entre 1 et 3600."),
                                    {"line": number, "value": first[:20]}))
        reports.append(LineReport(number, tuple(problems), prefix))
        if not problems and cents is not None and step is not None and first_step is not None:
            seen[prefix] = number
            found.append(Rate(prefix, description, cents, step, first_step))
    if any(r.problems for r in reports):
        return [], reports
    return found, reports


def import_rates(actor: Actor, text: str) -> tuple[int, list[LineReport]]:
    """Replace the rate table with the file's, all or nothing: with a bad line, nothing changes."""
    found, reports = parse_rates(text)
    if any(r.problems for r in reports):
        raise DomainError([p for r in reports for p in r.problems])
    if not found:
        raise DomainError(Problem("file", N_("Le fichier ne contient aucun tarif.")))
    with database.atomic():
        before = RateEntry.select().count()
        RateEntry.delete().execute()
        for start in range(0, len(found), 500):
            RateEntry.insert_many([vars(r) for r in found[start:start + 500]]).execute()
        audit.record(actor, "rates.import", None, "rates", "", f"{len(found)} tarifs", {"count": before},
                     {"count": len(found)})
    return len(found), reports


def export_rates(prefix: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RATE_HEADER)
    query = RateEntry.select().order_by(RateEntry.prefix)
    if prefix:
        query = query.where(RateEntry.prefix.startswith(prefix))
    for r in query:
        writer.writerow([r.prefix, r.description, r.cents_per_minute, r.increment_s, r.first_increment_s])
    return out.getvalue()
