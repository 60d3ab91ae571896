"""A test caller built on rtp.sip and rtp.rtp_io: INVITE, ACK, G.711 audio at 20 ms, RFC 4733 keys, BYE."""
from __future__ import annotations

import asyncio
import hashlib
import re
import secrets

import numpy as np

from rtp.audio.g711 import to_pcm16, ulaw_decode, ulaw_encode
from rtp.rtp_io.packet import build, dtmf_packets
from rtp.rtp_io.packet import parse as parse_rtp
from rtp.sip import sdp
from rtp.sip.message import Request, Response, parse

TEST_MEDIA_SECRET = "testmediasecret0123456789"  # what a media app under test expects from its "Kamailio"


class _Sip(asyncio.DatagramProtocol):
    def __init__(self):
        self.inbox: asyncio.Queue = asyncio.Queue()

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.inbox.put_nowait(parse(data))


class _Rtp(asyncio.DatagramProtocol):
    def __init__(self):
        self.received: list[bytes] = []
        self.source = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.source = addr
        self.received.append(data)


class Caller:
    def __init__(self, target: tuple[str, int], mailbox: str | None = "2001@acme.pbx.example",
                 reason: str = "noanswer", ruri: str | None = None, caller: str = "0612345678",
                 auth: tuple[str, str] | None = None, domain: str = "acme.pbx.example", local_ip: str = "127.0.0.1",
                 service: str | None = None, secret: str | None = TEST_MEDIA_SECRET):
        self.target, self.mailbox, self.reason = target, mailbox, reason
        self.ruri = ruri or f"sip:vm@{target[0]}:{target[1]}"
        self.caller = caller
        self.call_id = f"{secrets.token_hex(8)}@test"
        self.from_tag = secrets.token_hex(4)
        self.to_tag = ""
        self.cseq = 1
        self.remote_rtp = None
        self.ssrc, self.seq, self.ts = secrets.randbits(32), 1000, 5000
        self.bye_received: Request | None = None
        self.auth, self.domain, self.local_ip, self.service = auth, domain, local_ip, service
        self.secret = secret  # plays Kamailio straight to a media app: the shared secret on the INVITE
        self.authorization = ""
        self.remote_target: str | None = None
        self.route_set: list[str] = []

    async def open(self):
        loop = asyncio.get_running_loop()
        self.sip_t, self.sip = await loop.create_datagram_endpoint(_Sip, local_addr=(self.local_ip, 0))
        self.rtp_t, self.rtp = await loop.create_datagram_endpoint(_Rtp, local_addr=(self.local_ip, 0))
        self.addr = self.sip_t.get_extra_info("sockname")
        self.rtp_port = self.rtp_t.get_extra_info("sockname")[1]
        return self

    def _request(self, method: str, body: bytes = b"", cseq: int | None = None, branch: str | None = None) -> bytes:
        to = f"<{self.ruri.split(';')[0]}>" if "@" in self.ruri and not self.ruri.startswith("sip:vm@") \
            else "<sip:2001@acme.pbx.example>"
        to += f";tag={self.to_tag}" if self.to_tag else ""
        extra = ""
        if method == "INVITE" and self.mailbox:
            extra = f"X-Poste-Mailbox: {self.mailbox}\r\nX-Poste-Reason: {self.reason}\r\n"
        if method == "INVITE" and self.service:
            extra += f"X-Poste-Service: {self.service}\r\nX-Poste-Tenant: {self.domain}\r\n"
        if method == "INVITE" and self.secret and not self.to_tag:
            extra += f"X-Poste-Secret: {self.secret}\r\n"
        if method == "INVITE" and self.authorization:
            extra += f"Proxy-Authorization: {self.authorization}\r\n"
        uri = self.ruri
        if self.to_tag and self.remote_target:  # inside the dialog: remote target and route set
            uri = self.remote_target
            extra += "".join(f"Route: {r}\r\n" for r in self.route_set)
        head = (f"{method} {uri} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {self.addr[0]}:{self.addr[1]};branch={branch or 'z9hG4bK' + secrets.token_hex(6)}"
                f";rport\r\nFrom: \"Bob Dupont\" <sip:{self.caller}@{self.domain}>;tag={self.from_tag}\r\n"
                f"To: {to}\r\nCall-ID: {self.call_id}\r\nCSeq: {cseq or self.cseq} {method}\r\n"
                f"Contact: <sip:{self.caller}@{self.addr[0]}:{self.addr[1]}>\r\nMax-Forwards: 70\r\n{extra}")
        if body:
            head += "Content-Type: application/sdp\r\n"
        return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body

    async def _next(self, timeout: float = 10.0):
        return await asyncio.wait_for(self.sip.inbox.get(), timeout)

    async def invite(self, timeout: float = 60.0) -> Response:
        for _attempt in range(2):
            self.invite_branch = "z9hG4bK" + secrets.token_hex(6)
            self.sip_t.sendto(self._request("INVITE", sdp.offer(self.local_ip, self.rtp_port),
                                            branch=self.invite_branch), self.target)
            while True:
                msg = await self._next(timeout)
                if isinstance(msg, Response) and msg.status >= 200 and msg.cseq == (self.cseq, "INVITE"):
                    break
            if msg.status >= 300:
                to_tag, self.to_tag = self.to_tag, msg.to_tag
                self.sip_t.sendto(self._request("ACK", branch=self.invite_branch), self.target)
                self.to_tag = to_tag
                if msg.status in (401, 407) and self.auth and not self.authorization:
                    self.authorization = self._digest(msg)
                    self.cseq += 1
                    continue
                return msg
            break
        self.to_tag = msg.to_tag
        contact = msg.get_all("Contact")
        self.remote_target = contact[0].strip().strip("<>").split(">")[0] if contact else None
        self.route_set = list(reversed(msg.get_all("Record-Route")))
        answer = sdp.parse(msg.body)
        self.remote_rtp = (answer.address, answer.port)
        self.sip_t.sendto(self._request("ACK"), self.target)
        return msg

    def _digest(self, challenge: Response) -> str:
        header = challenge.get("Proxy-Authenticate") or challenge.get("WWW-Authenticate") or ""
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header))
        user, password = self.auth
        realm, nonce = fields.get("realm", self.domain), fields.get("nonce", "")
        uri = self.ruri
        ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"INVITE:{uri}".encode()).hexdigest()
        if "auth" in fields.get("qop", "").split(","):
            cnonce, nc = secrets.token_hex(8), "00000001"
            response = hashlib.md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()).hexdigest()
            return (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
                    f'response="{response}", algorithm=MD5, qop=auth, nc={nc}, cnonce="{cnonce}"')
        response = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
        return f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{response}"'

    async def send_audio(self, samples: np.ndarray) -> None:
        """Stream float samples at 8 kHz as PCMU, one packet every 20 ms (paced on the loop clock)."""
        payload = ulaw_encode(to_pcm16(samples)).tobytes()
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, off in enumerate(range(0, len(payload), 160)):
            chunk = payload[off:off + 160].ljust(160, b"\xff")
            self.rtp_t.sendto(build(0, self.seq, self.ts, self.ssrc, chunk, marker=(i == 0)), self.remote_rtp)
            self.seq, self.ts = (self.seq + 1) & 0xFFFF, (self.ts + 160) & 0xFFFFFFFF
            delay = start + (i + 1) * 0.02 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._check_bye()

    async def silence(self, seconds: float) -> None:
        await self.send_audio(np.zeros(int(seconds * 8000), np.float32))

    async def key(self, digit: str) -> None:
        for pkt in dtmf_packets(digit, 101, self.seq, self.ts, self.ssrc):
            self.rtp_t.sendto(pkt, self.remote_rtp)
            await asyncio.sleep(0.02)
        self.seq = (self.seq + 8) & 0xFFFF
        self.ts = (self.ts + 160 * 8) & 0xFFFFFFFF

    def _check_bye(self) -> None:
        while not self.sip.inbox.empty():
            msg = self.sip.inbox.get_nowait()
            if isinstance(msg, Request) and msg.method == "BYE":
                self.bye_received = msg
                self._answer(msg)
            elif isinstance(msg, Response) and msg.status == 200 and msg.cseq == (self.cseq, "INVITE"):
                self.sip_t.sendto(self._request("ACK"), self.target)  # a retransmitted 2xx: ACK it again

    def _answer(self, req: Request) -> None:
        lines = [f"{k}: {v}" for k, v in req.headers if k in ("Via", "From", "To", "Call-ID", "CSeq")]
        self.sip_t.sendto(("SIP/2.0 200 OK\r\n" + "\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode(),
                          self.target)

    async def wait_bye(self, timeout: float = 20.0) -> Request:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.bye_received is None:
            self._check_bye()
            if self.bye_received is not None:
                break
            if loop.time() > deadline:
                raise TimeoutError("no BYE from the media app")
            await self.silence(0.1)
        return self.bye_received

    async def bye(self) -> Response:
        self._check_bye()
        self.cseq += 1
        self.sip_t.sendto(self._request("BYE"), self.target)
        while True:
            msg = await self._next()
            if isinstance(msg, Response) and msg.cseq[1] == "BYE":
                return msg

    def received_audio(self) -> np.ndarray:
        pcm = [ulaw_decode(parse_rtp(p).payload) for p in self.rtp.received if parse_rtp(p).payload_type == 0]
        return (np.concatenate(pcm).astype(np.float32) / 32768.0) if pcm else np.zeros(0, np.float32)

    def close(self):
        self.sip_t.close()
        self.rtp_t.close()
