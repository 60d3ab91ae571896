"""A call the media app places itself (RFC 3261 17.1.1 and 13.2.2): one INVITE client
transaction and the dialog its 2xx makes, as explicit states (the model: sippy's UAC).

    calling --1xx--> proceeding --2xx--> connected (ACK; a ``Dialog`` in the stack's table)
    calling | proceeding --3xx-6xx--> failed (ACK, hop by hop)
    calling --timer B (64*T1, no answer at all)--> failed 408
    calling | proceeding --hang_up()--> cancelling (CANCEL once a 1xx came: RFC 3261 9.1)
    cancelling --487 (or any final)--> failed; --2xx (the race with the CANCEL)--> ACK, BYE, ended
    cancelling --no final within 64*T1--> failed 408
    connected --hang_up() (BYE) | the peer's BYE--> ended

The owner hears ``on_answer(response)``, ``on_failure(status)`` and ``on_end(why)``, each at
most once and only one of ``on_answer``/``on_failure``; nothing after its own ``hang_up()``.
Inside the dialog, the stack answers the peer's BYE (and re-INVITEs, through ``Application``)
as for the calls it receives; a 2xx retransmitted (our ACK lost) gets the ACK again.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterable

from rtp.sip.message import ParseError, Request, Response, parse_name_addr
from rtp.sip.stack import ALLOW, Dialog, SipStack, new_branch, new_tag
from rtp.sip.transport import Link

log = logging.getLogger(__name__)

CALLING, PROCEEDING, CONNECTED, CANCELLING, FAILED, ENDED = (
    "calling", "proceeding", "connected", "cancelling", "failed", "ended")


class OutgoingCall:
    """One INVITE we send through ``link`` (Kamailio) and the call it becomes."""

    def __init__(self, stack: SipStack, link: Link, uri: str, from_addr: str, to_addr: str, body: bytes,
                 headers: Iterable[tuple[str, str]] = (),
                 on_answer: Callable[[Response], None] | None = None,
                 on_failure: Callable[[int], None] | None = None,
                 on_end: Callable[[str], None] | None = None):
        self.stack, self.link = stack, link
        self.on_answer, self.on_failure, self.on_end = on_answer, on_failure, on_end
        self.state = CALLING
        self.dialog: Dialog | None = None
        self.status = 0  # the final answer's status
        self.local_tag = new_tag()
        self.branch = new_branch()
        self.cseq = secrets.randbelow(10_000) + 1
        self._cancel_wanted = False
        self._ack: bytes | None = None
        self._handles: list[asyncio.Handle] = []
        invite = Request(method="INVITE", uri=uri)
        invite.add("Via", f"SIP/2.0/{link.kind} {stack.advertised}:{stack.port};branch={self.branch};rport")
        invite.add("Max-Forwards", "70")
        invite.add("From", f"{from_addr};tag={self.local_tag}")
        invite.add("To", to_addr)
        invite.add("Call-ID", f"{secrets.token_hex(10)}@{stack.advertised}")
        invite.add("CSeq", f"{self.cseq} INVITE")
        invite.add("Contact", stack.contact(link))
        invite.add("Allow", ALLOW)
        invite.add("User-Agent", stack.user_agent)
        for name, value in [*headers, *stack.secret_header()]:
            invite.add(name, value)
        if body:
            invite.add("Content-Type", "application/sdp")
        invite.body = body
        self.invite = invite

    @property
    def call_id(self) -> str:
        return self.invite.call_id

    # ------------------------------------------------------------ sending
    def start(self) -> None:
        """Send the INVITE: timer A retransmits it on UDP until a response, timer B gives up."""
        self.stack.invite_clients[self.branch] = self
        data = self.invite.encode()
        self.link.send(data)
        loop = asyncio.get_running_loop()

        def again(interval: float) -> None:
            if self.state == CALLING:
                self.link.send(data)
                self._later(interval, again, min(2 * interval, self.stack.t2))
        if not self.link.reliable:
            self._later(self.stack.t1, again, 2 * self.stack.t1)
        self._later(64 * self.stack.t1, self._timer_b)
        del loop

    def hang_up(self) -> None:
        """Our side is done with this call: CANCEL it while it rings, BYE it once answered."""
        self.on_answer = self.on_failure = self.on_end = None  # the owner wants nothing more
        if self.state in (CALLING, PROCEEDING):
            self._cancel_wanted = True
            if self.state == PROCEEDING:
                self._send_cancel()
            self.state = CANCELLING
            self._later(64 * self.stack.t1, self._give_up)
        elif self.state == CONNECTED and self.dialog is not None:
            self.state = ENDED
            self.stack.hangup(self.dialog)

    def _send_cancel(self) -> None:
        cancel = Request(method="CANCEL", uri=self.invite.uri)
        for name in ("Via", "Max-Forwards", "From", "To", "Call-ID"):
            cancel.add(name, self.invite.get(name) or "")
        cancel.add("CSeq", f"{self.cseq} CANCEL")
        self.stack.spawn(self._quietly(cancel))

    async def _quietly(self, request: Request) -> None:
        try:
            await self.stack.send_request(request, self.link)
        except (TimeoutError, OSError) as exc:
            log.info("%s of %s not answered: %s", request.method, self.call_id, exc)

    def _ack_failure(self, response: Response) -> None:
        """ACK of a non-2xx final: the INVITE's transaction (its branch), hop by hop (17.1.1.3)."""
        ack = Request(method="ACK", uri=self.invite.uri)
        for name in ("Via", "Max-Forwards", "From"):
            ack.add(name, self.invite.get(name) or "")
        ack.add("To", response.get("To") or self.invite.get("To") or "")
        ack.add("Call-ID", self.call_id)
        ack.add("CSeq", f"{self.cseq} ACK")
        self.link.send(ack.encode())

    # ------------------------------------------------------------ receiving
    def on_response(self, response: Response) -> None:
        """A response to our INVITE (the stack matched its branch)."""
        status = response.status
        if status < 200:
            if self.state == CALLING:
                self.state = PROCEEDING
            elif self.state == CANCELLING and self._cancel_wanted:
                self._cancel_wanted = False
                self._send_cancel()  # the 1xx we waited for to CANCEL (RFC 3261 9.1)
            return
        if status < 300:
            self._on_2xx(response)
            return
        self._ack_failure(response)  # also each retransmission of it
        if self.state in (CALLING, PROCEEDING, CANCELLING):
            self._finish(FAILED, status)
            failure, self.on_failure = self.on_failure, None
            if failure is not None:
                failure(status)

    def _on_2xx(self, response: Response) -> None:
        if self._ack is not None:  # a retransmission: our ACK was lost
            self.link.send(self._ack)
            return
        try:
            contact = parse_name_addr(response.get_all("Contact")[0]).uri
            remote_tag = response.to_tag
        except (IndexError, ParseError):
            log.warning("2xx without a usable Contact for %s", self.call_id)
            contact, remote_tag = self.invite.uri, response.to_tag
        dialog = Dialog(call_id=self.call_id, local_tag=self.local_tag, remote_tag=remote_tag,
                        local_uri=_without_tag(self.invite.get("From") or ""),
                        remote_uri=_without_tag(response.get("To") or ""), remote_target=contact,
                        route_set=list(reversed(response.get_all("Record-Route"))), remote_cseq=0,
                        link=self.link, stack=self.stack, local_cseq=self.cseq - 1, state="confirmed")
        dialog.data["uac"] = self
        ack = dialog.request("ACK")  # CSeq: the INVITE's number (13.2.2.4); a Via of its own
        self._ack = ack.encode()
        self.link.send(self._ack)
        self.dialog = dialog
        self.stack.dialogs[dialog.id] = dialog
        self.status = response.status
        if self.state not in (CALLING, PROCEEDING):  # answered after our CANCEL (or timer B): end it at once
            self._cancel_handles()
            self._later(64 * self.stack.t1, self.stack.invite_clients.pop, self.branch, None)
            self.state = ENDED
            self.stack.hangup(dialog)
            return
        self._cancel_handles()
        self.state = CONNECTED
        self._later(64 * self.stack.t1, self.stack.invite_clients.pop, self.branch, None)  # 2xx retransmissions
        answer, self.on_answer = self.on_answer, None
        if answer is not None:
            answer(response)

    def dialog_ended(self, why: str) -> None:
        """The stack ended our dialog (the peer's BYE, or our own hang_up)."""
        self.state = ENDED
        end, self.on_end = self.on_end, None
        if end is not None:
            end(why)

    # ------------------------------------------------------------ timers
    def _timer_b(self) -> None:
        if self.state == CALLING:
            log.info("INVITE %s: no answer at all (timer B)", self.call_id)
            self._finish(FAILED, 408)
            failure, self.on_failure = self.on_failure, None
            if failure is not None:
                failure(408)

    def _give_up(self) -> None:
        if self.state == CANCELLING:
            self._finish(FAILED, 408)

    def _finish(self, state: str, status: int) -> None:
        self.state, self.status = state, status
        self._cancel_handles()
        # retransmitted finals still get their ACK for a while (timer D), then we forget the call
        self._later(64 * self.stack.t1, self.stack.invite_clients.pop, self.branch, None)

    def _later(self, delay: float, func, *args) -> None:
        self._handles.append(asyncio.get_running_loop().call_later(delay, func, *args))

    def _cancel_handles(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()


def _without_tag(value: str) -> str:
    na = parse_name_addr(value)
    params = "".join(f";{k}={v}" if v else f";{k}" for k, v in na.params.items() if k != "tag")
    display = f'"{na.display}" ' if na.display else ""
    return f"{display}<{na.uri}>{params}"


__all__ = ["OutgoingCall"]
