"""Counts of attempts per key in fixed windows, kept in the application's database.

Every process that shares the database (gunicorn workers, other hosts on PostgreSQL)
counts the same attempts. The console's login rate limit keeps its counts here
(``console.rate_limit``). A window starts at a key's first attempt and lasts its
length; times are epoch seconds, passed in so the rule is tested without a clock.
"""
from __future__ import annotations

import peewee as pw

from tenants.db import database
from tenants.models import BaseModel


class RateCounter(BaseModel):
    key = pw.TextField(primary_key=True)
    hits = pw.IntegerField()
    expires_at = pw.DoubleField(index=True)  # the end of the key's window

    class Meta:
        table_name = "rate_counter"


def hit(key: str, window: float, now: float, amount: int = 1) -> int:
    """Count ``amount`` attempts on ``key``; return the attempts in its window so far, these included.

    One transaction: ended windows are dropped (this key's too, so it starts afresh), then the
    key's row is created or added to in one statement, which concurrent writers serialise on.
    """
    with database.atomic():
        RateCounter.delete().where(RateCounter.expires_at <= now).execute()
        (RateCounter.insert(key=key, hits=amount, expires_at=now + window)
         .on_conflict(conflict_target=[RateCounter.key], update={RateCounter.hits: RateCounter.hits + amount})
         .execute())
        return RateCounter.get_by_id(key).hits


def _current(key: str, now: float) -> RateCounter | None:
    return RateCounter.get_or_none((RateCounter.key == key) & (RateCounter.expires_at > now))


def count(key: str, now: float) -> int:
    """The attempts on ``key`` in its current window (0 when none)."""
    row = _current(key, now)
    return row.hits if row else 0


def window_end(key: str, now: float) -> float | None:
    """When ``key``'s current window ends, if it has one."""
    row = _current(key, now)
    return row.expires_at if row else None


def forget(key: str) -> None:
    RateCounter.delete().where(RateCounter.key == key).execute()


def forget_all() -> int:
    """Drop every count; return how many rows went."""
    return RateCounter.delete().execute()
