"""What the media app does for a call flow's actions: play, record, store, timers, hang up,
transfer. The mailbox's own actions are ``mailbox_call``'s; this is the generic layer.

A message's store runs on the worker pool; one that fails stays in the spool and is retried
from there (the one retry of the recording path), every ``RETRY_STORE_SECONDS``.
"""
from __future__ import annotations

import asyncio
import logging

import numpy as np

from rtp.flows import events as ev
from rtp.mediaapp import bridge, mailbox_call, receptionist, transfer
from rtp.mediaapp import recorder as rec
from rtp.mediaapp.call import Call
from tenants.models import utcnow

log = logging.getLogger(__name__)
RETRY_STORE_SECONDS = 5


def do(app, call: Call, action) -> None:
    """Carry out one action of ``call``'s flow."""
    if call.access and mailbox_call.perform(app, call, action):
        return
    codec = call.rtp.codec
    if isinstance(action, ev.Play) and any(isinstance(i, ev.Speech) for i in action.items):
        receptionist.play(app, call, action)
    elif isinstance(action, ev.Play):
        audio = b"".join(app.prompts.file(item.path, codec) if isinstance(item, ev.File)
                         else app.prompts.segment(item, call.language, codec) for item in action.items)
        call.rtp.play(audio, lambda: app.event(call, ev.PromptEnd(action.tag)))
    elif isinstance(action, ev.StopPlayback):
        call.rtp.stop_playback()
    elif isinstance(action, ev.StartRecording):
        ctx = call.ctx
        meta = rec.Meta(recording_id=rec.Recorder.new_id(), mailbox_id=ctx.mailbox_id, number=ctx.number,
                        domain=ctx.domain, caller_number=call.caller_number, caller_name=call.caller_name,
                        started_at=utcnow().isoformat(), reason=call.reason, min_seconds=ctx.min_seconds,
                        max_seconds=action.max_seconds)
        call.recorder = rec.Recorder(app.spool, meta)
    elif isinstance(action, ev.StopRecording):
        _stop_recording(app, call)
    elif isinstance(action, ev.StoreMessage):
        store(app, call, action.cut)
    elif isinstance(action, ev.DiscardRecording):
        if call.recorder is not None:
            log.info("recording %s not kept (discarded by the flow)", call.recorder.meta.recording_id)
            call.recorder.discard()
            app.stats["discarded"] += 1
            call.recorder = None
    elif isinstance(action, ev.PlayRecording):
        if call.recorder and call.recorder.result:
            audio = call.recorder.result.audio
        else:  # already stored (a transfer failed and the caller listens again)
            audio = call.kept_audio if call.kept_audio is not None else np.zeros(0, np.float32)
        call.rtp.play(app.prompts.samples(audio, codec), lambda: app.event(call, ev.PromptEnd(action.tag)))
    elif isinstance(action, ev.StartTimer):
        old = call.timers.pop(action.tag, None)
        if old is not None:
            old.cancel()
        call.timers[action.tag] = asyncio.get_running_loop().call_later(
            action.seconds, lambda: app.event(call, ev.Timeout(action.tag)))
    elif isinstance(action, ev.Hangup):
        if not receptionist.finish(call, ("hangup",)) and not call.ended:
            app.stack.hangup(call.dialog)
    elif isinstance(action, ev.Connect):  # the receptionist puts the caller through (rtp/README.md "Transfers")
        receptionist.finish(call, ("transfer", action.targets))
    elif isinstance(action, ev.AnswerCall):
        receptionist.finish(call, ("answer",))
    elif isinstance(action, ev.Transfer):
        app.stack.spawn(transfer.refer(app, call, action.target))
    elif isinstance(action, ev.Bridge):  # the caller's side refused REFER: the media app bridges (D7)
        app.stack.spawn(bridge.start(app, call, action.target))
    elif isinstance(action, ev.DropBridge):
        bridge.drop(app, call)
    elif isinstance(action, ev.EnterLogin):  # "*" during the greeting (D2): that mailbox, PIN always
        app.perform(call, mailbox_call.start(app, call, action.number, own_phone=False))


def _stop_recording(app, call: Call) -> None:
    recorder = call.recorder
    if recorder is None or recorder.stopped:
        return
    recorder.stopped = True  # no more audio: finish() runs on another thread
    recorder.flush()
    future = asyncio.get_running_loop().run_in_executor(app.pool, recorder.finish)
    call.pending.append(future)

    def finished(f) -> None:
        if f.exception() is not None:
            log.error("recording analysis failed: %s", f.exception())
            result = rec.Result(np.zeros(0, np.float32), recorder.samples / rec.RATE, 0.0)
            recorder.result = result
        else:
            result = f.result()
        app.event(call, ev.Recorded(result.speech_seconds, result.recorded_seconds, result.has_speech))
        app.maybe_cleanup(call)
    future.add_done_callback(finished)  # asyncio runs it on the loop


def store(app, call: Call, cut: bool) -> None:
    """The message of ``call``: WAV, row and jobs, off the event loop; its MWI job woken."""
    recorder = call.recorder
    if recorder is None or recorder.result is None:
        return
    call.recorder = None
    call.kept_audio = recorder.result.audio
    ended_at = asyncio.get_running_loop().time()
    future = app.work(rec.store, app.data_dir, recorder.meta, recorder.result, cut)
    call.pending.append(future)

    def stored(f) -> None:
        if f.exception() is not None:
            log.error("storing %s failed (kept in the spool, retried in %d s): %s", recorder.meta.recording_id,
                      RETRY_STORE_SECONDS, f.exception())
            asyncio.get_running_loop().call_later(RETRY_STORE_SECONDS, retry_store, app, recorder.meta)
        elif f.result() is not None:
            call.stored.append(f.result())
            app.stats["stored"] += 1
            since = call.bye_at if call.bye_at is not None else ended_at  # BYE -> row committed
            app.stats["store_latency"].append(asyncio.get_running_loop().time() - since)
            log.info("message %s stored for %s@%s", f.result(), recorder.meta.number, recorder.meta.domain)
            app.mwi_jobs.kick()  # its message-waiting job was queued with the row
        app.maybe_cleanup(call)
    future.add_done_callback(stored)


def retry_store(app, meta: rec.Meta) -> None:
    """A store that failed (database unreachable...) is retried from its spool, like a recovery."""
    def done(f) -> None:
        if f.exception() is not None:
            log.error("storing %s failed again: %s", meta.recording_id, f.exception())
            asyncio.get_running_loop().call_later(RETRY_STORE_SECONDS, retry_store, app, meta)
        elif f.result():
            app.stats["stored"] += 1
            app.mwi_jobs.kick()
    app.work(rec.recover_one, app.data_dir, meta.recording_id).add_done_callback(done)
