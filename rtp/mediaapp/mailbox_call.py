"""The media app's side of the mailbox by phone: performs the domain actions of ``rtp.flows.mailbox``.

``start(app, call, number, own_phone)`` puts a ``MailboxFlow`` on a call (``X-Poste-Service:
access``, or ``*`` during a greeting); ``perform(app, call, action)`` does what the flow asks
that the generic layer (``app._do``: play, record, timers, hang-up) does not: PIN checks
(``tenants.mailbox_pin``), folder moves, greetings, forwarding, seeking. Database work runs
on the app's worker pool and its answer goes back to the flow as an event. Every change
is committed at once (console and portal read the same rows) and queues the
message-waiting job (``voicemail_mwi``) when the counts may have changed.

The functions without ``app`` are the database side, usable (and tested) on their own.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from rtp.audio.files import write_wav_atomic
from rtp.flows import events as ev
from rtp.flows import mailbox_events as mb
from rtp.flows.mailbox import MailboxContext, MailboxFlow
from rtp.mediaapp import recorder as rec
from tenants import mailbox_pin
from tenants.models import Extension, Mailbox, Tenant, utcnow
from tenants.problems import DomainError
from tenants.voicemail import access, rules, service
from tenants.voicemail import mailbox_changes as changes
from tenants.voicemail.models import MailboxSettings, VoicemailOptions, VoiceMessage

log = logging.getLogger(__name__)
RATE = 8000
SPOOL = "spool/mailbox"  # greetings being recorded: not a message, so not in the spool ``recover`` reads


# ------------------------------------------------------------------ database side
def _mailbox(number: str, domain: str) -> Mailbox | None:
    return (Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant)
            .where((Extension.number == number) & (Tenant.domain == domain.lower())).first())


def load_info(number: str, domain: str) -> mb.MailboxInfo | None:
    """The mailbox of ``number`` in tenant ``domain`` only (a *98 caller opens its own tenant's)."""
    box = _mailbox(number, domain)
    if box is None:
        return None
    tenant = box.extension.tenant
    settings = MailboxSettings.get_or_none(MailboxSettings.mailbox == box)
    options = VoicemailOptions.get_or_none(VoicemailOptions.tenant == tenant)
    greetings = rules.Greetings() if settings is None else rules.Greetings(
        unavailable=settings.unavailable_path, busy=settings.busy_path, name=settings.name_path,
        temporary=settings.temporary_path, temporary_on=settings.temporary_on)
    folders = [m.folder for m in VoiceMessage.select(VoiceMessage.folder).where(VoiceMessage.mailbox == box)]
    counts = rules.mwi_counts(folders)
    limit = options.max_messages if options else service.DEFAULT_OPTIONS["max_messages"]
    return mb.MailboxInfo(
        mailbox_id=box.id, number=box.extension.number, domain=tenant.domain, greetings=greetings,
        skip_pin=bool(settings and settings.skip_pin), pin_must_change=box.pin_must_change,
        setup_done=bool(settings and settings.setup_done),
        envelope=settings.envelope if settings else access.ENVELOPE_BOTH,
        layout=options.menu_layout if options else access.DEFAULT_LAYOUT, language=tenant.language,
        new=counts.new, old=counts.old, capacity=rules.capacity(folders, limit))


def list_messages(mailbox_id: int, folder: str) -> tuple[mb.MessageInfo, ...]:
    box = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()
    try:
        zone = ZoneInfo(box.extension.tenant.timezone)
    except Exception:  # an unknown zone name: Paris, as the product's default
        zone = ZoneInfo("Europe/Paris")
    rows = (VoiceMessage.select().where((VoiceMessage.mailbox == mailbox_id) & (VoiceMessage.folder == folder))
            .order_by(VoiceMessage.received_at, VoiceMessage.id))
    return tuple(mb.MessageInfo(m.id, m.folder, m.caller_number, m.caller_name,
                                m.received_at.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None), m.path)
                 for m in rows)


def check_pin(mailbox_id: int, pin: str) -> str:
    return mailbox_pin.try_pin(mailbox_id, pin).value


def change_pin(mailbox_id: int, pin: str) -> bool:
    try:
        mailbox_pin.change_pin(mailbox_id, pin)
    except DomainError:
        return False
    return True


def greeting_path(domain: str, number: str, kind: str) -> str:
    """A new file per recording: the old one keeps playing until the row points at the new one."""
    return f"voicemail/{domain}/{number}/greeting-{kind}-{secrets.token_hex(6)}.wav"


