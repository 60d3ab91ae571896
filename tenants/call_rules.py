"""A user's call rules (C7-C10, the portal's "Accueil", seed 001) as pure decisions.

``CallRules`` is plain data: the phone's status (available or do not disturb), what incoming
calls do (ring the phone, all forwarded to a number, or the universal contact number's
columns, C9), where they go on no answer, busy or unreachable (voicemail or a number), the
selective forwarding and rejection lists (C10) and the rejection of anonymous callers.

``check`` validates rules as typed (French problems tied to the form's fields, nothing stored);
``steps`` turns them into steps of the ONE routing plan (``tenants.routing``): a call to an
extension with rules gets ``Ring`` steps (the phone, the columns, a forwarding number through
the trunk under the dial plan), a ``ToMedia`` deposit, or a ``Refuse``. Numbers are kept in
one canonical form: an extension's 4 digits, or E.164 (``+33...``).
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace

from tenants import dialing
from tenants.dialing import CallerId, parse_dialled
from tenants.problems import N_, Problem
from tenants.routing import (
    BUSY,
    DEPOSIT,
    FAILED,
    MAX_NO_ANSWER_SECONDS,
    MIN_NO_ANSWER_SECONDS,
    NO_ANSWER,
    OUTCOMES,
    OUTSIDE_RING_SECONDS,
    UNAVAILABLE,
    Account,
    CallData,
    ExtensionEntry,
    External,
    Phones,
    Plan,
    Refuse,
    Ring,
    Step,
    Target,
    TenantDirectory,
    ToMedia,
)

# What incoming calls do ("Les appels entrants")
RING, FORWARD, SEQUENCE = "ring", "forward", "sequence"
INCOMING = (RING, FORWARD, SEQUENCE)
# Where a call goes on no answer / busy / unreachable ("Options de renvoi d'appels")
VOICEMAIL = "voicemail"
FALLBACKS = (VOICEMAIL, FORWARD)

MAX_COLUMNS = 6  # seed 001: "jusqu'à un maximum de 6 colonnes"
MAX_ROWS = 6  # numbers of the universal contact number's table
MIN_SECONDS, MAX_SECONDS = 5, 120  # a ring delay, and the no-answer delay
DEFAULT_SECONDS = 24  # seed 001: voicemail after 24 s
MAX_LIST = 50  # numbers of a selective list
PIN_MIN, PIN_MAX = 4, 10

# The answers of refused calls: without voicemail (seed 001, "Rejet sélectionné", "Appels anonymes")
REJECTED = Refuse(603, "Decline")
ANONYMOUS_REJECTED = Refuse(433, "Anonymity Disallowed")  # RFC 5079
DO_NOT_DISTURB = Refuse(480, "Do Not Disturb")  # DND without a mailbox


@dataclass(frozen=True)
class Cell:
    """One number of the universal contact number's table, and how long it rings in its column."""

    number: str
    seconds: int = DEFAULT_SECONDS


@dataclass(frozen=True)
class CallRules:
    """A user's call rules; the defaults are seed 001's (available, ring the phone, voicemail)."""

    do_not_disturb: bool = False
    incoming: str = RING
    forward_to: str = ""  # incoming == FORWARD: every call goes there
    columns: tuple[tuple[Cell, ...], ...] = ()  # incoming == SEQUENCE: rung column after column
    no_answer: str = VOICEMAIL
    no_answer_to: str = ""
    busy: str = VOICEMAIL
    busy_to: str = ""
    unreachable: str = VOICEMAIL
    unreachable_to: str = ""
    selective_forward: bool = False
    forward_list: tuple[str, ...] = ()
    selective_forward_to: str = ""
    selective_reject: bool = False
    reject_list: tuple[str, ...] = ()
    reject_anonymous: bool = False

    def numbers(self) -> list[str]:
        """Every number a call may be sent to under these rules (in use or not)."""
        found = [self.forward_to, self.no_answer_to, self.busy_to, self.unreachable_to, self.selective_forward_to]
        found += [c.number for column in self.columns for c in column]
        return [n for n in found if n]

    def reaches_outside(self) -> bool:
        """May a call under these rules leave through the trunk (so the plan needs it)?"""
        return any(n.startswith("+") for n in self.numbers())

    # ---- the form rules are stored in (JSON)
    def to_data(self) -> dict:
        data = asdict(self)
        data["columns"] = [[[c.number, c.seconds] for c in column] for column in self.columns]
        data["forward_list"], data["reject_list"] = list(self.forward_list), list(self.reject_list)
        return data

    @classmethod
    def from_data(cls, data: Mapping | None) -> CallRules:
        """Rules from their stored form; keys unknown or missing take the defaults."""
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["columns"] = tuple(tuple(Cell(str(n), int(s)) for n, s in column) for column in known.get("columns", ()))
        for name in ("forward_list", "reject_list"):
            known[name] = tuple(known.get(name, ()))
        return cls(**known)


