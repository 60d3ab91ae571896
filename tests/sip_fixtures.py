"""A running Kamailio + rtpengine for tests, and helpers to drive them with sipp.

``SipStack`` gets its own POSTE_DATA under /tmp (UNIX socket paths must stay
short), its own SQLite database migrated by the project's command, and free
ports, so several pytest-xdist workers can each run one. Everything waits on a
condition with a deadline, never on a fixed sleep.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kamailio import rpc, service
from tenants import migrations
from tenants.config import load_settings
from tenants.db import database
from tenants.runtime import start

SCENARIOS = Path(__file__).parent / "kamailio" / "scenarios"
RTP_ADDRESS = "127.0.0.5"  # rtpengine's own address, so an SDP shows who wrote it


def assert_ok(run) -> None:
    """A sipp run (or any result with ``ok`` and ``explain()``) ended as its scenario expects."""
    assert run.ok, run.explain()


def wait_for(condition, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port(address: str = "127.0.0.1", span: int = 1) -> int:
    """A port free for both UDP and TCP on ``address``, with the ``span - 1`` ports after it.

    sipp's ``-mp`` takes the port given for audio and the one two above for video: ask
    for a span of 4 there.
    """
    low, high = _port_range()
    for _ in range(500):
        port = random.randrange(low, high - span, 2)
        wanted = range(port, port + span)
        # Never hand out a port twice in this process: a background sipp given one a moment
        # ago may not have bound it yet, so "bindable" alone is not "free".
        if not _issued.intersection(wanted) and all(_bindable(address, p) for p in wanted):
            _issued.update(wanted)
            return port
    raise RuntimeError("no free port")


_issued: set[int] = set()


def _port_range() -> tuple[int, int]:
    """This test process's share of 20000-29999: parallel workers never pick the same port
    between checking it and binding it (within one worker, tests run one at a time)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    size = 10000 // max(count, 1)
    return 20000 + index * size, 20000 + (index + 1) * size


