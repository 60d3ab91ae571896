"""RFC 3261 transactions and dialogs for a user-agent server with a small UAC side.

``SipStack`` owns the transports and the transaction tables:

* INVITE server transactions (17.2.1, with RFC 6026's Accepted state): ``100
  Trying`` at once, retransmitted INVITEs get the last response again, non-2xx
  finals are retransmitted on UDP (timer G) until ACK (timer H gives up).
* The 2xx to an INVITE is retransmitted by the dialog layer (13.3.1.4) until
  the ACK comes; without an ACK after 64*T1 the call is ended with a BYE.
* Non-INVITE server transactions (17.2.2): a retransmitted request gets the
  same final response again for 64*T1 (timer J).
* CANCEL (9.2): ``200`` to the CANCEL, ``487`` to the INVITE if it is still
  pending; ``481`` if no INVITE matches.
* In-dialog NOTIFYs are answered 200 and handed to ``Application.on_notify`` (the
  progress of a REFER, RFC 3515).
* Client non-INVITE transactions (17.1.2) for BYE, NOTIFY and REFER: timer E
  retransmissions on UDP, timer F timeout.

The application (``Application``) sees calls as ``Dialog`` objects. Messages
from any socket but the trusted peers are dropped by the transport: a peer is
``host:port`` (that UDP socket exactly; over TCP, connections from that host, since
they come from passing ports) or ``host`` alone (any port: tests and benchmarks).
With a ``secret``, an out-of-dialog request other than OPTIONS must also carry it in
``X-Poste-Secret`` (Kamailio adds it and strips any copy from outside), or it is
dropped: a packet forged from the peer's address still lacks it. Malformed requests
get a stateless ``400`` (or ``505``) when they can be answered at all.
"""
from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from rtp.sip.message import (
    ParseError,
    Request,
    Response,
    parse,
    parse_name_addr,
    parse_uri,
    response_to,
    uas_refusal,
)
from rtp.sip.transport import Address, Link, Transports

if TYPE_CHECKING:
    from rtp.sip.uac import OutgoingCall

SECRET_HEADER = "X-Poste-Secret"

log = logging.getLogger(__name__)

T1, T2, T4 = 0.5, 4.0, 5.0
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, NOTIFY, SUBSCRIBE"
SUPPORTED = "timer"
MAGIC = "z9hG4bK"
_counter = itertools.count(1)


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return f"{MAGIC}{secrets.token_hex(8)}"