# ------------------------------------------------------------------ numbers as typed

_SEPARATORS = re.compile(r"[\s.\-()/]")
_LIST_SPLIT = re.compile(r"[,;\n\r]+")


def canonical(text: str) -> str | None:
    """A number as typed (``2002``, ``06 12 34 56 78``, ``+49 30 ...``, ``0049...``) in its
    canonical form (``2002``, ``+33612345678``), or None when it is neither."""
    dialled = parse_dialled(text or "")
    if dialled.kind == dialing.EXTENSION:
        return dialled.digits
    if dialled.kind == dialing.NUMBER:
        return dialled.e164
    return None


def caller_key(number: str) -> str:
    """The form a caller's number is compared in with the lists ("" when it is not a number)."""
    return canonical(number) or ""


def parse_list(text: str) -> tuple[list[str], list[str]]:
    """A list of numbers typed one a line (or separated by commas): (canonical numbers without
    duplicates, entries that are not numbers)."""
    good: list[str] = []
    bad: list[str] = []
    for raw in _LIST_SPLIT.split(text or ""):
        raw = raw.strip()
        if not raw:
            continue
        number = canonical(raw)
        if number is None:
            bad.append(raw)
        elif number not in good:
            good.append(number)
    return good, bad


def display(number: str) -> str:
    """A canonical number as a French user reads it (``06 12 34 56 78``, ``+49 30 ...``)."""
    if not number.startswith("+"):
        return number
    import phonenumbers

    parsed = phonenumbers.parse(number, None)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 33
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


# ------------------------------------------------------------------ validation


@dataclass(frozen=True)
class Context:
    """What validating a user's rules needs to know: their extension, the tenant's extensions
    and its allow-list (the dial plan's policy, C5)."""

    own: str
    extensions: Collection[str]
    allowed: frozenset[tuple[str, str]]
    dids: Collection[str] = ()  # the tenant's own numbers (E.164): forwarding to one would loop


def check_number(text: str, field: str, context: Context, required: bool = True) -> list[Problem]:
    """A number calls may be sent to: one of the tenant's extensions (not one's own) or an outside
    number the dial plan allows."""
    if not (text or "").strip():
        return [Problem(field, N_("Indiquez le numéro de renvoi."))] if required else []
    dialled = parse_dialled(text)
    if dialled.kind == dialing.EXTENSION:
        if dialled.digits == context.own:
            return [Problem(field, N_("Les appels ne peuvent pas être renvoyés vers votre propre poste."))]
        if dialled.digits not in context.extensions:
            return [Problem(field, N_("Le poste %(number)s n'existe pas."), {"number": dialled.digits})]
        return []
    if dialled.kind == dialing.EMERGENCY:
        return [Problem(field, N_("Les appels ne peuvent pas être renvoyés vers un numéro d'urgence."))]
    if dialled.kind not in (dialing.NUMBER, dialing.DIRECTORY):
        return [Problem(field, N_("« %(number)s » n'est pas un numéro de téléphone valide."), {"number": text.strip()})]
    if dialled.e164 and dialled.e164 in context.dids:
        return [Problem(field, N_("Le %(number)s est un numéro de votre entreprise : indiquez plutôt le poste "
                                  "vers lequel renvoyer (par exemple 2002)."), {"number": text.strip()})]
    if not dialing.verdict(dialled, context.allowed).allowed:
        return [Problem(field, N_("Votre plan de numérotation n'autorise pas les appels vers le %(number)s."),
                        {"number": text.strip()})]
    return []


