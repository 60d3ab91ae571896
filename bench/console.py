"""Console benchmark (not a test): the pages that grow with an installation, as gunicorn serves them.

    .venv/bin/python -m bench.console                  # 500 tenants x 20 extensions, then 5,000 tenants
    .venv/bin/python -m bench.console --requests 200 --big-tenants 0

Seeds, through the domain services (test hashing: ``tenants.credentials.use_fast_hashing``),
``--tenants`` tenants of ``--extensions`` extensions each, an operator, one tenant's admin, and
a tenant of 1,000 extensions whose phones a stand-in registrar reports (``bench/console_app.py``);
starts gunicorn as ``scripts/supervise.py`` does (``console.gunicorn_conf.command``: its workers,
threads, warm-up and access log, ``POSTE_HTTP_WORKERS``/``POSTE_HTTP_THREADS`` as set) on SQLite; then, for each
page, 4 clients (threads, keep-alive connections, gzip accepted as browsers do) request it
``--requests`` times in all. Printed per page: p50 and p95 latency and requests per second.
Goal: every page p95 < 50 ms and >= 100 requests/s. Then it adds tenants up to
``--big-tenants`` (with the same extensions each) and measures the operator's tenants list again:
it must be no slower than at ``--tenants``.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_P95_MS, GOAL_RPS = 50.0, 100.0
PASSWORD = "bench-password-2024"
CLIENTS = 4
BIG_DOMAIN = "big.pbx.example"  # 1,000 extensions, 600 of their phones registered (bench/console_app.py)


def seed(data_dir: Path, tenants: int, per_tenant: int, start: int = 0, big: bool = True) -> None:
    """Tenants ``start`` .. ``tenants - 1`` with their extensions, through the services."""
    from tenants import accounts, credentials, extensions, migrations, tenancy
    from tenants.audit import Actor
    from tenants.config import load_settings
    from tenants.db import database
    from tenants.extensions import ExtensionInput
    from tenants.runtime import start as start_runtime

    credentials.use_fast_hashing()
    start_runtime(load_settings({"POSTE_DATA": str(data_dir), "POSTE_SMTP_PORT": "1"}))
    database.connect(reuse_if_open=True)
    migrations.upgrade()
    cli = Actor.cli()
    names = ["Alice Martin", "Bruno Petit", "Chloé Durand", "David Leroy", "Emma Moreau"]
    for n in range(start, tenants):
        with database.atomic():  # one commit per tenant; each service still runs its own (nested) transaction
            tenant = tenancy.create_tenant(cli, f"Client {n:05d}", f"t{n:05d}.pbx.example")
            for i in range(per_tenant):
                name = f"{names[i % len(names)]} {i:02d}"
                extensions.create_extension(cli, tenant, ExtensionInput(
                    number=str(2000 + i), name=name, email=f"user{i:02d}@t{n:05d}.example"))
            if n == 0:
                accounts.create_account(cli, "admin", "admin@t00000.example", PASSWORD, tenant=tenant)
    if big:
        with database.atomic():
            tenant = tenancy.create_tenant(cli, "Grand client", BIG_DOMAIN)
            for i in range(1000):
                extensions.create_extension(cli, tenant, ExtensionInput(
                    number=str(2000 + i), name=f"{names[i % len(names)]} {i:03d}", email=f"user{i:03d}@big.example"))
            accounts.create_account(cli, "admin", "admin@big.example", PASSWORD, tenant=tenant)
            accounts.create_account(cli, "operator", "op@bench.example", PASSWORD)
    database.close()


def seed_apart(*args, **kwargs) -> None:
    """``seed`` in a process of its own, not in the clients' process: after seeding there (its
    heap, its database state left behind), the first pages measured had about twice the latency
    of the same pages measured on an already seeded folder (``--data``), and no longer do."""
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(target=seed, args=args, kwargs=kwargs)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"seeding failed (exit {process.exitcode})")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data_dir: Path, port: int) -> subprocess.Popen:
    from console.gunicorn_conf import command
    from tenants.config import load_settings

    env = {**os.environ, "POSTE_DATA": str(data_dir), "POSTE_SMTP_PORT": "1", "PYTHONPATH": str(ROOT),
           "POSTE_HTTP_ADDRESS": "127.0.0.1", "POSTE_HTTP_PORT": str(port)}
    settings = load_settings(env)
    print(f"gunicorn: {settings.http_workers} workers x {settings.http_threads} threads "
          "(POSTE_HTTP_WORKERS, POSTE_HTTP_THREADS)", flush=True)
    (data_dir / "log").mkdir(exist_ok=True)
    log = data_dir / "log" / "console.log"
    log.write_text("")
    process = subprocess.Popen(
        command(settings, ROOT / ".venv/bin", "bench.console_app:app", str(data_dir / "log" / "console-access.log"))
        + ["--log-level", "info", "--error-logfile", str(log)], cwd=ROOT, env=env)
    # every worker warmed (console.gunicorn_conf.post_worker_init), not only the first one up:
    # a worker still starting would be measured as a slow first page
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.read_text().count("console worker") >= settings.http_workers:
            return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start: {log}")


def sign_in(port: int, email: str) -> str:
    """The session cookie of ``email``, signed in through the login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/connexion")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    connection.request("POST", "/connexion", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def measure(port: int, cookie: str, path: str, requests: int, headers: dict | None = None) -> dict:
    """``requests`` GETs of ``path`` by 4 clients at once; latencies and throughput."""
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip", **(headers or {})}
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: set[int] = set()
    lock = threading.Lock()

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        for _ in range(count):
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - began)
            with lock:
                statuses.add(response.status)
                sizes.append(len(body))
        with lock:
            latencies.extend(mine)

    warm = [threading.Thread(target=client, args=(5,)) for _ in range(CLIENTS)]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    latencies.clear()
    sizes.clear()
    threads = [threading.Thread(target=client, args=(requests // CLIENTS,)) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {"p50": statistics.median(latencies) * 1000, "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
            "rps": len(latencies) / wall, "status": sorted(statuses), "bytes": int(statistics.median(sizes))}


def report(name: str, result: dict) -> bool:
    ok = result["p95"] < GOAL_P95_MS and result["rps"] >= GOAL_RPS and all(s < 400 for s in result["status"])
    print(f"{name:<52} p50 {result['p50']:6.1f} ms   p95 {result['p95']:6.1f} ms   {result['rps']:6.0f} req/s   "
          f"{result['bytes']:>6} B gz   {'/'.join(map(str, result['status']))}   {'OK' if ok else 'MISSED'}", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--extensions", type=int, default=20)
    parser.add_argument("--big-tenants", type=int, default=5000, help="0: skip the second measure")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--data", type=Path, default=None,
                        help="a folder an earlier run seeded (printed by it): measure again without seeding")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores", flush=True)
    if args.data:
        data_dir, args.big_tenants = args.data, 0
        seed_apart(data_dir, 0, 0, big=False)  # nothing more: only the migrations the folder lacks
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="poste-bench-console-"))
        began = time.monotonic()
        seed_apart(data_dir, args.tenants, args.extensions)
        print(f"seeded {args.tenants} tenants x {args.extensions} extensions + 1 x 1,000 "
              f"in {time.monotonic() - began:.0f} s ({data_dir})", flush=True)
    port = free_port()
    server = serve(data_dir, port)
    ok = True
    try:
        operator = sign_in(port, "op@bench.example")
        admin = sign_in(port, "admin@t00000.example")
        big_admin = sign_in(port, "admin@big.example")
        hx = {"HX-Request": "true"}
        pages = [
            ("operator: tenants list", operator, "/operateur/clients", {}),
            ("operator: tenants list, page 7", operator, "/operateur/clients?page=7", {}),
            ("operator: tenants search (htmx)", operator, "/operateur/clients?q=0042",
             {**hx, "HX-Target": "tenants-table"}),
            ("admin: extensions list", admin, "/postes/", {}),
            ("admin: extensions search (htmx)", admin, "/postes/?q=Alice", {**hx, "HX-Target": "extensions-table"}),
            ("admin: audit log", admin, "/journal/", {}),
            ("operator: audit log (everything)", operator, "/journal/", {}),
            ("operator: audit log, filtered by author", operator, "/journal/?auteur=cli", {}),
            ("admin 1,000 ext.: Téléphones poll, changed (200)", big_admin, "/telephones/etat?page=1", hx),
            ("operator: Téléphonie poll, changed (200)", operator, "/telephones/exploitation/etat?page=1", hx),
        ]
        for name, cookie, path, headers in pages:
            ok &= report(name, measure(port, cookie, path, args.requests, headers))
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", "/telephones/", headers={"Cookie": big_admin})
        poll = re.search(r'hx-get="(/telephones/etat\?[^"]+)"', connection.getresponse().read().decode()).group(1)
        ok &= report("admin 1,000 ext.: Téléphones poll, unchanged (204)",
                     measure(port, big_admin, poll.replace("&amp;", "&"), args.requests, hx))
        small = measure(port, operator, "/operateur/clients", args.requests)
        if args.big_tenants > args.tenants:
            began = time.monotonic()
            seed_apart(data_dir, args.big_tenants, args.extensions, start=args.tenants, big=False)
            print(f"seeded up to {args.big_tenants} tenants in {time.monotonic() - began:.0f} s", flush=True)
            big = measure(port, operator, "/operateur/clients", args.requests)
            ok &= report(f"operator: tenants list at {args.big_tenants} tenants", big)
            ok &= report(f"operator: tenants list, page 50, at {args.big_tenants}", measure(
                port, operator, "/operateur/clients?page=50", args.requests))
            slower = big["p95"] > small["p95"] * 1.25 + 2
            print(f"tenants list p95: {small['p95']:.1f} ms at {args.tenants} tenants, {big['p95']:.1f} ms at "
                  f"{args.big_tenants}: {'SLOWER' if slower else 'no slower'}")
            ok &= not slower
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("all goals met" if ok else "some goals missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
