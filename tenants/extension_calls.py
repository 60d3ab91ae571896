"""E6: the calls an extension received and missed, as Kamailio accounted them (``acc``).

The routing plan's account says whom a call was for: an internal call's ``destination`` is the
called extension, a call from the outside's ``extension`` is the one its DID rings. Answered
calls are ``acc_cdrs`` rows (with their duration); missed ones are ``missed_calls`` rows (not
answered, busy, refused), with the SIP answer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenants.call_history import _utc
from tenants.db import database

RECEIVED, MISSED = "received", "missed"
INTERNAL, INBOUND = "internal", "inbound"


@dataclass(frozen=True)
class ExtensionCall:
    at: dt.datetime | None  # UTC
    caller: str  # the calling extension, or the outside number ("" when withheld)
    kind: str  # received | missed
    duration: int | None  # seconds, received calls only
    answer: str  # missed calls: the SIP answer ("486 Busy Here")


def _for_extension(p: str) -> str:
    return (f"tenant = {p} AND ((call_class = '{INTERNAL}' AND destination = {p}) "
            f"OR (call_class = '{INBOUND}' AND extension = {p}))")


def calls_of(domain: str, number: str, kind: str, limit: int = 200) -> list[ExtensionCall]:
    """The extension's latest received (or missed) calls, newest first."""
    p = database.param
    params = (domain, number, number, limit)
    if kind == RECEIVED:
        rows = database.execute_sql(
            f"SELECT start_time, src_user, duration FROM acc_cdrs WHERE {_for_extension(p)} "
            f"ORDER BY id DESC LIMIT {p}", params).fetchall()
        return [ExtensionCall(_utc(at), src or "", RECEIVED, round(duration or 0), "") for at, src, duration in rows]
    rows = database.execute_sql(
        f"SELECT time, src_user, sip_code, sip_reason FROM missed_calls WHERE method = 'INVITE' AND "
        f"{_for_extension(p)} ORDER BY id DESC LIMIT {p}", params).fetchall()
    return [ExtensionCall(_utc(at), src or "", MISSED, None, f"{code} {reason}".strip())
            for at, src, code, reason in rows]
