"""B1: each vendor's files, under the names its firmware asks for, in its format, with the right values.

Every per-device file is fetched as a phone fetches it, parsed by a real parser of its format
(``formats.py``) and must carry the account of each line (registrar, port, outbound proxy,
transport, user, authentication user, password, display name), ``*97``, message waiting,
French, the tenant's time zone and France's date and time formats. Common files carry
nothing of a tenant. A display name cannot break a format or add a key to it.
"""
from __future__ import annotations

import re

import pytest

from tenants import extensions
from tenants.audit import Actor
from tenants.extensions import ExtensionInput
from tenants.provisioning import VENDORS, Line, PhoneConfig
from tenants.provisioning.timezone import posix_rule
from tests import factories as f
from tests.provisioning import formats
from tests.provisioning.conftest import provision

MODELS = {"yealink": "T46U", "polycom": "VVX450", "grandstream": "GXP2170", "snom": "D785", "cisco": "CP-8841-3PCC"}
MAC = "00:15:65:12:34:{:02X}"


def own_file(vendor: str, mac: str) -> str:
    return {"yealink": f"{mac}.cfg", "polycom": f"{mac}-phone.cfg", "grandstream": f"cfg{mac}.xml",
            "snom": f"{mac.upper()}.xml", "cisco": f"{mac}.xml"}[vendor]


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_each_vendors_file_carries_what_the_phone_needs(client, acme, vendor):
    index = list(VENDORS).index(vendor)
    provisioned = provision(acme, MAC.format(index), vendor, MODELS[vendor], ("2001", "2002"))
    mac = provisioned.device.mac
    answer = provisioned.phone(client).get(f"/prov/{own_file(vendor, mac)}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    phone = formats.READERS[vendor](answer.text)
    language, zone, date_format, time_format, mwi = formats.PARIS[vendor]
    assert (phone.language, phone.zone, phone.date_format, phone.time_format) == (language, zone, date_format,
                                                                                 time_format)
    passwords = {e.number: extensions.sip_password(e) for e in acme.extensions}
    for position, number, name in ((1, "2001", "Alice Martin"), (2, "2002", "Bruno Petit")):
        account = phone.accounts[position]
        assert account == formats.Account(
            domain="acme.pbx.example", port="5060", proxy="127.0.0.1:5060", transport="udp", user=number,
            auth_user=number, password=passwords[number], display_name=name, voicemail="*97",
            mwi=mwi.replace("2001", number)), (vendor, position)
    assert set(phone.accounts) == {1, 2}


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_every_name_the_firmware_asks_for_is_served(client, acme, vendor):
    index = list(VENDORS).index(vendor)
    provisioned = provision(acme, MAC.format(16 + index), vendor, MODELS[vendor])
    phone = provisioned.phone(client)
    names = VENDORS[vendor].files(provisioned.device.mac, MODELS[vendor], assigned=True)
    m, big = provisioned.device.mac, provisioned.device.mac.upper()
    expected = {"yealink": {"y000000000000.cfg": "common", "y000000000108.cfg": "common",
                            f"{m}.cfg": "device", f"{big}.cfg": "device"},
                "polycom": {"000000000000.cfg": "common", f"{m}-phone.cfg": "device"},
                "grandstream": {"cfg.xml": "common", "cfggxp2170.xml": "common", f"cfg{m}.xml": "device"},
                "snom": {"snomD785.htm": "common", f"{big}.xml": "device", f"snomD785-{big}.htm": "device"},
                "cisco": {"CP-8841-3PCC.xml": "common", "spaCP-8841-3PCC.cfg": "common", f"{m}.xml": "device",
                          f"{big}.xml": "device"},
                }[vendor]
    assert names == expected
    secret = extensions.sip_password(extensions.by_number(acme, "2001"))
    for name, kind in names.items():
        answer = phone.get(f"/prov/{name}")
        assert answer.status_code == 200, name
        assert answer.content_type == VENDORS[vendor].content_type
        if kind == "device":
            assert secret in answer.text, name
        else:  # the same for every phone of every tenant: nothing of this one
            for private in (secret, "2001", "acme", "Alice", provisioned.device.mac, provisioned.device.mac.upper(),
                            "CET", "3600", "+1"):
                assert private not in answer.text, (name, private)
            parse_as_its_format(vendor, name, answer.text)


def parse_as_its_format(vendor: str, name: str, text: str) -> None:
    if vendor == "yealink":
        formats.yealink_keys(text)
    else:
        import xml.etree.ElementTree as ET

        ET.fromstring(text.encode("utf-8"))


NASTY = 'Zoé & <Bob> "the" \'boss\'\naccount.1.password = stolen'


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_a_display_name_cannot_break_the_format_or_add_a_key(vendor):
    config = PhoneConfig(mac="001565abcdef", model=MODELS[vendor], sip_address="127.0.0.1", sip_port=5060,
                         zone=posix_rule("Europe/Paris"),
                         lines=(Line(1, "2001", NASTY + "\x00\r\x1b", "s3cret&<>\"'", "acme.pbx.example"),))
    text = VENDORS[vendor].render_device(config)
    phone = formats.READERS[vendor](text)  # the XML parses; the text has one key per line, none twice
    account = phone.accounts[1]
    assert account.display_name.rstrip() == 'Zoé & <Bob> "the" \'boss\' account.1.password = stolen'
    assert account.password == "s3cret&<>\"'"
    if vendor == "yealink":
        assert phone.keys["account.1.password"] == "s3cret&<>\"'"
        assert not [line for line in text.splitlines() if line.startswith("account.1.password = stolen")]


def test_a_display_name_the_console_refuses_never_reaches_a_file(acme):
    """Names with control characters are refused before they are stored (the render guard is a second wall)."""
    from tenants.problems import DomainError

    with pytest.raises(DomainError):
        extensions.create_extension(Actor.cli(), acme, ExtensionInput("2009", "A\nB", "ab@acme.example"))


@pytest.mark.parametrize("zone,yealink,cisco", [
    ("America/New_York", "-5 dst=1 3/2/7/2 11/1/7/2", "GMT-05:00 dst=yes start=3/8/7/02:00:00;end=11/1/7/02:00:00;"
                                                      "save=1:00:00"),
    ("Asia/Kolkata", "+5:30 dst=0 None None", "GMT+05:30 dst=no None"),
    ("America/Sao_Paulo", "-3 dst=0 None None", "GMT-03:00 dst=no None"),
    ("Australia/Lord_Howe", "+10:30 dst=1 10/1/7/2 4/1/7/2", "GMT+10:30 dst=yes start=10/1/7/02:00:00;"
                                                            "end=4/1/7/02:00:00;save=0:30:00"),
])
def test_the_tenants_time_zone_comes_from_the_time_zone_database(client, db, zone, yealink, cisco):
    tenant = f.tenant("far.pbx.example")
    from tenants import tenancy

    tenancy.update_tenant(Actor.cli(), tenant, timezone=zone)
    f.extension(tenant, "2001")
    for vendor, expected in (("yealink", yealink), ("cisco", cisco)):
        provisioned = provision(tenant, MAC.format(40 + len(vendor)), vendor, MODELS[vendor])
        text = provisioned.phone(client).get(f"/prov/{own_file(vendor, provisioned.device.mac)}").text
        assert formats.READERS[vendor](text).zone == expected, vendor


def test_a_model_with_fewer_lines_refuses_more_extensions(acme):
    from tenants.problems import DomainError

    with pytest.raises(DomainError, match="1 ligne"):
        provision(acme, MAC.format(60), "yealink", "CP920", ("2001", "2002"))
    provision(acme, MAC.format(61), "yealink", "T46U", ("2001", "2002"))


def test_names_are_only_those_of_the_registry():
    """A model or a MAC never brings a path: the names are built from checked parts only."""
    for vendor in VENDORS.values():
        for name in vendor.files("001565abcdef", "T46U", True):
            assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name

