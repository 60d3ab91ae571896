"""An authenticated desk phone placing a call through Kamailio, speaking RTP (for voicemail tests).

Built on the media tests' ``Caller`` (tests/media/caller.py: G.711 audio at 20 ms, RFC 4733
keys, BYE handling) with what a phone needs in front of a proxy: digest authentication on
407, and in-dialog requests (ACK of the 2xx, BYE) sent along the Record-Route set to the
Contact of the answer.
"""
from __future__ import annotations

import hashlib
import re
import secrets

from rtp.sip import sdp
from rtp.sip.message import Response, parse_name_addr
from tests.media.caller import Caller


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - SIP digest is MD5


class PhoneCaller(Caller):
    def __init__(self, proxy: tuple[str, int], user: str, domain: str, password: str, dialled: str):
        super().__init__(proxy, mailbox=None, ruri=f"sip:{dialled}@{domain}", caller=user, secret=None)
        self.user, self.domain, self.password, self.dialled = user, domain, password, dialled
        self.authorization = ""
        self.remote_target: str | None = None
        self.routes: list[str] = []

    def _request(self, method: str, body: bytes = b"", cseq: int | None = None, branch: str | None = None) -> bytes:
        in_dialog = self.remote_target is not None and method in ("ACK", "BYE")
        uri = self.remote_target if in_dialog else self.ruri
        to = f"<sip:{self.dialled}@{self.domain}>" + (f";tag={self.to_tag}" if self.to_tag else "")
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.addr[0]}:{self.addr[1]};branch={branch or 'z9hG4bK' + secrets.token_hex(6)}"
                 ";rport",
                 f"From: <sip:{self.user}@{self.domain}>;tag={self.from_tag}", f"To: {to}",
                 f"Call-ID: {self.call_id}", f"CSeq: {cseq or self.cseq} {method}",
                 f"Contact: <sip:{self.user}@{self.addr[0]}:{self.addr[1]}>", "Max-Forwards: 70",
                 "User-Agent: Poste-Test-Phone/1.0"]
        if in_dialog:
            lines += [f"Route: {route}" for route in self.routes]
        if method == "INVITE" and self.authorization:
            lines.append(f"Proxy-Authorization: {self.authorization}")
        if body:
            lines.append("Content-Type: application/sdp")
        return ("\r\n".join(lines) + f"\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    def _authorize(self, challenge: str) -> None:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        ha1 = _md5(f"{self.user}:{fields['realm']}:{self.password}")
        ha2 = _md5(f"INVITE:{self.ruri}")
        response = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        self.authorization = (f'Digest username="{self.user}", realm="{fields["realm"]}", nonce="{fields["nonce"]}", '
                              f'uri="{self.ruri}", response="{response}", algorithm=MD5')

    async def invite(self, timeout: float = 15.0) -> Response:
        offer = sdp.offer("127.0.0.1", self.rtp_port)
        for _attempt in range(2):
            self.invite_branch = "z9hG4bK" + secrets.token_hex(6)
            self.sip_t.sendto(self._request("INVITE", offer, branch=self.invite_branch), self.target)
            while True:
                msg = await self._next(timeout)
                if isinstance(msg, Response) and msg.status >= 200 and msg.cseq[1] == "INVITE":
                    break
            if msg.status >= 300:
                self.sip_t.sendto(self._request("ACK", branch=self.invite_branch), self.target)
            if msg.status != 407:
                break
            self._authorize(msg.get("Proxy-Authenticate") or "")
            self.cseq += 1
        if msg.status >= 300:
            return msg
        self.to_tag = msg.to_tag
        self.remote_target = parse_name_addr(msg.get("Contact")).uri
        self.routes = list(reversed(msg.get_all("Record-Route")))
        answer = sdp.parse(msg.body)
        self.remote_rtp = (answer.address, answer.port)
        self.sip_t.sendto(self._request("ACK"), self.target)
        return msg
