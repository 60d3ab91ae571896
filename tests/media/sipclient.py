"""A raw SIP peer for tests: sends text over UDP or TCP, collects what comes back."""
from __future__ import annotations

import asyncio
import itertools
import secrets

from rtp.sip.message import Request, Response, parse

_n = itertools.count(1)


class Peer(asyncio.DatagramProtocol):
    def __init__(self):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.transport = None

    @classmethod
    async def open(cls, host: str = "127.0.0.1") -> Peer:
        loop = asyncio.get_running_loop()
        _t, peer = await loop.create_datagram_endpoint(cls, local_addr=(host, 0))
        return peer

    @property
    def addr(self) -> tuple[str, int]:
        return self.transport.get_extra_info("sockname")

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.inbox.put_nowait(parse(data))

    def send(self, data: bytes | str, to: tuple[str, int]) -> None:
        self.transport.sendto(data.encode() if isinstance(data, str) else data, to)

    async def recv(self, timeout: float = 2.0) -> Request | Response:
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def expect(self, status: int | str, timeout: float = 2.0, cseq: int | None = None):
        """The next message with this status (or method) [and CSeq number]; others before it are skipped."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            msg = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - loop.time()))
            if (isinstance(status, int) and isinstance(msg, Response) and msg.status == status) or \
               (isinstance(status, str) and isinstance(msg, Request) and msg.method == status):
                if cseq is None or msg.cseq[0] == cseq:
                    return msg

    async def silent(self, seconds: float) -> list:
        """Everything that arrives within ``seconds`` (used to show nothing more comes)."""
        got = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                got.append(await asyncio.wait_for(self.inbox.get(), left))
            except TimeoutError:
                break
        return got

    def close(self):
        self.transport.close()


def request(method: str, addr: tuple[str, int], *, call_id: str | None = None, cseq: int = 1,
            from_tag: str = "ft1", to_tag: str = "", branch: str | None = None, body: bytes = b"",
            extra: str = "", transport: str = "UDP", ruri: str = "sip:vm@127.0.0.1",
            cseq_method: str | None = None) -> bytes:
    branch = branch or f"z9hG4bK{secrets.token_hex(6)}"
    to = "<sip:2001@acme.pbx.example>" + (f";tag={to_tag}" if to_tag else "")
    head = (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} {addr[0]}:{addr[1]};branch={branch};rport\r\n"
            f"From: \"Bob\" <sip:2002@acme.pbx.example>;tag={from_tag}\r\n"
            f"To: {to}\r\n"
            f"Call-ID: {call_id or 'c' + str(next(_n))}\r\n"
            f"CSeq: {cseq} {cseq_method or method}\r\n"
            f"Contact: <sip:2002@{addr[0]}:{addr[1]}>\r\n"
            f"Max-Forwards: 70\r\n{extra}")
    if body:
        head += "Content-Type: application/sdp\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
