"""A registrar port (``tenants.ports.Registrar``) that remembers what the domain asked of it."""
from __future__ import annotations

import pytest

from tenants import ports


class FakeRegistrar:
    def __init__(self):
        self.unregistered: list[str] = []
        self.phones: list[dict] = []
        self.resyncs: list[tuple[str, str]] = []
        self.forgotten: list[str] = []

    def unregister(self, aor: str) -> None:
        self.unregistered.append(aor)

    def registrations(self, domain: str | None = None) -> list[dict]:
        return [p for p in self.phones if domain is None or p["domain"] == domain]

    def active_calls(self, domain: str | None = None) -> list[dict]:
        return []

    def totals_by_domain(self) -> dict[str, dict]:
        return {}

    def resync(self, aor: str, event: str) -> int:
        self.resyncs.append((aor, event))
        return sum(1 for p in self.phones if p["aor"] == aor)

    def forget_domain(self, domain: str) -> None:
        self.forgotten.append(domain)


@pytest.fixture
def registrar():
    """A fake registrar installed for one test (the composition root installs the real one)."""
    fake = FakeRegistrar()
    previous = ports.install_registrar(fake)
    yield fake
    ports.install_registrar(previous)