def check_seconds(value: int | None, field: str) -> list[Problem]:
    if value is None or not MIN_SECONDS <= value <= MAX_SECONDS:
        return [Problem(field, N_("Le délai doit être compris entre %(min)d et %(max)d secondes."),
                        {"min": MIN_SECONDS, "max": MAX_SECONDS})]
    return []


def check_list(bad: Iterable[str], count: int, field: str) -> list[Problem]:
    problems = [Problem(field, N_("« %(number)s » n'est pas un numéro de téléphone."), {"number": b}) for b in bad]
    if count > MAX_LIST:
        problems.append(Problem(field, N_("Une liste compte au plus %(max)d numéros."), {"max": MAX_LIST}))
    return problems


def check_columns(columns: list[list[tuple[str, int | None]]], context: Context,
                  field: str = "columns") -> list[Problem]:
    """The universal contact number's table as typed: columns of (number, delay)."""
    problems: list[Problem] = []
    filled = [c for c in columns if c]
    if len(filled) > MAX_COLUMNS:
        problems.append(Problem(field, N_("Le numéro de contact universel compte au plus %(max)d colonnes."),
                                {"max": MAX_COLUMNS}))
    if not filled:
        problems.append(Problem(field, N_("Indiquez au moins un numéro à faire sonner.")))
    for column in filled:
        for number, seconds in column:
            if number != context.own:
                problems += check_number(number, field, context)
            problems += check_seconds(seconds, field)
    unique: list[Problem] = []  # one message per problem, however many cells have it
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def check(rules: CallRules, context: Context, no_answer_seconds: int | None) -> list[Problem]:
    """Every problem of ``rules`` at once, each on the form field it comes from."""
    problems: list[Problem] = []
    if rules.incoming not in INCOMING:
        problems.append(Problem("incoming", N_("Choisissez ce que font les appels entrants.")))
    if rules.incoming == FORWARD:
        problems += check_number(rules.forward_to, "forward_to", context)
    if rules.incoming == SEQUENCE:
        problems += check_columns([[(c.number, c.seconds) for c in col] for col in rules.columns], context)
    problems += check_seconds(no_answer_seconds, "no_answer_seconds")
    for name in ("no_answer", "busy", "unreachable"):
        choice = getattr(rules, name)
        if choice not in FALLBACKS:
            problems.append(Problem(name, N_("Choisissez la messagerie vocale ou un autre téléphone.")))
        elif choice == FORWARD:
            problems += check_number(getattr(rules, f"{name}_to"), f"{name}_to", context)
    if rules.selective_forward:
        problems += check_number(rules.selective_forward_to, "selective_forward_to", context)
        if not rules.forward_list:
            problems.append(Problem("forward_list", N_("Ajoutez au moins un numéro à la liste de renvoi.")))
    if rules.selective_reject and not rules.reject_list:
        problems.append(Problem("reject_list", N_("Ajoutez au moins un numéro à la liste de rejet.")))
    for name in ("forward_list", "reject_list"):
        problems += check_list((), len(getattr(rules, name)), name)
    return problems


def check_services_pin(pin: str, field: str = "new_pin") -> list[Problem]:
    """C11: the call-services PIN is digits only, 4 to 10 of them."""
    pin = (pin or "").strip()
    if not pin.isascii() or not pin.isdigit():
        return [Problem(field, N_("Le NIP ne doit contenir que des chiffres."))]
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return [Problem(field, N_("Le NIP compte de %(min)d à %(max)d chiffres."), {"min": PIN_MIN, "max": PIN_MAX})]
    return []


