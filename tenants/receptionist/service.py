"""The tenant admin's receptionist (H1): reading, checking and saving it; what a call needs of it.

Every change goes through ``update`` (console and CLI alike): all problems at once, in French,
and nothing stored when there is one, so the receptionist in service keeps working as it was.
``call_setup(domain, now)`` is what the media app loads for one call (plain data).
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import peewee as pw

from tenants import audio_port, audit
from tenants.audit import Actor
from tenants.db import database
from tenants.models import Extension, Mailbox, Tenant, utcnow
from tenants.problems import N_, DomainError, Problem
from tenants.receptionist import rules
from tenants.receptionist.models import Receptionist

WHEN = (rules.OPEN, rules.CLOSED)
MAX_TEXT = 1000
UNCHANGED = None  # an argument of ``update`` left as it is


def current(tenant: Tenant) -> Receptionist:
    """The tenant's receptionist (the defaults, unsaved, until the admin changes it)."""
    return Receptionist.get_or_none(Receptionist.tenant == tenant) or Receptionist(tenant=tenant)


def snapshot(row: Receptionist) -> dict:
    """What the console, the CLI and the audit log show of it."""
    return {"hours": rules.hours_text(row.hours or {}), "holidays": list(row.holidays or []),
            "keys": {k: list(v) for k, v in sorted((row.keys or {}).items())}, "operator": row.operator,
            "open_text": row.open_text, "closed_text": row.closed_text, "open_path": row.open_path,
            "closed_path": row.closed_path}


def _extension_problem(tenant: Tenant, text: str, field_name: str) -> Problem | None:
    """None when ``text`` names an extension of ``tenant`` (``2001`` or ``2001@its.domain``)."""
    number, at, domain = text.strip().partition("@")
    if at and domain.lower() != tenant.domain:
        return Problem(field_name, N_("Le poste %(value)s est celui d'un autre client."), {"value": text[:80]})
    if not Extension.select().where((Extension.tenant == tenant) & (Extension.number == number)).exists():
        if Extension.select().where(Extension.number == number).exists():
            return Problem(field_name, N_("Le poste %(value)s n'est pas un poste de ce client."), {"value": number[:8]})
        return Problem(field_name, N_("Le poste %(value)s n'existe pas."), {"value": number[:8]})
    return None


@dataclass
class Change:
    """What the admin asks to change (``None``: left as it is)."""

    hours: str | None = None
    holidays: str | None = None
    operator: str | None = None  # "" removes the operator
    keys: list[str] | None = None  # every mapping ("1=2005"); replaces the whole map
    set_keys: list[str] = field(default_factory=list)  # mappings added to (or replacing in) the map
    open_text: str | None = None
    closed_text: str | None = None


def check(tenant: Tenant, change: Change) -> tuple[dict, list[Problem]]:
    """The new values (column -> value) of ``change``, and every problem with it."""
    values: dict = {}
    problems: list[Problem] = []
    if change.hours is not None:
        hours, found = rules.parse_hours(change.hours)
        problems += found
        values["hours"] = {d: [list(s) for s in spans] for d, spans in hours.items()}
    if change.holidays is not None:
        dates, found = rules.parse_holidays(change.holidays)
        problems += found
        values["holidays"] = dates
    if change.operator is not None:
        operator = change.operator.strip()
        problem = _extension_problem(tenant, operator, "operator") if operator else None
        if problem:
            problems.append(problem)
        values["operator"] = operator.partition("@")[0] or None
    if change.keys is not None or change.set_keys:
        keys = {} if change.keys is not None else {k: list(v) for k, v in (current(tenant).keys or {}).items()}
        for text in [*(change.keys or []), *change.set_keys]:
            if not text.strip():
                continue
            if text.strip().endswith("=") and text.strip()[:-1].strip() in rules.MAPPABLE_KEYS:
                keys.pop(text.strip()[:-1].strip(), None)  # "3=": key 3 leads nowhere any more
                continue
            typed_key = text.partition("=")[0].strip()
            field_name = f"key_{typed_key}" if typed_key in rules.MAPPABLE_KEYS else "keys"
            parsed, found = rules.parse_key(text, field_name)
            problems += found
            if parsed is None:
                continue
            key, numbers = parsed
            missing = [p for p in (_extension_problem(tenant, n, field_name) for n in numbers) if p]
            problems += missing
            keys[key] = list(numbers)
        values["keys"] = dict(sorted(keys.items()))
    for name in ("open_text", "closed_text"):
        text = getattr(change, name)
        if text is not None:
            text = " ".join(text.split())
            if len(text) > MAX_TEXT:
                problems.append(Problem(name, N_("Le texte de l'annonce dépasse %(max)s caractères."),
                                        {"max": MAX_TEXT}))
            values[name] = text or None
    return values, problems


