"""The media app's numbers, written every few seconds to ``$POSTE_DATA/mediaapp-stats.json``:
the last window's RTP clock lateness and the store latency (read by ``bench/media.py``)."""
from __future__ import annotations

import asyncio
import json
import os

STATS_SECONDS = 2.0


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def snapshot(app) -> dict:
    """The numbers of now; the clock's lateness window starts again."""
    window = sorted(app.clock.lateness)
    app.clock.lateness.clear()
    latencies = sorted(app.stats["store_latency"])
    return {"active_calls": len(app.calls), "calls": app.stats["calls"], "stored": app.stats["stored"],
            "discarded": app.stats["discarded"], "ticks": app.clock.ticks, "skipped": app.clock.skipped,
            "lateness_histogram": app.clock.histogram,
            "lateness_ms": {"p50": _pct(window, 0.5) * 1e3, "p99": _pct(window, 0.99) * 1e3,
                            "max": (window[-1] if window else 0.0) * 1e3, "n": len(window)},
            "store_latency_ms": {"p50": _pct(latencies, 0.5) * 1e3, "p99": _pct(latencies, 0.99) * 1e3,
                                 "max": (latencies[-1] if latencies else 0.0) * 1e3}}


async def write_forever(app, every: float = STATS_SECONDS) -> None:
    path = app.data_dir / "mediaapp-stats.json"
    while True:
        await asyncio.sleep(every)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(snapshot(app)))
        os.replace(tmp, path)
