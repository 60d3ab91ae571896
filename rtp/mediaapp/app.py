"""The media app: SIP calls from Kamailio -> a call flow -> RTP and the recording path.

``MediaApp`` implements ``rtp.sip.stack.Application``. For each INVITE it reads the
routing contract (``X-Poste-Mailbox``/``X-Poste-Reason``, see rtp/README.md), loads
the mailbox, negotiates G.711, opens an RTP socket and, once the ACK arrives, runs
the voicemail flow: the flow decides, and its actions are performed by ``actions``
(play, record, store, hang up; the mailbox's own by ``mailbox_call``), which feed it
events back (digits, end of prompts, timers, hang-up, the recording's verdict).
Around it, one module a job: ``call`` (a call's state), ``transfer`` (REFER),
``subscriptions`` (phones' SUBSCRIBE), ``mwi_jobs`` (message-waiting NOTIFYs),
``announce`` (early-media announcements), ``stats``. Database and DSP work run on a
small thread pool so the event loop keeps the 20 ms clock.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from rtp.flows import events as ev
from rtp.flows.voicemail import FlowContext, VoicemailFlow
from rtp.mediaapp import actions, announce, bridge, mailbox_call, receptionist, stats, subscriptions, transfer
from rtp.mediaapp import recorder as rec
from rtp.mediaapp.call import Call, caller_of
from rtp.mediaapp.mwi_jobs import MwiJobs
from rtp.prompts.store import PromptStore
from rtp.rtp_io.clock import Clock
from rtp.rtp_io.session import RtpSession
from rtp.sip import sdp
from rtp.sip.message import ParseError, Request, Response, parse_uri
from rtp.sip.stack import Dialog, SipStack
from rtp.sip.transport import Link
from tenants.db import database
from tenants.voicemail import rules, service

log = logging.getLogger(__name__)


class MediaApp:
    def __init__(self, data_dir: Path, address: str = "127.0.0.1", sip_port: int = 5090,
                 trusted: list[str] | None = None, rtp_address: str | None = None, workers: int = 2,
                 t1: float = 0.5, secret: str | None = None, proxy: tuple[str, int] = ("127.0.0.1", 5060),
                 rtp_ports: tuple[int, int] | None = None):
        """``trusted``: Kamailio's socket(s), ``host:port`` (see ``rtp.sip.stack``); ``secret``: what
        Kamailio's requests carry and ours carry back; ``proxy``: where message-waiting NOTIFYs go;
        ``rtp_ports``: the range calls' RTP sockets take a port from (None: any free port)."""
        self.data_dir = Path(data_dir)
        self.proxy = proxy  # Kamailio: where our own requests and calls go
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
        self._stats_task: asyncio.Task | None = None

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
        self._stats_task = asyncio.ensure_future(stats.write_forever(self))
        log.info("media app listening on %s:%d (UDP and TCP)", self.address, self.stack.port)

    async def close(self) -> None:
        if self._stats_task is not None:
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

    def work(self, func, *args) -> asyncio.Future:
        """``func(*args)`` on the worker pool, with a database connection."""
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
        if receptionist.wanted(request):  # H1: the menu as early media, then a transfer through Kamailio
            return await receptionist.run(self, dialog, request)
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
        ctx = await self.work(service.load_context, *target) if target else None
        if ctx is None and not access:
            return 404, "No Mailbox", b""
        caller_number, caller_name = caller_of(request)
        if ctx is None:  # D2: mailbox access without a known mailbox: the login asks for it, in the tenant's language
            domain = (request.get("X-Poste-Tenant") or ruri.host or "").lower()  # (quick login: the caller's, E8)
            ctx = await self.work(service.access_context, domain, target[0] if target else "", caller_number)
        session = await RtpSession.open(self.rtp_address, negotiated.codec, negotiated.dtmf_pt, ports=self.rtp_ports)
        session.remote = (negotiated.remote_address, negotiated.remote_port)
        call = Call(dialog=dialog, rtp=session, flow=None, ctx=ctx, reason=reason, caller_number=caller_number,
                    caller_name=caller_name, language=ctx.language, access=access)
        session.on_audio = lambda pcm, call=call: self._audio(call, pcm)
        session.on_digit = lambda digit, call=call: self.event(call, ev.Digit(digit))
        dialog.data["call"] = call
        self.calls[dialog.id] = call
        if dialog.state == "ended":  # cancelled meanwhile
            self.cleanup(call)
            return 487, "Request Terminated", b""
        answer = sdp.answer(negotiated, self.rtp_address, session.local_port)
        dialog.data["sdp"] = (negotiated, answer)
        return 200, "OK", answer

    def on_confirmed(self, dialog: Dialog) -> None:
        call: Call | None = dialog.data.get("call")
        if call is None or call.receptionist:  # the receptionist's flows run since its 183
            return
        ctx = call.ctx
        self.clock.add(call.rtp)
        if call.access:  # D1/D2: the mailbox menus (rtp/flows/mailbox, performed by mailbox_call)
            self.perform(call, mailbox_call.start(self, call, ctx.number, own_phone=bool(ctx.mailbox_id)))
            return
        call.flow = VoicemailFlow(FlowContext(
            number=ctx.number, domain=ctx.domain, greeting=rules.choose_greeting(ctx.greetings, call.reason),
            full=ctx.capacity.full, min_seconds=ctx.min_seconds, max_seconds=ctx.max_seconds,
            reception=ctx.reception, language=ctx.language, refer=transfer.takes_refer(dialog.invite)))
        self.perform(call, call.flow.start())
        for digit in call.early_digits:
            self.event(call, digit)
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
            self.event(call, ev.HangUp())
        receptionist.finish(call, receptionist.GONE)
        self.maybe_cleanup(call)

    def on_reoffer(self, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
        if "bridge" in dialog.data:  # the reception's leg of a bridge (D7)
            return bridge.reoffer(dialog.data["bridge"], request)
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
        event = transfer.progress(call, request) if call is not None else None
        if event is not None:
            log.info("call %s: transfer NOTIFY %d", dialog.call_id, event.status)
            self.event(call, event)

    def on_request(self, request: Request, link: Link) -> Response | None:
        if request.method == "SUBSCRIBE":
            return subscriptions.subscribe(self.stack, request, link)
        return None

    # ------------------------------------------------------------ the flow's events and actions
    def _audio(self, call: Call, pcm: np.ndarray) -> None:
        if call.recorder is not None and not call.recorder.stopped:
            call.recorder.feed(pcm)

    def event(self, call: Call, event) -> None:
        """Feed ``event`` to the call's flow and perform what it answers."""
        if call.flow is None:
            if isinstance(event, ev.Digit) and not call.ended:
                call.early_digits.append(event)  # pressed before our ACK arrived: kept for the flow
            return
        if call.ended and not isinstance(event, (ev.HangUp, ev.Recorded)):
            return
        try:
            todo = call.flow.handle(event)
        except Exception:
            log.exception("flow failed on %s", event)
            todo = [ev.Hangup()]
        self.perform(call, todo)

    def perform(self, call: Call, todo: list) -> None:
        """Carry out the flow's actions, one failing never stopping the next."""
        for action in todo:
            try:
                actions.do(self, call, action)
            except Exception:
                log.exception("action %s failed", action)

    def maybe_cleanup(self, call: Call) -> None:
        if call.ended and all(f.done() for f in call.pending) and (call.flow is None or call.flow.done):
            self.cleanup(call)

    def cleanup(self, call: Call) -> None:
        bridge.drop(self, call)
        for timer in call.timers.values():
            timer.cancel()
        call.timers.clear()
        self.clock.discard(call.rtp)
        call.rtp.close()
        if call.recorder is not None and call.recorder.result is None:
            call.recorder.close()  # left in the spool: recovered at the next start
        self.calls.pop(call.dialog.id, None)


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
__all__ = ["Call", "MediaApp", "caller_of"]
