"""Calls to the outside in the console (issue 14): the admin's "Appels sortants" (read only), the
operator's allow-list and caller IDs of a tenant (French errors, nothing stored on error), and the
outside calls on the admin's calls page."""
import re

import pytest

from tenants import tenancy, trunk
from tenants.db import database
from tenants.models import AllowedDestination, AuditEntry, Extension, Tenant
from tests import factories as f


@pytest.fixture
def operator(app, db):
    f.account("operator", email="op@poste.example")
    return f.login(app.test_client(), "op@poste.example")


def page_of(acme) -> str:
    return f"/operateur/clients/{acme.id}/appels-sortants"


def test_the_admin_sees_the_allow_list_and_the_numbers_presented(admin, acme):
    tenancy.add_did(f.CLI, acme, "01 84 88 00 01")
    tenancy.update_tenant(f.CLI, acme, main_number="01 84 88 00 01")
    page = admin.get("/appels-sortants")
    assert page.status_code == 200
    assert "Allemagne" in page.text and "Royaume-Uni" in page.text and "mobiles" in page.text
    assert "+33184880001" in page.text and "pas encore ouverts" in page.text  # no trunk yet
    assert "Bloqués" in page.text and "118" in page.text
    trunk.set_trunk(f.CLI, trunk.TrunkInput(host="127.0.0.2", port=5060))
    assert "pas encore ouverts" not in admin.get("/appels-sortants").text
    assert 'href="/appels-sortants"' in admin.get("/appels-sortants").text  # in the navigation
    # nothing there for the admin to change
    assert admin.post("/operateur/clients/1/appels-sortants/destinations").status_code in (400, 403)


def test_only_the_operator_edits_it(admin, acme):
    assert admin.get(page_of(acme)).status_code == 403


def test_the_operator_adds_and_removes_a_destination(operator):
    acme = f.tenant()
    page = operator.get(page_of(acme))
    assert page.status_code == 200 and "Allemagne" in page.text
    token = f.csrf_token(page.text)
    done = operator.post(f"{page_of(acme)}/destinations", data={"csrf_token": token, "country": "de", "kind": "mobile"})
    assert done.status_code == 302
    assert "DE (mobiles) ajouté aux destinations autorisées." in operator.get(page_of(acme)).text
    operator.get(f"{page_of(acme)}?lang=en")
    operator.post(f"{page_of(acme)}/destinations", data={"csrf_token": token, "country": "at", "kind": "mobile"})
    assert "AT (mobiles) added to the allowed destinations." in operator.get(page_of(acme)).text
    assert AllowedDestination.select().where((AllowedDestination.tenant == acme) & (AllowedDestination.country == "DE")
                                             & (AllowedDestination.kind == "mobile")).exists()
    gone = operator.post(f"{page_of(acme)}/destinations/GB/fixed/retirer", data={"csrf_token": token})
    assert gone.status_code == 302
    assert not AllowedDestination.select().where((AllowedDestination.tenant == acme)
                                                 & (AllowedDestination.country == "GB")).exists()
    assert AuditEntry.select().where(AuditEntry.action.startswith("allowlist.")).count() == 3


def test_bad_destinations_are_refused_in_french(operator):
    acme = f.tenant()
    token = f.csrf_token(operator.get(page_of(acme)).text)
    before = AllowedDestination.select().count()
    for data, words in (({"country": "", "kind": "fixed"}, "Indiquez un pays"),
                        ({"country": "ZZ", "kind": "fixed"}, "code de pays connu"),
                        ({"country": "DE", "kind": "satellite"}, "fixed (fixes) ou mobile"),
                        ({"country": "FR", "kind": "mobile"}, "déjà dans la liste")):
        response = operator.post(f"{page_of(acme)}/destinations", data={"csrf_token": token, **data})
        assert response.status_code == 422 and words in response.text, (data, response.status_code)
    absent = operator.post(f"{page_of(acme)}/destinations/US/fixed/retirer", data={"csrf_token": token})
    assert absent.status_code == 422 and "pas dans la liste" in absent.text
    assert AllowedDestination.select().count() == before


