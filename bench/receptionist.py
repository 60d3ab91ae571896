"""What the receptionist costs the media app (issue 16, rtp/README.md "Transfers").

    .venv/bin/python -m bench.receptionist                 # 20 and 50 callers in the menu for 20 s
    .venv/bin/python -m bench.receptionist --calls 10,100 --menu 30

N callers (one sipp, tests/receptionist/early_caller.py) call the media app directly as Kamailio
would send a DID of the receptionist. Each hears the menu as early media for ``--menu`` seconds
while sending its own audio (as a caller's phone does), then presses 2001: the media app ends
its leg with X-Poste-Transfer. Reported: the media app's CPU (user + system, /proc) per caller
and second in the menu; what it still spends once they were all put through (the chosen way:
nothing, the leg is gone); and the 20 ms clock's lateness. A bridge in the media app would
receive and send two streams instead of one each way, for the whole conversation: about twice
the per-second cost measured here, for minutes instead of seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.media import setup, start_media
from rtp.audio.g711 import ulaw_encode
from rtp.rtp_io.packet import build
from tests.media.caller import SippUac
from tests.receptionist.early_caller import EarlyCaller
from tests.sip_fixtures import free_port


def cpu_of(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def talk(callers: list, stop: asyncio.Event) -> None:
    """Every caller sends a packet every 20 ms (a low noise: a phone's microphone), like a real call."""
    payload = ulaw_encode(np.zeros(160, np.int16)).tobytes()
    loop = asyncio.get_running_loop()
    t = loop.time()
    while not stop.is_set():
        for c in callers:
            if c.remote_rtp and not c.answer:
                c.rtp_t.sendto(build(0, c.seq, c.ts, c.ssrc, payload), c.remote_rtp)
                c.seq, c.ts = (c.seq + 1) & 0xFFFF, (c.ts + 160) & 0xFFFFFFFF
        t += 0.02
        await asyncio.sleep(max(0.0, t - loop.time()))


async def step(port: int, pid: int, n: int, menu: float) -> dict:
    model = EarlyCaller(("127.0.0.1", port), mailbox=None, service="receptionist")
    uac = await SippUac(model, trace=False).start()
    callers = [await EarlyCaller(("127.0.0.1", port), mailbox=None, service="receptionist", sipp=uac).open()
               for _ in range(n)]
    stop = asyncio.Event()
    ticker = asyncio.ensure_future(talk(callers, stop))
    try:
        for c in callers:
            uac.place(c)
        await asyncio.gather(*(c.until(lambda c=c: c.early, 30, "early media", audio=False) for c in callers))
        await asyncio.sleep(1.0)
        cpu0, wall0 = cpu_of(pid), time.monotonic()
        await asyncio.sleep(menu)
        in_menu = (cpu_of(pid) - cpu0) / (time.monotonic() - wall0)
        async def dial(c) -> None:
            for key in "2001":
                await c.key(key)
        await asyncio.gather(*(dial(c) for c in callers))  # all at once: a menu left unanswered moves on
        await asyncio.gather(*(c.until(lambda c=c: c.answer, 30, "the transfer", audio=False) for c in callers))
        transferred = sum(1 for c in callers if c.answer.status == 480 and c.transfer == "2001")
        await asyncio.sleep(1.0)
        cpu1, wall1 = cpu_of(pid), time.monotonic()
        await asyncio.sleep(5.0)
        after = (cpu_of(pid) - cpu1) / (time.monotonic() - wall1)
    finally:
        stop.set()
        await ticker
        for c in callers:
            c.close()
        uac.stop()
    return {"calls": n, "transferred": transferred, "cpu_in_menu": in_menu, "cpu_per_call_s": in_menu / n,
            "cpu_after_transfer": after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", default="20,50")
    parser.add_argument("--menu", type=float, default=20.0)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="poste-bench-recep-"))
    database_url = setup(data_dir)
    port = free_port()
    proc = start_media(data_dir, database_url, port)
    try:
        idle0 = cpu_of(proc.pid)
        time.sleep(3)
        idle = (cpu_of(proc.pid) - idle0) / 3
        print(f"media app idle: {idle * 100:.1f} % of a core", flush=True)
        for n in (int(x) for x in args.calls.split(",")):
            result = asyncio.run(step(port, proc.pid, n, args.menu))
            stats = json.loads((data_dir / "mediaapp-stats.json").read_text())
            marginal = max(0.0, result["cpu_in_menu"] - idle)
            print(f"{n:4d} callers in the menu: {result['cpu_in_menu'] * 100:5.1f} % of a core, "
                  f"{marginal / n * 1000:.2f} ms CPU per caller-second above idle; "
                  f"{result['transferred']}/{n} put through; after: {result['cpu_after_transfer'] * 100:.1f} % "
                  f"(idle); 20 ms ticks skipped so far: {stats['skipped']} of {stats['ticks']}", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
