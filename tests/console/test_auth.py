"""Login, logout, password change, CSRF, rate limit, suspended tenants (A2)."""
from tenants import tenancy
from tenants.audit import Actor
from tests import factories as f


def test_login_page_is_french_and_has_csrf(client, db):
    page = client.get("/connexion")
    assert page.status_code == 200 and "Connexion" in page.text and "Mot de passe" in page.text
    assert f.csrf_token(page.text)


def test_wrong_password_says_so_in_french(client, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    page = client.get("/connexion")
    response = client.post("/connexion", data={"csrf_token": f.csrf_token(page.text),
                                               "email": "boss@acme.example", "password": "nope"})
    assert response.status_code == 422 and "Adresse e-mail ou mot de passe incorrect." in response.text


def test_each_role_lands_on_its_home(app, db):
    acme = f.tenant()
    f.extension(acme, email="alice@acme.example")
    for role, email, home in [("operator", "op@poste.example", "/operateur/clients"),
                              ("admin", "boss@acme.example", "/postes/"), ("user", "alice@acme.example", "/portail/")]:
        f.account(role, None if role == "operator" else acme, email=email)
        client = f.login(app.test_client(), email)
        assert client.get("/").headers["Location"].endswith(home)


def test_pages_need_login(client, db):
    for url in ["/postes/", "/operateur/clients", "/journal/", "/moi/", "/mot-de-passe", "/parametres/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_forged_csrf_token_is_refused(client, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    response = client.post("/connexion", data={"csrf_token": "forged", "email": "boss@acme.example",
                                               "password": f.PASSWORD})
    assert response.status_code == 400 and "formulaire a expiré" in response.text


def test_logout_is_a_post_with_csrf(client, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    f.login(client, "boss@acme.example")
    assert client.get("/deconnexion").status_code == 405
    assert client.post("/deconnexion", data={}).status_code == 400
    client.post("/deconnexion", data={"csrf_token": f.token_for(client)})
    assert client.get("/postes/").status_code == 302


def test_suspended_tenant_is_shut_out_even_when_signed_in(client, db):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    f.login(client, "boss@acme.example")
    assert client.get("/postes/").status_code == 200
    tenancy.set_status(Actor.cli(), acme, "suspended")
    assert client.get("/postes/").status_code == 302
    page = client.get("/connexion")
    response = client.post("/connexion", data={"csrf_token": f.csrf_token(page.text),
                                               "email": "boss@acme.example", "password": f.PASSWORD})
    assert response.status_code == 422 and "suspendu" in response.text


def test_password_change(client, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    f.login(client, "boss@acme.example")
    token = f.token_for(client)
    bad = client.post("/mot-de-passe", data={"csrf_token": token, "current": "wrong", "new": "a-brand-new-password",
                                             "confirm": "a-brand-new-password"})
    assert bad.status_code == 422 and "Le mot de passe actuel est incorrect." in bad.text
    mismatch = client.post("/mot-de-passe", data={"csrf_token": token, "current": f.PASSWORD,
                                                  "new": "a-brand-new-password", "confirm": "other-password-x"})
    assert "La confirmation ne correspond pas" in mismatch.text
    ok = client.post("/mot-de-passe", data={"csrf_token": token, "current": f.PASSWORD,
                                            "new": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert ok.status_code == 302
    assert client.get("/postes/").status_code == 200  # this session follows the change


def test_password_change_signs_out_other_sessions(app, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    first, second = f.login(app.test_client(), "boss@acme.example"), f.login(app.test_client(), "boss@acme.example")
    first.post("/mot-de-passe", data={"csrf_token": f.token_for(first), "current": f.PASSWORD,
                                      "new": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert first.get("/postes/").status_code == 200
    assert second.get("/postes/").status_code == 302


def test_login_does_not_redirect_off_site(client, db):
    f.account("admin", f.tenant(), email="boss@acme.example")
    page = client.get("/connexion")
    response = client.post("/connexion?next=https://evil.example/", data={
        "csrf_token": f.csrf_token(page.text), "email": "boss@acme.example", "password": f.PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(db, settings):
    from console import create_app

    app = create_app(settings, TESTING=True, RATELIMIT_ENABLED=True)
    client = app.test_client()
    token = f.csrf_token(client.get("/connexion").text)
    statuses = [client.post("/connexion", data={"csrf_token": token, "email": "x@acme.example",
                                                "password": "wrong"}).status_code for _ in range(12)]
    assert statuses[:10] == [422] * 10 and statuses[-1] == 429
    assert "Trop de tentatives" in client.post("/connexion", data={"csrf_token": token}).text