def save_greeting(data_dir: Path, mailbox_id: int, kind: str, audio: np.ndarray) -> str:
    """Write the accepted greeting (already through rtp.dsp) and point the mailbox at it (D8)."""
    if kind not in ("unavailable", "busy", "name", "temporary"):
        raise ValueError(kind)
    box = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()
    rel = greeting_path(box.extension.tenant.domain, box.extension.number, kind)
    target = Path(data_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(target, audio, RATE)
    old = changes.set_greeting(mailbox_id, kind, rel)
    if old and old != rel and old.startswith(f"voicemail/{box.extension.tenant.domain}/"):
        (Path(data_dir) / old).unlink(missing_ok=True)
    return rel


def _copy_to(data_dir: Path, source_box: Mailbox, to_number: str, audio: np.ndarray, caller_number: str,
             caller_name: str, received_at: dt.datetime, urgent: bool = False) -> bool:
    """D11: a new message in mailbox ``to_number`` of the same tenant (with its email and MWI jobs)."""
    tenant = source_box.extension.tenant
    target = _mailbox(to_number, tenant.domain)
    if target is None:
        return False
    recording_id = rec.Recorder.new_id()
    rel = service.message_path(tenant.domain, to_number, recording_id)
    path = Path(data_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(path, audio, RATE)
    service.store_message(target.id, recording_id, rel, duration_ms=int(round(audio.shape[0] * 1000 / RATE)),
                          size_bytes=path.stat().st_size, caller_number=caller_number, caller_name=caller_name,
                          received_at=received_at, reason=rules.UNAVAILABLE)
    return True


def forward_message(data_dir: Path, mailbox_id: int, message_id: int, to_number: str) -> bool:
    from rtp.audio.files import read_wav

    message = VoiceMessage.get_or_none((VoiceMessage.id == message_id) & (VoiceMessage.mailbox == mailbox_id))
    if message is None or message.private:  # D10: private messages cannot be forwarded
        return False
    box = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()
    if to_number == box.extension.number:
        return False
    audio, _rate = read_wav(Path(data_dir) / message.path)
    return _copy_to(data_dir, box, to_number, audio, message.caller_number, message.caller_name, utcnow(),
                    message.urgent)


def send_recording(data_dir: Path, mailbox_id: int, to_number: str, audio: np.ndarray) -> bool:
    box = Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()
    if to_number == box.extension.number:
        return False
    return _copy_to(data_dir, box, to_number, audio, box.extension.number, box.extension.name, utcnow())


# ------------------------------------------------------------------ the call
def start(app, call, number: str | None, own_phone: bool) -> list:
    """Put a mailbox flow on ``call``; return its first actions."""
    call.access = True
    call.flow = MailboxFlow(MailboxContext(domain=call.ctx.domain, own_phone=own_phone, language=call.language,
                                           number=number or None))
    return call.flow.start()


def perform(app, call, action) -> bool:
    """Do ``action`` if it is a mailbox one (or needs a mailbox's handling); False: the app does it."""
    data_dir = app.data_dir

    def work(func, *args, answer=None):
        future = app._work(func, *args)
        call.pending.append(future)

        def done(f):
            if f.exception() is not None:
                log.error("mailbox action %s failed: %s", type(action).__name__, f.exception())
            elif answer is not None:
                app._event(call, answer(f.result()))
            app._maybe_cleanup(call)
        future.add_done_callback(done)

    if isinstance(action, ev.StartRecording):  # a greeting or a message to send: its own spool
        ctx = call.ctx
        meta = rec.Meta(recording_id=rec.Recorder.new_id(), mailbox_id=ctx.mailbox_id, number=ctx.number,
                        domain=ctx.domain, caller_number=call.caller_number, caller_name=call.caller_name,
                        started_at=utcnow().isoformat(), reason="greeting", min_seconds=0.5,
                        max_seconds=action.max_seconds)
        call.recorder = rec.Recorder(data_dir / SPOOL, meta)
        return True
    if isinstance(action, mb.LookupMailbox):
        work(load_info, action.number, call.ctx.domain, answer=mb.MailboxLoaded)
    elif isinstance(action, mb.CheckPin):
        work(check_pin, action.mailbox_id, action.pin, answer=mb.PinChecked)
    elif isinstance(action, mb.ChangePin):
        work(change_pin, action.mailbox_id, action.pin, answer=mb.PinChanged)
    elif isinstance(action, mb.LoadMessages):
        work(list_messages, action.mailbox_id, action.folder,
             answer=lambda messages, folder=action.folder: mb.MessagesLoaded(folder, messages))
    elif isinstance(action, mb.MoveMessage):
        work(changes.move_message, action.mailbox_id, action.message_id, action.folder)
    elif isinstance(action, mb.SetTemporary):
        work(changes.set_temporary, action.mailbox_id, action.on)
    elif isinstance(action, mb.FinishSetup):
        work(changes.finish_setup, action.mailbox_id)
    elif isinstance(action, mb.ForwardMessage):
        work(forward_message, data_dir, action.mailbox_id, action.message_id, action.to_number, answer=mb.Sent)
    elif isinstance(action, (mb.SaveGreeting, mb.SendRecording)):
        recorder, call.recorder = call.recorder, None
        audio = recorder.result.audio if recorder is not None and recorder.result is not None else None
        if recorder is not None:
            recorder.discard()
        if isinstance(action, mb.SaveGreeting):
            if audio is None:
                app._event(call, mb.GreetingSaved(action.kind, None))
            else:
                work(save_greeting, data_dir, action.mailbox_id, action.kind, audio,
                     answer=lambda path, kind=action.kind: mb.GreetingSaved(kind, path))
        elif audio is None:
            app._event(call, mb.Sent(False))
        else:
            work(send_recording, data_dir, action.mailbox_id, action.to_number, audio, answer=mb.Sent)
    elif isinstance(action, mb.Seek):
        rtp = call.rtp
        if rtp._offset < len(rtp._current):  # noqa: SLF001 - the session has no seek of its own yet
            rtp._offset = max(0, min(len(rtp._current), rtp._offset + int(action.seconds * RATE)))
    else:
        return False
    return True


