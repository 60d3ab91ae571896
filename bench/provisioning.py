"""Provisioning benchmark: configuration files served per second, with authentication, at scale.

It seeds TENANTS tenants x DEVICES desk phones (each serving one extension) through the domain
services (with test-speed argon2 for the voicemail PINs: ``credentials.use_fast_hashing``), then
starts the provisioning server as deployed (``python -m console.provisioning.serve``: gunicorn,
TLS, 2 gthread workers) and has client processes behave like booting phones, each session on
a new TLS connection:

    GET <mac>.cfg            -> 401 (the digest challenge: this minute's nonce)
    GET <mac>.cfg  + digest  -> 200 (its own file: its lines' SIP passwords, decrypted, rendered)
    GET y000000000000.cfg + digest (nc=2) -> 200 (the common file)

Every 200 went through the whole path: ban check, digest verification (HA1 from the database),
the replay record and the fetch time written in one transaction, the file rendered. It prints
files (200s) per second, requests per second, latency of the authenticated requests, and the
CPU seconds the server's processes used per file. Clients run on the same machine (it has 2
cores: the figures are what gunicorn serves while sharing them with the clients, which run at a
lower priority, ``nice`` 10, so that they take the CPU the server leaves).

    .venv/bin/python -m bench.provisioning            # 500 x 20; 20 s booting phones, 20 s kept-alive connections
    .venv/bin/python -m bench.provisioning --tenants 50 --seconds 5 --files-per-connection 2
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

NONCE = re.compile(r'nonce="([^"]+)"')
CLIENT_NICENESS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(tenants: int, per_tenant: int) -> list[tuple[str, str, str]]:
    """(username, password, mac) of every device, made through the domain services."""
    from tenants import devices, extensions, tenancy
    from tenants.audit import Actor
    from tenants.db import database
    from tenants.devices import DeviceInput
    from tenants.extensions import ExtensionInput

    actor, phones = Actor.cli(), []
    started = time.monotonic()
    for t in range(tenants):
        with database.atomic():
            tenant = tenancy.create_tenant(actor, f"Bench {t}", f"t{t}.bench.example")
            for d in range(per_tenant):
                number = str(2000 + d)
                extensions.create_extension(actor, tenant, ExtensionInput(number, f"Poste {number}",
                                                                          f"p{number}@t{t}.bench.example"))
                mac = f"001565{t:03x}{d:03x}"
                device, password = devices.add_device(actor, tenant, DeviceInput(mac, "yealink", "T46U", (number,)))
                phones.append((device.username, password, device.mac))
        if t and t % 100 == 0:
            print(f"  seeded {t} tenants ({time.monotonic() - started:.0f} s)", flush=True)
    return phones


def authorization(username: str, password: str, path: str, nonce: str, nc: int) -> str:
    from tenants.provisioning import digest

    return digest.client_response(username, password, "GET", path, nonce, nc, secrets.token_hex(8))


class Connection:
    """A lean HTTP/1.1 client over one TLS connection (http.client's header parsing would cost the
    shared CPUs more than the server's work): GET, then status, headers and body."""

    def __init__(self, port: int, context: ssl.SSLContext):
        self.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30))
        self.buffer = b""

    def get(self, path: str, authorization: str = "") -> tuple[int, dict[str, str], bytes]:
        extra = f"Authorization: {authorization}\r\n" if authorization else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n{extra}\r\n".encode())
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split(" ", 2)[1]), headers, body

    def _read(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buffer += data

    def close(self) -> None:
        self.sock.close()


def client(args) -> dict:
    """One client process: phone sessions until ``deadline``; counts and authenticated latencies."""
    port, phones, start_at, deadline, seed_value, per_connection = args
    os.nice(CLIENT_NICENESS)  # the server first: the clients only stand in for phones elsewhere
    rng = random.Random(seed_value)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    files = requests = errors = sessions = 0
    latencies: list[float] = []
    while time.time() < start_at:
        time.sleep(0.01)
    while time.time() < deadline:
        username, password, mac = rng.choice(phones)
        connection = None
        try:
            connection = Connection(port, context)
            own, common = f"/prov/{mac}.cfg", "/prov/y000000000000.cfg"
            status, headers, _body = connection.get(own)
            requests += 1
            nonce = NONCE.search(headers.get("www-authenticate", "")).group(1)
            for nc in range(1, per_connection + 1):
                path = own if nc % 2 else common
                sent = time.perf_counter()
                status, _headers, body = connection.get(path, authorization(username, password, path, nonce, nc))
                latencies.append(time.perf_counter() - sent)
                requests += 1
                if status == 200 and body:
                    files += 1
                else:
                    errors += 1
            sessions += 1
        except (OSError, AttributeError, ValueError):
            errors += 1
        finally:
            if connection is not None:
                connection.close()
    return {"files": files, "requests": requests, "errors": errors, "sessions": sessions, "latencies": latencies}


def cpu_seconds(group: int) -> float:
    """User + system CPU of the processes of ``group`` (the server's: gunicorn's master and workers)."""
    from scripts.supervise import group_members

    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in group_members(group):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(port: int, group: int, phones, clients: int, seconds: float, per: int) -> dict:
    """``clients`` processes of phone sessions (a 401, then ``per`` authenticated files) for ``seconds``,
    after a 2 s warm-up that is not counted."""
    warmup, start_at = 2.0, time.time() + 1.0
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        pool.map(client, [(port, phones, start_at, start_at + warmup, i, per) for i in range(clients)])
        cpu_before, wall_before, load = cpu_seconds(group), time.time(), os.getloadavg()[0]
        results = pool.map(client, [(port, phones, wall_before, wall_before + seconds, 100 + i, per)
                                    for i in range(clients)])
        wall = time.time() - wall_before
        cpu = cpu_seconds(group) - cpu_before
    totals = {key: sum(r[key] for r in results) for key in ("files", "requests", "errors", "sessions")}
    latencies = sorted(x for r in results for x in r["latencies"])
    return {**totals, "per": per, "wall": wall, "cpu": cpu, "latencies": latencies,
            "load": (load, os.getloadavg()[0])}


def report(r: dict) -> None:
    files, wall, cpu, latencies = r["files"], r["wall"], r["cpu"], r["latencies"]
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(f"\n-- a 401 then {r['per']} authenticated files per TLS connection: {wall:.1f} s measured, "
          f"machine load average {r['load'][0]:.1f} -> {r['load'][1]:.1f} on {os.cpu_count()} CPUs")
    print(f"  files served (200, digest-authenticated): {files}  ->  {files / wall:.0f} files/s")
    print(f"  requests (with the 401 challenges):       {r['requests']}  ->  {r['requests'] / wall:.0f} requests/s")
    print(f"  TLS connections:                          {r['sessions']}  ->  {r['sessions'] / wall:.0f}/s")
    print(f"  authenticated request latency: mean {statistics.mean(latencies) * 1000:.1f} ms, p50 {p(0.5):.1f} ms, "
          f"p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms")
    print(f"  server CPU: {cpu:.1f} s = {cpu / max(files, 1) * 1000:.2f} ms per file "
          f"({cpu / max(r['requests'], 1) * 1000:.2f} ms per request); the server had {cpu / wall:.2f} of the "
          f"{os.cpu_count()} CPUs")
    print(f"  two CPUs given to the server alone: {2 / max(cpu / max(files, 1), 1e-9):.0f} files/s "
          "(2 CPU-seconds per second / its CPU per file)")
    print(f"  errors: {r['errors']};  goal >= 1000 files/s measured: {'met' if files / wall >= 1000 else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--devices", type=int, default=20, help="desk phones per tenant")
    parser.add_argument("--seconds", type=float, default=20.0, help="of each measurement")
    parser.add_argument("--clients", type=int, default=6, help="client processes")
    parser.add_argument("--files-per-connection", default="2,20",
                        help="authenticated fetches on each TLS connection after its 401, one measurement each "
                             "(2: a booting phone, its own file then the common one; 20: connections kept "
                             "alive, as behind a reverse proxy that terminates TLS)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="poste-bench-prov-"))
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POSTE_") and k != "DATABASE_URL"},
           "POSTE_DATA": str(data), "POSTE_PROV_HTTPS_PORT": str(port), "POSTE_HTTP_PORT": str(free_port()),
           "POSTE_SMTP_PORT": "1", "POSTE_PROV_AUTH_FAIL_MAX": "1000000"}
    from tenants import credentials, migrations
    from tenants.config import load_settings
    from tenants.runtime import start

    credentials.use_fast_hashing()
    start(load_settings({k: v for k, v in env.items() if k.startswith("POSTE_")}))
    migrations.upgrade()
    print(f"seeding {args.tenants} tenants x {args.devices} devices ...", flush=True)
    began = time.monotonic()
    phones = seed(args.tenants, args.devices)
    print(f"seeded {len(phones)} devices in {time.monotonic() - began:.0f} s; {args.clients} client processes",
          flush=True)

    log = open(data / "provisioning.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "console.provisioning.serve"], cwd=REPO, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    results = []
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                print((data / "provisioning.log").read_text(), file=sys.stderr)
                return 1
            time.sleep(0.1)
        for per in (int(x) for x in args.files_per_connection.split(",")):
            results.append(measure(port, server.pid, phones, args.clients, args.seconds, per))
            report(results[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)
    return 0 if results and not any(r["errors"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
