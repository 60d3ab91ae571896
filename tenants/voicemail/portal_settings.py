"""Réglages des messages (E8, seed 001): a mailbox's message settings as its owner sets them.

General: forward new messages as emails (to the mailbox's address), keeping the original in
the inbox or not. Access by phone: skip the PIN from one's own phone (D1), quick login (the
PIN only, not the mailbox number), autoplay, and what is heard of each message (envelope,
message, or both, D9). Greeting: the system one (plain, with the number, with the recorded
name) or one's own, recorded in the browser or uploaded (stored through the audio port, so
trimmed and normalized; a file that is no audio keeps the old greeting).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from tenants import audio_port, audit, extensions
from tenants.audit import Actor
from tenants.db import database
from tenants.models import Extension, Mailbox, Tenant, utcnow
from tenants.problems import N_, DomainError, Problem
from tenants.validation import check_email, normalize_email
from tenants.voicemail import access
from tenants.voicemail import mailbox_changes as changes
from tenants.voicemail.models import MailboxSettings

SYSTEM, SYSTEM_NUMBER, SYSTEM_NAME, CUSTOM = "system", "system_number", "system_name", "custom"
GREETINGS = (SYSTEM, SYSTEM_NUMBER, SYSTEM_NAME, CUSTOM)


@dataclass(frozen=True)
class MessageSettings:
    forward_email: bool
    email: str
    keep_original: bool
    skip_pin: bool
    quick_login: bool
    autoplay: bool
    envelope: str
    greeting: str


def current(mailbox_id: int) -> MessageSettings:
    row = changes.settings_of(mailbox_id)
    box = Mailbox.get_by_id(mailbox_id)
    return MessageSettings(forward_email=row.forward_email and bool(box.email), email=box.email,
                           keep_original=row.keep_original, skip_pin=row.skip_pin, quick_login=row.quick_login,
                           autoplay=row.autoplay, envelope=row.envelope, greeting=effective_greeting(row))


def effective_greeting(row: MailboxSettings) -> str:
    """The greeting callers hear when none was chosen: one's own when recorded, else the system's
    with the name when recorded, else with the number (D8, as before the portal)."""
    if row.greeting in GREETINGS:
        return row.greeting
    if row.unavailable_path:
        return CUSTOM
    return SYSTEM_NAME if row.name_path else SYSTEM_NUMBER


def problems_of(values: MessageSettings, has_custom: bool) -> list[Problem]:
    problems: list[Problem] = []
    if values.forward_email or values.email:
        problems += check_email(values.email, "email")
    if values.envelope not in access.ENVELOPE_MODES:
        problems.append(Problem("envelope", N_("Choix inconnu.")))
    if values.greeting not in GREETINGS:
        problems.append(Problem("greeting", N_("Choix inconnu.")))
    elif values.greeting == CUSTOM and not has_custom:
        problems.append(Problem("greeting", N_("Enregistrez ou envoyez d'abord votre message d'accueil personnalisé.")))
    return problems


def _box(mailbox_id: int) -> Mailbox:
    return Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()


def update(actor: Actor, mailbox_id: int, values: MessageSettings) -> None:
    """Apply every setting at once, or none (DomainError with every problem)."""
    row = changes.settings_of(mailbox_id)
    problems = problems_of(values, bool(row.unavailable_path))
    if problems:
        raise DomainError(problems)
    box = _box(mailbox_id)
    with database.atomic():
        before = _snapshot(row)
        MailboxSettings.update(
            forward_email=values.forward_email, keep_original=values.keep_original, skip_pin=values.skip_pin,
            quick_login=values.quick_login, autoplay=values.autoplay, envelope=values.envelope,
            greeting=values.greeting, updated_at=utcnow()).where(MailboxSettings.id == row.id).execute()
        if values.email and normalize_email(values.email) != box.email:
            extensions.set_voicemail_email(actor, box, values.email)
        after = _snapshot(MailboxSettings.get_by_id(row.id))
        audit.record(actor, "mailbox.settings", box.extension.tenant, "mailbox", box.id, box.extension.number,
                     before, after)


def _snapshot(row: MailboxSettings) -> dict:
    return {"forward_email": row.forward_email, "keep_original": row.keep_original, "skip_pin": row.skip_pin,
            "quick_login": row.quick_login, "autoplay": row.autoplay, "envelope": row.envelope,
            "greeting": row.greeting}


def set_custom_greeting(actor: Actor, mailbox_id: int, data: bytes, filename: str | None, data_dir: Path) -> None:
    """A greeting recorded in the browser or uploaded becomes the mailbox's own (and the one
    callers hear). Nothing changes when it is not usable audio (DomainError, French)."""
    if not data:
        raise DomainError(Problem("audio", N_("Enregistrez votre message d'accueil ou choisissez un fichier audio.")))
    box = _box(mailbox_id)
    domain = box.extension.tenant.domain
    rel = access.greeting_path(domain, box.extension.number, "unavailable", secrets.token_hex(6))
    try:
        audio_port.audio().store(data, filename, Path(data_dir) / rel)
    except audio_port.AudioRejectedError as error:
        raise DomainError(Problem("audio", str(error))) from None
    with database.atomic():
        old = changes.set_greeting(mailbox_id, "unavailable", rel)
        row = changes.settings_of(mailbox_id)
        MailboxSettings.update(greeting=CUSTOM).where(MailboxSettings.id == row.id).execute()
        audit.record(actor, "mailbox.greeting", box.extension.tenant, "mailbox", box.id, box.extension.number,
                     {"greeting": "old"}, {"greeting": "new"})
    unused = access.replaced_greeting(old, rel, domain)
    if unused:
        (Path(data_dir) / unused).unlink(missing_ok=True)
