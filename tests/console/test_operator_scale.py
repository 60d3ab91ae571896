"""The operator's pages scale and lead to each other (issue 19): the tenants list paged and searched
with a constant number of queries, a tenant's page linking to its extensions, phones, log and
jobs, "Téléphonie" paged with its tenants as links and polls that send nothing when nothing
changed, the state said unknown when Kamailio does not answer."""
import re

import pytest

from tenants.db import database
from tenants.models import Tenant
from tests import factories as f

HX = {"HX-Request": "true"}


@pytest.fixture
def operator(app, db):
    f.account("operator", email="op@poste.example")
    return f.login(app.test_client(), "op@poste.example")


def tenants(count: int, start: int = 0) -> list[Tenant]:
    return [f.tenant(f"t{n:04d}.pbx.example", f"Client {n:04d}") for n in range(start, start + count)]


class Queries:
    """Counts the SQL statements the database runs."""

    def __init__(self, monkeypatch):
        self.count = 0
        real = database.obj.execute_sql

        def counting(sql, params=None, *args, **kw):
            self.count += 1
            return real(sql, params, *args, **kw)
        monkeypatch.setattr(database.obj, "execute_sql", counting)

    def of(self, call) -> int:
        before = self.count
        call()
        return self.count - before


def test_the_tenants_list_is_paged_with_a_constant_number_of_queries(operator, monkeypatch):
    first = tenants(3)
    f.extension(first[0], "2001")
    f.extension(first[0], "2002")
    queries = Queries(monkeypatch)
    few = queries.of(lambda: operator.get("/operateur/clients"))
    tenants(60, start=3)
    many = queries.of(lambda: operator.get("/operateur/clients"))
    assert many == few, (few, many)  # not one per row
    page = operator.get("/operateur/clients").text
    assert "63 clients" in page and "Client 0049" in page and "Client 0050" not in page and "Page 1 sur 2" in page
    assert re.search(rf'href="/operateur/clients/{first[0].id}/postes">2</a>', page)
    second = operator.get("/operateur/clients?page=2").text
    assert "Client 0050" in second and "Client 0062" in second and "Client 0049" not in second


def test_the_tenants_search_works_as_you_type(operator):
    tenants(12)
    partial = operator.get("/operateur/clients?q=0011", headers={**HX, "HX-Target": "tenants-table"})
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "Client 0011" in partial.text and "Client 0010" not in partial.text and "1 client" in partial.text
    page = operator.get("/operateur/clients").text
    assert 'hx-get="/operateur/clients"' in page and 'hx-target="#tenants-table"' in page
    assert "<noscript><button" in page  # the button only without JavaScript
    assert "Aucun client ne correspond à « zzz »." in operator.get("/operateur/clients?q=zzz").text


def test_a_tenants_page_leads_to_its_extensions_phones_log_and_jobs(operator, registrar):
    acme = f.tenant("acme.pbx.example", "Acme")
    globex = f.tenant("globex.pbx.example", "Globex")
    for n in range(2000, 2055):
        f.extension(acme, str(n), name=f"Acme {n}")
    f.extension(globex, "2001", name="Gina Globex")
    registrar.phones.append({"extension": "2001", "domain": "acme.pbx.example", "contact": "sip:2001@10.0.0.5:5060",
                             "user_agent": "Yealink T54W", "received": "", "registered_at": None, "expires_at": None})
    page = operator.get(f"/operateur/clients/{acme.id}").text
    for link in (f"/operateur/clients/{acme.id}/postes", f"/telephones/exploitation/clients/{acme.id}",
                 f"/journal/?client={acme.id}", f"/operateur/taches?client={acme.id}"):
        assert f'href="{link}"' in page, link
        assert operator.get(link).status_code == 200, link
    listing = operator.get(f"/operateur/clients/{acme.id}/postes").text
    assert "55 postes" in listing and "Acme 2019" in listing and "Acme 2020" not in listing and "Gina" not in listing
    assert "/postes/" not in re.sub(r"/operateur/clients/\d+/postes", "", listing.split("<main")[1])  # read only
    found = operator.get(f"/operateur/clients/{acme.id}/postes?q=2052", headers={**HX, "HX-Target": "extensions-table"})
    assert "Acme 2052" in found.text and "Acme 2051" not in found.text and "<html" not in found.text
    phones = operator.get(f"/telephones/exploitation/clients/{acme.id}").text
    assert "Yealink T54W" in phones and "1 poste(s) en ligne sur 55." in phones
    assert "Gina" not in operator.get(f"/telephones/exploitation/clients/{acme.id}?q=2001").text
    assert operator.get("/telephones/exploitation/clients/999999").status_code == 404


