"""Where a call goes, as a routing plan: plain data that Kamailio carries out (C1-C5, C8 defaults, D1/D2).

A ``Plan`` is an ordered list of steps. ``Ring`` rings its targets at once (every registered
phone of an extension, an outside number through the carrier trunk) for so many seconds; when
it ends with one of the outcomes of its ``next_on`` the next step runs, otherwise the caller
gets the answer it ended with. ``ToMedia`` sends the call to the media app (leave a message,
open a mailbox), ``Announce`` plays a prompt as early media and goes on, ``Refuse`` answers a
SIP error after its announcement. The plan also carries the caller ID of calls to the outside,
a maximum duration, and what accounting records (``Account``).

``build_phone_plan`` and ``build_trunk_plan`` are pure: they take plain data (``CallData``) and
return the plan. ``load_phone_call`` and ``load_trunk_call`` read that data from the database
(a few indexed queries); ``plan_for_phone`` / ``plan_for_trunk`` glue the two for Kamailio
(``kamailio/kemi.py``, the one adapter: see "The routing plan" in ``kamailio/README.md``).
Later rules (forwarding on busy or no answer, ring groups, do-not-disturb, the receptionist,
prepaid announcements) are more steps of the same plan.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tenants import dialing
from tenants.dialing import (
    ANY_MAILBOX_CODE,
    OWN_MAILBOX_CODE,
    CallerId,
    Dialled,
    choose_caller_id,
    parse_dialled,
)
from tenants.validation import to_e164

if TYPE_CHECKING:
    from tenants.call_rules import CallRules

DEFAULT_NO_ANSWER_SECONDS = 24  # seed 001; Extension.no_answer_seconds per extension
MIN_NO_ANSWER_SECONDS, MAX_NO_ANSWER_SECONDS = 1, 300
OUTSIDE_RING_SECONDS = 120  # a call to the outside rings as long as the network lets it (tm's fr_inv_timer)

# ------------------------------------------------------------------ the plan

# How a Ring step ended
NO_ANSWER, BUSY, UNAVAILABLE, FAILED = "no_answer", "busy", "unavailable", "failed"
OUTCOMES = frozenset({NO_ANSWER, BUSY, UNAVAILABLE, FAILED})
# The voicemail reason (rtp/README.md) a deposit after a Ring gets from how the Ring ended
REASON_OF_OUTCOME = {NO_ANSWER: "noanswer", BUSY: "busy", UNAVAILABLE: "unavailable", FAILED: "noanswer"}
DEPOSIT, ACCESS = "deposit", "access"
RECEPTIONIST = "receptionist"  # H1: the media app's receptionist, in early media (rtp/README.md "Transfers")
MENU = "menu"  # the receptionist's reason when the call comes in; back from an extension: how that rang
GROUP_RING_SECONDS = 30  # a receptionist key that rings several extensions at once
# Call classes in accounting
INTERNAL, INBOUND = "internal", "inbound"
INCLUDED, EMERGENCY, REFUSED = dialing.INCLUDED, dialing.CLASS_EMERGENCY, dialing.REFUSED
PAID = "paid"  # C6: paid from the tenant's prepaid account
# What prepaid makes payable (C6, seed 004): other international numbers and directory services
PAYABLE = frozenset({dialing.NOT_INCLUDED, dialing.DIRECTORY_SERVICE})


@dataclass(frozen=True)
class Phones:
    """Target: every phone registered as ``extension@domain``."""

    extension: str
    domain: str


@dataclass(frozen=True)
class External:
    """Target: ``number`` (E.164, or an emergency number as dialled) through the carrier trunk."""

    number: str


Target = Phones | External


@dataclass(frozen=True)
class Ring:
    targets: tuple[Target, ...]
    seconds: int
    next_on: frozenset[str] = frozenset()
    # (outcome, index of the step that follows on it) when not simply the next one: the call
    # rules send no answer, busy and unreachable to different steps (tenants/call_rules.py)
    goto: tuple[tuple[str, int], ...] = ()
    # C9: how long each target rings (seconds, in the order of ``targets``) when one rings less
    # than ``seconds`` (the step's longest): empty, every target rings for ``seconds``
    delays: tuple[int, ...] = ()

    def delay_of(self, index: int) -> int:
        """How long target ``index`` rings: its own delay, at most the step's."""
        return min(self.delays[index], self.seconds) if index < len(self.delays) else self.seconds