def _bindable(address: str, port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


def rtpengine_ping(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        try:
            s.sendto(b"ping1 d7:command4:pinge", ("127.0.0.1", port))
            return b"pong" in s.recv(1000)
        except OSError:
            return False


class SipStack:
    def __init__(self, database_url: str = "", **options):
        self.data_dir = Path(tempfile.mkdtemp(prefix="poste-sip-"))
        self.sip_port = free_port()
        env = {"POSTE_DATA": str(self.data_dir), "POSTE_SIP_PORT": str(self.sip_port),
               "POSTE_SIP_ADDRESS": "127.0.0.1", "POSTE_SMTP_PORT": "1"}
        if database_url:  # an empty PostgreSQL database, say; SQLite under POSTE_DATA by default
            env["DATABASE_URL"] = database_url
        self.settings = load_settings(env)
        rtp_base = random.randrange(31000, 59000, 200)
        defaults = dict(rtp_address=RTP_ADDRESS,
                        rtp_port_min=rtp_base, rtp_port_max=rtp_base + 199,
                        rtpengine_ng_port=free_port(), children=2, pike_density=40, auth_fail_max=4,
                        ban_seconds=600, log_level=2, media_nodes=())
        defaults.update(options)
        self.options = service.Options(**defaults)
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, object] = {}
        self.db = None

    # ------------------------------------------------------------ life cycle
    def start(self) -> SipStack:
        _settings, self.db = start(self.settings)
        self.db.connect(reuse_if_open=True)
        migrations.upgrade()
        service.prepare(self.settings, self.options)
        commands = dict(service.commands(self.settings, self.options))
        self._spawn("rtpengine", commands["rtpengine"])
        wait_for(lambda: rtpengine_ping(self.options.rtpengine_ng_port), 15, what="rtpengine")
        self._spawn("kamailio", commands["kamailio"])
        self.wait_kamailio()
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.settings.log_dir / f"{name}.log", "ab")
        self.logs[name] = log
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    def wait_kamailio(self) -> None:
        def ready():
            proc = self.procs["kamailio"]
            if proc.poll() is not None:
                raise RuntimeError(f"kamailio exited ({proc.returncode}):\n{self.log_tail('kamailio')}")
            return rpc.is_running(self.settings)

        wait_for(ready, 30, what="kamailio")

    def stop_process(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.logs.pop(name).close()

    def restart_kamailio(self) -> None:
        self.stop_process("kamailio")
        argv = dict(service.commands(self.settings, self.options))["kamailio"]
        self._spawn("kamailio", argv)
        self.wait_kamailio()

    def stop(self) -> None:
        for name in ("kamailio", "rtpengine"):
            self.stop_process(name)
        if self.db is not None and not self.db.is_closed():
            self.db.close()
        if os.environ.get("POSTE_KEEP_SIP_DATA") != "1":
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def use_database(self) -> None:
        """Point the shared database handle at this stack's database (other tests move it)."""
        database.initialize(self.db)
        self.db.connect(reuse_if_open=True)

    def registrar(self) -> rpc.KamailioRegistrar:
        """The registrar port over this stack's Kamailio, as the composition root installs it."""
        return rpc.KamailioRegistrar(self.settings)

    def log_tail(self, name: str, lines: int = 60) -> str:
        path = self.settings.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ------------------------------------------------------------ sipp
    def sipp(self, scenario: str, *, local_ip: str = "127.0.0.1", variables: dict | None = None,
             substitutions: dict | None = None, calls: int = 1, rate: float | None = None,
             auth: tuple[str, str] | None = None, timeout: float = 20, extra: list[str] | None = None,
             background: bool = False, port: int | None = None):
        """Run a sipp scenario of tests/kamailio/scenarios against this Kamailio.

        ``substitutions`` replace ``%NAME%`` placeholders of the XML; ``variables``
        become ``-set`` values. Returns the finished ``Sipp`` (or a running one with
        ``background=True``).
        """
        text = (SCENARIOS / f"{scenario}.xml").read_text()
        subs = {"MEDIA_ADDR": self.options.rtp_address.replace(".", r"\."), "HOLD_MS": "200", "EXTRA": ""}
        subs.update(substitutions or {})
        for key, value in subs.items():
            text = text.replace(f"%{key}%", str(value))
        work = Path(tempfile.mkdtemp(prefix="sipp-", dir=self.data_dir))
        xml = work / f"{scenario}.xml"
        xml.write_text(text)
        port = port or free_port(local_ip)
        argv = [shutil.which("sipp") or "sipp", f"127.0.0.1:{self.sip_port}", "-sf", str(xml), "-i", local_ip,
                "-p", str(port), "-m", str(calls), "-nostdin", "-timeout", f"{int(timeout)}s", "-timeout_error",
                "-trace_err", "-trace_msg", "-max_recv_loops", "1000", "-mp", str(free_port(local_ip, span=4))]
        if rate is not None:
            argv += ["-r", str(rate)]
        for key, value in (variables or {}).items():
            argv += ["-set", key, str(value)]
        if auth:
            argv += ["-au", auth[0], "-ap", auth[1]]
        argv += extra or []
        proc = subprocess.Popen(argv, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        runner = Sipp(proc, work, port, timeout)
        if not background:
            runner.wait()
        return runner

    def register(self, user: str, domain: str, password: str, *, expect: int = 200, contact_port: int | None = None,
                 local_ip: str = "127.0.0.1", expires: int = 3600, ua: str = "Poste-Test-Phone/1.0"):
        return self.sipp("register", local_ip=local_ip, auth=(user, password),
                         substitutions={"EXPECT": expect},
                         variables={"user": user, "domain": domain, "cport": contact_port or 5999,
                                    "expires": expires, "ua": ua})

    def call(self, caller: str, domain: str, password: str, callee: str, *, expect: int = 200,
             local_ip: str = "127.0.0.1", callee_domain: str | None = None, hold_ms: int = 200,
             extra_headers: str = "", **kw):
        """``caller@domain`` calls ``callee`` (in ``callee_domain``, default the same).

        ``extra_headers`` (failing calls only): header lines added to the authenticated INVITE."""
        variables = {"user": caller, "domain": domain, "ruser": callee, "ua": "Poste-Test-Phone/1.0"}
        if expect == 200:
            scenario = "call"
        else:
            scenario = "call_fail"
            variables["rdomain"] = callee_domain or domain
        return self.sipp(scenario, local_ip=local_ip, auth=(caller, password),
                         substitutions={"EXPECT": expect, "HOLD_MS": hold_ms,
                                        "EXTRA": "".join("\n      " + line for line in extra_headers.splitlines()
                                                         if line.strip())},
                         variables=variables, **kw)

    def phone(self, user: str, domain: str, password: str, *, local_ip: str = "127.0.0.1", timeout: float = 20):
        """A sipp UAS that registered as ``user@domain`` and answers one call."""
        port = free_port(local_ip)
        uas = self.sipp("uas", local_ip=local_ip, port=port, background=True, timeout=timeout)
        self.register(user, domain, password, contact_port=port, local_ip=local_ip)
        return uas


def probe(local_ip: str, port: int, *, ua: str = "Poste-Test-Phone/1.0", domain: str = "acme.pbx.example",
          wait: float = 1.0) -> int | None:
    """Send one OPTIONS from ``local_ip`` to Kamailio; its status code, or None if nothing came within ``wait`` s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((local_ip, 0))
        s.settimeout(wait)
        lport = s.getsockname()[1]
        tag = random.randint(1, 10**9)
        msg = (f"OPTIONS sip:{domain} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP {local_ip}:{lport};branch=z9hG4bK{tag};rport\r\n"
               f"From: <sip:probe@{domain}>;tag={tag}\r\nTo: <sip:{domain}>\r\n"
               f"Call-ID: probe-{tag}@{local_ip}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
               f"User-Agent: {ua}\r\nContent-Length: 0\r\n\r\n")
        s.sendto(msg.encode(), ("127.0.0.1", port))
        try:
            data = s.recv(4000)
        except TimeoutError:
            return None
        return int(data.split(b" ", 2)[1])


def flood(local_ip: str, port: int, count: int) -> None:
    """Send ``count`` OPTIONS as fast as possible from ``local_ip`` (answers ignored)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((local_ip, 0))
        lport = s.getsockname()[1]
        for i in range(count):
            msg = (f"OPTIONS sip:acme.pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP {local_ip}:{lport};branch=z9hG4bKf{i}\r\n"
                   f"From: <sip:f@acme.pbx.example>;tag=f{i}\r\nTo: <sip:acme.pbx.example>\r\n"
                   f"Call-ID: flood-{i}-{lport}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
            s.sendto(msg.encode(), ("127.0.0.1", port))


class FakeMediaNode:
    """A stand-in for the media app as a dispatcher destination: answers OPTIONS with 200,
    keeps every INVITE it gets and refuses it with ``status`` (so the caller sees who answered);
    ``status=0``: never answers an INVITE (a media app that hangs)."""

    def __init__(self, address: str, port: int | None = None, status: int = 603, reason: str = "Fake Media Node"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port or 0))
        self.address, self.port = self.sock.getsockname()
        self.status, self.reason = status, reason
        self.invites: list[str] = []
        self.options = 0
        self.responses: dict[str, list[int]] = {}  # Call-ID -> statuses of answers to our requests
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> FakeMediaNode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop = True
        self._thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        seen: set[str] = set()
        while not self._stop:
            try:
                data, addr = self.sock.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            text = data.decode(errors="replace")
            first = text.split("\r\n", 1)[0]
            method = first.split(" ", 1)[0]
            if first.startswith("SIP/2.0"):
                self.responses.setdefault(header(text, "Call-ID"), []).append(int(first.split(" ", 2)[1]))
                continue
            if method == "ACK":
                continue
            if method == "INVITE":
                key = header(text, "Call-ID") + header(text, "CSeq")
                if key not in seen:  # retransmissions get the same answer, kept once
                    seen.add(key)
                    self.invites.append(text)
                if not self.status:
                    continue
                code, reason = self.status, self.reason
            else:
                self.options += method == "OPTIONS"
                code, reason = 200, "OK"
            head = text.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
            keep = [h for h in head if h.split(":", 1)[0].strip().lower() in ("via", "from", "call-id", "cseq")]
            keep += [h + ("" if ";tag=" in h else ";tag=fake") for h in head
                     if h.split(":", 1)[0].strip().lower() == "to"]
            reply = f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
            self.sock.sendto(reply.encode(), addr)


    def request(self, kamailio_port: int, text: str, timeout: float = 5.0) -> int:
        """Send ``text`` (see ``request_text``) from this node's own socket; its final status."""
        call_id = header(text, "Call-ID")
        self.sock.sendto(text.encode(), ("127.0.0.1", kamailio_port))
        return wait_for(lambda: next((c for c in self.responses.get(call_id, []) if c >= 200), None), timeout,
                        what=f"an answer to {text.split(' ', 1)[0]}")


def request_text(method: str, ruser: str, domain: str, local: tuple[str, int], *, secret: str | None = None,
                 extra: list[str] = (), body: str = "") -> str:
    """An out-of-dialog request as a media app sends it to Kamailio (``secret``: X-Poste-Secret)."""
    tag = random.randint(1, 10**9)
    lines = [f"{method} sip:{ruser}@{domain} SIP/2.0",
             f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bKm{tag};rport",
             f"From: <sip:voicemail@{domain}>;tag={tag}", f"To: <sip:{ruser}@{domain}>",
             f"Call-ID: media-{tag}@{local[0]}", f"CSeq: 1 {method}", "Max-Forwards: 70",
             f"Contact: <sip:media@{local[0]}:{local[1]}>", *extra]
    if secret:
        lines.append(f"X-Poste-Secret: {secret}")
    return "\r\n".join(lines) + f"\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}"


def request_from(local_ip: str, kamailio_port: int, text_for, timeout: float = 3.0) -> int | None:
    """Send ``text_for((ip, port))`` from a new socket on ``local_ip``; the final status, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((local_ip, 0))
        s.sendto(text_for(s.getsockname()).encode(), ("127.0.0.1", kamailio_port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = s.recv(65535)
            except TimeoutError:
                return None
            status = data.split(b" ", 2)[1]
            if data.startswith(b"SIP/2.0") and status.isdigit() and int(status) >= 200:
                return int(status)
        return None


def header(message: str, name: str) -> str:
    """The first value of header ``name`` in a SIP message's text ("" if absent)."""
    for line in message.split("\r\n\r\n", 1)[0].split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == name.lower():
            return value.strip()
    return ""


def headers(message: str, prefix: str) -> dict[str, list[str]]:
    """Every header whose name starts with ``prefix`` (case-insensitive), with all its values."""
    found: dict[str, list[str]] = {}
    for line in message.split("\r\n\r\n", 1)[0].split("\r\n")[1:]:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower().startswith(prefix.lower()):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@dataclass
class Sipp:
    proc: subprocess.Popen
    work: Path
    port: int
    timeout: float
    output: str = ""

    def wait(self, timeout: float | None = None) -> Sipp:
        try:
            out, _ = self.proc.communicate(timeout=(timeout or self.timeout) + 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.output = (out or b"").decode(errors="replace")
        return self

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.wait(5)

    @property
    def ok(self) -> bool:
        return self.proc.returncode == 0

    def explain(self) -> str:
        parts = [f"sipp exit {self.proc.returncode}"]
        for pattern in ("*_errors.log", "*_messages.log"):
            for f in sorted(self.work.glob(pattern)):
                parts.append(f"--- {f.name}\n" + f.read_text(errors="replace")[-3000:])
        return "\n".join(parts)
