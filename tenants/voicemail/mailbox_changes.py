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
    return bool(move_messages(mailbox_id, [message_id], folder))


def move_messages(mailbox_id: int, message_ids: list[int], folder: str) -> int:
    """Move these messages of this mailbox (others' ids are ignored); one MWI job. How many moved.

    A message moved to Deleted is stamped (its retention starts, E7); one taken out is not."""
    if folder not in FOLDERS or not message_ids:
        return 0
    with database.atomic():
        now = utcnow()
        changes: dict[str, Any] = {"folder": folder, "deleted_at": now if folder == "deleted" else None}
        mine = (VoiceMessage.id.in_(message_ids)) & (VoiceMessage.mailbox == mailbox_id)
        if folder == "new":  # unheard again (a restore from Deleted then brings it back as new)
            changes["heard_at"] = None
        else:  # heard (or dealt with) now, unless it was before
            VoiceMessage.update(heard_at=now).where(mine & VoiceMessage.heard_at.is_null()).execute()
        done = VoiceMessage.update(**changes).where(mine).execute()
        if done:
            _queue_mwi(mailbox_id)
    return done


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
