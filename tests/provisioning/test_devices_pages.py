"""B1 in the console: the tenant admin's "Téléphones" > "Appareils" pages."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from tenants import devices
from tenants.devices import Device
from tenants.models import AuditEntry
from tests import factories as f
from tests.provisioning.conftest import NOW, provision
from tests.provisioning.phone import Phone


def signed_in(app, tenant, email):
    f.account("admin", tenant, email=email)
    return f.login(app.test_client(), email)


def test_the_admin_adds_a_phone_and_reads_what_to_give_it(app, client, acme, registrar):
    admin = signed_in(app, acme, "boss@acme.example")
    page = admin.get("/telephones/appareils/nouveau")
    assert page.status_code == 200 and "Adresse MAC" in page.text and "Yealink" in page.text
    answer = admin.post("/telephones/appareils/nouveau", data={
        "csrf_token": f.csrf_token(page.text), "mac": "00-15-65-ab-cd-ef", "vendor": "yealink", "model": "T46U",
        "extensions": "2002 2001"})
    assert answer.status_code == 302, answer.text
    device = Device.get(Device.mac == "001565abcdef")
    assert devices.numbers_of(device) == ["2002", "2001"]
    detail = admin.get(answer.headers["Location"])
    assert detail.headers["Cache-Control"] == "no-store"  # it shows the credentials
    text = detail.text
    url = re.search(r'id="provisioning-url">([^<]+)<', text).group(1)
    username = re.search(r'id="provisioning-username">([^<]+)<', text).group(1)
    password = re.search(r'id="provisioning-password">([^<]+)<', text).group(1)
    assert url == app.config["POSTE_SETTINGS"].prov_url + "/" and username == device.username
    assert "00:15:65:AB:CD:EF" in text and "001565abcdef.cfg" in text and "y000000000108.cfg" in text
    assert "Jamais" in text  # not fetched yet
    # the phone, given those, fetches its file; the pages then say when
    assert Phone(client, username, password, "192.0.2.44").get("/prov/001565abcdef.cfg").status_code == 200
    listing = admin.get("/telephones/appareils/").text
    fetched_at = dt.datetime.fromtimestamp(NOW, ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M:%S")
    assert "001565ABCDEF" in listing and "2002, 2001" in listing and fetched_at in listing  # the tenant's time
    assert "192.0.2.44" in admin.get(answer.headers["Location"]).text
    assert AuditEntry.select().where(AuditEntry.action == "device.create").count() == 1


def test_refused_input_is_shown_on_its_field(app, acme):
    admin = signed_in(app, acme, "boss@acme.example")
    token = f.token_for(admin, "/telephones/appareils/nouveau")
    answer = admin.post("/telephones/appareils/nouveau", data={
        "csrf_token": token, "mac": "01:00:5e:00:00:01", "vendor": "yealink", "model": "T46U", "extensions": "2999"})
    assert answer.status_code == 422
    assert "adresse MAC" in answer.text and "Le poste 2999 n&#39;existe pas" in answer.text
    assert Device.select().count() == 0


def test_edit_resync_new_credentials_and_delete(app, client, acme, registrar):
    admin = signed_in(app, acme, "boss@acme.example")
    provisioned = provision(acme, "00:15:65:00:00:0a")
    device = provisioned.device
    token = f.token_for(admin, f"/telephones/appareils/{device.id}")
    edited = admin.post(f"/telephones/appareils/{device.id}/modifier", data={
        "csrf_token": token, "vendor": "yealink", "model": "T46U", "extensions": "2002"})
    assert edited.status_code == 302 and devices.numbers_of(device) == ["2002"]
    registrar.phones = [{"aor": "2002@acme.pbx.example", "domain": "acme.pbx.example", "extension": "2002"}]
    admin.post(f"/telephones/appareils/{device.id}/resynchroniser", data={"csrf_token": token})
    assert registrar.resyncs == [("2002@acme.pbx.example", "check-sync;reboot=false")]
    assert "1 téléphone(s)" in admin.get(f"/telephones/appareils/{device.id}").text
    # new credentials ask first, then the old ones no longer fetch
    asked = admin.post(f"/telephones/appareils/{device.id}/identifiants", data={"csrf_token": token})
    f.confirmation(asked, f"/telephones/appareils/{device.id}/identifiants")
    assert Device.get_by_id(device.id).username == device.username
    admin.post(f"/telephones/appareils/{device.id}/identifiants", data={"csrf_token": token, "confirm": "1"})
    assert Device.get_by_id(device.id).username != device.username
    assert provisioned.phone(client).raw(f"/prov/{device.mac}.cfg").status_code == 401
    # delete asks first
    f.confirmation(admin.post(f"/telephones/appareils/{device.id}/supprimer", data={"csrf_token": token}))
    assert Device.select().count() == 1
    gone = admin.post(f"/telephones/appareils/{device.id}/supprimer", data={"csrf_token": token, "confirm": "1"})
    assert gone.status_code == 302 and Device.select().count() == 0


def test_another_tenants_devices_are_not_found(app, acme, globex):
    theirs = provision(globex, "00:15:65:00:00:0b").device
    admin = signed_in(app, acme, "boss@acme.example")
    token = f.token_for(admin, "/telephones/appareils/")
    assert admin.get(f"/telephones/appareils/{theirs.id}").status_code == 404
    assert "001565" not in admin.get("/telephones/appareils/").text
    for action, data in (("modifier", {"vendor": "yealink", "model": "T46U", "extensions": ""}),
                         ("resynchroniser", {}), ("identifiants", {"confirm": "1"}), ("supprimer", {"confirm": "1"})):
        answer = admin.post(f"/telephones/appareils/{theirs.id}/{action}", data={"csrf_token": token, **data})
        assert answer.status_code == 404, action
    fresh = Device.get_by_id(theirs.id)
    assert (fresh.username, devices.numbers_of(fresh)) == (theirs.username, ["2001"])


def test_users_and_operators_cannot_reach_the_devices_pages(app, acme):
    f.account("user", acme, email="alice@acme.example")
    user = f.login(app.test_client(), "alice@acme.example")
    assert user.get("/telephones/appareils/").status_code == 403
    f.account("operator", email="op@poste.example")
    operator = f.login(app.test_client(), "op@poste.example")
    assert operator.get("/telephones/appareils/").status_code == 403