def test_telephonie_is_paged_links_its_tenants_and_polls_send_only_changes(operator, registrar):
    rows = tenants(55)
    registrar.totals = {"t0001.pbx.example": {"registered_extensions": 3, "phones": 4, "active_calls": 1}}
    registrar.totals_by_domain = lambda: registrar.totals
    page = operator.get("/telephones/exploitation").text
    assert f'href="/operateur/clients/{rows[1].id}">Client 0001</a>' in page
    assert "Client 0049" in page and "Client 0050" not in page and "Page 1 sur 2" in page
    assert re.search(r'id="total-calls">1<', page)
    poll = re.search(r'hx-get="(/telephones/exploitation/etat\?[^"]+)"', page).group(1).replace("&amp;", "&")
    again = operator.get(poll, headers=HX)
    assert again.status_code == 204 and again.data == b""  # nothing changed: nothing sent
    registrar.totals["t0002.pbx.example"] = {"registered_extensions": 1, "phones": 1, "active_calls": 0}
    changed = operator.get(poll, headers=HX)
    assert changed.status_code == 200 and 'id="total-phones">5<' in changed.text and "<html" not in changed.text
    assert len(changed.data) < 20_000
    searched = operator.get("/telephones/exploitation?q=0054").text
    assert "Client 0054" in searched and "Client 0053" not in searched


def test_without_kamailio_the_operator_and_admin_pages_say_the_state_is_unknown(operator, app):
    acme = f.tenant("acme.pbx.example", "Acme")
    f.extension(acme, "2001")
    f.account("admin", acme, email="boss@acme.example")
    admin = f.login(app.test_client(), "boss@acme.example")
    phones = admin.get("/telephones/").text  # no registrar installed: RegistrarError
    assert "l'état des téléphones est inconnu" in phones and "État inconnu" in phones
    assert 'class="status offline"' not in phones  # not every phone "Hors ligne"
    totals = operator.get("/telephones/exploitation").text
    assert "est inconnu" in totals and 'id="total-calls">?<' in totals
    calls = admin.get("/telephones/appels").text
    assert "Appels en cours inconnus." in calls and "Aucun appel en cours" not in calls


def test_telephones_on_a_big_tenant_is_paged_and_sends_nothing_when_unchanged(app, acme, registrar):
    for n in range(2000, 2120):
        f.extension(acme, str(n), name=f"Membre {n}")
    for n in range(2000, 2120, 2):
        registrar.phones.append({"extension": str(n), "domain": "acme.pbx.example", "contact": f"sip:{n}@10.0.0.9:5060",
                                 "user_agent": "Snom D785", "received": "", "registered_at": None, "expires_at": None})
    f.account("admin", acme, email="boss@acme.example")
    admin = f.login(app.test_client(), "boss@acme.example")
    page = admin.get("/telephones/").text
    assert "60 poste(s) en ligne sur 120." in page and "Page 1 sur 3" in page
    assert "Membre 2049" in page and "Membre 2050" not in page
    poll = re.search(r'hx-get="(/telephones/etat\?[^"]+)"', page).group(1).replace("&amp;", "&")
    first = admin.get(poll, headers=HX)
    assert first.status_code == 204
    registrar.phones.pop()  # 2118 goes offline: not on page 1
    assert admin.get(poll, headers=HX).status_code == 200  # the count changed
    registrar.phones.append({"extension": "2001", "domain": "acme.pbx.example", "contact": "sip:2001@10.0.0.7:5060",
                             "user_agent": "Poly VVX", "received": "", "registered_at": None, "expires_at": None})
    changed = admin.get(poll, headers=HX)
    assert changed.status_code == 200 and "Poly VVX" in changed.text and len(changed.data) < 30_000
    online = admin.get("/telephones/?etat=en-ligne").text
    assert "Membre 2001" in online and "Membre 2003" not in online
    offline = admin.get("/telephones/?etat=hors-ligne&q=200").text
    assert "Membre 2003" in offline and "Membre 2002" not in offline