def update(actor: Actor, tenant: Tenant, change: Change) -> Receptionist:
    """Apply ``change`` to the tenant's receptionist, or raise ``DomainError`` (nothing stored)."""
    values, problems = check(tenant, change)
    if problems:
        raise DomainError(problems)
    with database.atomic():
        row = current(tenant)
        before = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        row.save()
        audit.record(actor, "receptionist.update", tenant, "tenant", tenant.id, tenant.domain, before, snapshot(row))
    return row


def greeting_path(domain: str, when: str, token: str) -> str:
    """Where a recorded or uploaded greeting of the receptionist is kept (relative to $POSTE_DATA)."""
    return f"receptionist/{domain}/{when}-{token}.wav"


def set_greeting_file(actor: Actor, tenant: Tenant, when: str, path: str | None) -> str | None:
    """Point the ``when`` greeting at the file ``path`` (None: back to the text or the built-in
    one); the file it replaces, for the caller to delete."""
    if when not in WHEN:
        raise DomainError(Problem("when", N_("Annonce inconnue : %(value)s (open ou closed)."), {"value": when[:10]}))
    with database.atomic():
        row = current(tenant)
        before = snapshot(row)
        column = f"{when}_path"
        old = getattr(row, column)
        setattr(row, column, path)
        row.updated_at = utcnow()
        row.save()
        audit.record(actor, "receptionist.greeting", tenant, "tenant", tenant.id, tenant.domain, before, snapshot(row))
    return old if old != path else None


def store_upload(tenant: Tenant, when: str, data: bytes, filename: str | None, data_dir: Path) -> str:
    """An uploaded or browser-recorded greeting made a stored WAV (through the audio port: decoded,
    trimmed and normalized by rtp/dsp) at a new path; the path, or ``DomainError`` (nothing written)
    when it is not audio. Not in service yet: ``set_greeting_file`` points the greeting at it."""
    if when not in WHEN:
        raise DomainError(Problem("when", N_("Annonce inconnue : %(value)s (open ou closed)."), {"value": when[:10]}))
    rel = greeting_path(tenant.domain, when, secrets.token_hex(6))
    try:
        audio_port.audio().store(data, filename, Path(data_dir) / rel)
    except audio_port.AudioRejectedError as error:
        raise DomainError(Problem(f"{when}_file", str(error))) from None
    return rel


# ------------------------------------------------------------------ what a call needs


@dataclass(frozen=True)
class Greeting:
    when: str  # rules.OPEN or rules.CLOSED
    path: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class CallSetup:
    """One receptionist call's data (for ``rtp.flows.receptionist``)."""

    domain: str
    language: str
    greeting: Greeting
    keys: dict[str, tuple[str, ...]]
    operator: str | None
    extensions: frozenset[str]  # what may be dialled directly (2XXX)
    people: tuple[rules.Person, ...]  # dial-by-name
    voicemail_access: bool  # A6: * leads to a mailbox
    mailboxes: frozenset[str] = frozenset()


def call_setup(domain: str, now: dt.datetime | None = None, data_dir: Path | None = None) -> CallSetup | None:
    """The receptionist of the tenant ``domain`` as a call at ``now`` (UTC) meets it; None: no such tenant."""
    tenant = Tenant.get_or_none(Tenant.domain == (domain or "").lower())
    if tenant is None:
        return None
    row = current(tenant)
    when = rules.greeting_for(row.hours or {}, row.holidays or [], now or utcnow(), tenant.timezone)
    path = getattr(row, f"{when}_path")
    if path and data_dir is not None and not (Path(data_dir) / path).exists():
        path = None  # a file gone missing: the text or the built-in greeting, never silence
    greeting = Greeting(when, path, getattr(row, f"{when}_text"))
    from tenants.voicemail.models import MailboxSettings

    rows = (Extension.select(Extension.number, Extension.name, Mailbox.id, MailboxSettings.name_path)
            .join(Mailbox, on=(Mailbox.extension == Extension.id), join_type=pw.JOIN.LEFT_OUTER)
            .join(MailboxSettings, on=(MailboxSettings.mailbox == Mailbox.id), join_type=pw.JOIN.LEFT_OUTER)
            .where(Extension.tenant == tenant).tuples())
    people: list[rules.Person] = []
    numbers: set[str] = set()
    boxes: set[str] = set()
    for number, name, mailbox_id, name_path in cast(Iterable[tuple[str, str, int | None, str | None]], rows):
        numbers.add(number)
        if mailbox_id is not None:
            boxes.add(number)
        if name:
            people.append(rules.Person(number, name, name_path))
    keys = {k: tuple(v) for k, v in (row.keys or {}).items()}
    operator = row.operator if row.operator in numbers else None
    return CallSetup(domain=tenant.domain, language=tenant.language, greeting=greeting, keys=keys,
                     operator=operator, extensions=frozenset(numbers), people=tuple(people),
                     voicemail_access=bool(tenant.receptionist_voicemail), mailboxes=frozenset(boxes))
