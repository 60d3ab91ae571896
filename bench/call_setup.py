"""Call-setup benchmark: KEMI (app_python3) vs HTTP (http_client) routing decisions.

For each mode it starts its own Kamailio + rtpengine (tests/sip_fixtures.SipStack),
a tenant with two extensions, a sipp UAS registered as the callee and a sipp UAC
making N authenticated calls through Kamailio at a given rate (and concurrency
limit). Each call: INVITE -> 407 -> INVITE with credentials -> routing decision ->
lookup -> rtpengine offer -> UAS -> 180/200 (rtpengine answer) -> ACK -> BYE.

It prints completed calls per second and call-setup latency (authenticated
INVITE to 200 OK, measured by sipp), and the ratio between the two modes.

    .venv/bin/python -m bench.call_setup --calls 400 --rate 40
    .venv/bin/python -m bench.call_setup --calls 1000 --rate 1000 --limit 20  # throughput

The HTTP mode asks a Flask app (the same endpoint the console would serve:
``GET /sip/route?caller_user=&caller_domain=&dialled_user=&dialled_domain=`` ->
``Decision.wire()``) run by gunicorn with threaded workers (HTTP keep-alive).
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def routing_app():
    """The HTTP routing endpoint (gunicorn factory: ``bench.call_setup:routing_app()``)."""
    from flask import Flask, request

    from tenants import routing
    from tenants.db import database, open_database

    open_database(os.environ["DATABASE_URL"])
    app = Flask("poste-routing")

    @app.get("/sip/route")
    def route():
        args = request.args
        with database.connection_context():
            decision = routing.decide(args.get("caller_user", ""), args.get("caller_domain", ""),
                                      args.get("dialled_user", ""), args.get("dialled_domain", ""))
        return decision.wire(), 200, {"Content-Type": "text/plain; charset=utf-8"}

    return app


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_mode(mode: str, calls: int, rate: float, limit: int, workers: int) -> dict:
    from tenants import extensions
    from tests import factories
    from tests.sip_fixtures import SipStack, free_port, wait_for

    http_port = free_port() if mode == "http" else 0
    url = f"http://127.0.0.1:{http_port}/sip/route" if mode == "http" else ""
    stack = SipStack(routing=mode, routing_url=url, pike_density=100000, children=4, log_level=1)
    gunicorn = None
    try:
        stack.start()
        if mode == "http":
            env = dict(os.environ, DATABASE_URL=stack.settings.database_url, PYTHONPATH=str(REPO))
            gunicorn = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{http_port}", "-w", str(workers),
                 "-k", "gthread", "--threads", "4", "--keep-alive", "30", "--log-level", "warning",
                 "bench.call_setup:routing_app()"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

            def up():
                try:
                    with urllib.request.urlopen(url + "?caller_user=a&caller_domain=b", timeout=0.5) as r:
                        return r.status == 200
                except OSError:
                    return False

            wait_for(up, 20, what="gunicorn")
        tenant = factories.tenant("bench.pbx.example")
        _callee, callee_pw = extensions.create_extension(
            factories.CLI, tenant, extensions.ExtensionInput("2001", "Callee Bench", "c@bench.example"))
        _caller, caller_pw = extensions.create_extension(
            factories.CLI, tenant, extensions.ExtensionInput("2002", "Caller Bench", "a@bench.example"))
        uas = stack.sipp("uas", background=True, calls=calls, timeout=600, port=free_port())
        reg = stack.register("2001", tenant.domain, callee_pw, contact_port=uas.port)
        assert reg.ok, reg.explain()

        started = time.monotonic()
        uac = stack.sipp("call", auth=("2002", caller_pw), calls=calls, rate=rate, timeout=600,
                         substitutions={"HOLD_MS": 0},
                         variables={"user": "2002", "domain": tenant.domain, "ruser": "2001", "ua": "bench"},
                         extra=["-l", str(limit), "-trace_rtt", "-rtt_freq", "1", "-trace_stat", "-fd", "1"])
        elapsed = time.monotonic() - started
        uas.stop()
        latencies = []
        for f in uac.work.glob("*_rtt.csv"):
            with f.open() as fh:
                for row in csv.reader(fh, delimiter=";"):
                    try:
                        latencies.append(float(row[1]))
                    except (IndexError, ValueError):
                        continue
        stat_rows = []
        for f in uac.work.glob("*_.csv"):
            with f.open() as fh:
                stat_rows = list(csv.DictReader(fh, delimiter=";"))
        last = stat_rows[-1] if stat_rows else {}
        ok = int(last.get("SuccessfulCall(C)", 0) or 0)
        failed = int(last.get("FailedCall(C)", 0) or 0)
        return {"mode": mode, "calls": calls, "ok": ok, "failed": failed, "seconds": elapsed,
                "cps": ok / elapsed if elapsed else 0.0,
                "setup_ms_mean": statistics.fmean(latencies) if latencies else float("nan"),
                "setup_ms_p50": _percentile(latencies, 0.50), "setup_ms_p95": _percentile(latencies, 0.95),
                "samples": len(latencies)}
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(10)
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0, help="new calls per second offered by sipp")
    parser.add_argument("--limit", type=int, default=50, help="most calls in progress at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the HTTP mode")
    parser.add_argument("--modes", default="kemi,http")
    args = parser.parse_args(argv)
    if not shutil.which("sipp") or not shutil.which("kamailio"):
        print("sipp and kamailio are needed (scripts/apt-packages.txt)", file=sys.stderr)
        return 2
    from tenants import credentials

    credentials.use_fast_hashing()
    results = {}
    for mode in args.modes.split(","):
        r = run_mode(mode, args.calls, args.rate, args.limit, args.workers)
        results[mode] = r
        print(f"{mode:5s} {r['ok']:5d}/{r['calls']} ok, {r['failed']} failed, {r['seconds']:.1f} s, "
              f"{r['cps']:.1f} calls/s, setup mean {r['setup_ms_mean']:.1f} ms, "
              f"p50 {r['setup_ms_p50']:.1f} ms, p95 {r['setup_ms_p95']:.1f} ms ({r['samples']} samples)")
    if "kemi" in results and "http" in results:
        k, h = results["kemi"], results["http"]
        print(f"ratio kemi/http: calls/s x{k['cps'] / h['cps']:.2f}, "
              f"mean setup latency http/kemi x{h['setup_ms_mean'] / k['setup_ms_mean']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