@dataclass(frozen=True)
class ToMedia:
    """To the media app: ``deposit`` a message in ``mailbox`` (``ext@domain``) for ``reason``
    (``""``: from how the step before ended), or ``access`` a mailbox (``""``: the media app asks)."""

    service: str
    tenant: str
    mailbox: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Announce:
    """Play ``prompt`` (a key of ``rtp/prompts/texts.py``) as early media, then the next step;
    ``prepaid-balance`` says ``amount_cents`` ("Votre solde est de douze euros cinquante")."""

    prompt: str
    amount_cents: int | None = None


@dataclass(frozen=True)
class Limit:
    """C6's toll-fraud limit on outside calls: refused (``PREPAID_REFUSALS["concurrent_limit"]``,
    its announcement, the admins emailed) when the tenant already has ``calls`` calls to the
    outside under way (Kamailio's dialog profile ``outside``); else the next step."""

    calls: int


@dataclass(frozen=True)
class Reserve:
    """C6: reserve the funds of a paid call (the account's tenant, extension and destination) when
    the step runs, atomically (``tenants/prepaid.py``); then, as ``after_reservation`` says, the
    balance is announced and the next step runs, or the call is refused with its announcement.
    The reservation's seconds become the call's maximum duration (dialog timeout)."""


@dataclass(frozen=True)
class Refuse:
    """Answer ``code reason``, after playing ``prompt`` when there is one (see ``REFUSALS``)."""

    code: int
    reason: str
    prompt: str = ""


Step = Ring | ToMedia | Announce | Refuse | Reserve | Limit


