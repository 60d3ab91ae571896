"""Changes made to a mailbox by its owner (by phone now, by the portal later) (D5-D8).

Each is one transaction; whatever changes the message counts queues the
message-waiting job, so the phones' lights follow.
"""
from __future__ import annotations

from typing import Any

from tenants import jobs
from tenants.db import database
from tenants.models import Extension, Mailbox, Tenant, utcnow
from tenants.voicemail import access, notify, rules
from tenants.voicemail.models import MailboxSettings, VoiceMessage

FOLDERS = ("new", "old", "work", "family", "friends", "deleted")
GREETINGS = access.GREETING_KINDS


def settings_of(mailbox_id: int) -> MailboxSettings:
    row = MailboxSettings.get_or_none(MailboxSettings.mailbox == mailbox_id)
    if row is None:
        row, _ = MailboxSettings.get_or_create(mailbox=mailbox_id)
    return row


def _queue_mwi(mailbox_id: int) -> None:
    box = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()
    jobs.enqueue(notify.MWI_JOB, {"extension_id": box.extension_id}, tenant=box.extension.tenant)


def move_message(mailbox_id: int, message_id: int, folder: str) -> bool:
    """Move one message of this mailbox (``deleted`` deletes, to E7's Deleted); MWI follows."""
    if folder not in FOLDERS:
        return False
    with database.atomic():
        changes: dict[str, Any] = {"folder": folder}
        if folder != "new":
            changes["heard_at"] = utcnow()
        done = VoiceMessage.update(**changes).where((VoiceMessage.id == message_id)
                                                    & (VoiceMessage.mailbox == mailbox_id)).execute()
        if done:
            _queue_mwi(mailbox_id)
    return bool(done)


def set_greeting(mailbox_id: int, kind: str, path: str) -> str | None:
    """Point the mailbox at a new greeting file (already written); return the old path."""
    if kind not in GREETINGS:
        raise ValueError(kind)
    with database.atomic():
        settings = settings_of(mailbox_id)
        old = getattr(settings, f"{kind}_path")
        changes = {f"{kind}_path": path, "updated_at": utcnow()}
        if kind == "temporary":
            changes["temporary_on"] = True  # seed 003: on once recorded
        MailboxSettings.update(**changes).where(MailboxSettings.id == settings.id).execute()
    return old


def set_temporary(mailbox_id: int, on: bool) -> bool:
    """D8: turning it off is refused (False) while no unavailable greeting exists."""
    with database.atomic():
        settings = settings_of(mailbox_id)
        greetings = rules.Greetings(unavailable=settings.unavailable_path, temporary=settings.temporary_path,
                                    temporary_on=settings.temporary_on)
        if not on and not access.temporary_off(greetings).ok:
            return False
        MailboxSettings.update(temporary_on=on, updated_at=utcnow()).where(MailboxSettings.id == settings.id).execute()
    return True


def finish_setup(mailbox_id: int) -> None:
    with database.atomic():
        settings = settings_of(mailbox_id)
        MailboxSettings.update(setup_done=True).where(MailboxSettings.id == settings.id).execute()
