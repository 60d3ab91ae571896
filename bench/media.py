"""Media app benchmark: concurrent voicemail recordings on ONE media app process.

    .venv/bin/python -m bench.media                 # steps of 50, 100, 200 concurrent callers
    .venv/bin/python -m bench.media --calls 100,200,300 --talk 10

For each step, N callers (one load-generator process, one asyncio loop, every
caller's RTP sent from one 20 ms ticker, every caller's SIP written and read by
one sipp process: tests/media/caller.py) call the media app directly, skip the
greeting with RFC 4733 ``#``, talk for ``--talk`` seconds (real speech, PCMU),
and hang up. The media app runs pinned to CPU 0 (the load generator to CPU 1 when
there are two). Reported per step:

- RTP send lateness of the media app's single 20 ms clock (its own measure, the
  end of each tick's send loop vs. its schedule): p50 / p99 / max;
- messages stored / expected (lost = missing rows), and the time from the BYE to
  the committed row (p50 / p99 / max, measured in the media app), late = > 1 s;
- the verdict: OK when nothing is lost or late and the RTP p99 < 5 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rtp.audio.g711 import to_pcm16, ulaw_encode  # noqa: E402
from rtp.rtp_io.clock import Clock  # noqa: E402
from rtp.rtp_io.packet import build  # noqa: E402
from tests.media.caller import TEST_MEDIA_SECRET, Caller, SippUac  # noqa: E402
from tests.sip_fixtures import free_port  # noqa: E402

P99_LIMIT_MS = 5.0
LATE_S = 1.0


def setup(data_dir: Path) -> str:
    """A database with one tenant and one mailbox that never fills; prompts rendered."""
    from rtp.prompts.generate import generate_prompts
    from tenants import credentials, extensions, migrations, tenancy
    from tenants.audit import Actor
    from tenants.config import load_settings
    from tenants.runtime import start
    from tenants.voicemail.models import VoicemailOptions

    credentials.use_fast_hashing()
    settings = load_settings({"POSTE_DATA": str(data_dir), "POSTE_SMTP_PORT": "1"})
    _s, db = start(settings)
    db.connect(reuse_if_open=True)
    migrations.upgrade()
    tenant = tenancy.create_tenant(Actor.cli(), "Acme", "acme.pbx.example")
    extensions.create_extension(Actor.cli(), tenant, extensions.ExtensionInput("2001", "Alice Martin",
                                                                               "alice@example.org"))
    VoicemailOptions.create(tenant=tenant, max_messages=1_000_000)
    db.close()
    generate_prompts(data_dir, languages=("fr",))
    return settings.database_url


def start_media(data_dir: Path, database_url: str, port: int) -> subprocess.Popen:
    # the callers play Kamailio from many ports: any port of 127.0.0.1, with the shared secret
    env = {**os.environ, "POSTE_DATA": str(data_dir), "DATABASE_URL": database_url,
           "POSTE_MEDIA_PEERS": "127.0.0.1", "POSTE_MEDIA_SECRET": TEST_MEDIA_SECRET,
           "POSTE_MEDIA_SIP_PORT": str(port), "POSTE_MEDIA_LOG": os.environ.get("POSTE_MEDIA_LOG", "INFO"), "PYTHONUNBUFFERED": "1"}
    cpus = sorted(os.sched_getaffinity(0))

    def pin():
        os.sched_setaffinity(0, {cpus[0]})
    log = open(data_dir / "media.log", "w")  # noqa: SIM115 - the child's output, kept open while it runs
    proc = subprocess.Popen([sys.executable, "-m", "rtp.mediaapp"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True, preexec_fn=pin, start_new_session=True)
    deadline = time.monotonic() + 120
    while "media app ready" not in (data_dir / "media.log").read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("media app did not start:\n" + (data_dir / "media.log").read_text()[-3000:])
        time.sleep(0.1)
    if len(cpus) > 1:
        os.sched_setaffinity(0, set(cpus[1:]))
    return proc


class Ticker:
    """Sends the next packet of every talking caller every 20 ms, callers spread over four 5 ms
    phases (phones are not synchronised with each other: a real load does not arrive in one burst)."""

    PHASES = 4

    def __init__(self, speech: bytes):
        self.speech = speech
        self.talking: dict[Caller, int] = {}
        self.phase_of: dict[Caller, int] = {}
        self._next_phase = 0

    def add(self, caller: Caller) -> None:
        self.phase_of[caller] = self._next_phase
        self._next_phase = (self._next_phase + 1) % self.PHASES
        self.talking[caller] = 0

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        t = loop.time()
        phase = 0
        while not stop.is_set():
            for caller, offset in list(self.talking.items()):
                if self.phase_of.get(caller) != phase:
                    continue
                payload = self.speech[offset:offset + 160]
                if len(payload) < 160:
                    offset, payload = 0, self.speech[:160]
                caller.rtp_t.sendto(build(0, caller.seq, caller.ts, caller.ssrc, payload), caller.remote_rtp)
                caller.seq, caller.ts = (caller.seq + 1) & 0xFFFF, (caller.ts + 160) & 0xFFFFFFFF
                self.talking[caller] = offset + 160
            phase = (phase + 1) % self.PHASES
            t += 0.02 / self.PHASES
            await asyncio.sleep(max(0.0, t - loop.time()))


async def one_call(port: int, uac: SippUac, ticker: Ticker, talk: float, results: dict) -> None:
    caller = await Caller(("127.0.0.1", port), sipp=uac).open()
    try:
        ok = await caller.invite()
        if ok.status != 200:
            results["failed"] += 1
            return
        await caller.key("#")
        await asyncio.sleep(0.8)  # the beep
        ticker.add(caller)
        await asyncio.sleep(talk)  # sipp answers whatever SIP comes meanwhile
        ticker.talking.pop(caller, None)
        await asyncio.sleep(0.3)
        answer = await caller.bye()
        results["hung_up"] += answer.status == 200
    except (TimeoutError, OSError, AssertionError) as exc:
        results["failed"] += 1
        results.setdefault("errors", []).append(repr(exc))
    finally:
        ticker.talking.pop(caller, None)
        caller.close()


def read_stats(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / "mediaapp-stats.json").read_text())
    except (OSError, ValueError):
        return {}


async def step(port: int, data_dir: Path, n: int, talk: float, speech: bytes, ramp_per_s: float) -> dict:
    ticker = Ticker(speech)
    stop = asyncio.Event()
    tick_task = asyncio.ensure_future(ticker.run(stop))
    results = {"failed": 0, "hung_up": 0}
    before = read_stats(data_dir).get("stored", 0)
    p99s, maxes, p50s = [], [], []
    tasks = []
    talk = max(talk, n / ramp_per_s + 6.0)  # every caller talks while all of them are connected
    uac = await SippUac(Caller(("127.0.0.1", port)), trace=False, lifetime=3600).start()
    for _ in range(n):
        tasks.append(asyncio.ensure_future(one_call(port, uac, ticker, talk, results)))
        await asyncio.sleep(1.0 / ramp_per_s)

    hist_start: list[int] = []
    hist_end: list[int] = []

    async def sample():
        while True:
            await asyncio.sleep(2.0)
            stats = read_stats(data_dir)
            if stats.get("active_calls", 0) >= n * 0.9:
                if not hist_start:
                    hist_start.extend(stats["lateness_histogram"])
                hist_end[:] = stats["lateness_histogram"]
                p99s.append(stats["lateness_ms"]["p99"])
                maxes.append(stats["lateness_ms"]["max"])
                p50s.append(stats["lateness_ms"]["p50"])
    sampler = asyncio.ensure_future(sample())
    await asyncio.gather(*tasks)
    uac.stop()
    sampler.cancel()
    stop.set()
    await tick_task
    deadline = time.monotonic() + 10
    stats = read_stats(data_dir)
    while stats.get("stored", 0) - before < results["hung_up"] and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        stats = read_stats(data_dir)
    await asyncio.sleep(2.5)  # one more stats window with every latency in it
    stats = read_stats(data_dir)
    stored = stats.get("stored", 0) - before
    diff = [b - a for a, b in zip(hist_start, hist_end, strict=False)] if hist_start else []
    ticks = sum(diff)
    return {"calls": n, "failed": results["failed"], "hung_up": results["hung_up"], "stored": stored,
            "lost": results["hung_up"] - stored, "ticks": ticks,
            "rtp_p99_ms": Clock.histogram_percentile(diff, 99) * 1e3 if ticks else None,
            "rtp_max_ms": max(maxes) if maxes else None,
            "rtp_p50_ms": Clock.histogram_percentile(diff, 50) * 1e3 if ticks else None, "store_ms": stats.get("store_latency_ms", {}),
            "errors": results.get("errors", [])[:3]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", default="50,100,200")
    parser.add_argument("--talk", type=float, default=8.0)
    parser.add_argument("--ramp", type=float, default=25.0, help="new calls per second")
    parser.add_argument("--keep-going", action="store_true", help="run every step even after one fails")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="poste-bench-media-"))
    database_url = setup(data_dir)
    from rtp.prompts.generate import render
    speech_f = render("Bonjour, je vous appelle au sujet de la réunion de demain. Merci de me rappeler "
                      "dès que possible, au revoir.", "fr")
    speech = ulaw_encode(to_pcm16(np.concatenate([speech_f, np.zeros(2400, np.float32)]))).tobytes()
    port = free_port()
    proc = start_media(data_dir, database_url, port)
    rows = []
    try:
        for n in [int(x) for x in args.calls.split(",")]:
            # one message in the process's store-latency list per call: read it fresh for this step
            result = asyncio.run(step(port, data_dir, n, args.talk, speech, args.ramp))
            store = result["store_ms"]
            late = store.get("max", 0) > LATE_S * 1000
            ok = (result["lost"] == 0 and result["failed"] == 0 and not late and result["rtp_p99_ms"] is not None
                  and result["rtp_p99_ms"] < P99_LIMIT_MS)
            result["ok"] = ok
            rows.append(result)
            print(f"{n:4d} calls: failed {result['failed']}, stored {result['stored']}/{result['hung_up']}, "
                  f"RTP clock lateness p50 {result['rtp_p50_ms'] or 0:.2f} p99 {result['rtp_p99_ms'] or 0:.2f} ms "
                  f"(max {result['rtp_max_ms'] or 0:.2f}, {result['ticks']} ticks at full load), "
                  f"BYE->row p50 {store.get('p50', 0):.0f} ms p99 {store.get('p99', 0):.0f} ms "
                  f"max {store.get('max', 0):.0f} ms -> {'OK' if ok else 'NOT OK'} {result['errors'] or ''}",
                  flush=True)
            if not ok and not args.keep_going:
                break
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    best = max((r["calls"] for r in rows if r["ok"]), default=0)
    print(f"most concurrent recordings held (no lost or late message, RTP p99 < {P99_LIMIT_MS} ms): {best}")
    print(f"data: {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
