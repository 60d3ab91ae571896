"""One 20 ms clock for every call of the process (architecture: RTP on ONE clock).

Each tick sends one packet for every session that is registered. Lateness of each
tick (actual minus scheduled time, start and end of the send loop) is kept in a
bounded window for the benchmark and the health log.
"""
from __future__ import annotations

import asyncio
from collections import deque

PERIOD = 0.020
HIST_STEP = 0.00025
HIST_BINS = 400  # up to 100 ms


class Clock:
    def __init__(self, period: float = PERIOD, window: int = 30_000):
        self.period = period
        self.sessions: set = set()
        self.lateness: deque[float] = deque(maxlen=window)  # seconds, at the last send of each tick
        self.ticks = 0
        self.histogram = [0] * (HIST_BINS + 1)  # cumulative lateness counts, HIST_STEP s per bin, last = overflow
        self.skipped = 0
        self._handle: asyncio.TimerHandle | None = None
        self._next = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._next = self._loop.time() + self.period
        self._handle = self._loop.call_at(self._next, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def add(self, session) -> None:
        self.sessions.add(session)

    def discard(self, session) -> None:
        self.sessions.discard(session)

    def _tick(self) -> None:
        loop = self._loop
        scheduled = self._next
        for session in list(self.sessions):
            try:
                session.tick()
            except Exception:  # one broken call never stops the others
                self.sessions.discard(session)
        now = loop.time()
        late = now - scheduled
        self.lateness.append(late)
        self.histogram[min(HIST_BINS, max(0, int(late / HIST_STEP)))] += 1
        self.ticks += 1
        self._next += self.period
        if now - self._next > 5 * self.period:  # the process stalled: resynchronise, do not burst
            missed = int((now - self._next) / self.period)
            self.skipped += missed
            self._next += missed * self.period
        self._handle = loop.call_at(self._next, self._tick)

    @staticmethod
    def histogram_percentile(counts: list[int], q: float) -> float:
        """The ``q`` percentile (0-100) in seconds of a lateness histogram (or of the difference of two)."""
        total = sum(counts)
        if not total:
            return 0.0
        target, seen = q / 100.0 * total, 0
        for i, count in enumerate(counts):
            seen += count
            if seen >= target:
                return (i + 1) * HIST_STEP
        return len(counts) * HIST_STEP

    def percentile(self, q: float) -> float:
        if not self.lateness:
            return 0.0
        values = sorted(self.lateness)
        return values[min(len(values) - 1, int(q / 100.0 * len(values)))]
