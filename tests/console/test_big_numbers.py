"""Numbers too big for the database are 404 (ids in the path) or a page past the end (``?page=``), never a 500."""
import pytest

from tests import factories as f

# Beyond SQLite's 64-bit INTEGER, exactly 2**63, and beyond PostgreSQL's serial (32-bit) ids.
HUGE = ["99999999999999999999999", str(2**63), str(2**64), str(2**31)]


@pytest.fixture
def clients(app, db):
    acme = f.tenant("acme.pbx.example")
    f.extension(acme, "2001", email="alice@acme.example")
    f.account("operator", email="op@poste.example")
    f.account("admin", acme, email="boss@acme.example")
    f.account("user", acme, email="alice@acme.example")
    return {role: f.login(app.test_client(), email) for role, email in
            [("operator", "op@poste.example"), ("admin", "boss@acme.example"), ("user", "alice@acme.example")]}


def int_rules(app):
    rules = [r for r in app.url_map.iter_rules()
             if any(type(c).__name__.lower().startswith(("int", "id")) for c in r._converters.values())]
    assert len(rules) >= 15, [r.rule for r in rules]  # the operator's and the admin's pages
    return rules


def test_every_route_with_an_id_answers_404_to_an_id_too_big(app, clients):
    tokens = {role: f.token_for(client) for role, client in clients.items()}
    tried = 0
    for rule in int_rules(app):
        owner = "operator" if rule.endpoint.startswith("operator.") else "admin"
        for value in HUGE:
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", value).replace(f"<id:{name}>", value)
            for method in sorted(rule.methods & {"GET", "POST"}):
                for role, client in clients.items():
                    data = {"csrf_token": tokens[role], "confirm": "1"} if method == "POST" else None
                    response = client.open(url, method=method, data=data)
                    expected = {404} if role == owner else {403, 404}
                    assert response.status_code in expected, (role, method, url, response.status_code)
                    tried += 1
    assert tried >= 15 * len(HUGE) * len(clients)


@pytest.mark.parametrize("role,url", [("admin", "/postes/"), ("admin", "/journal/"), ("operator", "/journal/"),
                                      ("operator", "/operateur/taches")])
def test_a_page_number_too_big_still_answers_a_page(clients, role, url):
    for value in HUGE:
        response = clients[role].get(f"{url}?page={value}")
        assert response.status_code == 200, (url, value)
