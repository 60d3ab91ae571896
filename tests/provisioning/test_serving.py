"""B1's security properties of ``/prov/``, each tested: authenticate first, look up second; per-device
credentials; replays, forged and stale nonces; traversal and query strings; the User-Agent;
failures limited per address and logged on one line without secrets; no-store; HTTPS only."""
from __future__ import annotations

import base64
import logging
import random
import re

import pytest

from tenants import devices, extensions
from tenants.audit import Actor
from tenants.devices import Device, DeviceInput
from tenants.extensions import ExtensionInput
from tenants.provisioning import digest
from tests.provisioning.conftest import NOW, provision
from tests.provisioning.phone import Phone

OUIS = {"yealink": ("001565", "805ec0", "249ad8"), "polycom": ("0004f2", "64167f"), "grandstream": ("000b82", "c074ad"),
        "snom": ("000413",), "cisco": ("00562b", "0c1167", "f87b20")}
# What a file must never show to a scan: a password value of any vendor's format.
PASSWORD_KEYS = re.compile(r"password|user_pass|P34>|P406>|Password_|auth\.password", re.I)


def answer_of(response) -> tuple:
    """Everything a client sees of an answer."""
    return response.status_code, tuple(sorted(response.headers.items())), response.data


def own_file(device: Device) -> str:
    return f"/prov/{device.mac}.cfg"


@pytest.fixture
def two(acme, globex):
    """A Yealink of acme (2001) and one of globex (2001)."""
    return provision(acme, "00:15:65:00:00:01"), provision(globex, "00:15:65:00:00:02")


def test_a_phone_fetches_its_own_file_over_https_and_the_fetch_is_noted(client, two):
    mine, _theirs = two
    answer = mine.phone(client, "198.51.100.7").get(own_file(mine.device))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert extensions.sip_password(extensions.by_number(mine.device.tenant, "2001")) in answer.text
    fresh = Device.get_by_id(mine.device.id)
    assert fresh.last_fetch_at is not None and fresh.last_fetch_from == "198.51.100.7"
    assert fresh.last_fetch_file == f"{mine.device.mac}.cfg"


def test_plain_http_never_serves_a_file_and_answers_the_same_to_all(app, clock, two):
    mine, _ = two
    plain = app.test_client()
    answers = {answer_of(plain.get(path)) for path in
               (own_file(mine.device), "/prov/001565ffffff.cfg", "/prov/", "/prov/../wsgi.py")}
    with_credentials = Phone(plain, mine.device.username, mine.password, base="http://pbx.example")
    answers.add(answer_of(with_credentials.raw(own_file(mine.device), {"Authorization": "Basic " + base64.b64encode(
        f"{mine.device.username}:{mine.password}".encode()).decode()})))
    assert len(answers) == 1
    status, headers, body = answers.pop()
    assert status == 403 and b"HTTPS" in body and mine.password.encode() not in body
    assert ("Cache-Control", "no-store") in headers


def test_known_and_unknown_macs_without_credentials_get_byte_identical_answers(client, two):
    mine, theirs = two
    known = [own_file(mine.device), own_file(theirs.device), f"/prov/{mine.device.mac.upper()}.cfg",
             "/prov/y000000000000.cfg"]
    unknown = ["/prov/001565abcdef.cfg", "/prov/001565ABCDEF.cfg", "/prov/nothing-here", "/prov/"]
    phone = Phone(client)
    answers = [answer_of(phone.raw(path)) for path in known + unknown]
    assert len(set(answers)) == 1, [a[:2] for a in answers]
    assert answers[0][0] == 401
    # a wrong password, an unknown user, a forged nonce: the very same answer
    nonce = digest.make_nonce(client.application.extensions["poste_provisioning"].key, NOW)
    for path in (own_file(mine.device), "/prov/001565abcdef.cfg"):
        for username, password, used in ((mine.device.username, "wrong-password", nonce),
                                         ("ph000000000000", mine.password, nonce),
                                         (mine.device.username, mine.password, "forged" + nonce[6:])):
            header = digest.client_response(username, password, "GET", path, used, 1, "abcd")
            assert answer_of(phone.raw(path, {"Authorization": header})) == answers[0], (path, username)


