"""What a mailbox's owner does in the portal (E3, E4, E7, E8): the same moves as by phone.

Every function takes the mailbox id the portal checked the user owns, and acts only on rows
of that mailbox (a message id of another mailbox changes nothing and answers False/None).
Moves go through ``mailbox_changes`` (as the phone's), so the message-waiting job follows.
Files are under ``data_dir`` ($POSTE_DATA); a message deleted for good goes with its file.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from tenants import audio_port, jobs
from tenants.db import database
from tenants.models import Extension, Mailbox, Tenant, utcnow
from tenants.problems import N_, DomainError, Problem
from tenants.voicemail import access, rules, service
from tenants.voicemail import mailbox_changes as changes
from tenants.voicemail.models import MailboxSettings, VoiceMessage

DELETED = "deleted"
MAX_RECIPIENTS = 20


def _mine(mailbox_id: int, message_id: int) -> VoiceMessage | None:
    return VoiceMessage.get_or_none((VoiceMessage.id == message_id) & (VoiceMessage.mailbox == mailbox_id))


def inbox(mailbox_id: int) -> list[VoiceMessage]:
    """The messages not deleted, newest first (E3)."""
    return list(VoiceMessage.select().where((VoiceMessage.mailbox == mailbox_id) & (VoiceMessage.folder != DELETED))
                .order_by(VoiceMessage.received_at.desc(), VoiceMessage.id.desc()))


def deleted(mailbox_id: int) -> list[VoiceMessage]:
    """The messages in Supprimés, last deleted first (E7)."""
    return list(VoiceMessage.select().where((VoiceMessage.mailbox == mailbox_id) & (VoiceMessage.folder == DELETED))
                .order_by(VoiceMessage.deleted_at.desc(nulls="LAST"), VoiceMessage.id.desc()))


def counts(mailbox_id: int) -> rules.MwiCounts:
    folders = [m.folder for m in VoiceMessage.select(VoiceMessage.folder).where(VoiceMessage.mailbox == mailbox_id)]
    return rules.mwi_counts(folders)


def mark_heard(mailbox_id: int, message_id: int) -> bool:
    """New -> heard (the phone's Old); other folders stay. The message light follows."""
    message = _mine(mailbox_id, message_id)
    if message is None or message.folder == DELETED:
        return False
    return changes.move_message(mailbox_id, message_id, access.after_heard(message.folder))


def mark_new(mailbox_id: int, message_id: int) -> bool:
    message = _mine(mailbox_id, message_id)
    if message is None or message.folder == DELETED:
        return False
    return changes.move_message(mailbox_id, message_id, "new")


def delete(mailbox_id: int, message_id: int) -> bool:
    """To Supprimés (E7), as 7 does by phone."""
    message = _mine(mailbox_id, message_id)
    if message is None or message.folder == DELETED:
        return False
    return changes.move_message(mailbox_id, message_id, DELETED)


def delete_all(mailbox_id: int) -> int:
    """Every message of the inbox to Supprimés; how many."""
    ids = [m.id for m in inbox(mailbox_id)]
    return changes.move_messages(mailbox_id, ids, DELETED)


def restore(mailbox_id: int, message_id: int) -> bool:
    """Back to the inbox: heard if it had been, else new."""
    message = _mine(mailbox_id, message_id)
    if message is None or message.folder != DELETED:
        return False
    return changes.move_message(mailbox_id, message_id, "old" if message.heard_at else "new")


def _remove(messages: list[VoiceMessage], data_dir: Path) -> int:
    if not messages:
        return 0
    with database.atomic():
        done = VoiceMessage.delete().where(VoiceMessage.id.in_([m.id for m in messages])).execute()
    for message in messages:  # after the commit: a file never goes while its row stays
        (Path(data_dir) / message.path).unlink(missing_ok=True)
    return done


def purge(mailbox_id: int, message_id: int, data_dir: Path) -> bool:
    """Delete one message of Supprimés for good, with its file."""
    message = _mine(mailbox_id, message_id)
    if message is None or message.folder != DELETED:
        return False
    return bool(_remove([message], data_dir))


def purge_all(mailbox_id: int, data_dir: Path) -> int:
    """Empty Supprimés for good (the confirmation was asked by the page)."""
    return _remove(deleted(mailbox_id), data_dir)


def purge_expired(data_dir: Path, retention_days: int, now: dt.datetime | None = None, limit: int = 500) -> int:
    """E7: messages in Supprimés for longer than ``retention_days`` go with their files."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    old = list(VoiceMessage.select().where((VoiceMessage.folder == DELETED) & (VoiceMessage.deleted_at.is_null(False))
                                           & (VoiceMessage.deleted_at <= cutoff)).limit(limit))
    return _remove(old, data_dir)


# ----------------------------------------------------------------------------- storage (E9)
@dataclass(frozen=True)
class Storage:
    """What a mailbox stores (messages, Supprimés included, and greetings, by their size)
    against its capacity: the space of its tenant's maximum of messages at their maximum length."""

    used_bytes: int
    capacity_bytes: int
    messages: rules.Capacity

    @property
    def ratio(self) -> float:
        return min(1.0, self.used_bytes / self.capacity_bytes) if self.capacity_bytes else 1.0

    @property
    def percent(self) -> int:
        return int(self.ratio * 100)

    @property
    def level(self) -> str:
        """``full``, ``nearly_full`` or ``ok``: the worse of the space and the count of messages."""
        if self.messages.full or self.ratio >= 1.0:
            return rules.FULL
        if self.messages.nearly_full or self.ratio >= rules.WARN_RATIO:
            return rules.NEARLY_FULL
        return rules.OK


BYTES_PER_SECOND = 16000  # the stored WAV: 8 kHz, 16-bit, mono


def storage(mailbox_id: int, data_dir: Path) -> Storage:
    tenant = Tenant.select().join(Extension).join(Mailbox).where(Mailbox.id == mailbox_id).get()
    opts = service.options_for(tenant)
    sizes = [m.size_bytes for m in VoiceMessage.select(VoiceMessage.size_bytes).where(VoiceMessage.mailbox == mailbox_id)]
    settings = MailboxSettings.get_or_none(MailboxSettings.mailbox == mailbox_id)
    greetings = 0
    if settings is not None:
        for path in (settings.unavailable_path, settings.busy_path, settings.name_path, settings.temporary_path):
            if path and (Path(data_dir) / path).is_file():
                greetings += (Path(data_dir) / path).stat().st_size
    capacity = opts["max_messages"] * opts["max_seconds"] * BYTES_PER_SECOND
    return Storage(sum(sizes) + greetings, capacity, service.capacity_of(mailbox_id, opts["max_messages"]))


# ----------------------------------------------------------------------------- sending (E3, E4)
def _box(mailbox_id: int) -> Mailbox:
    return Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()


def parse_numbers(text: str) -> list[str]:
    """The mailbox numbers typed in a "À" field (commas, semicolons or spaces), in order, once each."""
    seen: list[str] = []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def recipients_problems(mailbox_id: int, numbers: list[str], field: str = "to") -> tuple[list[Problem], list[Mailbox]]:
    """Each number must be a mailbox of the sender's tenant, not their own, with room (D11, D12)."""
    box = _box(mailbox_id)
    tenant = box.extension.tenant
    problems: list[Problem] = []
    targets: list[Mailbox] = []
    if not numbers:
        return [Problem(field, N_("Indiquez au moins un numéro de boîte vocale."))], []
    if len(numbers) > MAX_RECIPIENTS:
        return [Problem(field, N_("%(max)d destinataires au plus."), {"max": MAX_RECIPIENTS})], []
    for number in numbers:
        target = (Mailbox.select(Mailbox, Extension).join(Extension)
                  .where((Extension.tenant == tenant) & (Extension.number == number)).first())
        decision = access.may_deliver(box.extension.number, number, target is not None)
        if not decision.ok:
            text = (N_("Vous ne pouvez pas vous envoyer un message à vous-même.") if decision.why == "self"
                    else N_("« %(number)s » n'est pas une boîte vocale de votre entreprise."))
            problems.append(Problem(field, text, {"number": number[:20]} if decision.why != "self" else {}))
            continue
        assert target is not None
        if service.capacity_of(target.id).full:
            problems.append(Problem(field, N_("La boîte vocale %(number)s est pleine."), {"number": number}))
            continue
        targets.append(target)
    return problems, targets


def _deliver(data_dir: Path, target: Mailbox, tenant: Tenant, source: Path | None, duration_ms: int | None,
             caller_number: str, caller_name: str, urgent: bool, private: bool) -> VoiceMessage:
    recording_id = f"portal-{secrets.token_hex(10)}"
    rel = service.message_path(tenant.domain, target.extension.number, recording_id)
    path = Path(data_dir) / rel
    assert source is not None
    duration = audio_port.audio().copy(source, path)
    message = service.store_message(target.id, recording_id, rel, duration_ms=duration_ms or duration,
                                    size_bytes=path.stat().st_size, caller_number=caller_number,
                                    caller_name=caller_name, received_at=utcnow(), reason=rules.UNAVAILABLE)
    if urgent or private:
        VoiceMessage.update(urgent=urgent, private=private).where(VoiceMessage.id == message.id).execute()
    return message


def forward_to_mailboxes(mailbox_id: int, message_id: int, to: str, data_dir: Path) -> list[str]:
    """D11 from the portal: a copy in each mailbox, the urgent mark kept; a private message
    cannot be forwarded. Raises DomainError (nothing sent) when any recipient is refused."""
    message = _mine(mailbox_id, message_id)
    if message is None:
        raise DomainError(Problem("to", N_("Ce message n'existe pas.")))
    if message.private:
        raise DomainError(Problem("to", N_("Un message privé ne peut pas être renvoyé.")))
    problems, targets = recipients_problems(mailbox_id, parse_numbers(to))
    if problems:
        raise DomainError(problems)
    box = _box(mailbox_id)
    for target in targets:
        _deliver(data_dir, target, box.extension.tenant, Path(data_dir) / message.path, message.duration_ms,
                 message.caller_number, message.caller_name, message.urgent, False)
    return [t.extension.number for t in targets]


def send_voice_message(mailbox_id: int, to: str, audio: bytes, filename: str | None, data_dir: Path,
                       urgent: bool = False, private: bool = False) -> list[str]:
    """E4: a message recorded in the browser (or a reply), through rtp/dsp, to each mailbox.
    Raises DomainError (nothing sent) for a refused recipient or audio that is not usable."""
    problems, targets = recipients_problems(mailbox_id, parse_numbers(to))
    box = _box(mailbox_id)
    tenant = box.extension.tenant
    spool = Path(data_dir) / "spool" / "portal" / f"{secrets.token_hex(8)}.wav"
    try:
        duration = 0
        if not audio:
            problems.append(Problem("audio", N_("Enregistrez votre message ou choisissez un fichier audio.")))
        elif not problems:  # the audio is worked only for recipients that can take it
            try:
                duration = audio_port.audio().store(audio, filename, spool)
            except audio_port.AudioRejectedError as error:
                problems.append(Problem("audio", str(error)))
        if problems:
            raise DomainError(problems)
        for target in targets:
            _deliver(data_dir, target, tenant, spool, duration, box.extension.number, box.extension.name,
                     urgent, private)
    finally:
        spool.unlink(missing_ok=True)
    return [t.extension.number for t in targets]


def reply_target(mailbox_id: int, message_id: int) -> str | None:
    """The extension a reply goes to: the caller when it is a mailbox of the same tenant, else None."""
    message = _mine(mailbox_id, message_id)
    if message is None:
        return None
    box = _box(mailbox_id)
    number = message.caller_number
    found = (Mailbox.select().join(Extension)
             .where((Extension.tenant == box.extension.tenant_id) & (Extension.number == number)).exists())
    return number if found and number != box.extension.number else None


def queued_for_email(kind: str, payload: dict, tenant: Tenant) -> None:
    jobs.enqueue(kind, payload, tenant=tenant)
