"""The login rate limit's counts in the application's database (a ``limits`` storage).

Flask-Limiter's ``memory://`` counted per gunicorn worker, so with two workers the first
refusal came at attempt 19 instead of 11. ``poste-db://`` keeps the counts in the
database every worker and host already shares (SQLite or PostgreSQL, ``tenants.throttle``);
``RATELIMIT_STORAGE_URI`` may still name another store (``redis://...``). Only Flask-Limiter's
default fixed-window strategy is supported.
"""
from __future__ import annotations

import time

import peewee
from limits.storage import Storage

from tenants import throttle

STORAGE_URI = "poste-db://"


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["poste-db"]  # registered with ``limits`` when this module is imported
    clock = staticmethod(time.time)

    @property
    def base_exceptions(self) -> type[Exception]:
        return peewee.PeeweeException

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return throttle.hit(key, expiry, self.clock(), amount)

    def get(self, key: str) -> int:
        return throttle.count(key, self.clock())

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        end = throttle.window_end(key, now)
        return now if end is None else end

    def check(self) -> bool:
        try:
            throttle.count("", self.clock())
        except peewee.PeeweeException:
            return False
        return True

    def reset(self) -> int | None:
        return throttle.forget_all()

    def clear(self, key: str) -> None:
        throttle.forget(key)
