"""Message-waiting (F1): RFC 3842 ``message-summary`` bodies and an unsolicited NOTIFY sender.

The job worker sends one NOTIFY per change to Kamailio (``sip:<ext>@<domain>``), which
relays it to every registered contact of the extension (see rtp/README.md). The
sender is a minimal RFC 3261 non-INVITE client over UDP: retransmission with timer
E, a final answer within 64*T1, anything else an error (the job is retried).
"""
from __future__ import annotations

import secrets
import socket
import time

from tenants.voicemail.rules import MwiCounts

T1, T2 = 0.5, 4.0


def message_summary(counts: MwiCounts, account: str) -> bytes:
    """RFC 3842 section 5.2 body."""
    return (f"Messages-Waiting: {'yes' if counts.waiting else 'no'}\r\n"
            f"Message-Account: {account}\r\n"
            f"Voice-Message: {counts.new}/{counts.old} (0/0)\r\n").encode()


def build_notify(ext: str, domain: str, body: bytes, local: tuple[str, int], branch: str, call_id: str) -> bytes:
    return (f"NOTIFY sip:{ext}@{domain} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch={branch};rport\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: <sip:voicemail@{domain}>;tag={secrets.token_hex(6)}\r\n"
            f"To: <sip:{ext}@{domain}>\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: 1 NOTIFY\r\n"
            f"Contact: <sip:voicemail@{local[0]}:{local[1]}>\r\n"
            f"Event: message-summary\r\n"
            f"Subscription-State: active;expires=3600\r\n"
            f"Content-Type: application/simple-message-summary\r\n"
            f"User-Agent: Poste-Voicemail\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def send_notify(proxy: tuple[str, int], ext: str, domain: str, counts: MwiCounts, bind: str = "127.0.0.1",
                t1: float = T1) -> int:
    """Send one NOTIFY through the proxy; return the final status code, or raise TimeoutError."""
    body = message_summary(counts, f"sip:{ext}@{domain}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((bind, 0))
        branch = f"z9hG4bK{secrets.token_hex(8)}"
        data = build_notify(ext, domain, body, sock.getsockname(), branch,
                            f"mwi-{secrets.token_hex(8)}@{bind}")
        deadline = time.monotonic() + 64 * t1
        interval = t1
        sock.sendto(data, proxy)
        next_send = time.monotonic() + interval
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise TimeoutError(f"NOTIFY to {ext}@{domain} not answered")
            sock.settimeout(max(0.01, min(next_send, deadline) - now))
            try:
                reply = sock.recv(65535)
            except TimeoutError:
                if time.monotonic() >= next_send:
                    interval = min(2 * interval, T2)
                    sock.sendto(data, proxy)
                    next_send = time.monotonic() + interval
                continue
            status_line = reply.split(b"\r\n", 1)[0].split(b" ")
            if len(status_line) < 2 or not status_line[1].isdigit() or branch.encode() not in reply:
                continue
            status = int(status_line[1])
            if status >= 200:
                return status
            interval = T2  # provisional: keep waiting, retransmit slowly
