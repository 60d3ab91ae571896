"""SDP offer/answer (RFC 4566, RFC 3264) for one audio stream: PCMU, PCMA and telephone-event."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

PCMU, PCMA = 0, 8
STATIC = {0: "PCMU", 8: "PCMA"}
_version = itertools.count(1)


class SdpError(ValueError):
    pass


@dataclass
class Offer:
    address: str
    port: int
    payloads: list[int]
    rtpmap: dict[int, str] = field(default_factory=dict)
    direction: str = "sendrecv"
    ptime: int | None = None

    def codec_name(self, pt: int) -> str:
        return self.rtpmap.get(pt, STATIC.get(pt, "")).split("/")[0].upper()


@dataclass(frozen=True)
class Negotiated:
    remote_address: str
    remote_port: int
    codec: int  # 0 PCMU or 8 PCMA
    dtmf_pt: int | None  # telephone-event payload type, if offered
    direction: str


def parse(body: bytes) -> Offer:
    """The first audio stream of an SDP body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SdpError("SDP is not UTF-8") from exc
    session_addr, media = None, None
    direction = "sendrecv"
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        if kind == "c":
            parts = value.split()
            if len(parts) < 3 or parts[0] != "IN" or parts[1] not in ("IP4", "IP6"):
                raise SdpError("bad c= line")
            address = parts[2].split("/")[0]
            if media is None:
                session_addr = address
            elif media is not False:
                media.address = address
        elif kind == "m":
            if isinstance(media, Offer):
                break  # the first audio stream is the one we answer
            parts = value.split()
            if len(parts) < 4 or parts[0] != "audio":
                media = False
                continue
            if not parts[1].split("/")[0].isdigit() or not parts[2].startswith("RTP/"):
                raise SdpError("bad m= line")
            try:
                payloads = [int(p) for p in parts[3:]]
            except ValueError as exc:
                raise SdpError("bad payload type") from exc
            media = Offer(address=session_addr or "", port=int(parts[1].split("/")[0]), payloads=payloads)
        elif kind == "a" and isinstance(media, Offer):
            name, _, arg = value.partition(":")
            if name == "rtpmap":
                pt, _, encoding = arg.partition(" ")
                if pt.strip().isdigit():
                    media.rtpmap[int(pt)] = encoding.strip()
            elif name in ("sendrecv", "sendonly", "recvonly", "inactive"):
                media.direction = name
            elif name == "ptime" and arg.strip().isdigit():
                media.ptime = int(arg.strip())
        elif kind == "a" and media is None and value in ("sendrecv", "sendonly", "recvonly", "inactive"):
            direction = value
    if not isinstance(media, Offer):
        raise SdpError("no audio stream")
    if not media.address:
        raise SdpError("no connection address")
    if media.direction == "sendrecv" and direction != "sendrecv":
        media.direction = direction
    return media


def negotiate(offer: Offer) -> Negotiated:
    """Pick the caller's first G.711 codec (RFC 3264: the offerer's order) and telephone-event."""
    if offer.port == 0:
        raise SdpError("audio stream rejected by the offerer")
    codec = next((pt for pt in offer.payloads if offer.codec_name(pt) in ("PCMU", "PCMA")
                  and (pt in STATIC or offer.rtpmap.get(pt, "").upper().endswith("/8000"))), None)
    if codec is None:
        raise SdpError("no common codec")
    codec = PCMU if offer.codec_name(codec) == "PCMU" else PCMA
    dtmf = next((pt for pt in offer.payloads
                 if offer.rtpmap.get(pt, "").lower().startswith("telephone-event/8000")), None)
    answer_dir = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}.get(offer.direction, "sendrecv")
    return Negotiated(offer.address, offer.port, codec, dtmf, answer_dir)


def answer(neg: Negotiated, local_address: str, local_port: int, session_id: int | None = None,
           version: int | None = None) -> bytes:
    sid = session_id or int(time.time() * 1000) % 10**10
    ver = version if version is not None else next(_version)
    ip = "IP6" if ":" in local_address else "IP4"
    formats = [str(neg.codec)] + ([str(neg.dtmf_pt)] if neg.dtmf_pt is not None else [])
    lines = [
        "v=0",
        f"o=poste {sid} {ver} IN {ip} {local_address}",
        "s=poste",
        f"c=IN {ip} {local_address}",
        "t=0 0",
        f"m=audio {local_port} RTP/AVP {' '.join(formats)}",
        f"a=rtpmap:{neg.codec} {STATIC[neg.codec]}/8000",
    ]
    if neg.dtmf_pt is not None:
        lines += [f"a=rtpmap:{neg.dtmf_pt} telephone-event/8000", f"a=fmtp:{neg.dtmf_pt} 0-16"]
    lines += ["a=ptime:20", f"a={neg.direction}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def offer(local_address: str, local_port: int, dtmf_pt: int = 101) -> bytes:
    """An offer of PCMU, PCMA and telephone-event (for the test caller and the UAC side)."""
    ip = "IP6" if ":" in local_address else "IP4"
    sid = int(time.time() * 1000) % 10**10
    return ("\r\n".join([
        "v=0", f"o=caller {sid} 1 IN {ip} {local_address}", "s=-", f"c=IN {ip} {local_address}", "t=0 0",
        f"m=audio {local_port} RTP/AVP 0 8 {dtmf_pt}", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
        f"a=rtpmap:{dtmf_pt} telephone-event/8000", f"a=fmtp:{dtmf_pt} 0-16", "a=ptime:20", "a=sendrecv",
    ]) + "\r\n").encode()
