"""Tenants with extensions and desk phones, the console app serving ``/prov/`` on a clock the test sets."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tenants import devices
from tenants.audit import Actor
from tenants.devices import DeviceInput
from tests import factories as f
from tests.provisioning.phone import Phone

NOW = 1_900_000_000.0  # a fixed clock: nonces (one per minute) do not change during a test


@dataclass
class Provisioned:
    device: devices.Device
    password: str

    def phone(self, client, address: str = "192.0.2.10") -> Phone:
        return Phone(client, self.device.username, self.password, address)


def provision(tenant, mac: str, vendor: str = "yealink", model: str = "T46U", numbers=("2001",)) -> Provisioned:
    device, password = devices.add_device(Actor.cli(), tenant, DeviceInput(mac, vendor, model, tuple(numbers)))
    return Provisioned(device, password)


@pytest.fixture
def clock(app):
    """The provisioning server's clock, fixed at ``NOW`` (set ``clock.now`` to move it)."""
    class Clock:
        now = NOW

        def __call__(self):
            return self.now

    fixed = Clock()
    app.extensions["poste_provisioning"].clock = fixed
    return fixed


@pytest.fixture
def acme(db):
    tenant = f.tenant("acme.pbx.example")
    f.extension(tenant, "2001", name="Alice Martin")
    f.extension(tenant, "2002", name="Bruno Petit")
    return tenant


@pytest.fixture
def globex(db):
    tenant = f.tenant("globex.pbx.example")
    f.extension(tenant, "2001", name="Gina Globex")
    return tenant


@pytest.fixture
def client(app, clock):
    return app.test_client()
