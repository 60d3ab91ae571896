"""What the media app asks of the domain: a mailbox's context for a call, and storing a message.

``store_message`` is the commit point of the recording path: the WAV is already in
place (written atomically by the media app), and the row and its jobs (email,
message-waiting) are created in one transaction. It is idempotent on
``recording_id``, so a recording recovered after a crash is never stored twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tenants import emails, jobs, mail
from tenants.db import database, is_sqlite
from tenants.models import Extension, Mailbox, Tenant
from tenants.voicemail import notify, rules
from tenants.voicemail.models import MailboxSettings, VoicemailOptions, VoiceMessage

DEFAULT_OPTIONS: dict[str, Any] = {"max_messages": 100, "max_seconds": 180, "min_seconds": 1, "reception": None}


@dataclass(frozen=True)
class MailboxContext:
    """Everything the caller's voicemail flow needs, as plain data."""

    mailbox_id: int
    extension_id: int
    number: str
    name: str
    domain: str
    language: str
    timezone: str
    greetings: rules.Greetings
    capacity: rules.Capacity
    min_seconds: int
    max_seconds: int
    reception: str | None
    email: str


def options_for(tenant: Tenant) -> dict:
    row = VoicemailOptions.get_or_none(VoicemailOptions.tenant == tenant)
    if row is None:
        return dict(DEFAULT_OPTIONS)
    return {"max_messages": row.max_messages, "max_seconds": row.max_seconds, "min_seconds": row.min_seconds,
            "reception": row.reception}


def load_context(number: str, domain: str) -> MailboxContext | None:
    """The mailbox of extension ``number`` in tenant ``domain``, or None (no such mailbox)."""
    row = (Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant)
           .where((Extension.number == number) & (Tenant.domain == domain.lower())).first())
    if row is None:
        return None
    ext, tenant = row.extension, row.extension.tenant
    opts = options_for(tenant)
    greetings = greetings_of(MailboxSettings.get_or_none(MailboxSettings.mailbox == row))
    return MailboxContext(
        mailbox_id=row.id, extension_id=ext.id, number=ext.number, name=ext.name, domain=tenant.domain,
        language=tenant.language, timezone=tenant.timezone, greetings=greetings,
        capacity=capacity_of(row.id, opts["max_messages"]), min_seconds=opts["min_seconds"],
        max_seconds=opts["max_seconds"], reception=opts["reception"], email=row.email)


def quick_login_number(domain: str, caller: str) -> str:
    """E8 "Connexion rapide": the caller's own mailbox number when its owner turned quick login on
    (``*98`` from one's own phone then asks the PIN only), else ""."""
    if not caller.isdigit():
        return ""
    on = (MailboxSettings.select().join(Mailbox).join(Extension).join(Tenant)
          .where((Tenant.domain == domain.lower()) & (Extension.number == caller)
                 & (MailboxSettings.quick_login == True)).exists())  # noqa: E712 - SQL, not Python
    return caller if on else ""


def access_context(domain: str, number: str = "", caller: str = "") -> MailboxContext:
    """D2 (``*98``): a mailbox access call before its mailbox is known. Its tenant is known from
    the domain, so the call speaks the tenant's language from the first prompt (issue 12). With
    quick login (E8), the caller's own mailbox is known: only its PIN is asked."""
    number = number or quick_login_number(domain, caller)
    tenant = Tenant.get_or_none(Tenant.domain == domain.lower())
    return MailboxContext(
        mailbox_id=0, extension_id=0, number=number, name="", domain=domain.lower(),
        language=tenant.language if tenant else Tenant.language.default,
        timezone=tenant.timezone if tenant else Tenant.timezone.default, greetings=rules.Greetings(),
        capacity=rules.Capacity(0, 1), min_seconds=DEFAULT_OPTIONS["min_seconds"],
        max_seconds=DEFAULT_OPTIONS["max_seconds"], reception=None, email="")


def greetings_of(settings: MailboxSettings | None) -> rules.Greetings:
    """A mailbox's recorded greetings as plain data (none recorded without a settings row)."""
    if settings is None:
        return rules.Greetings()
    return rules.Greetings(unavailable=settings.unavailable_path, busy=settings.busy_path, name=settings.name_path,
                           temporary=settings.temporary_path, temporary_on=settings.temporary_on,
                           choice=settings.greeting or "")