class Application(Protocol):
    """What the media app implements; the stack calls it."""

    async def on_invite(self, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
        """Answer a new call: (status, reason, SDP answer). A 2xx creates the dialog."""

    def on_confirmed(self, dialog: Dialog) -> None:
        """The ACK to our 2xx arrived: media may start."""

    def on_ended(self, dialog: Dialog, why: str) -> None:
        """BYE, CANCEL, or no ACK: the call is over (called once)."""

    def on_reoffer(self, dialog: Dialog, request: Request) -> tuple[int, str, bytes]:
        """re-INVITE or UPDATE with or without an SDP offer: (status, reason, SDP answer or b"")."""

    def on_request(self, request: Request, link: Link) -> Response | None:
        """Any other out-of-dialog request (OPTIONS, SUBSCRIBE...): a response, or None for 405."""

    def on_notify(self, dialog: Dialog, request: Request) -> None:
        """A NOTIFY inside a call (RFC 3515: how our REFER is going). Optional: answered 200 either way."""


@dataclass(eq=False)
class ServerTransaction:
    key: tuple
    request: Request
    link: Link
    stack: SipStack
    last: bytes | None = None
    status: int = 0
    state: str = "proceeding"  # proceeding, completed, accepted, confirmed, terminated
    handles: list = field(default_factory=list)
    dialog: Dialog | None = None

    @property
    def is_invite(self) -> bool:
        return self.request.method == "INVITE"

    def respond(self, response: Response) -> None:
        data = response.encode()
        self.last, self.status = data, response.status
        self.link.send(data)
        if response.status < 200:
            return
        loop = asyncio.get_running_loop()
        if self.is_invite:
            if response.status < 300:
                self.state = "accepted"
                self._later(64 * self.stack.t1, self.terminate)
            else:
                self.state = "completed"
                if not self.link.reliable:
                    self._retransmit(self.stack.t1)
                self._later(64 * self.stack.t1, self.terminate)  # timer H
        else:
            self.state = "completed"
            self._later(0 if self.link.reliable else 64 * self.stack.t1, self.terminate)  # timer J
        del loop

    def _retransmit(self, interval: float) -> None:
        def again():
            if self.state == "completed" and self.last is not None:
                self.link.send(self.last)
                self._retransmit(min(2 * interval, self.stack.t2))
        self._later(interval, again)

    def _later(self, delay: float, func) -> None:
        self.handles.append(asyncio.get_running_loop().call_later(delay, func))

    def acked(self) -> None:
        if self.state == "completed":
            self.state = "confirmed"
            self._later(0 if self.link.reliable else self.stack.t4, self.terminate)  # timer I

    def terminate(self) -> None:
        self.state = "terminated"
        for handle in self.handles:
            handle.cancel()
        self.handles.clear()
        if self.stack.server_tx.get(self.key) is self:
            del self.stack.server_tx[self.key]


@dataclass(eq=False)
class Dialog:
    """One call leg as the UAS sees it (RFC 3261 12.1.1)."""

    call_id: str
    local_tag: str
    remote_tag: str
    local_uri: str  # the To of the INVITE, without tag
    remote_uri: str  # the From of the INVITE, without tag
    remote_target: str
    route_set: list[str]
    remote_cseq: int
    link: Link
    stack: SipStack
    local_cseq: int = field(default_factory=lambda: secrets.randbelow(10_000) + 1)
    state: str = "early"  # early, confirmed, ended
    invite: Request | None = None
    invite_tx: ServerTransaction | None = None
    pending_2xx: bytes | None = None
    pending_cseq: int = 0
    data: dict = field(default_factory=dict)  # the application's own state
    _handles: list = field(default_factory=list)

    @property
    def id(self) -> tuple[str, str, str]:
        return (self.call_id, self.local_tag, self.remote_tag)

    # -------------------------------------------------- 2xx retransmission (13.3.1.4)
    def send_2xx(self, data: bytes, cseq: int) -> None:
        """Keep ``data`` (already sent by the transaction) and retransmit it until the ACK."""
        self.pending_2xx, self.pending_cseq = data, cseq
        loop = asyncio.get_running_loop()
        started = loop.time()

        def again(interval: float) -> None:
            if self.pending_2xx is None or self.state == "ended":
                return
            if loop.time() - started >= 64 * self.stack.t1:
                log.warning("no ACK for call %s; ending it", self.call_id)
                self.stack.end_dialog(self, "no ACK", send_bye=True)
                return
            if not self.link.reliable:
                self.link.send(self.pending_2xx)
            self._handles.append(loop.call_later(interval, again, min(2 * interval, self.stack.t2)))

        self._handles.append(loop.call_later(self.stack.t1, again, 2 * self.stack.t1))

    def cancel_timers(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()

    # -------------------------------------------------- requests inside the dialog
    def request(self, method: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> Request:
        self.local_cseq += 1
        req = Request(method=method, uri=self.remote_target)
        req.add("Via", self.stack.via(self.link))
        req.add("Max-Forwards", "70")
        for route in self.route_set:
            req.add("Route", route)
        req.add("From", f"{self.local_uri};tag={self.local_tag}")
        req.add("To", f"{self.remote_uri};tag={self.remote_tag}")
        req.add("Call-ID", self.call_id)
        req.add("CSeq", f"{self.local_cseq} {method}")
        for name, value in [*headers, *self.stack.secret_header()]:  # Kamailio strips it before relaying
            req.add(name, value)
        req.body = body
        return req


@dataclass(eq=False)
class ClientTransaction:
    request: Request
    link: Link
    future: asyncio.Future
    handles: list = field(default_factory=list)


class SipStack:
    def __init__(self, app: Application, host: str = "127.0.0.1", port: int = 5090,
                 trusted: Iterable[str] = ("127.0.0.1",), advertised: str | None = None,
                 t1: float = T1, t2: float = T2, t4: float = T4, user_agent: str = "Poste-Media/1.0",
                 secret: str | None = None):
        self.app = app
        self.peers = [parse_peer(p) for p in trusted]
        self.secret = secret
        self.transports = Transports(host, port, self.receive, self.is_trusted)
        self.advertised = advertised or host
        self.t1, self.t2, self.t4 = t1, t2, t4
        self.user_agent = user_agent
        self.server_tx: dict[tuple, ServerTransaction] = {}
        self.client_tx: dict[tuple, ClientTransaction] = {}
        self.invite_clients: dict[str, OutgoingCall] = {}  # our own INVITEs by branch (rtp.sip.uac)
        self.dialogs: dict[tuple[str, str, str], Dialog] = {}
        self.stats = {"received": 0, "malformed": 0, "dropped": 0, "retransmissions": 0}
        self._tasks: set[asyncio.Task] = set()

    # -------------------------------------------------- life cycle
    async def start(self) -> None:
        await self.transports.start()

    @property
    def port(self) -> int:
        return self.transports.port

    async def close(self) -> None:
        for dialog in list(self.dialogs.values()):
            dialog.cancel_timers()
        for tx in list(self.server_tx.values()):
            tx.terminate()
        await self.transports.close()

    def is_trusted(self, host: str, port: int = 0, kind: str = "UDP") -> bool:
        """May this socket talk to us? (``kind`` "TCP": the connection's source port is a passing one.)"""
        for peer_host, peer_port in self.peers:
            if peer_host in (host, "*") and (peer_port is None or kind == "TCP" or peer_port == port):
                return True
        return False

    def carries_secret(self, request: Request) -> bool:
        if self.secret is None:
            return True
        given = request.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.strip().encode(), self.secret.encode())

    def secret_header(self) -> list[tuple[str, str]]:
        """The header our own requests to the peer carry (Kamailio checks and strips it)."""
        return [(SECRET_HEADER, self.secret)] if self.secret else []

    def via(self, link: Link) -> str:
        return f"SIP/2.0/{link.kind} {self.advertised}:{self.port};branch={new_branch()};rport"

    def contact(self, link: Link | None = None) -> str:
        transport = ";transport=tcp" if link is not None and link.reliable else ""
        return f"<sip:media@{self.advertised}:{self.port}{transport}>"

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -------------------------------------------------- receiving
    def receive(self, data: bytes, link: Link) -> None:
        self.stats["received"] += 1
        try:
            message = parse(data, stream=link.reliable)
        except ParseError as exc:
            self.stats["malformed"] += 1
            self._reject_malformed(exc, link)
            return
        if isinstance(message, Response):
            self._on_response(message)
        else:
            self._on_request(message, link)

    def _reject_malformed(self, exc: ParseError, link: Link) -> None:
        partial = exc.partial
        if exc.reply_code is None or not isinstance(partial, Request) or partial.method == "ACK":
            self.stats["dropped"] += 1
            log.info("dropped malformed message from %s: %s", link.addr, exc.reason)
            return
        if not partial.get("Via") or not partial.get("Call-ID") or not partial.get("From") or not partial.get("To"):
            self.stats["dropped"] += 1
            return
        reason = {400: f"Bad Request ({exc.reason})", 505: "Version Not Supported"}.get(exc.reply_code, "Bad Request")
        response = response_to(partial, exc.reply_code, reason.replace("\r", " ").replace("\n", " "))
        if partial.get("CSeq") is None:
            response.add("CSeq", f"1 {partial.method}")
        link.send(response.encode())

    def _key(self, request: Request) -> tuple:
        via = request.top_via
        method = "INVITE" if request.method == "ACK" else request.method
        if via.branch.startswith(MAGIC) and len(via.branch) > len(MAGIC):
            return (via.branch, via.sent_by, method)
        # RFC 2543 peers: Request-URI, tags, Call-ID, CSeq number, top Via.
        return (request.uri, request.from_tag, request.call_id, request.cseq[0], str(via.params), method)

    def _on_request(self, request: Request, link: Link) -> None:
        key = self._key(request)
        if request.method == "ACK":
            tx = self.server_tx.get(key)
            if tx is not None and tx.state in ("completed", "confirmed"):
                tx.acked()
                return
            self._on_ack(request)
            return
        if request.method == "CANCEL":
            self._on_cancel(request, link, key)
            return
        tx = self.server_tx.get(key)
        if tx is not None:
            self.stats["retransmissions"] += 1
            if tx.last is not None:
                tx.link.send(tx.last)
            return
        if not request.to_tag and request.method != "OPTIONS" and not self.carries_secret(request):
            # forged from the peer's address (or a stray phone): not a word in answer
            self.stats["dropped"] += 1
            log.warning("%s from %s without the peer's secret: dropped", request.method, link.addr)
            return
        tx = ServerTransaction(key, request, link, self)
        self.server_tx[key] = tx
        if request.method == "INVITE":
            tx.respond(response_to(request, 100, "Trying"))
        self._dispatch(tx)

    def _dispatch(self, tx: ServerTransaction) -> None:
        request = tx.request
        refusal = uas_refusal(request)  # 416 URI scheme, 415 body type, 406 Accept (RFC 3261 8.2.2-8.2.3)
        if refusal is not None:
            tx.respond(response_to(request, refusal.status, refusal.reason, to_tag=new_tag(),
                                   extra=list(refusal.headers)))
            return
        unsupported = [opt for opt in request.get_all("Require") if opt.lower() not in ("timer",)]
        if unsupported and request.method not in ("ACK", "CANCEL"):
            tx.respond(response_to(request, 420, "Bad Extension", to_tag=new_tag(),
                                   extra=[("Unsupported", ", ".join(unsupported))]))
            return
        if request.to_tag:
            self._in_dialog(tx)
            return
        if request.method == "INVITE":
            self.spawn(self._new_call(tx))
        elif request.method == "OPTIONS":
            tx.respond(response_to(request, 200, "OK", to_tag=new_tag(), extra=self._capabilities()))
        elif request.method in ("BYE", "UPDATE", "NOTIFY", "PRACK", "INFO"):
            tx.respond(response_to(request, 481, "Call/Transaction Does Not Exist", to_tag=new_tag()))
        else:
            response = None
            try:
                response = self.app.on_request(request, tx.link)
            except Exception:
                log.exception("application failed on %s", request.method)
                response = response_to(request, 500, "Server Internal Error", to_tag=new_tag())
            if response is None:
                response = response_to(request, 405 if request.method in ("REGISTER", "MESSAGE", "REFER",
                                                                          "PUBLISH", "SUBSCRIBE") else 501,
                                       "Method Not Allowed" if request.method in (
                                           "REGISTER", "MESSAGE", "REFER", "PUBLISH", "SUBSCRIBE") else "Not Implemented",
                                       to_tag=new_tag(), extra=[("Allow", ALLOW)])
            tx.respond(response)

    def _capabilities(self) -> list[tuple[str, str]]:
        return [("Allow", ALLOW), ("Accept", "application/sdp"), ("Supported", SUPPORTED),
                ("Server", self.user_agent)]

    async def _new_call(self, tx: ServerTransaction) -> None:
        request = tx.request
        try:
            remote = parse_name_addr(request.get("From"))
            local = parse_name_addr(request.get("To"))
            contact = request.get_all("Contact")
            # an RFC 2543 INVITE may come without Contact: its From URI is the remote target (RFC 4475 3.4.1)
            target = parse_name_addr(contact[0]).uri if contact else remote.uri
        except ParseError:
            target = None
        if target is None:
            tx.respond(response_to(request, 400, "Bad Request (no Contact)", to_tag=new_tag()))
            return
        dialog = Dialog(call_id=request.call_id, local_tag=new_tag(), remote_tag=remote.params.get("tag", ""),
                        local_uri=_without_tag(request.get("To")), remote_uri=_without_tag(request.get("From")),
                        remote_target=target, route_set=request.get_all("Record-Route"),
                        remote_cseq=request.cseq[0], link=tx.link, stack=self, invite=request, invite_tx=tx)
        del local
        tx.dialog = dialog
        self.dialogs[dialog.id] = dialog
        try:
            status, reason, body = await self.app.on_invite(dialog, request)
        except Exception:
            log.exception("application failed on INVITE")
            status, reason, body = 500, "Server Internal Error", b""
        if dialog.state == "ended" or tx.state != "proceeding":
            return  # CANCELled while the application was deciding
        extra = [("Contact", self.contact(tx.link)), ("Allow", ALLOW), ("Supported", SUPPORTED),
                 ("Server", self.user_agent)]
        if 200 <= status < 300:
            if body:
                extra.append(("Content-Type", "application/sdp"))
            extra += _session_timer(request)
            response = response_to(request, status, reason, to_tag=dialog.local_tag, body=body, extra=extra)
            tx.respond(response)
            dialog.send_2xx(response.encode(), request.cseq[0])
        else:
            self.dialogs.pop(dialog.id, None)
            dialog.state = "ended"
            # the application may add headers to a final refusal (the receptionist's X-Poste-Transfer)
            tx.respond(response_to(request, status, reason, to_tag=dialog.local_tag,
                                   extra=extra[2:] + list(dialog.data.get("final_headers", ()))))

    def _on_ack(self, request: Request) -> None:
        dialog = self.dialogs.get((request.call_id, request.to_tag, request.from_tag))
        if dialog is None or dialog.pending_2xx is None:
            return
        if request.cseq[0] != dialog.pending_cseq:
            return
        dialog.pending_2xx = None
        dialog.cancel_timers()
        if dialog.state == "early":
            dialog.state = "confirmed"
            try:
                self.app.on_confirmed(dialog)
            except Exception:
                log.exception("application failed on ACK")

    def _on_cancel(self, request: Request, link: Link, key: tuple) -> None:
        invite_key = key[:-1] + ("INVITE",)
        tx = self.server_tx.get(invite_key)
        if tx is None:
            link.send(response_to(request, 481, "Call/Transaction Does Not Exist", to_tag=new_tag()).encode())
            return
        link.send(response_to(request, 200, "OK", to_tag=tx.dialog.local_tag if tx.dialog else new_tag()).encode())
        if tx.state == "proceeding":
            tag = tx.dialog.local_tag if tx.dialog else new_tag()
            tx.respond(response_to(tx.request, 487, "Request Terminated", to_tag=tag))
            if tx.dialog is not None:
                self.end_dialog(tx.dialog, "cancelled", send_bye=False)

    def _in_dialog(self, tx: ServerTransaction) -> None:
        request = tx.request
        dialog = self.dialogs.get((request.call_id, request.to_tag, request.from_tag))
        if dialog is None or dialog.state == "ended":
            tx.respond(response_to(request, 481, "Call/Transaction Does Not Exist"))
            return
        number = request.cseq[0]
        if number <= dialog.remote_cseq and request.method != "ACK":
            tx.respond(response_to(request, 500, "Server Internal Error", extra=[("Retry-After", "1")]))
            return
        dialog.remote_cseq = number
        if request.method == "BYE":
            # The application saves what it must (the recording's spool) before the 200 goes out.
            self.end_dialog(dialog, "bye", send_bye=False)
            tx.respond(response_to(request, 200, "OK"))
        elif request.method in ("INVITE", "UPDATE"):
            if request.method == "INVITE" and dialog.pending_2xx is not None:
                tx.respond(response_to(request, 491, "Request Pending", extra=[("Retry-After", "1")]))
                return
            try:
                status, reason, body = self.app.on_reoffer(dialog, request)
            except Exception:
                log.exception("application failed on %s", request.method)
                status, reason, body = 500, "Server Internal Error", b""
            extra = [("Contact", self.contact(tx.link)), ("Allow", ALLOW), ("Supported", SUPPORTED)]
            if body:
                extra.append(("Content-Type", "application/sdp"))
            if 200 <= status < 300:
                extra += _session_timer(request)
            contact = request.get_all("Contact")
            if contact and 200 <= status < 300:
                try:
                    dialog.remote_target = parse_name_addr(contact[0]).uri
                except ParseError:
                    pass
            response = response_to(request, status, reason, body=body, extra=extra)
            tx.respond(response)
            if request.method == "INVITE" and 200 <= status < 300:
                dialog.send_2xx(response.encode(), number)
        elif request.method in ("OPTIONS", "INFO", "NOTIFY"):
            tx.respond(response_to(request, 200, "OK", extra=self._capabilities()))
            on_notify = getattr(self.app, "on_notify", None)  # test doubles may not implement it
            if request.method == "NOTIFY" and on_notify is not None:
                try:
                    on_notify(dialog, request)  # after the 200: the application may hang up from here
                except Exception:
                    log.exception("application failed on NOTIFY")
        else:
            tx.respond(response_to(request, 405, "Method Not Allowed", extra=[("Allow", ALLOW)]))

    def _on_response(self, response: Response) -> None:
        try:
            via = response.top_via
            key = (via.branch, response.cseq[1])
        except ParseError:
            return
        if key[1] == "INVITE" and via.branch in self.invite_clients:
            self.invite_clients[via.branch].on_response(response)
            return
        ctx = self.client_tx.get(key)
        if ctx is None or response.status < 200:
            if ctx is not None:
                for handle in ctx.handles:  # provisional: stop retransmitting, wait (timer E at T2)
                    handle.cancel()
            return
        for handle in ctx.handles:
            handle.cancel()
        del self.client_tx[key]
        if not ctx.future.done():
            ctx.future.set_result(response)

    # -------------------------------------------------- sending
    def end_dialog(self, dialog: Dialog, why: str, send_bye: bool) -> None:
        if dialog.state == "ended":
            return
        confirmed = dialog.state == "confirmed" or dialog.pending_2xx is not None
        dialog.state = "ended"
        dialog.cancel_timers()
        dialog.pending_2xx = None
        self.dialogs.pop(dialog.id, None)
        if send_bye and confirmed:
            self.spawn(self._send_quietly(dialog.request("BYE"), dialog.link))
        uac = dialog.data.get("uac")
        if uac is not None:  # a call we placed (rtp.sip.uac): its owner hears it
            uac.dialog_ended(why)
            return
        try:
            self.app.on_ended(dialog, why)
        except Exception:
            log.exception("application failed on the end of a call")

    def hangup(self, dialog: Dialog) -> None:
        """End a call from our side: BYE to the peer."""
        self.end_dialog(dialog, "local", send_bye=True)

    async def _send_quietly(self, request: Request, link: Link) -> None:
        try:
            await self.send_request(request, link)
        except (TimeoutError, OSError) as exc:
            log.info("%s for %s not answered: %s", request.method, request.call_id, exc)

    def link_to(self, addr: Address, transport: str = "UDP") -> Link:
        if transport == "TCP" and addr in self.transports.tcp_links:
            return self.transports.tcp_links[addr]
        return self.transports.udp_link(addr)

    async def send_request(self, request: Request, link: Link) -> Response:
        """Send a non-INVITE request and wait for its final response (timer F: 64*T1)."""
        if link.closed:
            link = self.transports.udp_link(link.addr)
            request.remove("Via")
            request.headers.insert(0, ("Via", self.via(link)))
        if request.get("Via") is None:
            request.headers.insert(0, ("Via", self.via(link)))
        if request.get("User-Agent") is None:
            request.add("User-Agent", self.user_agent)
        branch = request.top_via.branch
        loop = asyncio.get_running_loop()
        ctx = ClientTransaction(request, link, loop.create_future())
        key = (branch, request.method)
        self.client_tx[key] = ctx
        data = request.encode()
        link.send(data)

        def again(interval: float) -> None:
            if ctx.future.done():
                return
            link.send(data)
            ctx.handles.append(loop.call_later(interval, again, min(2 * interval, self.t2)))

        if not link.reliable:
            ctx.handles.append(loop.call_later(self.t1, again, min(2 * self.t1, self.t2)))
        try:
            return await asyncio.wait_for(asyncio.shield(ctx.future), 64 * self.t1)
        except TimeoutError as exc:
            raise TimeoutError(f"{request.method} timed out") from exc
        finally:
            for handle in ctx.handles:
                handle.cancel()
            self.client_tx.pop(key, None)

    def out_of_dialog(self, method: str, uri: str, from_uri: str, to_uri: str,
                      headers: Iterable[tuple[str, str]] = (), body: bytes = b"", link: Link | None = None,
                      call_id: str | None = None) -> Request:
        """A request outside any dialog (an unsolicited NOTIFY, an OPTIONS)."""
        req = Request(method=method, uri=uri)
        if link is not None:
            req.add("Via", self.via(link))
        req.add("Max-Forwards", "70")
        req.add("From", f"<{from_uri}>;tag={new_tag()}")
        req.add("To", f"<{to_uri}>")
        req.add("Call-ID", call_id or f"{secrets.token_hex(10)}@{self.advertised}")
        req.add("CSeq", f"{next(_counter)} {method}")
        for name, value in headers:
            req.add(name, value)
        req.body = body
        return req


def _without_tag(value: str) -> str:
    na = parse_name_addr(value)
    params = "".join(f";{k}={v}" if v else f";{k}" for k, v in na.params.items() if k != "tag")
    display = f'"{na.display}" ' if na.display else ""
    return f"{display}<{na.uri}>{params}"


def _session_timer(request: Request) -> list[tuple[str, str]]:
    """RFC 4028: keep the caller's interval and let the caller refresh."""
    value = request.get("Session-Expires")
    if not value:
        return []
    interval = value.split(";")[0].strip()
    if not interval.isdigit():
        return []
    supported = [s.lower() for s in request.get_all("Supported")]
    if "timer" not in supported:
        return []
    return [("Session-Expires", f"{interval};refresher=uac"), ("Require", "timer")]


def parse_peer(text: str) -> tuple[str, int | None]:
    """``host:port`` or ``host`` (any port) -> (host, port or None)."""
    host, sep, port = text.strip().rpartition(":")
    if sep and port.isdigit() and host:
        return host, int(port)
    return text.strip(), None


__all__ = ["Application", "Dialog", "SipStack", "new_tag", "parse_peer", "parse_uri"]
