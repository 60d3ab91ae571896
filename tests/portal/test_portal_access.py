"""E1 / A7: signing in by mailbox number, the mailboxes an account owns, and nobody else's."""
from __future__ import annotations

from tenants.models import Mailbox
from tests import factories as f
from tests.portal.conftest import sign_in


def test_number_at_domain_signs_in_and_opens_the_portal(app, alice):
    response = alice.client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portail/")
    response = alice.client.get("/portail/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/portail/{alice.box.id}/")
    page = alice.client.get(alice.url()).text
    assert "Boîte vocale" in page and "2001" in page and "Accueil" in page


def test_number_alone_works_under_the_tenants_own_host_name(app, alice):
    page = app.test_client().get("/connexion", base_url="http://acme.pbx.example").text
    assert "chez Acme" in page
    sign_in(app, "2001", host="acme.pbx.example")


def test_the_login_page_says_how_the_tenant_is_known(client, db):
    page = client.get("/connexion").text
    assert "Numéro ou adresse e-mail" in page and "2001@votre-entreprise.example" in page


def test_a_did_signs_in_too(app, acme):
    from tenants.models import Did
    ext = f.extension(acme, "2003", "Carla Dias", email="carla@acme.pbx.example")
    f.account("user", acme, email="carla@acme.pbx.example", extension=ext)
    Did.create(tenant=acme, number="+33142685300", extension=ext)
    client = sign_in(app, "01 42 68 53 00")
    box = Mailbox.get(Mailbox.extension == ext)
    assert client.get("/portail/").headers["Location"].endswith(f"/portail/{box.id}/")


def test_wrong_password_or_unknown_number_is_one_french_error(app, alice):
    client = app.test_client()
    for login, password in [("2001@acme.pbx.example", "wrong-password-here"), ("2999@acme.pbx.example", f.PASSWORD),
                            ("2001", f.PASSWORD)]:
        page = client.get("/connexion")
        response = client.post("/connexion", data={"csrf_token": f.csrf_token(page.text), "email": login,
                                                   "password": password})
        assert response.status_code == 422 and "Numéro ou mot de passe incorrect." in response.text


def test_email_logins_keep_working(app, alice):
    f.login(app.test_client(), "alice@acme.pbx.example")


def test_a_login_owning_two_mailboxes_switches_between_them(app, acme, alice):
    second = f.extension(acme, "2010", "Alice Accueil", email="alice@acme.pbx.example")
    box2 = Mailbox.get(Mailbox.extension == second)
    page = alice.client.get(alice.url()).text
    assert f'/portail/{box2.id}/' in page and "2010 · Alice Accueil" in page
    assert alice.client.get(f"/portail/{box2.id}/").status_code == 200
    # the list opens the same page of the other mailbox; after a refused POST, its Accueil
    settings_page = alice.client.get(alice.url("reglages-messages/")).text
    assert f'value="/portail/{box2.id}/reglages-messages/"' in settings_page
    refused = alice.client.post(alice.url("mots-de-passe/portail"), data={
        "csrf_token": f.csrf_token(settings_page), "current": "x", "new": "y", "confirm": "z"})
    assert refused.status_code == 422 and f'value="/portail/{box2.id}/"' in refused.text


def test_other_users_get_404_on_the_portal_of_a_mailbox(app, alice, bob, zed):
    assert bob.client.get(alice.url()).status_code == 404
    assert zed.client.get(alice.url()).status_code == 404
    assert alice.client.get(alice.url()).status_code == 200


def test_admins_are_not_portal_users_and_anonymous_goes_to_login(app, acme, alice, client):
    admin = f.login(app.test_client(), f.account("admin", acme, email="boss@acme.example").email)
    assert admin.get(alice.url()).status_code == 403
    response = client.get(alice.url())
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
