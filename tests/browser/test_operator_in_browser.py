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
