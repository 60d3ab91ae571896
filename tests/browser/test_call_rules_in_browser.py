"""Accueil in Chromium at phone size (issue 17, E2): a rule changed with Appliquer (htmx: no reload),
then another change taken back with Annuler; an error shown on its field."""
from playwright.sync_api import expect

from tenants import call_services
from tenants.call_rules import RING
from tests import factories as f


def test_appliquer_then_annuler_on_a_phone(browser, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    alice = f.extension(acme, "2001", "Alice Martin", email="alice@acme.pbx.example")
    f.extension(acme, "2002", "Bob Durand")
    f.account("user", acme, email="alice@acme.pbx.example", extension=alice)
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/connexion")
        page.get_by_label("Numéro ou adresse e-mail").fill("2001@acme.pbx.example")
        page.get_by_label("Mot de passe").fill(f.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/portail/*/", wait_until="load")
        expect(page.get_by_role("heading", name="Accueil")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # a number's field shows only when its choice asks for one
        busy_to = page.get_by_label("Numéro de renvoi si occupé")
        expect(busy_to).to_be_hidden()
        page.get_by_role("group", name="Si votre téléphone est occupé").get_by_label("Renvoyer à un autre téléphone").check()
        expect(busy_to).to_be_visible()
        page.get_by_role("group", name="Si votre téléphone est occupé").get_by_label(
            "Envoyer vers la messagerie vocale").check()
        expect(busy_to).to_be_hidden()

        # Appliquer: do not disturb, without reloading the page (htmx swaps the form)
        page.evaluate("window.notReloaded = true")
        page.get_by_label("Ne pas déranger").check()
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#rules .flash.success")).to_contain_text("appliquées")
        assert page.evaluate("window.notReloaded === true")
        assert call_services.rules_of(alice).do_not_disturb

        # an error stays on its field, nothing stored
        page.get_by_label("Seront renvoyés vers un autre téléphone").check()
        page.get_by_label("Numéro de renvoi de tous les appels").fill("0899 12 34 56")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#forward_to-errors")).to_contain_text("n'autorise pas les appels vers le 0899 12 34 56")
        expect(page.locator("#rules .form-errors")).to_be_focused()  # the summary is read first
        expect(page.get_by_label("Numéro de renvoi de tous les appels")).to_have_attribute("aria-invalid", "true")
        assert call_services.rules_of(alice).incoming == RING

        # Annuler: what was typed goes, what is stored comes back
        page.get_by_label("Numéro de renvoi de tous les appels").fill("2002")
        page.get_by_role("link", name="Annuler").click()
        expect(page.get_by_label("Feront sonner votre téléphone")).to_be_checked()
        expect(page.get_by_label("Numéro de renvoi de tous les appels")).to_have_value("")
        expect(page.get_by_label("Ne pas déranger")).to_be_checked()  # the applied rule stays
        expect(page.locator("#forward_to-errors")).to_be_empty()
        assert page.evaluate("window.notReloaded === true")
        rules = call_services.rules_of(alice)
        assert rules.incoming == RING and rules.forward_to == "" and rules.do_not_disturb
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
