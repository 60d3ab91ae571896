"""A tenant's calls to and from the outside, as Kamailio accounted them (issue 14).

Kamailio writes them (``acc``, ``kamailio/poste.cfg``) with the routing plan's account in extra
columns: ``tenant``, ``extension``, ``destination``, ``call_class`` (``included``, ``emergency``,
``inbound``, ``refused``). Answered calls are ``acc_cdrs`` rows (with their duration); calls that
were refused or not answered are ``missed_calls`` rows (with the SIP answer). With SQLite,
Kamailio stores times as Julian day numbers; with PostgreSQL, as timestamps.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenants.db import database

OUTSIDE_CLASSES = ("included", "emergency", "inbound", "refused")
UNIX_EPOCH_JULIAN_DAY = 2440587.5


@dataclass(frozen=True)
class OutsideCall:
    at: dt.datetime | None  # UTC
    extension: str
    caller: str  # who called: the extension, or the outside number of an inbound call
    destination: str
    call_class: str
    duration: int | None  # seconds, answered calls only
    answer: str  # "" when answered, else the SIP answer ("403 Destination Not Allowed")


def _utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int | float):
        return dt.datetime(1970, 1, 1) + dt.timedelta(days=float(value) - UNIX_EPOCH_JULIAN_DAY)
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def outside_calls(domain: str, limit: int = 50) -> list[OutsideCall]:
    """The tenant's latest outside calls, newest first."""
    marks = ", ".join([database.param] * len(OUTSIDE_CLASSES))
    where = f"tenant = {database.param} AND call_class IN ({marks}) ORDER BY id DESC LIMIT {database.param}"
    params = (domain, *OUTSIDE_CLASSES, limit)
    calls = [OutsideCall(_utc(at), ext or "", src or "", dest or "", cls, round(duration or 0), "")
             for at, ext, src, dest, cls, duration in database.execute_sql(
                 "SELECT start_time, extension, src_user, destination, call_class, duration FROM acc_cdrs "
                 f"WHERE {where}", params).fetchall()]
    calls += [OutsideCall(_utc(at), ext or "", src or "", dest or "", cls, None, f"{code} {reason}".strip())
              for at, ext, src, dest, cls, code, reason in database.execute_sql(
                  "SELECT time, extension, src_user, destination, call_class, sip_code, sip_reason FROM missed_calls "
                  f"WHERE method = 'INVITE' AND {where}", params).fetchall()]
    calls.sort(key=lambda call: call.at or dt.datetime.min, reverse=True)
    return calls[:limit]
