"""A registrar port (``tenants.ports.Registrar``) that remembers what the domain asked of it."""
from __future__ import annotations

import pytest

from tenants import ports


class FakeRegistrar:
    def __init__(self):
        self.unregistered: list[str] = []
        self.phones: list[dict] = []

    def unregister(self, aor: str) -> None:
        self.unregistered.append(aor)

    def registrations(self, domain: str | None = None) -> list[dict]:
        return [p for p in self.phones if domain is None or p["domain"] == domain]

    def active_calls(self, domain: str | None = None) -> list[dict]:
        return []

    def totals_by_domain(self) -> dict[str, dict]:
        return {}


@pytest.fixture
def registrar():
    """A fake registrar installed for one test (the composition root installs the real one)."""
    fake = FakeRegistrar()
    previous = ports.install_registrar(fake)
    yield fake
    ports.install_registrar(previous)
