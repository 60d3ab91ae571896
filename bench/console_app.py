"""The console as ``bench/console.py`` serves it with gunicorn: ``wsgi.py``'s app with a registrar
that answers as a Kamailio holding many phones would (no Kamailio runs during the benchmark).

The tenant ``big.pbx.example`` has 600 of its extensions' phones registered; the others none.
The answers never change, so the "Téléphones" poll measures both its paths: a full page of
registrations (the first poll) and 204 (every later one, nothing having changed).
"""
from __future__ import annotations

import datetime as dt

import wiring
from bench.console import BIG_DOMAIN
from console import create_app
from tenants import ports

SINCE = dt.datetime(2026, 1, 15, 8, 0, 0)


class BenchRegistrar:
    def __init__(self):
        self.phones = [{"extension": str(2000 + n), "domain": BIG_DOMAIN, "aor": f"{2000 + n}@{BIG_DOMAIN}",
                        "contact": f"sip:{2000 + n}@192.0.2.{n % 250 + 1}:5060;transport=udp",
                        "user_agent": "Yealink SIP-T54W 96.86.0.100", "received": "", "registered_at": SINCE,
                        "last_refresh": SINCE, "expires_at": SINCE + dt.timedelta(hours=1), "expires_in": 3600,
                        "transport": "udp"} for n in range(0, 1000) if n % 5 < 3]

    def unregister(self, aor: str) -> None:
        return None

    def registrations(self, domain: str | None = None) -> list[dict]:
        return [p for p in self.phones if domain is None or p["domain"] == domain]

    def active_calls(self, domain: str | None = None) -> list[dict]:
        return []

    def totals_by_domain(self) -> dict[str, dict]:
        return {BIG_DOMAIN: {"registered_extensions": len(self.phones), "phones": len(self.phones), "active_calls": 4}}


app = create_app()
wiring.register_handlers()
ports.install_registrar(BenchRegistrar())
