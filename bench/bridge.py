"""What a bridged call costs the media app (D7's bridge, rtp/README.md "Transfers").

    .venv/bin/python -m bench.bridge                      # 20 and 100 calls, 15 s each
    .venv/bin/python -m bench.bridge --calls 50 --seconds 30

Two measures in the same run, on the media app's own RTP code (``rtp.rtp_io``), in a process of
its own whose CPU (user + system, ``os.times``) is read; the far ends are another process that
sends 50 packets a second on every leg (PCMU, 20 ms) and drains what comes back:

- baseline: N callers in a media-app menu or recording (one session each: every packet received
  is decoded, one packet sent every 20 ms by the shared clock);
- bridge: N bridged calls (two sessions each, the caller's and the reception's: every packet
  received is relayed unchanged to the other leg, nothing decoded, off the clock).

Printed: CPU per call (ms per second of call), and the ratio bridge / baseline.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import time

from rtp.rtp_io.clock import Clock
from rtp.rtp_io.packet import build
from rtp.rtp_io.session import RtpSession

HOST = "127.0.0.1"


def cpu() -> float:
    t = os.times()
    return t.user + t.system


async def media_side(mode: str, n: int, seconds: float, ports_out, ready, go, result) -> None:
    clock = Clock()
    sessions: list[RtpSession] = []
    for _ in range(n * (2 if mode == "bridge" else 1)):
        s = await RtpSession.open(HOST, 0, 101, on_audio=lambda pcm: None)
        sessions.append(s)
    if mode == "bridge":
        for a, b in zip(sessions[::2], sessions[1::2], strict=True):
            a.relay, b.relay = b, a
    else:
        for s in sessions:
            clock.add(s)
        clock.start()
    ports_out.send([s.local_port for s in sessions])
    ready.set()
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    start, t0 = cpu(), time.monotonic()
    await asyncio.sleep(seconds)
    used, wall = cpu() - start, time.monotonic() - t0
    relayed = sum(s.sent for s in sessions)
    clock.stop()
    for s in sessions:
        s.close()
    result.send((used, wall, relayed))


def run_media(mode, n, seconds, ports_out, ready, go, result) -> None:
    asyncio.run(media_side(mode, n, seconds, ports_out, ready, go, result))


def run_far_ends(ports: list[int], seconds: float, go) -> None:
    """One socket per leg: 50 packets a second to its media-app session; what comes back is drained."""
    socks = []
    for _ in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        s.setblocking(False)
        socks.append(s)
    payload = bytes(160)
    go.wait()
    seq, ts, t = 0, 0, time.monotonic()
    end = t + seconds + 0.5
    while t < end:
        for s, port in zip(socks, ports, strict=True):
            s.sendto(build(0, seq, ts, 1234, payload), (HOST, port))
            try:
                while True:
                    s.recv(2048)
            except BlockingIOError:
                pass
        seq, ts = (seq + 1) & 0xFFFF, (ts + 160) & 0xFFFFFFFF
        t += 0.02
        time.sleep(max(0.0, t - time.monotonic()))
    for s in socks:
        s.close()


def measure(mode: str, n: int, seconds: float) -> dict:
    ctx = mp.get_context("spawn")
    ports_in, ports_out = ctx.Pipe(False)
    result_in, result_out = ctx.Pipe(False)
    ready, go = ctx.Event(), ctx.Event()
    media = ctx.Process(target=run_media, args=(mode, n, seconds, ports_out, ready, go, result_out))
    media.start()
    ports = ports_in.recv()
    ready.wait()
    far = ctx.Process(target=run_far_ends, args=(ports, seconds, go))
    far.start()
    time.sleep(0.5)
    go.set()
    used, wall, sent = result_in.recv()
    media.join()
    far.join()
    return {"mode": mode, "calls": n, "cpu_percent": 100 * used / wall, "ms_per_call_second": 1000 * used / wall / n,
            "packets_sent": sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", default="20,100")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    print(f"{'calls':>5} {'baseline (menu)':>22} {'bridge':>22} {'ratio':>6}")
    for n in (int(c) for c in args.calls.split(",")):
        base = measure("baseline", n, args.seconds)
        bridge = measure("bridge", n, args.seconds)
        ratio = bridge["ms_per_call_second"] / base["ms_per_call_second"]
        print(f"{n:>5} {base['cpu_percent']:>7.1f} % {base['ms_per_call_second']:>6.2f} ms/s/call "
              f"{bridge['cpu_percent']:>7.1f} % {bridge['ms_per_call_second']:>6.2f} ms/s/call {ratio:>6.2f}")


if __name__ == "__main__":
    main()