def cleaned(rules: CallRules) -> CallRules:
    """Rules with their numbers canonical and what the choices leave unused dropped."""
    def num(text: str) -> str:
        return canonical(text) or ""

    columns = tuple(tuple(Cell(num(c.number), c.seconds) for c in col if num(c.number)) for col in rules.columns)
    return replace(
        rules,
        forward_to=num(rules.forward_to) if rules.incoming == FORWARD else "",
        columns=tuple(c for c in columns if c) if rules.incoming == SEQUENCE else (),
        no_answer_to=num(rules.no_answer_to) if rules.no_answer == FORWARD else "",
        busy_to=num(rules.busy_to) if rules.busy == FORWARD else "",
        unreachable_to=num(rules.unreachable_to) if rules.unreachable == FORWARD else "",
        selective_forward_to=num(rules.selective_forward_to) if rules.selective_forward else "",
    )


# ------------------------------------------------------------------ the routing plan's steps


@dataclass(frozen=True)
class Caller:
    """Who calls: ``number`` canonical ("" when unknown), ``anonymous`` when withheld."""

    number: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class Called:
    """The extension called, as routing knows it."""

    number: str
    domain: str
    has_mailbox: bool
    no_answer_seconds: int = DEFAULT_SECONDS
    # (country, kind) pairs the tenant may call, and whether an outside number can be rung now
    # (a trunk, and a caller ID to present)
    allowed: frozenset[tuple[str, str]] = frozenset()
    outside: bool = False
    extensions: Collection[str] | None = field(default=None)  # None: not known, every one is tried


def _target(number: str, called: Called) -> Target | None:
    """Where ``number`` rings for a call to ``called``, or None when it cannot be rung now
    (an outside number the dial plan refuses today, or no trunk)."""
    dialled = parse_dialled(number)
    if dialled.kind == dialing.EXTENSION:
        return Phones(dialled.digits, called.domain)
    if dialled.kind == dialing.NUMBER and called.outside and dialing.verdict(dialled, called.allowed).allowed:
        return External(dialled.e164)
    return None


def _clamp(seconds: int) -> int:
    """What a ring step may last (routing's bounds: what is stored may predate the form's)."""
    return min(max(int(seconds or DEFAULT_SECONDS), MIN_NO_ANSWER_SECONDS), MAX_NO_ANSWER_SECONDS)


