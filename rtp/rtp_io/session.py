"""One call's RTP: receive audio and RFC 4733 digits, send prompts on the shared clock."""
from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections import deque
from collections.abc import Callable

import numpy as np

from rtp.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from rtp.rtp_io.packet import DtmfReceiver, RtpError, build, parse

log = logging.getLogger(__name__)
FRAME = 160  # 20 ms at 8 kHz
SILENCE = {0: b"\xff" * FRAME, 8: b"\xd5" * FRAME}


def encode(pcm: np.ndarray, codec: int) -> bytes:
    """int16 PCM to PCMU (0) or PCMA (8) bytes."""
    return (ulaw_encode(pcm) if codec == 0 else alaw_encode(pcm)).tobytes()


def decode(payload: bytes, codec: int) -> np.ndarray:
    return ulaw_decode(payload) if codec == 0 else alaw_decode(payload)


def bind_rtp(host: str, ports: tuple[int, int] | None = None) -> socket.socket:
    """A UDP socket bound on ``host``: to an even port of ``ports`` (RTP's convention), starting at a
    random one so calls spread over the range; OSError when every one is taken."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    first, last = ports or (0, 0)
    candidates = list(range(first + first % 2, last + 1, 2)) or [0]
    start = secrets.randbelow(len(candidates))
    for port in candidates[start:] + candidates[:start]:
        try:
            sock.bind((host, port))
            sock.setblocking(False)
            return sock
        except OSError as exc:
            error = exc
    sock.close()
    raise OSError(error.errno, f"no free RTP port in {first}-{last} on {host}")


class RtpSession(asyncio.DatagramProtocol):
    """RTP endpoint of one call. ``tick`` is called by the shared ``Clock`` every 20 ms."""

    def __init__(self, codec: int, dtmf_pt: int | None, on_audio: Callable[[np.ndarray], None] | None = None,
                 on_digit: Callable[[str], None] | None = None):
        self.codec, self.dtmf_pt = codec, dtmf_pt
        self.on_audio, self.on_digit = on_audio, on_digit
        self.remote: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.ssrc = secrets.randbits(32)
        self.seq = secrets.randbits(16)
        self.ts = secrets.randbits(32)
        self._queue: deque[tuple[bytes, Callable[[], None] | None]] = deque()
        self._current: bytes = b""
        self._offset = 0
        self._done: Callable[[], None] | None = None
        self._marker = True
        self.dtmf = DtmfReceiver()
        self.sent = self.received = self.bad = 0
        self.latched = False
        # a bridge (rtp/mediaapp/bridge.py): every packet goes out of that session as it came,
        # nothing decoded; the session itself sends nothing then (off the clock)
        self.relay: RtpSession | None = None

    # ------------------------------------------------------------- socket
    @classmethod
    async def open(cls, host: str, *args, ports: tuple[int, int] | None = None, **kwargs) -> RtpSession:
        """A session on ``host``: on a free even port of ``ports`` (first, last), else any free port."""
        loop = asyncio.get_running_loop()
        _t, session = await loop.create_datagram_endpoint(lambda: cls(*args, **kwargs), sock=bind_rtp(host, ports))
        return session

    @property
    def local_port(self) -> int:
        return self.transport.get_extra_info("sockname")[1] if self.transport else 0

    def connection_made(self, transport) -> None:
        self.transport = transport

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self._queue.clear()
        self._current = b""

    def datagram_received(self, data: bytes, addr) -> None:
        if self.relay is not None:  # bridged: not even parsed (rtpengine on both sides checks RTP)
            self.received += 1
            if not self.latched:
                self.remote, self.latched = (addr[0], addr[1]), True
            self.relay.forward(data)
            return
        try:
            packet = parse(data)
        except RtpError:
            self.bad += 1
            return
        self.received += 1
        if not self.latched:  # symmetric RTP: answer where the media really comes from
            self.remote, self.latched = (addr[0], addr[1]), True
        if packet.payload_type == self.codec:
            if self.on_audio is not None:
                self.on_audio(decode(packet.payload, self.codec))
        elif self.dtmf_pt is not None and packet.payload_type == self.dtmf_pt:
            digit = self.dtmf.feed(packet)
            if digit and self.on_digit is not None:
                self.on_digit(digit)

    def forward(self, data: bytes) -> None:
        """Send a packet of the bridged session unchanged (its SSRC, sequence and timestamps)."""
        if self.remote is not None and self.transport is not None:
            self.transport.sendto(data, self.remote)
            self.sent += 1

    def error_received(self, exc) -> None:
        log.debug("RTP socket error: %s", exc)

    # ------------------------------------------------------------- playback
    def play(self, audio: bytes, done: Callable[[], None] | None = None) -> None:
        """Queue encoded audio (this session's codec); ``done`` runs after its last frame is sent."""
        self._queue.append((audio, done))

    def stop_playback(self) -> None:
        """Drop what is playing and queued; their ``done`` callbacks are not called."""
        self._queue.clear()
        self._current, self._offset, self._done = b"", 0, None

    @property
    def playing(self) -> bool:
        return bool(self._queue) or self._offset < len(self._current)

    def tick(self) -> None:
        if self._offset >= len(self._current):
            if self._done is not None:
                done, self._done = self._done, None
                asyncio.get_running_loop().call_soon(done)
            if self._queue:
                self._current, self._done = self._queue.popleft()
                self._offset = 0
        if self._offset < len(self._current):
            payload = self._current[self._offset:self._offset + FRAME]
            self._offset += FRAME
            if len(payload) < FRAME:
                payload += SILENCE[self.codec][: FRAME - len(payload)]
        else:
            payload = SILENCE[self.codec]
        if self.remote is not None and self.transport is not None:
            self.transport.sendto(build(self.codec, self.seq, self.ts, self.ssrc, payload, self._marker), self.remote)
            self._marker = False
            self.sent += 1
        self.seq = (self.seq + 1) & 0xFFFF
        self.ts = (self.ts + FRAME) & 0xFFFFFFFF