@dataclass(frozen=True)
class Account:
    """What accounting records of the call (the ``acc`` tables' extra columns)."""

    tenant: str = ""
    extension: str = ""
    destination: str = ""
    call_class: str = INTERNAL


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    account: Account = Account()
    caller_id: CallerId | None = None  # sent to the carrier by External targets
    max_seconds: int | None = None  # the call is ended after this long (dialog timeout)
    language: str = "fr"  # of the announcements

    def after(self, index: int, outcome: str) -> int | None:
        """The step that follows step ``index`` when it ended with ``outcome``, or None: the caller
        gets the answer step ``index`` ended with (480 when nothing could even ring)."""
        step = self.steps[index]
        if isinstance(step, Ring) and outcome not in step.next_on:
            return None
        if isinstance(step, Ring) and outcome in dict(step.goto):
            return dict(step.goto)[outcome]
        if isinstance(step, Refuse | ToMedia) or index + 1 >= len(self.steps):
            return None
        return index + 1

    # ---- the form the plan travels in (an AVP of the call in Kamailio)
    def to_json(self) -> str:
        return json.dumps({"steps": [_step_data(s) for s in self.steps], "account": vars(self.account),
                           "caller_id": vars(self.caller_id) if self.caller_id else None,
                           "max_seconds": self.max_seconds, "language": self.language},
                          separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        return cls(steps=tuple(_step_of(s) for s in data["steps"]), account=Account(**data["account"]),
                   caller_id=CallerId(**data["caller_id"]) if data["caller_id"] else None,
                   max_seconds=data["max_seconds"], language=data["language"])


_STEP_KINDS = {"ring": Ring, "media": ToMedia, "announce": Announce, "refuse": Refuse, "reserve": Reserve,
               "limit": Limit}


def _step_data(step: Step) -> dict:
    kind = next(k for k, t in _STEP_KINDS.items() if isinstance(step, t))
    if isinstance(step, Ring):
        return {"kind": kind, "seconds": step.seconds, "next_on": sorted(step.next_on),
                "targets": [{"phones": vars(t)} if isinstance(t, Phones) else {"external": t.number}
                            for t in step.targets], **({"goto": [list(g) for g in step.goto]} if step.goto else {}),
                **({"delays": list(step.delays)} if step.delays else {})}
    return {"kind": kind, **vars(step)}


def _step_of(data: dict) -> Step:
    data = dict(data)
    kind = _STEP_KINDS[data.pop("kind")]
    if kind is Ring:
        return Ring(tuple(Phones(**t["phones"]) if "phones" in t else External(t["external"]) for t in data["targets"]),
                    data["seconds"], frozenset(data["next_on"]), tuple(tuple(g) for g in data.get("goto", ())),
                    tuple(data.get("delays", ())))
    return kind(**data)


# ------------------------------------------------------------------ refusals

NOT_FOUND = Refuse(404, "Not Found")
FORBIDDEN = Refuse(403, "Forbidden")
OTHER_TENANT = Refuse(403, "Other Tenant")
UNAVAILABLE_480 = Refuse(480, "Temporarily Unavailable")
# Why a call is refused -> the answer and its announcement (prompt keys of rtp/prompts/texts.py)
REFUSALS = {
    dialing.NOT_INCLUDED: Refuse(403, "Destination Not Allowed", "refused-not-included"),
    dialing.BLOCKED_PREMIUM: Refuse(403, "Premium Rate Blocked", "refused-premium"),
    dialing.DIRECTORY_SERVICE: Refuse(403, "Directory Services Not Allowed", "refused-directory"),
    dialing.INVALID_NUMBER: Refuse(404, "Invalid Number", "invalid-number"),
    "no_trunk": Refuse(503, "No Outside Line", "outside-unavailable"),
    "no_caller_id": Refuse(503, "No Caller ID", "outside-unavailable"),
    "unassigned": Refuse(404, "Not Found", "number-unassigned"),
}
# C6: a paid call whose reservation is refused (tenants/prepaid.py's refusals)
PREPAID_REFUSALS = {
    "no_funds": Refuse(402, "Insufficient Prepaid Balance", "prepaid-no-funds"),
    "concurrent_limit": Refuse(403, "Outside Call Limit Reached", "prepaid-limit"),
    "daily_limit": Refuse(403, "Daily Spend Limit Reached", "prepaid-limit"),
    "no_rate": REFUSALS[dialing.NOT_INCLUDED],  # the rate table does not price it: not payable
    "prepaid_disabled": REFUSALS[dialing.NOT_INCLUDED],  # disabled since the plan was made
}
BALANCE_PROMPT = "prepaid-balance"


def after_reservation(refusal: str, balance_cents: int) -> Announce | Refuse:
    """What a ``Reserve`` step becomes once the reservation is answered (``refusal``: ``""`` when it
    was made): the balance left, announced before the call goes on; or the refusal's announcement
    and answer (a call the reservation already holds, a retransmission, goes on unannounced)."""
    if not refusal:
        return Announce(BALANCE_PROMPT, max(0, balance_cents))
    return PREPAID_REFUSALS.get(refusal, REFUSALS[dialing.NOT_INCLUDED])

# ------------------------------------------------------------------ the data a plan is built from


@dataclass(frozen=True)
class ExtensionEntry:
    number: str
    kind: str = "desk"  # "desk" (phones register) or "virtual" (forwards to forward_to, C2)
    forward_to: str | None = None
    no_answer_seconds: int = DEFAULT_NO_ANSWER_SECONDS
    has_mailbox: bool = False
    did: str | None = None  # its public number (E.164)
    anonymous: bool = False  # its outside calls withhold the caller ID
    rules: CallRules | None = None  # its user's call rules (C7-C10), None: the defaults

    def reaches_outside(self) -> bool:
        """May a call to it leave through the trunk (a virtual extension, a forwarding rule)?"""
        return self.kind == "virtual" or bool(self.rules and self.rules.reaches_outside())


@dataclass(frozen=True)
class TenantDirectory:
    """What routing needs to know about one tenant (only the extensions a call involves)."""

    domain: str
    active: bool = True
    extensions: Mapping[str, ExtensionEntry] = field(default_factory=dict)
    main_number: str | None = None
    emergency_caller_id: str | None = None
    allowed: frozenset[tuple[str, str]] = frozenset()  # the allow-list: (country, fixed|mobile)
    language: str = "fr"
    prepaid: bool = False  # C6: the prepaid account is enabled: PAYABLE destinations are paid from it
    max_outside_calls: int | None = None  # C6's toll-fraud limit: outside calls at once (emergency ones aside)


@dataclass(frozen=True)
class TrunkInfo:
    """The carrier trunk as routing sees it (its address is the adapter's business)."""

    forwards_caller_id: bool = False


@dataclass(frozen=True)
class CallData:
    tenant: TenantDirectory | None
    trunk: TrunkInfo | None = None
    receptionist: bool = False  # the DID called points at the tenant's receptionist (H1)


# ------------------------------------------------------------------ building plans


def did_number(dialled_user: str) -> str | None:
    """The E.164 number a carrier's request URI names (``+33...``, ``33...`` or ``0...``), or None."""
    text = (dialled_user or "").strip()
    if not text.lstrip("+").isdigit():
        return None
    return to_e164(text) or (to_e164("+" + text) if text.isdigit() else None)


def _seconds(entry: ExtensionEntry) -> int:
    return min(max(int(entry.no_answer_seconds or DEFAULT_NO_ANSWER_SECONDS), MIN_NO_ANSWER_SECONDS),
               MAX_NO_ANSWER_SECONDS)


def _ring_extension(tenant: TenantDirectory, entry: ExtensionEntry) -> tuple[Step, ...]:
    """C1 and C8's defaults: ring every phone for the extension's delay, then its voicemail on
    no answer, busy or no phone; without a mailbox, 480 when no phone is registered."""
    ring = Ring((Phones(entry.number, tenant.domain),), _seconds(entry),
                OUTCOMES if entry.has_mailbox else frozenset({UNAVAILABLE}))
    if entry.has_mailbox:
        return ring, ToMedia(DEPOSIT, tenant.domain, f"{entry.number}@{tenant.domain}")
    return ring, UNAVAILABLE_480


def _outside(tenant: TenantDirectory, data: CallData, dialled: Dialled, account: Account,
             caller_id: CallerId | None, seconds: int = OUTSIDE_RING_SECONDS, next_on: frozenset[str] = frozenset(),
             then: tuple[Step, ...] = (), payable: bool = False) -> Plan:
    """A call through the trunk to what ``dialled`` names, under the tenant's policy (C5): ring it
    for ``seconds``, then ``then`` on the outcomes ``next_on``; refused with its announcement when
    the policy says no, or when there is no trunk or no number to present. ``payable`` (a phone's
    own call, C6): with the prepaid account enabled, what prepaid makes payable is reserved,
    announced, then rung."""
    verdict = dialing.verdict(dialled, tenant.allowed)
    destination = dialled.e164 or dialled.digits
    if payable and tenant.prepaid and verdict.reason in PAYABLE:
        verdict = dialing.Verdict(PAID, "", verdict.destination)
    refusal = verdict.reason
    if verdict.allowed and data.trunk is None:
        refusal = "no_trunk"
    elif verdict.allowed and caller_id is None and verdict.call_class != EMERGENCY:
        refusal = "no_caller_id"
    if refusal:
        return Plan((REFUSALS[refusal],), Account(account.tenant, account.extension, destination, REFUSED),
                    language=tenant.language)
    ring = Ring((External(destination),), seconds, next_on)
    # C6's toll-fraud limit comes before the ring (and its reservation): limit_outside_calls
    first: tuple[Step, ...] = (Reserve(),) if verdict.call_class == PAID else ()
    return Plan((*first, ring, *then),
                Account(account.tenant, account.extension, destination, verdict.call_class),
                caller_id=caller_id, language=tenant.language)


def _reaches_outside(step: Step) -> bool:
    """Does ``step`` ring a number through the trunk (an emergency number aside)?"""
    return isinstance(step, Ring) and any(
        isinstance(t, External) and parse_dialled(t.number).kind != dialing.EMERGENCY for t in step.targets)


def limit_outside_calls(plan: Plan, calls: int | None) -> Plan:
    """C6's toll-fraud limit on every outside call of ``plan``: a ``Limit(calls)`` step before each
    ``Ring`` of a number through the trunk (before the ``Reserve`` paying for it), whatever made
    it (a phone dialling out, a virtual extension, a call rule's forward, a universal number's
    column); jumps (``Ring.goto``) to such a ring land on its Limit. Emergency calls are never
    limited; a ring already behind a Limit gets no second one."""
    if not calls:
        return plan
    steps = plan.steps
    at: set[int] = set()  # where a Limit goes (the index of the step it comes before)
    for index, step in enumerate(steps):
        if _reaches_outside(step):
            place = index - 1 if index and isinstance(steps[index - 1], Reserve) else index
            if not (place and isinstance(steps[place - 1], Limit)):
                at.add(place)
    if not at:
        return plan

    def moved(index: int) -> int:  # a jump to a limited ring goes to its Limit
        return index + sum(1 for place in at if place < index)

    limited: list[Step] = []
    for index, step in enumerate(steps):
        if index in at:
            limited.append(Limit(calls))
        if isinstance(step, Ring) and step.goto:
            step = replace(step, goto=tuple((outcome, moved(to)) for outcome, to in step.goto))
        limited.append(step)
    return replace(plan, steps=tuple(limited))


def _forward(tenant: TenantDirectory, data: CallData, entry: ExtensionEntry, caller_id: CallerId | None) -> Plan:
    """C2: a virtual extension calls its external number, under the rules of its owner dialling it
    (accounted to it); nobody answers within its delay, the line is busy or fails: its voicemail."""
    account = Account(tenant.domain, entry.number)
    dialled = parse_dialled(entry.forward_to or "")
    if not entry.has_mailbox:
        return _outside(tenant, data, dialled, account, caller_id, _seconds(entry))
    return _outside(tenant, data, dialled, account, caller_id, _seconds(entry), OUTCOMES,
                    (ToMedia(DEPOSIT, tenant.domain, f"{entry.number}@{tenant.domain}"),))


def _build_phone_plan(caller_user: str, caller_domain: str, dialled_user: str, dialled_domain: str,
                      data: CallData) -> Plan:
    """A call from ``caller_user``, an authenticated phone of ``caller_domain``, to
    ``dialled_user@dialled_domain``. A call never leaves the caller's tenant but through the
    trunk: a request URI naming another domain is refused, so ``2001`` is always one's own."""
    tenant = data.tenant
    caller_domain = (caller_domain or "").lower()
    if tenant is None or tenant.domain != caller_domain:
        return Plan((FORBIDDEN,))
    account = Account(tenant.domain, caller_user)
    if (dialled_domain or "").lower() != tenant.domain:
        return Plan((OTHER_TENANT,), account)
    dialled = parse_dialled(dialled_user)
    caller = tenant.extensions.get(caller_user)
    if not tenant.active and dialled.kind != dialing.EMERGENCY:  # suspended: emergency calls only
        return Plan((FORBIDDEN,), account)
    if dialled.kind in (dialing.EMERGENCY, dialing.NUMBER, dialing.DIRECTORY, dialing.INVALID):
        caller_id = choose_caller_id(extension_did=caller.did if caller else None, main_number=tenant.main_number,
                                     anonymous=bool(caller and caller.anonymous),
                                     emergency=dialled.kind == dialing.EMERGENCY,
                                     emergency_caller_id=tenant.emergency_caller_id)
        return _outside(tenant, data, dialled, account, caller_id, payable=True)
    if dialled.digits == OWN_MAILBOX_CODE:  # D1: *97 opens the caller's own mailbox
        if caller is None or not caller.has_mailbox:
            return Plan((NOT_FOUND,), account)
        return Plan((ToMedia(ACCESS, tenant.domain, f"{caller.number}@{tenant.domain}"),), account)
    if dialled.digits == ANY_MAILBOX_CODE:  # D2: *98, the media app asks for the mailbox
        return Plan((ToMedia(ACCESS, tenant.domain),), account)
    entry = tenant.extensions.get(dialled.digits) if dialled.kind == dialing.EXTENSION else None
    if entry is None:
        return Plan((NOT_FOUND,), account)
    if entry.kind == "virtual":
        caller_id = choose_caller_id(extension_did=caller.did if caller else None, main_number=tenant.main_number,
                                     anonymous=bool(caller and caller.anonymous))
        return _forward(tenant, data, entry, caller_id)
    if entry.number == caller_user and entry.has_mailbox:  # D1: dialling one's own extension
        return Plan((ToMedia(ACCESS, tenant.domain, f"{entry.number}@{tenant.domain}"),), account)
    account = Account(tenant.domain, caller_user, entry.number, INTERNAL)
    if entry.rules is not None:  # C7-C10: the called user's rules make the steps
        from tenants import call_rules  # builds on this module's steps

        return call_rules.plan(tenant, data, entry, call_rules.Caller(caller_user), account, from_outside=False)
    return Plan(_ring_extension(tenant, entry), account)


def _build_trunk_plan(dialled_user: str, caller_number: str, did_extension: str | None, data: CallData) -> Plan:
    """A call from the carrier to ``dialled_user`` (C3): a DID of ``data.tenant`` rings the extension
    it points at (``did_extension``), with that extension's voicemail rules; nothing else of a
    tenant is reachable from the outside (no ``*97``, ``*98``, no extension without a DID)."""
    tenant = data.tenant
    number = did_number(dialled_user)
    if tenant is None or number is None:
        return Plan((REFUSALS["unassigned"],), Account(destination=dialled_user or "", call_class=REFUSED))
    account = Account(tenant.domain, did_extension or "", number, INBOUND)
    if tenant.active and data.receptionist:  # H1: the receptionist answers; it hands the call on (build_transfer_plan)
        return Plan((ToMedia(RECEPTIONIST, tenant.domain, reason=MENU),), Account(tenant.domain, "", number, INBOUND),
                    language=tenant.language)
    entry = tenant.extensions.get(did_extension or "")
    if not tenant.active or entry is None:
        return Plan((REFUSALS["unassigned"],), Account(tenant.domain, "", number, REFUSED),
                    language=tenant.language)
    if entry.kind == "virtual":
        caller_id = choose_caller_id(extension_did=entry.did, main_number=tenant.main_number, anonymous=False,
                                     forwarded_from=to_e164(caller_number or ""),
                                     trunk_forwards_caller_id=bool(data.trunk and data.trunk.forwards_caller_id))
        return _forward(tenant, data, entry, caller_id)
    if entry.rules is not None:  # C7-C10
        from tenants import call_rules

        return call_rules.plan(tenant, data, entry, call_rules.outside_caller(caller_number), account,
                               from_outside=True)
    return Plan(_ring_extension(tenant, entry), account, language=tenant.language)


def _build_transfer_plan(targets: tuple[str, ...], caller_number: str, data: CallData) -> Plan:
    """The receptionist puts a caller through to ``targets`` (H1): one extension rings with its own
    rules (its voicemail on no answer, busy, unreachable; a virtual one its number), several ring at
    once for ``GROUP_RING_SECONDS``. Where nobody answers and no voicemail takes the call (a group,
    an extension without a mailbox), the caller is back at the receptionist, told why, with the menu.
    Accounting records the extension reached, not the DID."""
    tenant = data.tenant
    if tenant is None or not tenant.active:
        return Plan((REFUSALS["unassigned"],), Account(destination=",".join(targets), call_class=REFUSED))
    entries = [tenant.extensions[t] for t in targets if t in tenant.extensions]
    if not entries:
        return Plan((NOT_FOUND,), Account(tenant.domain, "", ",".join(targets), REFUSED), language=tenant.language)
    account = Account(tenant.domain, entries[0].number, ",".join(e.number for e in entries), INBOUND)
    if len(entries) == 1:
        entry = entries[0]
        if entry.kind == "virtual":
            caller_id = choose_caller_id(extension_did=entry.did, main_number=tenant.main_number, anonymous=False,
                                         forwarded_from=to_e164(caller_number or ""),
                                         trunk_forwards_caller_id=bool(data.trunk and data.trunk.forwards_caller_id))
            plan = _forward(tenant, data, entry, caller_id)
            return Plan(plan.steps, Account(tenant.domain, entry.number, plan.account.destination,
                                            plan.account.call_class), plan.caller_id, language=tenant.language)
        if entry.rules is not None:  # C7-C10: the user's rules hold for a caller put through too
            from tenants import call_rules

            return call_rules.plan(tenant, data, entry, call_rules.outside_caller(caller_number), account,
                                   from_outside=True)
        if not entry.has_mailbox:
            return Plan((Ring((Phones(entry.number, tenant.domain),), _seconds(entry), OUTCOMES),
                         ToMedia(RECEPTIONIST, tenant.domain)), account, language=tenant.language)
        return Plan(_ring_extension(tenant, entry), account, language=tenant.language)
    phones = tuple(Phones(e.number, tenant.domain) for e in entries if e.kind != "virtual")
    return Plan((Ring(phones, GROUP_RING_SECONDS, OUTCOMES), ToMedia(RECEPTIONIST, tenant.domain)), account,
                language=tenant.language)


def build_phone_plan(caller_user: str, caller_domain: str, dialled_user: str, dialled_domain: str,
                     data: CallData) -> Plan:
    """A call from ``caller_user``, an authenticated phone of ``caller_domain``, to
    ``dialled_user@dialled_domain``; every outside call of it under C6's limit."""
    return _limited(_build_phone_plan(caller_user, caller_domain, dialled_user, dialled_domain, data), data)


def build_trunk_plan(dialled_user: str, caller_number: str, did_extension: str | None, data: CallData) -> Plan:
    """A call from the carrier to ``dialled_user`` (C3); a forward back out is under C6's limit."""
    return _limited(_build_trunk_plan(dialled_user, caller_number, did_extension, data), data)


def build_transfer_plan(targets: tuple[str, ...], caller_number: str, data: CallData) -> Plan:
    """The receptionist puts a caller through to ``targets`` (H1); a forward out is under C6's limit."""
    return _limited(_build_transfer_plan(targets, caller_number, data), data)


def _limited(plan: Plan, data: CallData) -> Plan:
    return limit_outside_calls(plan, data.tenant.max_outside_calls if data.tenant else None)


# ------------------------------------------------------------------ loading the data (the database)
# Kamailio runs these on every call (kemi.py): plain parameterised SQL, not peewee's query builder,
# whose SQL generation costs more than the queries themselves.


def _rows(sql: str, params: tuple = ()) -> list[tuple]:
    from tenants.db import database

    return database.execute_sql(sql.replace("?", database.param), params).fetchall()


_TENANT = "SELECT id, domain, status, main_number, emergency_caller_id, language FROM tenant WHERE {} = ?"
_EXTENSIONS = ("SELECT e.number, e.kind, e.forward_to, e.no_answer_seconds, e.anonymous_calls, m.id, d.number, "
               "r.rules FROM extension e LEFT JOIN mailbox m ON m.extension_id = e.id "
               "LEFT JOIN did d ON d.extension_id = e.id LEFT JOIN call_rule r ON r.extension_id = e.id "
               "WHERE e.tenant_id = ? AND e.number IN ({})")
_ALLOWED = "SELECT country, kind FROM allowed_destination WHERE tenant_id = ?"
_TRUNK = "SELECT forward_caller_id FROM trunk ORDER BY id LIMIT 1"
_PREPAID = "SELECT enabled, max_calls FROM prepaid_account WHERE tenant_id = ?"
_DID = "SELECT tenant_id, extension_id, receptionist FROM did WHERE number = ?"
_EXTENSION_NUMBER = "SELECT number FROM extension WHERE id = ?"


def _tenant_row(column: str, value) -> tuple | None:
    rows = _rows(_TENANT.format(column), (value,))
    return rows[0] if rows else None


def _directory(tenant: tuple, numbers: set[str], outside: bool) -> TenantDirectory:
    tenant_id, domain, status, main_number, emergency_caller_id, language = tenant
    wanted = sorted(n for n in numbers if n)
    rows = _rows(_EXTENSIONS.format(", ".join("?" * len(wanted))), (tenant_id, *wanted)) if wanted else []
    extensions = {number: ExtensionEntry(number, kind, forward_to, no_answer, mailbox_id is not None, did,
                                         bool(anonymous), _rules(rules))
                  for number, kind, forward_to, no_answer, anonymous, mailbox_id, did, rules in rows}
    outside = outside or any(e.reaches_outside() for e in extensions.values())
    return TenantDirectory(domain=domain, active=status == "active", extensions=extensions, main_number=main_number,
                           emergency_caller_id=emergency_caller_id,
                           allowed=frozenset(_rows(_ALLOWED, (tenant_id,))) if outside else frozenset(),
                           language=language)


def _rules(stored: str | None) -> CallRules | None:
    if not stored:
        return None
    from tenants.call_rules import CallRules

    return CallRules.from_data(json.loads(stored))


def _trunk() -> TrunkInfo | None:
    rows = _rows(_TRUNK)
    return TrunkInfo(bool(rows[0][0])) if rows else None


def load_phone_call(caller_user: str, caller_domain: str, dialled_user: str) -> CallData:
    """The caller's tenant with the caller's and the dialled extensions (a few indexed queries);
    the allow-list and the trunk only when the call may leave."""
    tenant = _tenant_row("domain", (caller_domain or "").lower())
    if tenant is None:
        return CallData(None)
    dialled = parse_dialled(dialled_user)
    directory = _directory(tenant, {caller_user or "", dialled.digits}, dialled.kind not in (
        dialing.EXTENSION, dialing.SERVICE, dialing.UNKNOWN))
    leaves = dialled.kind not in (dialing.SERVICE, dialing.UNKNOWN) and (
        dialled.kind != dialing.EXTENSION or any(e.reaches_outside() for e in directory.extensions.values()))
    if leaves:
        directory = _with_prepaid(directory, tenant[0])
    return CallData(directory, _trunk() if leaves else None)


def _with_prepaid(directory: TenantDirectory, tenant_id: int) -> TenantDirectory:
    """C6, for a call that may leave: may it be paid, and how many outside calls at once?"""
    account = _rows(_PREPAID, (tenant_id,))
    if not account:
        return directory
    return replace(directory, prepaid=bool(account[0][0]), max_outside_calls=account[0][1])


def load_trunk_call(dialled_user: str) -> tuple[CallData, str | None]:
    """The tenant owning the DID ``dialled_user`` and the extension it points at (or None)."""
    number = did_number(dialled_user)
    found = _rows(_DID, (number,)) if number else []
    if not found:
        return CallData(None), None
    tenant_id, extension_id, receptionist = found[0]
    numbers = _rows(_EXTENSION_NUMBER, (extension_id,)) if extension_id else []
    extension = numbers[0][0] if numbers else None
    tenant = _tenant_row("id", tenant_id)
    if tenant is None:  # deleted between the two queries
        return CallData(None), None
    directory = _directory(tenant, {extension or ""}, outside=False)
    if any(e.reaches_outside() for e in directory.extensions.values()):  # forwarded back out
        directory = _with_prepaid(directory, tenant_id)
    return CallData(directory, _trunk(), bool(receptionist)), extension


def plan_for_transfer(domain: str, targets: tuple[str, ...], caller_number: str) -> Plan:
    """The plan of a call the receptionist of ``domain`` puts through to ``targets``."""
    tenant = _tenant_row("domain", (domain or "").lower())
    if tenant is None:
        return build_transfer_plan(targets, caller_number, CallData(None))
    directory = _directory(tenant, set(targets), outside=False)
    leaves = any(e.reaches_outside() for e in directory.extensions.values())
    if leaves:
        directory = _with_prepaid(directory, tenant[0])
    return build_transfer_plan(targets, caller_number, CallData(directory, _trunk() if leaves else None))


def plan_for_phone(caller_user: str, caller_domain: str, dialled_user: str, dialled_domain: str) -> Plan:
    return build_phone_plan(caller_user, caller_domain, dialled_user, dialled_domain,
                            load_phone_call(caller_user, caller_domain, dialled_user))


def plan_for_trunk(dialled_user: str, caller_number: str) -> Plan:
    data, extension = load_trunk_call(dialled_user)
    return build_trunk_plan(dialled_user, caller_number, extension, data)


def emergency_allowed(caller_domain: str, dialled_user: str) -> bool:
    """Does a phone of ``caller_domain`` (a tenant's domain, suspended or not) dial an emergency
    number? Then the call goes on though its domain is not served (C4)."""
    return parse_dialled(dialled_user).kind == dialing.EMERGENCY and _tenant_row(
        "domain", (caller_domain or "").lower()) is not None
