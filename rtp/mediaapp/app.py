"""The media app: SIP calls from Kamailio -> a call flow -> RTP and the recording path.

``MediaApp`` implements ``rtp.sip.stack.Application``. For each INVITE it reads the
routing contract (``X-Poste-Mailbox``/``X-Poste-Reason``, see rtp/README.md), loads
the mailbox, negotiates G.711, opens an RTP socket and, once the ACK arrives, runs
the voicemail flow: the flow decides, this layer performs its actions (play,
record, store, hang up) and feeds it events (digits, end of prompts, timers,
hang-up, the recording's verdict). Database and DSP work run on a small thread
pool so the event loop keeps the 20 ms clock.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rtp import mwi
from rtp.flows import events as ev
from rtp.flows.voicemail import FlowContext, VoicemailFlow
from rtp.mediaapp import announce, mailbox_call
from rtp.mediaapp import recorder as rec
from rtp.mediaapp.mwi_jobs import MwiJobs
from rtp.prompts.store import PromptStore
from rtp.rtp_io.clock import Clock
from rtp.rtp_io.session import RtpSession
from rtp.sip import sdp
from rtp.sip.message import (
    ParseError,
    Request,
    Response,
    parse_name_addr,
    parse_uri,
    response_to,
    sipfrag_status,
)
from rtp.sip.stack import Dialog, SipStack, new_tag
from rtp.sip.transport import Link
from tenants.db import database
from tenants.models import utcnow
from tenants.voicemail import rules, service

log = logging.getLogger(__name__)
LOGIN_WAIT_SECONDS = 20.0
STATS_SECONDS = 2.0
RETRY_STORE_SECONDS = 5


@dataclass(eq=False)
class Call:
    dialog: Dialog
    rtp: RtpSession
    flow: VoicemailFlow | None
    ctx: service.MailboxContext
    reason: str
    caller_number: str
    caller_name: str
    language: str
    recorder: rec.Recorder | None = None
    timers: dict = field(default_factory=dict)
    ended: bool = False
    access: bool = False  # X-Poste-Service: access (D1/D2: straight to the mailbox login)
    bye_at: float | None = None  # loop time the caller hung up
    early_digits: list = field(default_factory=list)
    stored: list = field(default_factory=list)  # message ids
    pending: list = field(default_factory=list)  # futures of store/finish work
    kept_audio: np.ndarray | None = None  # the stored message's audio: "2 listen" after a failed transfer (D7)
    refer_cseq: int | None = None  # our last REFER: NOTIFYs of an earlier one (Event id=) are stale


class MediaApp:
    def __init__(self, data_dir: Path, address: str = "127.0.0.1", sip_port: int = 5090,
                 trusted: list[str] | None = None, rtp_address: str | None = None, workers: int = 2,
                 t1: float = 0.5, secret: str | None = None, proxy: tuple[str, int] = ("127.0.0.1", 5060),
                 rtp_ports: tuple[int, int] | None = None):
        """``trusted``: Kamailio's socket(s), ``host:port`` (see ``rtp.sip.stack``); ``secret``: what
        Kamailio's requests carry and ours carry back; ``proxy``: where message-waiting NOTIFYs go;
        ``rtp_ports``: the range calls' RTP sockets take a port from (None: any free port)."""
        self.data_dir = Path(data_dir)
        self.address = address
        self.rtp_address = rtp_address or address
        self.rtp_ports = rtp_ports
        self.stack = SipStack(self, address, sip_port, trusted=trusted or [f"{proxy[0]}:{proxy[1]}"], t1=t1,
                              secret=secret)
        self.mwi_jobs = MwiJobs(self.stack, proxy)
        self.clock = Clock()
        self.prompts = PromptStore(self.data_dir)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="media-work")
        self.calls: dict[tuple, Call] = {}
        self.spool = self.data_dir / "spool"
        self.stats = {"calls": 0, "stored": 0, "discarded": 0, "store_latency": []}

    # ------------------------------------------------------------ life cycle
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.pool, warm_up)
        except Exception:  # a slow first call is better than no media app
            log.exception("rtp.dsp warm-up failed")
        recovered = await loop.run_in_executor(self.pool, self._db, rec.recover, self.data_dir)
        if recovered:
            log.info("recovered %d recording(s) from the spool", len(recovered))
        self.clock.start()
        await self.stack.start()
        self.mwi_jobs.start()
        self._stats_task = asyncio.ensure_future(self._stats_loop())
        log.info("media app listening on %s:%d (UDP and TCP)", self.address, self.stack.port)

    async def _stats_loop(self, every: float = STATS_SECONDS) -> None:
        """Write $POSTE_DATA/mediaapp-stats.json: the last window's RTP clock lateness and the store latency."""
        import json
        import os

        path = self.data_dir / "mediaapp-stats.json"
        while True:
            await asyncio.sleep(every)
            window = sorted(self.clock.lateness)
            self.clock.lateness.clear()
            latencies = sorted(self.stats["store_latency"])

            def pct(values, q):
                return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0
            data = {"active_calls": len(self.calls), "calls": self.stats["calls"], "stored": self.stats["stored"],
                    "discarded": self.stats["discarded"], "ticks": self.clock.ticks, "skipped": self.clock.skipped,
                    "lateness_histogram": self.clock.histogram,
                    "lateness_ms": {"p50": pct(window, 0.5) * 1e3, "p99": pct(window, 0.99) * 1e3,
                                    "max": (window[-1] if window else 0.0) * 1e3, "n": len(window)},
                    "store_latency_ms": {"p50": pct(latencies, 0.5) * 1e3, "p99": pct(latencies, 0.99) * 1e3,
                                         "max": (latencies[-1] if latencies else 0.0) * 1e3}}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, path)

    async def close(self) -> None:
        if getattr(self, "_stats_task", None) is not None:
            self._stats_task.cancel()
        for call in list(self.calls.values()):
            self.stack.hangup(call.dialog)
        pending = [f for call in list(self.calls.values()) for f in call.pending]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        self.clock.stop()
        await self.mwi_jobs.close()
        await self.stack.close()
        self.pool.shutdown(wait=True)

    @staticmethod
    def _db(func, *args, **kwargs):
        """Run ``func`` with a database connection of this worker thread."""
        with database.connection_context():
            return func(*args, **kwargs)

    def _work(self, func, *args):
        return asyncio.get_running_loop().run_in_executor(self.pool, self._db, func, *args)

    # ------------------------------------------------------------ SIP callbacks
    async def on_invite(self, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
        self.stats["calls"] += 1
        try:
            ruri = parse_uri(request.uri)
        except ParseError:
            return 400, "Bad Request-URI", b""
        if announce.wanted(request):  # a refused call's announcement, as early media (issue 14)
            return await announce.play(self, dialog, request)
        target = rules.parse_mailbox_target(request.get("X-Poste-Mailbox"), ruri.user, ruri.host)
        access = (request.get("X-Poste-Service") or "deposit").strip().lower() == "access"
        if target is None and not access:
            return 404, "No Mailbox", b""
        reason = rules.normalize_reason(request.get("X-Poste-Reason"))
        try:
            offer = sdp.parse(request.body)
            negotiated = sdp.negotiate(offer)
        except sdp.SdpError as exc:
            log.info("call %s: %s", request.call_id, exc)
            return 488, "Not Acceptable Here", b""
        ctx = await self._work(service.load_context, *target) if target else None
        if ctx is None and not access:
            return 404, "No Mailbox", b""
        if ctx is None:  # D2: mailbox access without a known mailbox: the login asks for it, in the tenant's language
            domain = (request.get("X-Poste-Tenant") or ruri.host or "").lower()
            ctx = await self._work(service.access_context, domain, target[0] if target else "")
        caller_number, caller_name = caller_of(request)
        session = await RtpSession.open(self.rtp_address, negotiated.codec, negotiated.dtmf_pt, ports=self.rtp_ports)
        session.remote = (negotiated.remote_address, negotiated.remote_port)
        call = Call(dialog=dialog, rtp=session, flow=None, ctx=ctx, reason=reason, caller_number=caller_number,
                    caller_name=caller_name, language=ctx.language, access=access)
        session.on_audio = lambda pcm, call=call: self._audio(call, pcm)
        session.on_digit = lambda digit, call=call: self._event(call, ev.Digit(digit))
        dialog.data["call"] = call
        self.calls[dialog.id] = call
        if dialog.state == "ended":  # cancelled meanwhile
            self._cleanup(call)
            return 487, "Request Terminated", b""
        answer = sdp.answer(negotiated, self.rtp_address, session.local_port)
        dialog.data["sdp"] = (negotiated, answer)
        return 200, "OK", answer

    def on_confirmed(self, dialog: Dialog) -> None:
        call: Call | None = dialog.data.get("call")
        if call is None:
            return
        ctx = call.ctx
        if call.access:  # D1/D2: the mailbox menus (rtp/flows/mailbox.py, performed by mailbox_call)
            self.clock.add(call.rtp)
            self._perform(call, mailbox_call.start(self, call, ctx.number, own_phone=bool(ctx.mailbox_id)))
            return
        call.flow = VoicemailFlow(FlowContext(
            number=ctx.number, domain=ctx.domain, greeting=rules.choose_greeting(ctx.greetings, call.reason),
            full=ctx.capacity.full, min_seconds=ctx.min_seconds, max_seconds=ctx.max_seconds,
            reception=ctx.reception, language=ctx.language))
        self.clock.add(call.rtp)
        self._perform(call, call.flow.start())
        for digit in call.early_digits:
            self._event(call, digit)
        call.early_digits.clear()

    def on_ended(self, dialog: Dialog, why: str) -> None:
        call: Call | None = dialog.data.get("call")
        announce.caller_gone(dialog)
        if call is None or call.ended:
            return
        call.ended = True
        call.bye_at = asyncio.get_running_loop().time()
        if call.recorder is not None:
            call.recorder.flush()  # on disk before the BYE is answered
        if call.flow is not None:
            self._event(call, ev.HangUp())
        self._maybe_cleanup(call)

    def on_reoffer(self, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
        call: Call | None = dialog.data.get("call")
        saved = dialog.data.get("sdp")
        if call is None or saved is None:
            return 200, "OK", b""
        negotiated, answer = saved
        if request.body:
            try:
                offer = sdp.parse(request.body)
                new = sdp.negotiate(offer)
            except sdp.SdpError:
                return 488, "Not Acceptable Here", b""
            if (new.remote_address, new.remote_port) != (negotiated.remote_address, negotiated.remote_port):
                call.rtp.remote, call.rtp.latched = (new.remote_address, new.remote_port), False
            return 200, "OK", answer  # same session version: nothing changed on our side
        return 200, "OK", b""

    def on_notify(self, dialog: Dialog, request: Request) -> None:
        """RFC 3515: the caller's phone reports how the transfer to the reception goes (sipfrag)."""
        call: Call | None = dialog.data.get("call")
        if call is None or call.flow is None or call.refer_cseq is None:
            return
        event = (request.get("Event") or "").split(";")
        if event[0].strip().lower() != "refer":
            return
        params = dict(p.strip().partition("=")[::2] for p in event[1:])
        if params.get("id") and params["id"].strip() != str(call.refer_cseq):
            return  # about an earlier REFER of this call
        status = sipfrag_status(request.body)
        if status is None:
            return
        log.info("call %s: transfer NOTIFY %d", dialog.call_id, status)
        if status < 200:
            self._event(call, ev.TransferProgress(status))
        elif status < 300:
            self._event(call, ev.TransferSucceeded(status))
        else:
            self._event(call, ev.TransferFailed(status))

    def on_request(self, request: Request, link: Link) -> Response | None:
        if request.method == "SUBSCRIBE":
            return self._subscribe(request, link)
        return None

    # ------------------------------------------------------------ MWI subscriptions
    def _subscribe(self, request: Request, link: Link) -> Response:
        event = (request.get("Event") or "").split(";")[0].strip().lower()
        if event != "message-summary":
            return response_to(request, 489, "Bad Event", to_tag=new_tag(), extra=[("Allow-Events", "message-summary")])
        try:
            ruri = parse_uri(request.uri)
            to = parse_uri(parse_name_addr(request.get("To")).uri)
        except ParseError:
            return response_to(request, 400, "Bad Request", to_tag=new_tag())
        target = rules.parse_mailbox_target(request.get("X-Poste-Mailbox"), ruri.user if ruri.user.startswith("vm-")
                                            else f"vm-{to.user}", to.host)
        with database.connection_context():
            found = service.mailbox_account(*target) if target else None
        if found is None:
            return response_to(request, 404, "No Mailbox", to_tag=new_tag())
        _ext_id, counts = found
        expires = request.get("Expires")
        expires = min(int(expires), 3600) if expires and expires.isdigit() else 3600
        tag = new_tag()
        contact = request.get_all("Contact")
        if contact:
            self.stack.spawn(self._notify_subscriber(request, link, tag, counts, target, expires))
        return response_to(request, 200, "OK", to_tag=tag,
                           extra=[("Expires", str(expires)), ("Contact", self.stack.contact(link))])

    async def _notify_subscriber(self, sub: Request, link: Link, tag: str, counts: rules.MwiCounts,
                                 target: tuple[str, str], expires: int) -> None:
        """The NOTIFY that RFC 6665 requires right after accepting a subscription."""
        try:
            remote = parse_name_addr(sub.get("Contact"))
        except ParseError:
            return
        req = Request(method="NOTIFY", uri=remote.uri)
        req.add("Via", self.stack.via(link))
        req.add("Max-Forwards", "70")
        for route in sub.get_all("Record-Route"):
            req.add("Route", route)
        req.add("From", f"{sub.get('To')};tag={tag}")
        req.add("To", sub.get("From"))
        req.add("Call-ID", sub.call_id)
        req.add("CSeq", "1 NOTIFY")
        req.add("Contact", self.stack.contact(link))
        req.add("Event", "message-summary")
        req.add("Subscription-State", f"active;expires={expires}" if expires else "terminated;reason=timeout")
        req.add("Content-Type", "application/simple-message-summary")
        for name, value in self.stack.secret_header():  # Kamailio strips it before relaying
            req.add(name, value)
        req.body = mwi.message_summary(counts, f"sip:{target[0]}@{target[1]}")
        try:
            await self.stack.send_request(req, link)
        except (TimeoutError, OSError) as exc:
            log.info("MWI NOTIFY to %s not answered: %s", remote.uri, exc)

    # ------------------------------------------------------------ media events
    def _audio(self, call: Call, pcm: np.ndarray) -> None:
        if call.recorder is not None and not call.recorder.stopped:
            call.recorder.feed(pcm)

    def _event(self, call: Call, event) -> None:
        if call.flow is None:
            if isinstance(event, ev.Digit) and not call.ended:
                call.early_digits.append(event)  # pressed before our ACK arrived: kept for the flow
            return
        if call.ended and not isinstance(event, (ev.HangUp, ev.Recorded)):
            return
        try:
            actions = call.flow.handle(event)
        except Exception:
            log.exception("flow failed on %s", event)
            actions = [ev.Hangup()]
        self._perform(call, actions)

    def _perform(self, call: Call, actions: list) -> None:
        for action in actions:
            try:
                self._do(call, action)
            except Exception:
                log.exception("action %s failed", action)

    def _do(self, call: Call, action) -> None:
        if call.access and mailbox_call.perform(self, call, action):
            return
        codec = call.rtp.codec
        if isinstance(action, ev.Play):
            audio = b"".join(self.prompts.file(item.path, codec) if isinstance(item, ev.File)
                             else self.prompts.segment(item, call.language, codec) for item in action.items)
            call.rtp.play(audio, lambda: self._event(call, ev.PromptEnd(action.tag)))
        elif isinstance(action, ev.StopPlayback):
            call.rtp.stop_playback()
        elif isinstance(action, ev.StartRecording):
            ctx = call.ctx
            meta = rec.Meta(recording_id=rec.Recorder.new_id(), mailbox_id=ctx.mailbox_id, number=ctx.number,
                            domain=ctx.domain, caller_number=call.caller_number, caller_name=call.caller_name,
                            started_at=utcnow().isoformat(), reason=call.reason, min_seconds=ctx.min_seconds,
                            max_seconds=action.max_seconds)
            call.recorder = rec.Recorder(self.spool, meta)
        elif isinstance(action, ev.StopRecording):
            recorder = call.recorder
            if recorder is None or recorder.stopped:
                return
            recorder.stopped = True  # no more audio: finish() runs on another thread
            recorder.flush()
            future = asyncio.get_running_loop().run_in_executor(self.pool, recorder.finish)
            call.pending.append(future)

            def finished(f, call=call):
                if f.exception() is not None:
                    log.error("recording analysis failed: %s", f.exception())
                    result = rec.Result(np.zeros(0, np.float32), recorder.samples / rec.RATE, 0.0)
                    recorder.result = result
                else:
                    result = f.result()
                self._event(call, ev.Recorded(result.speech_seconds, result.recorded_seconds, result.has_speech))
                self._maybe_cleanup(call)
            future.add_done_callback(finished)  # asyncio runs it on the loop
        elif isinstance(action, ev.StoreMessage):
            self._store(call, action.cut)
        elif isinstance(action, ev.DiscardRecording):
            if call.recorder is not None:
                log.info("recording %s not kept (discarded by the flow)", call.recorder.meta.recording_id)
                call.recorder.discard()
                self.stats["discarded"] += 1
                call.recorder = None
        elif isinstance(action, ev.PlayRecording):
            if call.recorder and call.recorder.result:
                audio = call.recorder.result.audio
            else:  # already stored (a transfer failed and the caller listens again)
                audio = call.kept_audio if call.kept_audio is not None else np.zeros(0, np.float32)
            call.rtp.play(self.prompts.samples(audio, codec), lambda: self._event(call, ev.PromptEnd(action.tag)))
        elif isinstance(action, ev.StartTimer):
            old = call.timers.pop(action.tag, None)
            if old is not None:
                old.cancel()
            call.timers[action.tag] = asyncio.get_running_loop().call_later(
                action.seconds, lambda: self._event(call, ev.Timeout(action.tag)))
        elif isinstance(action, ev.Hangup):
            if not call.ended:
                self.stack.hangup(call.dialog)
        elif isinstance(action, ev.Transfer):
            self.stack.spawn(self._transfer(call, action.target))
        elif isinstance(action, ev.EnterLogin):  # "*" during the greeting (D2): that mailbox, PIN always
            self._perform(call, mailbox_call.start(self, call, action.number, own_phone=False))

    def _store(self, call: Call, cut: bool) -> None:
        recorder = call.recorder
        if recorder is None or recorder.result is None:
            return
        call.recorder = None
        call.kept_audio = recorder.result.audio
        ended_at = asyncio.get_running_loop().time()
        future = self._work(rec.store, self.data_dir, recorder.meta, recorder.result, cut)
        call.pending.append(future)

        def stored(f, call=call):
            if f.exception() is not None:
                log.error("storing %s failed (kept in the spool, retried in %d s): %s", recorder.meta.recording_id,
                          RETRY_STORE_SECONDS, f.exception())
                asyncio.get_running_loop().call_later(RETRY_STORE_SECONDS, self._retry_store, recorder.meta)
            elif f.result() is not None:
                call.stored.append(f.result())
                self.stats["stored"] += 1
                since = call.bye_at if call.bye_at is not None else ended_at  # BYE -> row committed
                self.stats["store_latency"].append(asyncio.get_running_loop().time() - since)
                log.info("message %s stored for %s@%s", f.result(), recorder.meta.number, recorder.meta.domain)
                self.mwi_jobs.kick()  # its message-waiting job was queued with the row
            self._maybe_cleanup(call)
        future.add_done_callback(stored)

    def _retry_store(self, meta: rec.Meta) -> None:
        """A store that failed (database unreachable...) is retried from its spool, like a recovery."""
        def again():
            return rec.recover_one(self.data_dir, meta.recording_id)

        def done(f):
            if f.exception() is not None:
                log.error("storing %s failed again: %s", meta.recording_id, f.exception())
                asyncio.get_running_loop().call_later(RETRY_STORE_SECONDS, self._retry_store, meta)
            elif f.result():
                self.stats["stored"] += 1
        self._work(again).add_done_callback(done)

    async def _transfer(self, call: Call, target: str) -> None:
        refer = call.dialog.request("REFER", [("Refer-To", f"<sip:{target}@{call.ctx.domain}>"),
                                              ("Referred-By", f"<sip:voicemail@{call.ctx.domain}>"),
                                              ("Contact", self.stack.contact(call.dialog.link))])
        call.refer_cseq = refer.cseq[0]
        try:
            response = await self.stack.send_request(refer, call.dialog.link)
        except TimeoutError as exc:  # timer F: the caller's phone never answered
            log.info("REFER to %s failed: %s", target, exc)
            self._event(call, ev.TransferFailed(408))
            return
        except OSError as exc:
            log.info("REFER to %s failed: %s", target, exc)
            self._event(call, ev.TransferFailed(0))
            return
        log.info("REFER to %s answered %s", target, response.status)
        # The flow decides: a 2xx waits for the NOTIFYs, anything else takes the caller back to the menu.
        self._event(call, ev.TransferAccepted(response.status) if 200 <= response.status < 300
                    else ev.TransferFailed(response.status))

    def _maybe_cleanup(self, call: Call) -> None:
        if call.ended and all(f.done() for f in call.pending) and (call.flow is None or call.flow.done):
            self._cleanup(call)

    def _cleanup(self, call: Call) -> None:
        for timer in call.timers.values():
            timer.cancel()
        call.timers.clear()
        self.clock.discard(call.rtp)
        call.rtp.close()
        if call.recorder is not None and call.recorder.result is None:
            call.recorder.close()  # left in the spool: recovered at the next start
        self.calls.pop(call.dialog.id, None)


def caller_of(request: Request) -> tuple[str, str]:
    """(number, display name) of the caller: P-Asserted-Identity, else From."""
    for header in ("P-Asserted-Identity", "From"):
        value = request.get(header)
        if not value:
            continue
        try:
            na = parse_name_addr(value.split(",")[0])
            user = parse_uri(na.uri).user
        except ParseError:
            continue
        if user.lower() in ("anonymous", ""):
            return "", ""
        return user, na.display
    return "", ""


def warm_up() -> None:
    """Compile rtp.dsp's kernels (numba) before the first call, not during it."""
    t = np.arange(RATE_WARM) / 8000
    voiced = (0.2 * np.sign(np.sin(2 * np.pi * 150 * t)) * (np.sin(2 * np.pi * 3 * t) > 0)).astype(np.float32)
    analyser = rec.Analyser(8000)
    for i in range(0, voiced.shape[0], 160):
        analyser.feed(voiced[i:i + 160])
    analyser.finish()
    rec.process(voiced, 8000)


RATE_WARM = 8000 * 3
__all__ = ["MediaApp", "caller_of"]
