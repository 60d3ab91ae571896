"""One 20 ms clock for every call of the process (architecture: RTP on ONE clock).

Each tick sends one packet for every session that is registered. Lateness of each
tick (actual minus scheduled time, start and end of the send loop) is kept in a
bounded window for the benchmark and the health log.
"""
from __future__ import annotations

import asyncio
from collections import deque

PERIOD = 0.020


class Clock:
    def __init__(self, period: float = PERIOD, window: int = 30_000):
        self.period = period
        self.sessions: set = set()
        self.lateness: deque[float] = deque(maxlen=window)  # seconds, at the last send of each tick
        self.ticks = 0
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
        self.lateness.append(now - scheduled)
        self.ticks += 1
        self._next += self.period
        if now - self._next > 5 * self.period:  # the process stalled: resynchronise, do not burst
            missed = int((now - self._next) / self.period)
            self.skipped += missed
            self._next += missed * self.period
        self._handle = loop.call_at(self._next, self._tick)

    def percentile(self, q: float) -> float:
        if not self.lateness:
            return 0.0
        values = sorted(self.lateness)
        return values[min(len(values) - 1, int(q / 100.0 * len(values)))]
