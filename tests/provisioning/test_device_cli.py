"""``flask --app wsgi device add|list|remove|resync``: the names and options operators script, printing
JSON that a roll-out can give to phones (or to a vendor's redirection service) as it is."""
from __future__ import annotations

import json

import pytest

from tenants.devices import Device
from tenants.models import AuditEntry
from tests.provisioning.phone import Phone


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_device_add_prints_what_the_phone_needs_and_it_works(app, client, cli, acme):
    result = cli("device", "add", "--domain", "acme.pbx.example", "--mac", "0015.65AB.CD01", "--vendor", "polycom",
                 "--model", "VVX450", "--extension", "2001", "--extension", "2002")
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)  # one JSON object, nothing else
    assert {"base_url", "username", "password", "files"} <= set(added)
    assert added["base_url"] == app.config["POSTE_SETTINGS"].prov_url
    assert added["files"] == ["000000000000.cfg", "001565abcd01-phone.cfg"]  # relative to base_url
    assert added["extensions"] == ["2001", "2002"] and added["mac"] == "001565abcd01"
    phone = Phone(client, added["username"], added["password"])
    for name in added["files"]:
        assert phone.get(f"/prov/{name}").status_code == 200, name
    assert AuditEntry.get(AuditEntry.action == "device.create").actor_email.startswith("cli")


def test_device_list_and_remove(cli, acme, globex):
    cli("device", "add", "--domain", "acme.pbx.example", "--mac", "00:04:13:aa:bb:01", "--vendor", "snom",
        "--model", "D785", "--extension", "2001")
    cli("device", "add", "--domain", "globex.pbx.example", "--mac", "00:04:13:aa:bb:02", "--vendor", "snom",
        "--model", "D785", "--extension", "2001")
    listed = cli("device", "list", "--domain", "acme.pbx.example", "--json")
    rows = json.loads(listed.output)
    assert [r["mac"] for r in rows] == ["000413aabb01"] and rows[0]["files"][1] == "000413AABB01.xml"
    assert "password" not in rows[0] and rows[0]["last_fetch_at"] is None
    removed = cli("device", "remove", "--mac", "00-04-13-AA-BB-01")
    assert removed.exit_code == 0 and Device.select().count() == 1


def test_refusals_are_french_exit_non_zero_and_store_nothing(cli, acme):
    for args, message in (
            (("--mac", "zz:15:65:ab:cd:01", "--vendor", "yealink", "--model", "T46U"), "adresse MAC"),
            (("--mac", "00:15:65:ab:cd:01", "--vendor", "yealink", "--model", "../T46U"), "Modèle non valide"),
            (("--mac", "00:15:65:ab:cd:01", "--vendor", "yealink", "--model", "T46U", "--extension", "2999"),
             "Le poste 2999 n'existe pas"),
    ):
        result = cli("device", "add", "--domain", "acme.pbx.example", *args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert cli("device", "add", "--domain", "acme.pbx.example", "--mac", "00:15:65:ab:cd:01", "--vendor", "nokia",
               "--model", "X").exit_code != 0
    assert Device.select().count() == 0
    assert "Aucun téléphone" in cli("device", "remove", "--mac", "00:15:65:ab:cd:09").output


def test_device_resync_goes_through_the_registrar(cli, acme, registrar):
    cli("device", "add", "--domain", "acme.pbx.example", "--mac", "00:0b:82:aa:bb:01", "--vendor", "grandstream",
        "--model", "GXP2170", "--extension", "2002")
    registrar.phones = [{"aor": "2002@acme.pbx.example", "domain": "acme.pbx.example", "extension": "2002"}]
    result = cli("device", "resync", "--mac", "000b82aabb01")
    assert result.exit_code == 0 and "sent to 1" in result.output
    assert registrar.resyncs == [("2002@acme.pbx.example", "check-sync")]
