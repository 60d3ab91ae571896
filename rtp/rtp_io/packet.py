"""RTP packets (RFC 3550 section 5.1) and telephone-events (RFC 4733 section 2.3)."""
from __future__ import annotations

import struct
from dataclasses import dataclass

DIGITS = "0123456789*#ABCD"
_HEADER = struct.Struct("!BBHII")


class RtpError(ValueError):
    pass


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes


def parse(data: bytes) -> RtpPacket:
    if len(data) < 12:
        raise RtpError("short packet")
    b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
    if b0 >> 6 != 2:
        raise RtpError("not RTP version 2")
    offset = 12 + 4 * (b0 & 0x0F)
    if b0 & 0x10:  # header extension
        if len(data) < offset + 4:
            raise RtpError("short extension")
        offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
    end = len(data)
    if b0 & 0x20:  # padding
        if end == 0 or data[-1] == 0 or data[-1] > end - offset:
            raise RtpError("bad padding")
        end -= data[-1]
    if offset > end:
        raise RtpError("truncated header")
    return RtpPacket(b1 & 0x7F, seq, ts, ssrc, bool(b1 & 0x80), data[offset:end])


def build(payload_type: int, sequence: int, timestamp: int, ssrc: int, payload: bytes, marker: bool = False) -> bytes:
    return _HEADER.pack(0x80, (0x80 if marker else 0) | payload_type, sequence & 0xFFFF,
                        timestamp & 0xFFFFFFFF, ssrc) + payload


@dataclass(frozen=True)
class DtmfEvent:
    digit: str
    end: bool
    volume: int
    duration: int


def parse_event(payload: bytes) -> DtmfEvent | None:
    if len(payload) < 4:
        return None
    event, flags, duration = payload[0], payload[1], struct.unpack("!H", payload[2:4])[0]
    if event >= len(DIGITS):
        return None
    return DtmfEvent(DIGITS[event], bool(flags & 0x80), flags & 0x3F, duration)


class DtmfReceiver:
    """Turns a stream of RFC 4733 packets into digits, once each.

    A digit is reported at the first packet of its event (a new RTP timestamp);
    retransmitted end packets and the continuation packets of the same event are
    absorbed.
    """

    def __init__(self):
        self._last_ts: int | None = None

    def feed(self, packet: RtpPacket) -> str | None:
        event = parse_event(packet.payload)
        if event is None:
            return None
        if packet.timestamp == self._last_ts:
            return None
        self._last_ts = packet.timestamp
        return event.digit


def dtmf_packets(digit: str, payload_type: int, sequence: int, timestamp: int, ssrc: int,
                 duration_ms: int = 100) -> list[bytes]:
    """The packets a phone sends for one key press: updates every 20 ms, then three end packets."""
    code = DIGITS.index(digit.upper())
    packets = []
    steps = max(1, duration_ms // 20)
    for i in range(1, steps + 1):
        payload = struct.pack("!BBH", code, 10, 160 * i)
        packets.append(build(payload_type, sequence + i - 1, timestamp, ssrc, payload, marker=(i == 1)))
    end = struct.pack("!BBH", code, 0x80 | 10, 160 * steps)
    for j in range(3):
        packets.append(build(payload_type, sequence + steps + j, timestamp, ssrc, end))
    return packets