def test_one_phones_credentials_never_fetch_another_phones_file(client, acme, two):
    mine, theirs = two
    neighbour = provision(acme, "00:15:65:00:00:03", "polycom", "VVX450", ("2002",))
    phone = mine.phone(client)
    for other in (theirs.device, neighbour.device):  # another tenant's, and the same tenant's
        for name in devices.VENDORS[other.vendor].files(other.mac, other.model, True):
            if name in devices.VENDORS[mine.device.vendor].common_names(mine.device.model):
                continue
            answer = phone.get(f"/prov/{name}")
            assert answer.status_code == 404, name
            assert answer_of(answer) == answer_of(phone.get("/prov/001565abcdef.cfg"))
    assert phone.get(own_file(mine.device)).status_code == 200


@pytest.mark.parametrize("path", [
    "/prov/", "/prov", "/prov/..", "/prov/../wsgi.py", "/prov/%2e%2e/wsgi.py", "/prov/..%2fwsgi.py",
    "/prov/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/prov/templates/yealink/device.cfg.j2", "/prov/device.cfg.j2",
    "/prov/./{mac}.cfg", "/prov/sub/{mac}.cfg", "/prov/{mac}.cfg/", "/prov/{mac}.cfg%00.xml",
    "/prov/x.cfg?file=../../secrets/sip_password_key", "/prov/x.cfg?template=yealink/device.cfg.j2&mac={mac}",
    "/prov/?mac={mac}", "/prov/snomD785.htm?mac={mac}",
])
def test_no_listing_no_traversal_no_path_or_template_from_the_query(client, two, path):
    mine, _ = two
    path = path.format(mac=mine.device.mac)
    phone = mine.phone(client)
    without = phone.raw(path)
    assert without.status_code == 401
    answer = phone.get(path)
    assert answer.status_code == 404, path
    assert answer.data == b"Not found.\n"
    # the query string is not read: the same name with a query is the same file
    served = phone.get(own_file(mine.device) + "?template=polycom/device.cfg.xml.j2&mac=001565000002")
    assert served.status_code == 200 and served.text.startswith("#!version:1.0.0.1")


def test_the_user_agent_is_never_a_credential(client, two):
    mine, _ = two
    for ua in (f"Yealink SIP-T46U 108.86.0.20 {devices.mac_colons(mine.device.mac).lower()}",
               f"Grandstream Model HW GXP2170 SW 1.0.11.3 DevId {mine.device.mac}",
               f"FileTransport PolycomVVX-VVX_450-UA/6.4.0.1 {mine.device.username}"):
        answer = mine.phone(client).raw(own_file(mine.device), {"User-Agent": ua})
        assert answer.status_code == 401, ua


def test_a_replayed_answer_is_refused(client, two, caplog):
    mine, _ = two
    phone = mine.phone(client)
    assert phone.get(own_file(mine.device)).status_code == 200
    caplog.set_level(logging.INFO, logger="poste.provisioning")
    again = phone.raw(own_file(mine.device), {"Authorization": phone.sent[-1]})
    assert again.status_code == 401 and mine.password not in again.text
    assert "replayed answer" in caplog.text
    assert phone.get(own_file(mine.device)).status_code == 200  # the next answer (new nc, new cnonce) is fine


def test_a_stale_nonce_is_renewed_and_a_forged_one_refused(client, clock, two):
    mine, _ = two
    phone = mine.phone(client)
    assert phone.get(own_file(mine.device)).status_code == 200
    clock.now = NOW + digest.NONCE_LIFETIME + 120
    stale = phone.raw(own_file(mine.device), {"Authorization": phone.authorization(own_file(mine.device))})
    assert stale.status_code == 401 and "stale=true" in stale.headers.get_all("WWW-Authenticate")[0]
    assert phone.get(own_file(mine.device)).status_code == 200  # takes the new nonce
    assert devices.failures(mine.phone(client).address, clock.now) == 0  # a stale nonce is not a failure
    forged = digest.make_nonce(b"another key", clock.now)
    header = digest.client_response(mine.device.username, mine.password, "GET", own_file(mine.device), forged, 1, "x")
    assert phone.raw(own_file(mine.device), {"Authorization": header}).status_code == 401


