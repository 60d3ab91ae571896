"""B1 end to end: a desk phone of each vendor fetches its file from the console (HTTPS, its own
credentials) and registers to Kamailio with the account read back from that file; asking it
to fetch again sends it a NOTIFY check-sync through Kamailio."""
from __future__ import annotations

import pytest

from kamailio import rpc
from tenants import devices
from tenants.audit import Actor
from tenants.devices import DeviceInput
from tenants.provisioning import VENDORS
from tests.kamailio.conftest import make_ext
from tests.provisioning import formats
from tests.provisioning.phone import Phone
from tests.sip_fixtures import free_port

DOMAIN = "provisioned.pbx.example"
MODELS = {"yealink": "T46U", "polycom": "VVX450", "grandstream": "GXP2170", "snom": "D785", "cisco": "CP-8841-3PCC"}


def own_file(device) -> str:
    return next(name for name, kind in VENDORS[device.vendor].files(device.mac, device.model, True).items()
                if kind == "device")


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_a_phone_registers_with_the_account_of_its_own_file(sip, tenant, console_app, own_ip, vendor):
    ext = make_ext(tenant)
    mac = f"00:15:65:77:00:{list(VENDORS).index(vendor):02x}"
    device, password = devices.add_device(Actor.cli(), tenant, DeviceInput(mac, vendor, MODELS[vendor], (ext.number,)))
    fetched = Phone(console_app.test_client(), device.username, password).get(f"/prov/{own_file(device)}")
    assert fetched.status_code == 200, fetched.status_code
    account = formats.READERS[vendor](fetched.text).accounts[1]
    assert account.proxy == f"127.0.0.1:{sip.sip_port}" and account.domain == DOMAIN
    assert account.user == account.auth_user == ext.number
    registered = sip.register(account.auth_user, account.domain, account.password, contact_port=free_port())
    assert registered.ok, registered.explain()
    assert [r for r in rpc.registrations(DOMAIN, settings=sip.settings) if r["extension"] == ext.number]
    # a wrong password (one character off) is refused by Kamailio: the file's is the one it checks
    refused = sip.register(account.auth_user, account.domain, account.password[:-1] + "!", expect=401,
                           local_ip=own_ip())
    assert refused.ok, refused.explain()


def test_asking_a_phone_to_fetch_again_sends_it_check_sync(sip, tenant, console_app):
    ext = make_ext(tenant)
    device, _password = devices.add_device(Actor.cli(), tenant,
                                           DeviceInput("00:04:13:77:00:01", "snom", "D785", (ext.number,)))
    port = free_port()
    phone = sip.sipp("uas_check_sync", port=port, background=True, timeout=15,
                     substitutions={"EVENT": "check-sync;reboot=false", "USER": ext.number, "DOMAIN": DOMAIN})
    assert sip.register(ext.number, DOMAIN, ext.password, contact_port=port).ok
    assert devices.resync(Actor.cli(), device) == 1
    phone.wait()
    assert phone.ok, phone.explain()
