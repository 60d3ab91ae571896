"""The domain drops a deleted (or renumbered) extension's registrations through its registrar port,
whoever asks: the console, the CLI. The console reads live registrations through the same port."""
import ast
import datetime as dt
from pathlib import Path

import pytest

from tenants import extensions, ports, tenancy
from tenants.audit import Actor
from tenants.extensions import ExtensionInput
from tenants.models import Extension
from tests import factories as f

HX = {"HX-Request": "true"}


@pytest.fixture
def acme(db):
    return f.tenant("acme.pbx.example")


def signed_in_admin(app, tenant):
    return f.login(app.test_client(), f.account("admin", tenant).email)


def test_the_consoles_delete_goes_through_the_port(app, acme, registrar):
    admin = signed_in_admin(app, acme)
    ext = f.extension(acme, "2001")
    token = f.token_for(admin)
    gone = admin.post(f"/postes/{ext.id}/supprimer", data={"confirm": "1"}, headers={**HX, "X-CSRFToken": token})
    assert gone.status_code == 200 and Extension.select().count() == 0
    assert registrar.unregistered == ["2001@acme.pbx.example"]


def test_a_renumbered_extensions_phones_are_dropped(acme, registrar):
    ext = f.extension(acme, "2001", name="Alice Martin", email="alice@acme.example")
    extensions.update_extension(Actor.cli(), ext, ExtensionInput("2005", "Alice Martin", "alice@acme.example"))
    assert registrar.unregistered == ["2001@acme.pbx.example"]
    extensions.update_extension(Actor.cli(), ext, ExtensionInput("2005", "Alice M.", "alice@acme.example"))
    assert registrar.unregistered == ["2001@acme.pbx.example"]  # same number: the phones stay


def test_a_deleted_tenants_phones_are_dropped(acme, registrar):
    f.extension(acme, "2001")
    f.extension(acme, "2002")
    f.extension(f.tenant("globex.pbx.example"), "2001")
    tenancy.delete_tenant(Actor.cli(), acme, "acme.pbx.example")
    assert sorted(registrar.unregistered) == ["2001@acme.pbx.example", "2002@acme.pbx.example"]


def test_a_registrar_that_does_not_answer_does_not_stop_a_delete(acme, registrar, monkeypatch):
    def down(aor):
        raise ports.RegistrarError("no answer")

    monkeypatch.setattr(registrar, "unregister", down)
    extensions.delete_extension(Actor.cli(), f.extension(acme, "2001"))
    assert Extension.select().count() == 0


def test_the_phones_page_reads_the_port(app, acme, registrar):
    admin = signed_in_admin(app, acme)
    f.extension(acme, "2001")
    now = dt.datetime(2026, 3, 1, 12, 0)
    registrar.phones = [{"extension": "2001", "domain": "acme.pbx.example", "aor": "2001@acme.pbx.example",
                         "contact": "sip:2001@192.0.2.7:5062", "user_agent": "Fake-Phone/1.0", "received": "",
                         "registered_at": now, "last_refresh": now, "expires_at": now, "expires_in": 60,
                         "transport": "udp", "call_id": "x"},
                        {"extension": "2001", "domain": "globex.pbx.example", "aor": "2001@globex.pbx.example",
                         "contact": "sip:2001@192.0.2.8:5062", "user_agent": "Globex-Phone/1.0", "received": "",
                         "registered_at": now, "last_refresh": now, "expires_at": now, "expires_in": 60,
                         "transport": "udp", "call_id": "y"}]
    page = admin.get("/telephones/etat", headers=HX).text
    assert "Fake-Phone/1.0" in page and "Globex-Phone/1.0" not in page


def test_without_a_registrar_the_domain_still_works_and_the_console_says_it_cannot_see(app, acme):
    admin = signed_in_admin(app, acme)
    assert isinstance(ports.registrar(), ports.NoRegistrar)
    extensions.delete_extension(Actor.cli(), f.extension(acme, "2001"))
    with pytest.raises(ports.RegistrarError):
        ports.registrar().registrations("acme.pbx.example")
    assert "Le serveur SIP ne répond pas" in admin.get("/telephones/etat", headers=HX).text


def test_the_console_reaches_kamailio_only_through_the_port():
    console = Path(__file__).resolve().parent.parent / "console"
    importers = []
    for path in console.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == "kamailio" or name.startswith("kamailio.") for name in names):
                importers.append(path.relative_to(console.parent))
    assert importers == []


def test_a_suspended_resumed_or_deleted_tenant_is_forgotten_by_the_sip_server(acme, registrar):
    """Kamailio remembers served domains for 10 s (htable ``served``): told at once of a change."""
    tenancy.set_status(Actor.cli(), acme, "suspended")
    tenancy.set_status(Actor.cli(), acme, "active")
    assert registrar.forgotten == ["acme.pbx.example"] * 2
    tenancy.delete_tenant(Actor.cli(), acme, "acme.pbx.example")
    assert registrar.forgotten == ["acme.pbx.example"] * 3