def test_digest_without_qop_auth_is_refused(client, two):
    mine, _ = two
    phone = mine.phone(client)
    phone.get(own_file(mine.device))
    ha1 = digest.ha1(mine.device.username, mine.password)
    import hashlib

    ha2 = hashlib.md5(f"GET:{own_file(mine.device)}".encode()).hexdigest()
    response = hashlib.md5(f"{ha1}:{phone.nonce}:{ha2}".encode()).hexdigest()  # RFC 2069: no cnonce, replayable
    header = (f'Digest username="{mine.device.username}", realm="{digest.REALM}", nonce="{phone.nonce}", '
              f'uri="{own_file(mine.device)}", response="{response}"')
    assert phone.raw(own_file(mine.device), {"Authorization": header}).status_code == 401


def test_basic_authentication_over_tls_and_sha256_digest(client, two):
    mine, _ = two
    good = base64.b64encode(f"{mine.device.username}:{mine.password}".encode()).decode()
    bad = base64.b64encode(f"{mine.device.username}:{mine.password}x".encode()).decode()
    phone = mine.phone(client)
    assert phone.raw(own_file(mine.device), {"Authorization": f"Basic {good}"}).status_code == 200
    assert phone.raw(own_file(mine.device), {"Authorization": f"Basic {bad}"}).status_code == 401
    nonce = digest.make_nonce(client.application.extensions["poste_provisioning"].key, NOW)
    header = digest.client_response(mine.device.username, mine.password, "GET", own_file(mine.device), nonce, 1,
                                    "c0ffee", algorithm="sha-256")
    assert phone.raw(own_file(mine.device), {"Authorization": header}).status_code == 200


def test_repeated_failures_from_one_address_are_refused_without_affecting_other_phones(app, client, two, caplog):
    mine, theirs = two
    caplog.set_level(logging.INFO, logger="poste.provisioning")
    attacker = Phone(client, mine.device.username, "not-the-password", address="203.0.113.66")
    limit = app.config["POSTE_SETTINGS"].prov_auth_fail_max
    for _ in range(limit):
        assert attacker.get(own_file(mine.device)).status_code == 401
        attacker.nonce = ""
    banned = attacker.raw(own_file(mine.device))
    assert banned.status_code == 429 and banned.headers["Retry-After"]
    # even the right credentials from that address are refused now...
    same_address = mine.phone(client, "203.0.113.66")
    assert same_address.raw(own_file(mine.device)).status_code == 429
    # ...but the phones elsewhere fetch as before
    assert mine.phone(client, "192.0.2.10").get(own_file(mine.device)).status_code == 200
    assert theirs.phone(client, "192.0.2.11").get(own_file(theirs.device)).status_code == 200
    failures = [r for r in caplog.records if "authentication failed" in r.getMessage()]
    assert len(failures) == limit
    for record in caplog.records:
        line = record.getMessage()
        assert "\n" not in line
        assert "203.0.113.66" in line or "192.0.2.1" in line
        for secret in (mine.password, theirs.password, "not-the-password", "Digest", "response=", "Authorization"):
            assert secret not in line, line


