"""The end-to-end test caller: sipp speaks its SIP, Python its audio.

Every SIP message of the call is written and read by sipp (``tests/media/scenarios/caller.xml``),
not by the project's own SIP layer (``rtp.sip``), so the media app's SIP stack meets another
implementation: the INVITE (with the ``X-Poste-*`` headers and the shared secret when the caller
plays Kamailio straight to a media app, digest authentication when challenged), the ACK, our BYE
along the route set, the answers to the far end's BYE and REFER. Python keeps the RTP side, which
the scenario offers in its SDP: G.711 at 20 ms, RFC 4733 keys, what the caller hears.

sipp and Python talk over sipp's 3PCC twin socket (``-3pcc``; sipp is controller B: it listens,
Python connects). Python places a call with a command carrying its Call-ID and RTP port, and asks
for the BYE; sipp reports what it read (answered, with the remote RTP address from the SDP;
refused; a REFER and how it answered it; the far end's BYE; the answer to our BYE) in a few
"Name: value" lines. One sipp process (``SippUac``) can carry many calls: ``bench/media.py``
places its 200 concurrent calls through one.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rtp.audio.g711 import to_pcm16, ulaw_decode, ulaw_encode
from rtp.rtp_io.packet import build, dtmf_packets
from rtp.rtp_io.packet import parse as parse_rtp
from tests.sip_fixtures import free_port

TEST_MEDIA_SECRET = "testmediasecret0123456789"  # what a media app under test expects from its "Kamailio"
SCENARIO = Path(__file__).parent / "scenarios" / "caller.xml"
END = b"\x1b"  # what ends a 3PCC command, both ways
USER_AGENT = "Poste-Test-Phone/1.0"


@dataclass
class Message:
    """A SIP message as sipp read it for us: a response's status, a request's method, and the
    header values the scenario extracts (``get``, by name, case-insensitive)."""

    status: int = 0
    reason: str = ""
    method: str = ""
    call_id: str = ""
    cseq: tuple[int, str] = (0, "")
    headers: dict[str, str] = field(default_factory=dict)
    answered: int = 0  # a request from the far end: the status sipp answered it with

    def get(self, name: str) -> str | None:
        return self.headers.get(name.lower()) or None


class _Rtp(asyncio.DatagramProtocol):
    def __init__(self):
        self.received: list[bytes] = []
        self.source = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.source = addr
        self.received.append(data)


class SippUac:
    """One sipp process placing calls as ``model`` does (its target, identity, headers and
    credentials: every call of the process shares them); each ``Caller`` on it brings its own
    Call-ID and RTP socket. ``trace``: sipp keeps every message in its work folder (read by
    ``explain`` when something fails)."""

    def __init__(self, model: Caller, *, trace: bool = True, lifetime: float = 600, retransmit: bool = True):
        self.model, self.trace, self.lifetime = model, trace, lifetime
        # False: no UDP retransmissions (sipp -nr), for many calls at once on a loaded machine, where a
        # late 407 to a retransmitted first INVITE would otherwise pass for the second one's answer
        self.retransmit = retransmit
        self.calls: dict[str, Caller] = {}
        self.work = Path(tempfile.mkdtemp(prefix="poste-caller-"))
        self.proc: subprocess.Popen | None = None
        self.writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task | None = None

    async def start(self, timeout: float = 10.0) -> SippUac:
        model = self.model
        lines = "".join(f"\n      {line}" for line in model.invite_headers())
        scenario = getattr(model, "scenario", SCENARIO)  # a caller of its own kind may bring its own
        (self.work / "caller.xml").write_text(scenario.read_text().replace("%HEADERS%", lines))
        twin, ip = free_port(), model.local_ip
        argv = [shutil.which("sipp") or "sipp", f"{model.target[0]}:{model.target[1]}", "-sf", "caller.xml",
                "-i", ip, "-p", str(free_port(ip)), "-mp", str(free_port(ip, span=4)), "-3pcc", f"127.0.0.1:{twin}",
                "-nostdin", "-timeout", f"{int(self.lifetime)}s", "-trace_err"]
        argv += ["-trace_msg"] if self.trace else []
        argv += [] if self.retransmit else ["-nr"]
        for name, value in model.variables().items():
            argv += ["-set", name, str(value)]
        if model.auth:
            argv += ["-au", model.auth[0], "-ap", model.auth[1]]
        with open(self.work / "stderr.log", "wb") as stderr:
            self.proc = subprocess.Popen(argv, cwd=self.work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=stderr)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.writer is None:  # sipp listens on the twin port once it has read the scenario
            if self.proc.poll() is not None:
                why = self.explain()
                self.stop()
                raise RuntimeError(f"sipp did not start\n{why}")
            try:
                reader, self.writer = await asyncio.open_connection("127.0.0.1", twin)
            except OSError:
                if loop.time() > deadline:
                    self.stop()
                    raise TimeoutError(f"sipp's twin socket not open within {timeout} s") from None
                await asyncio.sleep(0.02)
        self._reading = asyncio.ensure_future(self._read(reader))
        return self

    def place(self, caller: Caller) -> None:
        self.calls[caller.call_id] = caller
        self.command(caller.call_id, **{"Rtp-Port": caller.rtp_port})

    def command(self, call_id: str, **fields) -> None:
        text = f"Call-ID: {call_id}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        self.writer.write(text.encode() + END)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        buffered = b""
        try:
            while chunk := await reader.read(65536):
                *commands, buffered = (buffered + chunk).split(END)
                for command in commands:
                    fields = _fields(command.decode(errors="replace"))
                    caller = self.calls.get(fields.get("call-id", ""))
                    if caller is not None:
                        caller._event(fields)
        finally:
            status = self.proc.poll() if self.proc else None
            for caller in self.calls.values():
                caller._fail(f"sipp closed its twin socket (exit status {status})")

    def stop(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
        if self.writer is not None:
            self.writer.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if os.environ.get("POSTE_KEEP_SIP_DATA") != "1":  # as tests/sip_fixtures.py's SipStack
            shutil.rmtree(self.work, ignore_errors=True)

    def explain(self) -> str:
        parts = [f"sipp {'exit status ' + str(self.proc.poll()) if self.proc else 'not started'}"]
        for pattern in ("stderr.log", "*_errors.log", "*_messages.log"):
            for path in sorted(self.work.glob(pattern)):
                parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)


def _response(fields: dict[str, str], call_id: str) -> Message:
    """A response sipp reported: its status, reason, CSeq and Server."""
    return Message(status=int(fields["status"]), reason=fields.get("reason", ""), call_id=call_id,
                   cseq=(int(fields["cseq"]), fields.get("method", "")), headers={"server": fields.get("server", "")})


def _fields(command: str) -> dict[str, str]:
    """A 3PCC command's "Name: value" lines (names in lower case)."""
    fields = {}
    for line in command.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