def capacity_of(mailbox_id: int, limit: int | None = None) -> rules.Capacity:
    """D12: the mailbox's messages (Deleted excluded) against its tenant's limit."""
    if limit is None:
        tenant = Tenant.select().join(Extension).join(Mailbox).where(Mailbox.id == mailbox_id).get()
        limit = options_for(tenant)["max_messages"]
    folders = [m.folder for m in VoiceMessage.select(VoiceMessage.folder).where(VoiceMessage.mailbox == mailbox_id)]
    return rules.capacity(folders, limit)


def _lock_mailbox(mailbox_id: int) -> None:
    """Serialize the stores into one mailbox, so two messages arriving at once see each other
    when the capacity is counted (one warning per crossing, never two, never none).

    SQLite transactions already take the write lock first (tenants.db); PostgreSQL locks the row.
    """
    if not is_sqlite():
        list(Mailbox.select(Mailbox.id).where(Mailbox.id == mailbox_id).for_update())


def message_path(domain: str, number: str, recording_id: str) -> str:
    """Where a message's WAV goes, relative to $POSTE_DATA (deterministic: recovery rewrites the same file)."""
    return f"voicemail/{domain}/{number}/{recording_id}.wav"


def store_message(mailbox_id: int, recording_id: str, path: str, duration_ms: int, size_bytes: int,
                  caller_number: str, caller_name: str, received_at: dt.datetime, reason: str,
                  cut: bool = False) -> VoiceMessage:
    """Create the message row and queue its email and MWI jobs, all or nothing.

    When this message takes the mailbox up to "nearly full" or "full" (D12), the owner's
    warning email is queued in the same transaction: once per crossing, not per message.
    (On SQLite every transaction takes the write lock first: see tenants.db.)
    """
    with database.atomic():
        _lock_mailbox(mailbox_id)
        existing = VoiceMessage.get_or_none(VoiceMessage.recording_id == recording_id)
        if existing is not None:
            return existing
        mailbox = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(
            Mailbox.id == mailbox_id).get()
        before = capacity_of(mailbox.id, options_for(mailbox.extension.tenant)["max_messages"])
        message = VoiceMessage.create(
            mailbox=mailbox, recording_id=recording_id, path=path, duration_ms=duration_ms, size_bytes=size_bytes,
            caller_number=caller_number[:64], caller_name=caller_name[:100], received_at=received_at,
            reason=rules.normalize_reason(reason), cut=cut)
        tenant = mailbox.extension.tenant
        if mailbox.email:
            jobs.enqueue(notify.EMAIL_JOB, {"message_id": message.id}, tenant=tenant)
        jobs.enqueue(notify.MWI_JOB, {"extension_id": mailbox.extension_id}, tenant=tenant)
        _warn_owner(mailbox, before, before.plus(1))
    return message


def _warn_owner(mailbox: Mailbox, before: rules.Capacity, after: rules.Capacity) -> None:
    """D12: email the owner when the mailbox has just become nearly full or full."""
    level = rules.warning_to_send(before, after)
    if level is None or not mailbox.email:
        return
    ext, tenant = mailbox.extension, mailbox.extension.tenant
    email = emails.render("mailbox_capacity", tenant.language, tenant.timezone, level=level, name=ext.name,
                          number=ext.number, count=after.count, limit=after.limit)
    mail.queue_mail(mailbox.email, *email, tenant=tenant)


def mwi_counts(extension_id: int) -> rules.MwiCounts:
    folders = [m.folder for m in VoiceMessage.select(VoiceMessage.folder).join(Mailbox)
               .where(Mailbox.extension == extension_id)]
    return rules.mwi_counts(folders)


def mailbox_account(number: str, domain: str) -> tuple[int, rules.MwiCounts] | None:
    """(extension id, counts) for a SUBSCRIBE to ``number@domain``'s message-summary."""
    ext = (Extension.select(Extension.id).join(Tenant)
           .where((Extension.number == number) & (Tenant.domain == domain.lower())).first())
    if ext is None:
        return None
    return ext.id, mwi_counts(ext.id)
