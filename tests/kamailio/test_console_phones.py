"""B2 pages against the running Kamailio: registrations and active calls, scoped by tenant."""
from __future__ import annotations

import pytest

from console.phones import bp
from tenants.models import Account
from tests import factories
from tests.sip_fixtures import wait_for


@pytest.fixture
def app(console_app, directory):
    if "phones" not in console_app.blueprints:
        console_app.register_blueprint(bp)
    return console_app


def _admin(app, sip, tenant, email):
    sip.use_database()
    if not Account.select().where(Account.email == email).exists():
        factories.account("admin", tenant, email=email)
    return factories.login(app.test_client(), email)


def test_registrations_page_shows_a_registered_phone_live(app, sip, directory, new_ext):
    ext = new_ext()
    client = _admin(app, sip, directory.acme, "admin-phones@acme.example")
    page = client.get("/telephones/")
    assert page.status_code == 200
    assert 'hx-trigger="every 3s"' in page.text and "/telephones/etat" in page.text
    assert sip.register(ext.number, ext.domain, ext.password, contact_port=15070, ua="Yealink SIP-T54W").ok
    partial = client.get("/telephones/etat", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert f"sip:{ext.number}@127.0.0.1:15070" in partial.text
    assert "Yealink SIP-T54W" in partial.text and "En ligne" in partial.text
    assert "<html" not in partial.text


def test_a_tenant_admin_sees_only_its_own_phones(app, sip, directory):
    assert sip.register("2001", "globex.pbx.example", directory.globex_2001.password, contact_port=15071,
                        ua="Globex-Only-Phone").ok
    client = _admin(app, sip, directory.acme, "admin-phones@acme.example")
    assert "Globex-Only-Phone" not in client.get("/telephones/etat").text
    globex = _admin(app, sip, directory.globex, "admin-phones@globex.example")
    assert "Globex-Only-Phone" in globex.get("/telephones/etat").text


def test_active_calls_page_and_operator_totals(app, sip, directory, new_ext):
    callee, caller = new_ext(), new_ext()
    client = _admin(app, sip, directory.acme, "admin-phones@acme.example")
    assert "Aucun appel en cours" in client.get("/telephones/appels").text
    phone = sip.phone(callee.number, callee.domain, callee.password)
    call = sip.call(caller.number, caller.domain, caller.password, callee.number, hold_ms=4000, background=True)
    try:
        wait_for(lambda: "En communication" in client.get("/telephones/appels/etat").text, 10,
                 what="call shown")
        text = client.get("/telephones/appels/etat").text
        assert caller.number in text and callee.number in text
        globex = _admin(app, sip, directory.globex, "admin-phones@globex.example")
        assert caller.number not in globex.get("/telephones/appels/etat").text
        sip.use_database()
        if not Account.select().where(Account.email == "op-phones@example.org").exists():
            factories.account("operator", None, email="op-phones@example.org")
        operator = factories.login(app.test_client(), "op-phones@example.org")
        totals = operator.get("/telephones/exploitation")
        assert totals.status_code == 200 and "acme.pbx.example" in totals.text
        assert 'id="total-calls">0<' not in totals.text
        assert client.get("/telephones/exploitation").status_code == 403
        assert operator.get("/telephones/").status_code in (403, 404)
    finally:
        call.wait()
        phone.wait()
    assert call.ok, call.explain()
