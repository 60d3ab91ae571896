"""The routing step of kamailio.cfg, run inside Kamailio by app_python3 (KEMI).

``route[DECIDE]`` calls ``python_exec("route_call")``; this reads the caller and
the dialled URI from the message, asks ``tenants.routing.decide`` and leaves the
decision in ``$var(decision)`` for the configuration to apply. Each Kamailio
worker process has its own interpreter and opens its own database connection on
first use (after the fork).
"""
from __future__ import annotations

import os

import KSR  # provided by app_python3

from tenants import routing, sip_accounts
from tenants.db import database, open_database


def _ensure_db() -> None:
    if database.obj is None:
        open_database(os.environ["DATABASE_URL"])


class Router:
    def child_init(self, rank: int) -> int:
        return 0

    def route_call(self, msg) -> int:
        try:
            _ensure_db()
            with database.connection_context():
                decision = routing.decide(KSR.pv.get("$fU") or "", KSR.pv.get("$fd") or "",
                                          KSR.pv.get("$rU") or "", KSR.pv.get("$rd") or "")
            KSR.pv.sets("$var(decision)", decision.wire())
        except Exception as exc:  # never let an exception kill the SIP worker
            KSR.err(f"poste routing failed: {exc!r}\n")
            KSR.pv.sets("$var(decision)", "error")
        return 1


    def is_served(self, msg) -> int:
        """route[IS_SERVED]: ``$var(served)`` = 1 when ``$var(domain)`` is a tenant's domain."""
        served = 0
        try:
            _ensure_db()
            with database.connection_context():
                served = int(sip_accounts.is_served(KSR.pv.get("$var(domain)") or ""))
        except Exception as exc:  # unknown is "not served": the request is refused, never relayed
            KSR.err(f"poste domain check failed: {exc!r}\n")
        KSR.pv.seti("$var(served)", served)
        return 1


def mod_init() -> Router:
    return Router()