def test_the_operator_sets_the_caller_ids(operator):
    acme = f.tenant()
    tenancy.add_did(f.CLI, acme, "01 84 88 00 01")
    token = f.csrf_token(operator.get(page_of(acme)).text)
    url = f"{page_of(acme)}/numeros"
    done = operator.post(url, data={"csrf_token": token, "main_number": "+33184880001",
                                    "emergency_caller_id": "01 84 88 00 99"})
    assert done.status_code == 302
    assert (Tenant.get_by_id(acme.id).main_number, Tenant.get_by_id(acme.id).emergency_caller_id) == (
        "+33184880001", "+33184880099")
    bad = operator.post(url, data={"csrf_token": token, "main_number": "+33184880005", "emergency_caller_id": "12"})
    assert bad.status_code == 422 and "un des numéros de ce client" in bad.text and "pas un numéro" in bad.text
    assert Tenant.get_by_id(acme.id).main_number == "+33184880001"
    assert f'href="{page_of(acme)}"' in operator.get(f"/operateur/clients/{acme.id}").text


def test_the_calls_page_lists_the_outside_calls(admin, acme):
    other = f.tenant("globex.pbx.example")
    p = database.param
    insert = ("INSERT INTO acc_cdrs (start_time, end_time, duration, callid, src_user, tenant, extension, destination, "
              f"call_class) VALUES ({', '.join([p] * 9)})")
    at = 2461374.5  # how Kamailio's SQLite driver stores a time: a Julian day (2026-11-30 00:00 UTC)
    if database.param == "%s":  # PostgreSQL: a timestamp
        at = "2026-11-30 00:00:00"
    database.execute_sql(insert, (at, at, 125.4, "c1", "2001", acme.domain, "2001", "+33142685300", "included"))
    database.execute_sql(insert, (at, at, 3, "c2", "2001", other.domain, "2001", "+33999999999", "included"))
    missed = ("INSERT INTO missed_calls (method, from_tag, callid, sip_code, sip_reason, time, src_user, tenant, "
              "extension, destination, call_class) VALUES ('INVITE', 'x', 'c3', '403', 'Destination Not Allowed', "
              f"{p}, '2001', {p}, '2001', '+4915112345678', 'refused')")
    database.execute_sql(missed, (at, acme.domain))
    page = admin.get("/telephones/appels")
    assert page.status_code == 200
    assert "+33142685300" in page.text and "2:05" in page.text and "30/11/2026" in page.text
    assert "+4915112345678" in page.text and "403 Destination Not Allowed" in page.text
    assert "+33999999999" not in page.text  # another tenant's


def test_the_admin_makes_an_extension_call_out_anonymously(admin, acme):
    ext = f.extension(acme, "2001")
    fields = {"csrf_token": f.token_for(admin, "/postes/nouveau"), "number": "2001", "name": ext.name,
              "email": ext.email, "kind": "desk", "did": "", "forward_to": ""}
    assert 'name="anonymous_calls"' in admin.get(f"/postes/{ext.id}/modifier").text
    assert admin.post(f"/postes/{ext.id}/modifier", data={**fields, "anonymous_calls": "y"}).status_code == 302
    assert Extension.get_by_id(ext.id).anonymous_calls is True
    box = re.search(r'<input[^>]*name="anonymous_calls"[^>]*>', admin.get(f"/postes/{ext.id}/modifier").text)
    assert box and "checked" in box.group(0)
    assert admin.post(f"/postes/{ext.id}/modifier", data=fields).status_code == 302
    assert Extension.get_by_id(ext.id).anonymous_calls is False
    entry = AuditEntry.select().where(AuditEntry.action == "extension.update").order_by(AuditEntry.id.desc()).get()
    assert entry.before == {"anonymous_calls": True} and entry.after == {"anonymous_calls": False}