def steps(rules: CallRules, caller: Caller, called: Called) -> tuple[Step, ...]:
    """The plan's steps of a call from ``caller`` to ``called`` under ``rules``.

    In order: an anonymous caller refused (when asked: no voicemail); a caller on the rejection
    list refused (rejection wins over everything); do not disturb: the voicemail; a caller on
    the forwarding list forwarded (DND wins over it); every call forwarded; else the phone (or
    the universal number's columns, one ``Ring`` each) for the no-answer delay, then on no
    answer, busy or unreachable the voicemail or a number. A forwarded call never comes back to
    voicemail (seed 001). A number that cannot be rung now falls back to the voicemail."""
    deposit = (ToMedia(DEPOSIT, called.domain, f"{called.number}@{called.domain}"),) if called.has_mailbox else ()
    if rules.reject_anonymous and caller.anonymous:
        return (ANONYMOUS_REJECTED,)
    if rules.selective_reject and caller.number and caller.number in rules.reject_list:
        return (REJECTED,)
    if rules.do_not_disturb:
        return (ToMedia(DEPOSIT, called.domain, f"{called.number}@{called.domain}", "unavailable"),) \
            if called.has_mailbox else (DO_NOT_DISTURB,)
    forward = ""
    if rules.selective_forward and caller.number and caller.number in rules.forward_list:
        forward = rules.selective_forward_to
    elif rules.incoming == FORWARD:
        forward = rules.forward_to
    target = _target(forward, called) if forward else None
    if target is not None:
        return (Ring((target,), OUTSIDE_RING_SECONDS),)

    rings: list[Ring] = []
    if rules.incoming == SEQUENCE and rules.columns:
        for column in rules.columns:
            # each number rings for its own delay (a number twice in a column: the longer)
            delays: dict[Target, int] = {}
            for cell in column:
                found = _target(cell.number, called) if cell.number != called.number \
                    else Phones(called.number, called.domain)
                if found is not None:
                    delays[found] = max(delays.get(found, 0), _clamp(cell.seconds))
            if delays:
                longest = max(delays.values())
                own = tuple(delays.values()) if any(d != longest for d in delays.values()) else ()
                rings.append(Ring(tuple(delays), longest, OUTCOMES, delays=own))
    if not rings:
        rings = [Ring((Phones(called.number, called.domain),), _clamp(called.no_answer_seconds), OUTCOMES)]

    # what follows the last ring, by outcome: the voicemail or a number
    def after(choice: str, number: str) -> tuple[Step, ...]:
        if choice == FORWARD and number:
            found = _target(number, called)
            if found is not None:
                return (Ring((found,), OUTSIDE_RING_SECONDS),)
        return deposit

    tails = {NO_ANSWER: after(rules.no_answer, rules.no_answer_to), BUSY: after(rules.busy, rules.busy_to),
             UNAVAILABLE: after(rules.unreachable, rules.unreachable_to)}
    tails[FAILED] = tails[NO_ANSWER]
    first = len(rings)
    placed: dict[tuple[Step, ...], int] = {}
    tail_steps: list[Step] = []
    goto: dict[str, int] = {}
    for outcome in (NO_ANSWER, BUSY, UNAVAILABLE, FAILED):
        tail = tails[outcome]
        if not tail:
            continue
        if tail not in placed:
            placed[tail] = first + len(tail_steps)
            tail_steps += tail
        goto[outcome] = placed[tail]
    # nothing after the last ring (no mailbox, nothing forwarded): the caller gets its answer
    # (480 when nothing could ring)
    last = rings[-1]
    jumps = tuple(sorted((o, i) for o, i in goto.items() if i != first))
    rings[-1] = Ring(last.targets, last.seconds, frozenset(goto), jumps, last.delays)
    return (*rings, *tail_steps)


def forwarding_caller_id(*, did: str | None, main_number: str | None, caller: Caller, from_outside: bool,
                         trunk_forwards_caller_id: bool) -> CallerId | None:
    """The caller ID of a call the rules send to an outside number: the original caller's when it
    comes from the outside and the trunk accepts numbers that are not ours, else the extension's
    number (its DID, else the tenant's main number)."""
    return dialing.choose_caller_id(
        extension_did=did, main_number=main_number, anonymous=False,
        forwarded_from=caller.number if from_outside and caller.number.startswith("+") else None,
        trunk_forwards_caller_id=trunk_forwards_caller_id)


def outside_caller(number: str) -> Caller:
    """A caller from the carrier: its number (the network-asserted one, or From's user), anonymous
    when it sends none (``anonymous``, ``Anonymous``, nothing, anything but a number)."""
    e164 = canonical(number or "") or ""
    return Caller(e164, anonymous=not e164)


def plan(tenant: TenantDirectory, data: CallData, entry: ExtensionEntry, caller: Caller, account: Account,
         from_outside: bool) -> Plan:
    """The routing plan of a call from ``caller`` to the desk extension ``entry``, which has rules
    (the hook of ``tenants.routing``'s ``build_phone_plan`` and ``build_trunk_plan``)."""
    rules = entry.rules or CallRules()
    caller_id = None
    if rules.reaches_outside() and data.trunk is not None:
        caller_id = forwarding_caller_id(did=entry.did, main_number=tenant.main_number, caller=caller,
                                         from_outside=from_outside,
                                         trunk_forwards_caller_id=data.trunk.forwards_caller_id)
    called = Called(entry.number, tenant.domain, entry.has_mailbox, entry.no_answer_seconds, tenant.allowed,
                    outside=data.trunk is not None and caller_id is not None)
    return Plan(steps(rules, caller, called), account, caller_id=caller_id, language=tenant.language)
