"""SIP over UDP and TCP (RFC 3261 section 18) on asyncio, for one trusted peer.

Datagrams and TCP connections from a socket ``trusted(host, port, kind)`` refuses
are dropped before parsing. A TCP stream is framed by Content-Length (mandatory there); a
framing error closes that connection only.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from rtp.sip.message import MAX_MESSAGE, ParseError, split_head

log = logging.getLogger(__name__)

Address = tuple[str, int]


@dataclass(eq=False)
class Link:
    """Where a message came from and how to answer: a UDP socket or one TCP connection."""

    kind: str  # "UDP" or "TCP"
    addr: Address
    _send: Callable[[bytes, Address], None]
    closed: bool = False

    def send(self, data: bytes) -> None:
        if not self.closed:
            self._send(data, self.addr)

    @property
    def reliable(self) -> bool:
        return self.kind == "TCP"


Receiver = Callable[[bytes, Link], None]
Trust = Callable[[str, int, str], bool]  # (host, port, "UDP" or "TCP") -> may it talk to us?


class UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: Receiver, trusted: Trust):
        self.receiver, self.trusted = receiver, trusted
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, data: bytes, addr: Address) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, addr)

    def datagram_received(self, data: bytes, addr) -> None:
        if not self.trusted(addr[0], addr[1], "UDP"):
            return
        if data.strip(b"\r\n") == b"":
            return  # keep-alive
        try:
            self.receiver(data, Link("UDP", (addr[0], addr[1]), self.send))
        except Exception:  # one bad message never stops the stack
            log.exception("SIP message from %s failed", addr)

    def error_received(self, exc) -> None:
        log.debug("UDP error: %s", exc)


class TcpConnection(asyncio.Protocol):
    def __init__(self, receiver: Receiver, trusted: Trust, registry: dict):
        self.receiver, self.trusted, self.registry = receiver, trusted, registry
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.link: Link | None = None

    def connection_made(self, transport) -> None:
        peer = transport.get_extra_info("peername")
        if not peer or not self.trusted(peer[0], peer[1], "TCP"):
            transport.abort()
            return
        self.transport = transport
        self.link = Link("TCP", (peer[0], peer[1]), self._write)
        self.registry[self.link.addr] = self.link

    def _write(self, data: bytes, _addr: Address) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            self.buffer = self.buffer.lstrip(b"\r\n")
            parts = split_head(self.buffer)
            if parts is None:
                if len(self.buffer) > MAX_MESSAGE:
                    self._abort("header section too long")
                return
            head, rest = parts
            length = None
            for line in head.split(b"\n"):
                name, sep, value = line.partition(b":")
                if sep and name.strip().lower() in (b"content-length", b"l"):
                    try:
                        length = int(value.strip())
                    except ValueError:
                        length = -1
            if length is None or length < 0 or length > MAX_MESSAGE:
                self._abort("bad or missing Content-Length on TCP")
                return
            if len(rest) < length:
                return
            message = self.buffer[: len(self.buffer) - len(rest) + length]
            self.buffer = rest[length:]
            try:
                self.receiver(message, self.link)
            except Exception:
                log.exception("SIP message over TCP failed")

    def _abort(self, why: str) -> None:
        log.warning("closing TCP connection from %s: %s", self.link.addr if self.link else "?", why)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if self.link is not None:
            self.link.closed = True
            if self.registry.get(self.link.addr) is self.link:
                del self.registry[self.link.addr]


class Transports:
    """The UDP socket and the TCP listener on one address and port."""

    def __init__(self, host: str, port: int, receiver: Receiver, trusted: Trust):
        self.host, self.port, self.receiver, self.trusted = host, port, receiver, trusted
        self.udp: UdpProtocol | None = None
        self.tcp_server: asyncio.base_events.Server | None = None
        self.tcp_links: dict[Address, Link] = {}

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        _t, self.udp = await loop.create_datagram_endpoint(
            lambda: UdpProtocol(self.receiver, self.trusted), local_addr=(self.host, self.port))
        if self.port == 0:
            self.port = _t.get_extra_info("sockname")[1]
        self.tcp_server = await loop.create_server(
            lambda: TcpConnection(self.receiver, self.trusted, self.tcp_links), self.host, self.port,
            reuse_address=True)

    def udp_link(self, addr: Address) -> Link:
        assert self.udp is not None
        return Link("UDP", addr, self.udp.send)

    async def close(self) -> None:
        if self.udp is not None and self.udp.transport is not None:
            self.udp.transport.close()
        if self.tcp_server is not None:
            self.tcp_server.close()
            for link in list(self.tcp_links.values()):
                link.closed = True
            await self.tcp_server.wait_closed()


__all__ = ["Address", "Link", "ParseError", "Transports"]