def test_changes_are_in_the_next_fetch_and_an_unassigned_or_deleted_device_has_no_file(client, acme, two):
    mine, _ = two
    phone = mine.phone(client)
    ext = extensions.by_number(acme, "2001")
    new_password = extensions.set_sip_password(Actor.cli(), ext)
    extensions.update_extension(Actor.cli(), ext, ExtensionInput("2001", "Alice Dupont", ext.email))
    text = phone.get(own_file(mine.device)).text
    assert f"account.1.password = {new_password}" in text and "account.1.display_name = Alice Dupont" in text
    devices.update_device(Actor.cli(), mine.device, DeviceInput(mine.device.mac, "yealink", "T46U", ("2002", "2001")))
    text = phone.get(own_file(mine.device)).text
    assert "account.1.user_name = 2002" in text and "account.2.user_name = 2001" in text
    devices.update_device(Actor.cli(), mine.device, DeviceInput(mine.device.mac, "yealink", "T46U", ()))
    assert phone.get(own_file(mine.device)).status_code == 404  # unassigned: no file
    assert phone.get("/prov/y000000000000.cfg").status_code == 200  # the common one still
    devices.update_device(Actor.cli(), mine.device, DeviceInput(mine.device.mac, "yealink", "T46U", ("2001",)))
    assert phone.get(own_file(mine.device)).status_code == 200
    extensions.delete_extension(Actor.cli(), extensions.by_number(acme, "2001"))
    assert phone.get(own_file(mine.device)).status_code == 404  # its only extension went
    devices.remove_device(Actor.cli(), Device.get_by_id(mine.device.id))
    assert phone.get(own_file(mine.device)).status_code == 401  # deleted: its credentials are gone


def test_new_credentials_replace_the_old_ones(client, two):
    mine, _ = two
    old = mine.phone(client)
    assert old.get(own_file(mine.device)).status_code == 200
    password = devices.new_credentials(Actor.cli(), mine.device)
    renewed = Device.get_by_id(mine.device.id)
    old.nonce = ""
    assert old.get(own_file(mine.device)).status_code == 401
    assert Phone(client, renewed.username, password).get(own_file(mine.device)).status_code == 200
    assert len(password) >= 22 and re.fullmatch(r"[A-Za-z0-9]+", password)  # 62^22 > 2^128


def test_head_and_other_methods(client, two):
    mine, _ = two
    phone = mine.phone(client)
    head = phone.get(own_file(mine.device), method="HEAD")
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) > 100
    assert phone.raw(own_file(mine.device), method="PUT").status_code == 401  # authenticate first
    assert phone.get(own_file(mine.device), method="POST").status_code == 405


def test_a_scan_of_a_thousand_macs_learns_nothing_and_creates_nothing(client, two):
    mine, theirs = two
    rng = random.Random(18)
    macs = [rng.choice([o for ouis in OUIS.values() for o in ouis]) + f"{rng.randrange(1 << 24):06x}"
            for _ in range(1000)]
    macs[::100] = [mine.device.mac] * 10  # the real one is among them
    before = Device.select().count()
    names = lambda m: (f"{m}.cfg", f"{m.upper()}.cfg", f"{m}-phone.cfg", f"cfg{m}.xml",  # noqa: E731
                       f"{m.upper()}.xml", f"{m}.xml")
    anonymous = Phone(client, address="203.0.113.5")
    foreign = theirs.phone(client, "203.0.113.6")  # another tenant's valid credentials
    statuses = {}
    for index, mac in enumerate(macs):
        for scanner in (anonymous, foreign):
            answer = scanner.get(f"/prov/{names(mac)[index % 6]}") if scanner is foreign else \
                scanner.raw(f"/prov/{names(mac)[index % 6]}")
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            assert answer.status_code != 200, mac
            assert not PASSWORD_KEYS.search(answer.text), mac
    assert statuses == {401: 1000, 404: 1000}
    assert Device.select().count() == before


def test_a_deleted_tenants_phones_have_no_credentials_left(client, acme, two):
    from tenants import tenancy

    mine, theirs = two
    assert mine.phone(client).get(own_file(mine.device)).status_code == 200
    tenancy.delete_tenant(Actor.cli(), acme, "acme.pbx.example")
    assert not Device.select().where(Device.id == mine.device.id).exists()
    assert mine.phone(client).get(own_file(mine.device)).status_code == 401
    assert theirs.phone(client).get(own_file(theirs.device)).status_code == 200  # globex's phone is untouched
