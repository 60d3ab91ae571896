"""The operator in a real browser: confirmations before destructive actions."""
from playwright.sync_api import expect

from tenants import tenancy
from tenants.audit import Actor
from tenants.models import Did, Tenant
from tests import factories as f


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_removing_a_number_and_suspending_ask_first(page, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    f.account("operator", email="op@poste.example")
    sign_in(page, live_server, "op@poste.example")
    page.get_by_role("link", name="Acme").click()

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Retirer").click()
    expect(page.locator("code", has_text="+33123456789")).to_be_visible()
    assert Did.select().count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retirer").click()
    expect(page.locator(".flash.success")).to_contain_text("Numéro +33123456789 retiré.")
    assert Did.select().count() == 0

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Suspendre").click()
    expect(page.locator(".flash.success")).to_contain_text("suspendu")
    assert "Suspendre Acme ?" in messages[0] and Tenant.get().status == "suspended"


def test_without_javascript_a_confirmation_page_asks_first(browser, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    f.account("admin", acme, email="boss@acme.example")
    f.account("operator", email="op@poste.example")
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "op@poste.example")
        page.get_by_role("link", name="Acme").click()

        page.get_by_role("button", name="Retirer").click()
        expect(page.get_by_role("heading", name="Retirer le numéro +33123456789")).to_be_visible()
        assert Did.select().count() == 1
        page.get_by_role("link", name="Annuler").click()
        expect(page.locator("code", has_text="+33123456789")).to_be_visible()
        page.get_by_role("button", name="Retirer").click()
        page.get_by_role("button", name="Confirmer").click()
        expect(page.locator(".flash.success")).to_contain_text("Numéro +33123456789 retiré.")
        assert Did.select().count() == 0

        page.get_by_role("button", name="Suspendre").click()
        expect(page.get_by_text("Le client Acme (acme.pbx.example) sera suspendu")).to_be_visible()
        assert Tenant.get().status == "active"
        page.get_by_role("button", name="Confirmer").click()
        expect(page.locator(".flash.success")).to_contain_text("suspendu")
        assert Tenant.get().status == "suspended"

        page.locator("li", has_text="boss@acme.example").get_by_role("button", name="Supprimer").click()
        page.get_by_role("button", name="Confirmer").click()
        expect(page.locator(".flash.success")).to_contain_text("Administrateur boss@acme.example supprimé.")
    finally:
        context.close()
