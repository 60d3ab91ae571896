"""The media app's side of the mailbox by phone: performs the domain actions of ``rtp.flows.mailbox``.

``start(app, call, number, own_phone)`` puts a ``MailboxFlow`` on a call (``X-Poste-Service:
access``, or ``*`` during a greeting); ``perform(app, call, action)`` does what the flow asks
that the generic layer (``actions.do``: play, record, timers, hang-up) does not: PIN checks
(``tenants.mailbox_pin``), folder moves, greetings, forwarding, seeking, the call's language.
Database work runs on the app's worker pool and its answer goes back to the flow as an
event naming the action it answers; when the work raises, the flow gets ``ActionFailed``
(it apologises and takes the caller back to the menu). Every change is committed at once
(console and portal read the same rows) and queues the message-waiting job
(``voicemail_mwi``) when the counts may have changed.

The functions without ``app`` are the database side, usable (and tested) on their own; the
decisions they apply are ``tenants.voicemail.access``'s.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from rtp.audio.files import read_wav, write_wav_atomic
from rtp.flows import events as ev
from rtp.flows.mailbox import MailboxContext, MailboxFlow
from rtp.flows.mailbox import events as mb
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


def _box(mailbox_id: int) -> Mailbox:
    """The mailbox with its extension and tenant (raises when it is gone: the action fails)."""
    return Mailbox.select(Mailbox, Extension, Tenant).join(Extension).join(Tenant).where(Mailbox.id == mailbox_id).get()


def load_info(number: str, domain: str) -> mb.MailboxInfo | None:
    """The mailbox of ``number`` in tenant ``domain`` only (a *98 caller opens its own tenant's)."""
    box = _mailbox(number, domain)
    if box is None:
        return None
    tenant = box.extension.tenant
    settings = MailboxSettings.get_or_none(MailboxSettings.mailbox == box)
    options = VoicemailOptions.get_or_none(VoicemailOptions.tenant == tenant)
    folders = [m.folder for m in VoiceMessage.select(VoiceMessage.folder).where(VoiceMessage.mailbox == box)]
    counts = rules.mwi_counts(folders)
    limit = options.max_messages if options else service.DEFAULT_OPTIONS["max_messages"]
    return mb.MailboxInfo(
        mailbox_id=box.id, number=box.extension.number, domain=tenant.domain, greetings=service.greetings_of(settings),
        skip_pin=bool(settings and settings.skip_pin), pin_must_change=box.pin_must_change,
        setup_done=bool(settings and settings.setup_done),
        envelope=settings.envelope if settings else access.ENVELOPE_BOTH,
        layout=options.menu_layout if options else access.DEFAULT_LAYOUT, language=tenant.language,
        new=counts.new, old=counts.old, capacity=rules.capacity(folders, limit),
        autoplay=bool(settings and settings.autoplay))


def list_messages(mailbox_id: int, folder: str) -> tuple[mb.MessageInfo, ...]:
    zone = _box(mailbox_id).extension.tenant.timezone
    rows = (VoiceMessage.select().where((VoiceMessage.mailbox == mailbox_id) & (VoiceMessage.folder == folder))
            .order_by(VoiceMessage.received_at, VoiceMessage.id))
    return tuple(mb.MessageInfo(m.id, m.folder, m.caller_number, m.caller_name, access.local_time(m.received_at, zone),
                                m.path) for m in rows)


def check_pin(mailbox_id: int, pin: str) -> str:
    return mailbox_pin.try_pin(mailbox_id, pin).value


def change_pin(mailbox_id: int, pin: str) -> bool:
    try:
        mailbox_pin.change_pin(mailbox_id, pin)
    except DomainError:
        return False
    return True


def save_greeting(data_dir: Path, mailbox_id: int, kind: str, audio: np.ndarray) -> str:
    """Write the accepted greeting (already through rtp.dsp) and point the mailbox at it (D8)."""
    box = _box(mailbox_id)
    domain = box.extension.tenant.domain
    rel = access.greeting_path(domain, box.extension.number, kind, secrets.token_hex(6))
    target = Path(data_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(target, audio, RATE)
    unused = access.replaced_greeting(changes.set_greeting(mailbox_id, kind, rel), rel, domain)
    if unused:
        (Path(data_dir) / unused).unlink(missing_ok=True)
    return rel


def _deliver(data_dir: Path, box: Mailbox, to_number: str, audio: Callable[[], np.ndarray], caller_number: str,
             caller_name: str, private: bool = False, urgent: bool = False) -> bool:
    """D11: a new message in mailbox ``to_number`` of the same tenant (with its email and MWI jobs),
    when ``access.may_deliver`` allows it and the target is not full (D12); ``audio`` is read only
    then. A forwarded message keeps its urgent mark (issue 17, as the portal does)."""
    tenant = box.extension.tenant
    target = _mailbox(to_number, tenant.domain)
    if not access.may_deliver(box.extension.number, to_number, target is not None, private).ok:
        return False
    assert target is not None
    if service.capacity_of(target.id).full:
        return False
    samples = audio()
    recording_id = rec.Recorder.new_id()
    rel = service.message_path(tenant.domain, to_number, recording_id)
    path = Path(data_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav_atomic(path, samples, RATE)
    stored = service.store_message(target.id, recording_id, rel,
                                   duration_ms=int(round(samples.shape[0] * 1000 / RATE)),
                                   size_bytes=path.stat().st_size, caller_number=caller_number,
                                   caller_name=caller_name, received_at=utcnow(), reason=rules.UNAVAILABLE)
    if urgent:
        VoiceMessage.update(urgent=True).where(VoiceMessage.id == stored.id).execute()
    return True


def forward_message(data_dir: Path, mailbox_id: int, message_id: int, to_number: str) -> bool:
    message = VoiceMessage.get_or_none((VoiceMessage.id == message_id) & (VoiceMessage.mailbox == mailbox_id))
    if message is None:  # not this mailbox's
        return False
    return _deliver(data_dir, _box(mailbox_id), to_number, lambda: read_wav(Path(data_dir) / message.path)[0],
                    message.caller_number, message.caller_name, private=message.private, urgent=message.urgent)


def send_recording(data_dir: Path, mailbox_id: int, to_number: str, audio: np.ndarray) -> bool:
    box = _box(mailbox_id)
    return _deliver(data_dir, box, to_number, lambda: audio, box.extension.number, box.extension.name)


# ------------------------------------------------------------------ the call
def start(app, call, number: str | None, own_phone: bool) -> list:
    """Put a mailbox flow on ``call``; return its first actions."""
    call.access = True
    call.flow = MailboxFlow(MailboxContext(domain=call.ctx.domain, own_phone=own_phone, language=call.language,
                                           number=number or None))
    return call.flow.start()


def _run(app, call, action: object, func: Callable, *args: object,
         answer: Callable[[object], mb.Answer] | None = None) -> None:
    """Run ``func`` on the worker pool; its result goes back to the flow as ``answer(result)``
    (none for a change the flow does not wait for), its failure as ``ActionFailed``."""
    future = app.work(func, *args)
    call.pending.append(future)

    def done(f) -> None:
        if f.exception() is not None:
            log.error("mailbox action %s failed: %s", type(action).__name__, f.exception())
            app.event(call, mb.ActionFailed(request=action))
        elif answer is not None:
            app.event(call, replace(answer(f.result()), request=action))
        app.maybe_cleanup(call)
    future.add_done_callback(done)


def _work_for(data_dir: Path, call, action: object) -> tuple[Callable, tuple, Callable | None] | None:
    """The database work an action asks for: (function, arguments, how its result answers), or None."""
    if isinstance(action, mb.LookupMailbox):
        return load_info, (action.number, call.ctx.domain), mb.MailboxLoaded
    if isinstance(action, mb.CheckPin):
        return check_pin, (action.mailbox_id, action.pin), mb.PinChecked
    if isinstance(action, mb.ChangePin):
        return change_pin, (action.mailbox_id, action.pin), mb.PinChanged
    if isinstance(action, mb.LoadMessages):
        return list_messages, (action.mailbox_id, action.folder), partial(mb.MessagesLoaded, action.folder)
    if isinstance(action, mb.MoveMessage):
        return changes.move_message, (action.mailbox_id, action.message_id, action.folder), None
    if isinstance(action, mb.SetTemporary):
        return changes.set_temporary, (action.mailbox_id, action.on), None
    if isinstance(action, mb.FinishSetup):
        return changes.finish_setup, (action.mailbox_id,), None
    if isinstance(action, mb.ForwardMessage):
        return forward_message, (data_dir, action.mailbox_id, action.message_id, action.to_number), mb.Sent
    return None


def _keep_recording(app, call, action: mb.SaveGreeting | mb.SendRecording) -> None:
    """1 after a recording: the take becomes a greeting, or a message for another mailbox."""
    recorder, call.recorder = call.recorder, None
    audio = recorder.result.audio if recorder is not None and recorder.result is not None else None
    if recorder is not None:
        recorder.discard()
    if isinstance(action, mb.SaveGreeting):
        if audio is None:  # nothing recorded: nothing kept
            app.event(call, mb.GreetingSaved(action.kind, None, request=action))
        else:
            _run(app, call, action, save_greeting, app.data_dir, action.mailbox_id, action.kind, audio,
                 answer=partial(mb.GreetingSaved, action.kind))
    elif audio is None:
        app.event(call, mb.Sent(False, request=action))
    else:
        _run(app, call, action, send_recording, app.data_dir, action.mailbox_id, action.to_number, audio,
             answer=mb.Sent)


def perform(app, call, action) -> bool:
    """Do ``action`` if it is a mailbox one (or needs a mailbox's handling); False: the app does it."""
    if isinstance(action, ev.StartRecording):  # a greeting or a message to send: its own spool
        ctx = call.ctx
        meta = rec.Meta(recording_id=rec.Recorder.new_id(), mailbox_id=ctx.mailbox_id, number=ctx.number,
                        domain=ctx.domain, caller_number=call.caller_number, caller_name=call.caller_name,
                        started_at=utcnow().isoformat(), reason="greeting", min_seconds=0.5,
                        max_seconds=action.max_seconds)
        call.recorder = rec.Recorder(app.data_dir / SPOOL, meta)
    elif isinstance(action, mb.UseLanguage):
        call.language = action.language
    elif isinstance(action, (mb.SaveGreeting, mb.SendRecording)):
        _keep_recording(app, call, action)
    elif isinstance(action, mb.Seek):
        rtp = call.rtp
        if rtp._offset < len(rtp._current):  # noqa: SLF001 - the session has no seek of its own yet
            rtp._offset = max(0, min(len(rtp._current), rtp._offset + int(action.seconds * RATE)))
    else:
        work = _work_for(app.data_dir, call, action)
        if work is None:
            return False
        func, args, answer = work
        _run(app, call, action, func, *args, answer=answer)
    return True