class Caller:
    """A caller straight to a media app (playing Kamailio: the ``X-Poste-*`` headers, the shared
    secret) or, with ``auth``, through Kamailio. ``refuse_refers``: how many REFERs from the far
    end are answered 403 before the next ones are accepted (202). ``sipp``: a running ``SippUac``
    to place the call on (else the caller starts its own at ``open`` and stops it at ``close``)."""

    def __init__(self, target: tuple[str, int], mailbox: str | None = "2001@acme.pbx.example",
                 reason: str = "noanswer", ruri: str | None = None, caller: str = "0612345678",
                 auth: tuple[str, str] | None = None, domain: str = "acme.pbx.example", local_ip: str = "127.0.0.1",
                 service: str | None = None, secret: str | None = TEST_MEDIA_SECRET, *,
                 display_name: str | None = "Bob Dupont", refuse_refers: int = 0, sipp: SippUac | None = None):
        self.target, self.mailbox, self.reason = target, mailbox, reason
        self.ruri = ruri or f"sip:vm@{target[0]}:{target[1]}"
        self.caller, self.display_name = caller, display_name
        self.auth, self.domain, self.local_ip, self.service = auth, domain, local_ip, service
        self.secret = secret  # plays Kamailio straight to a media app: the shared secret on the INVITE
        self.refuse_refers = refuse_refers
        self.call_id = f"{secrets.token_hex(8)}@test"
        self.remote_rtp: tuple[str, int] | None = None
        self.ssrc, self.seq, self.ts = secrets.randbits(32), 1000, 5000
        self.answer: Message | None = None  # the final answer to the INVITE
        self.bye_received: Message | None = None  # the far end hung up
        self.bye_answer: Message | None = None  # the final answer to our BYE
        self.refers: list[Message] = []  # every REFER from the far end, in order
        self.sipp, self._own_sipp = sipp, sipp is None
        self._failure = ""
        self._changed: asyncio.Event | None = None

    # ------------------------------------------------------------ what sipp is told
    def variables(self) -> dict[str, str | int]:
        """The scenario's -set values: who calls whom."""
        to = f"<{self.ruri.split(';')[0]}>" if "@" in self.ruri and not self.ruri.startswith("sip:vm@") \
            else "<sip:2001@acme.pbx.example>"
        sender = f"<sip:{self.caller}@{self.domain}>"
        return {"ruri": self.ruri, "from": f'"{self.display_name}" {sender}' if self.display_name else sender,
                "to": to, "user": self.caller, "ua": USER_AGENT, "refuse_refers": self.refuse_refers}

    def invite_headers(self) -> list[str]:
        """The INVITE's own header lines: what Kamailio adds for the media app."""
        lines = []
        if self.mailbox:
            lines += [f"X-Poste-Mailbox: {self.mailbox}", f"X-Poste-Reason: {self.reason}"]
        if self.service:
            lines += [f"X-Poste-Service: {self.service}", f"X-Poste-Tenant: {self.domain}"]
        if self.secret:
            lines.append(f"X-Poste-Secret: {self.secret}")
        return lines

    # ------------------------------------------------------------ the call
    async def open(self) -> Caller:
        loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self.rtp_t, self.rtp = await loop.create_datagram_endpoint(_Rtp, local_addr=(self.local_ip, 0))
        self.rtp_port = self.rtp_t.get_extra_info("sockname")[1]
        if self.sipp is None:
            try:
                self.sipp = await SippUac(self).start()
            except BaseException:
                self.rtp_t.close()
                raise
        return self

    async def invite(self, timeout: float = 60.0) -> Message:
        """Place the call; the final answer (``status``, ``reason``, ``get("Server")``). On a 200
        the remote RTP address is known and the ACK has gone out."""
        self.sipp.place(self)
        answer = await self.until(lambda: self.answer, timeout, "the final answer to the INVITE", audio=False)
        assert answer.cseq[1] == "INVITE", f"{answer} answers no INVITE"
        return answer

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

    async def silence(self, seconds: float) -> None:
        await self.send_audio(np.zeros(int(seconds * 8000), np.float32))

    async def key(self, digit: str) -> None:
        for pkt in dtmf_packets(digit, 101, self.seq, self.ts, self.ssrc):
            self.rtp_t.sendto(pkt, self.remote_rtp)
            await asyncio.sleep(0.02)
        self.seq = (self.seq + 8) & 0xFFFF
        self.ts = (self.ts + 160 * 8) & 0xFFFFFFFF

    async def wait_bye(self, timeout: float = 20.0) -> Message:
        """The far end's BYE (sipp answered it 200), sending silence meanwhile."""
        return await self.until(lambda: self.bye_received, timeout, "the far end's BYE")

    async def bye(self, timeout: float = 10.0) -> Message:
        """Hang up: sipp sends the BYE along the route set; its final answer."""
        if self.answer is None or self.answer.status != 200 or self.bye_received is not None:
            raise AssertionError(f"no call to hang up (answer {self.answer}, far end's BYE {self.bye_received})")
        self.sipp.command(self.call_id, Command="bye")

        def answered():
            if self.bye_received is not None and self.bye_answer is None:
                raise AssertionError("the far end hung up while our BYE was on its way")
            return self.bye_answer
        answer = await self.until(answered, timeout, "the final answer to our BYE", audio=False)
        assert answer.cseq[1] == "BYE", f"{answer} answers no BYE"
        return answer

    def received_audio(self) -> np.ndarray:
        pcm = [ulaw_decode(parse_rtp(p).payload) for p in self.rtp.received if parse_rtp(p).payload_type == 0]
        return (np.concatenate(pcm).astype(np.float32) / 32768.0) if pcm else np.zeros(0, np.float32)

    def close(self) -> None:
        self.rtp_t.close()
        if self.sipp is not None:
            self.sipp.calls.pop(self.call_id, None)
            if self._own_sipp:
                self.sipp.stop()

    # ------------------------------------------------------------ what sipp reports
    def _event(self, fields: dict[str, str]) -> None:
        event = fields.get("event")
        if fields.get("internal-cmd") == "abort_call":
            self._fail("sipp aborted the call (an unexpected message)")
        elif event in ("answered", "refused"):
            self.answer = _response(fields, self.call_id)
            if event == "answered":
                self.remote_rtp = (fields["rtp-address"], int(fields["rtp-port"]))
        elif event == "refer":
            cseq = (int(fields["cseq"]), fields.get("method", ""))
            self.refers.append(Message(method=cseq[1], call_id=fields.get("refer-call-id", ""), cseq=cseq,
                                       answered=int(fields["answered"]),
                                       headers={"refer-to": fields.get("refer-to", ""),
                                                "referred-by": fields.get("referred-by", "")}))
        elif event == "bye":
            self.bye_received = Message(method="BYE", call_id=self.call_id)
        elif event == "bye-answered":
            self.bye_answer = _response(fields, self.call_id)
        self._changed.set()

    def _fail(self, why: str) -> None:
        self._failure = self._failure or why
        if self._changed is not None:
            self._changed.set()

    async def until(self, condition, timeout: float, what: str, audio: bool = True):
        """``condition()`` once it holds (a deadline, not a duration), checked again every 100 ms
        of silence sent (``audio``, once answered: the call's audio keeps flowing) or else at each
        report from sipp; an AssertionError when sipp gives up on the call or at the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self._failure:
                raise AssertionError(f"{what}: {self._failure}\n{self.sipp.explain()}")
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}" + ("" if audio else f"\n{self.sipp.explain()}"))
            if audio and self.remote_rtp is not None:
                await self.silence(min(0.1, left))
                continue
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass
