"""In Chromium at phone size (issue 19): a new extension's errors all at once without the live range
error wiped, then its setup sheet with the password copied to the clipboard and a printed
version that is the sheet alone."""
from playwright.sync_api import expect

from tenants import extensions
from tenants.models import Extension
from tests import factories as f
from tests.browser.signing import sign_in


def test_all_errors_then_the_setup_sheet_copied_and_printed(browser, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    f.account("admin", acme, email="boss@acme.example")
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        sign_in(page, live_server, "boss@acme.example", "**/postes/")
        page.goto(f"{live_server}/postes/nouveau")

        number = page.get_by_label("Numéro de poste")
        number.fill("1999")
        expect(page.locator("#number-errors")).to_contain_text("entre 2000 et 2999")
        expect(number).to_have_attribute("aria-invalid", "true")  # the live check marks its field too
        page.get_by_label("Adresse e-mail").fill("bob@")
        page.get_by_label("Virtuel (renvoi vers un numéro externe)").check()
        page.get_by_label("Numéro externe de renvoi").fill("abc")
        page.get_by_role("button", name="Créer le poste").click()
        page.wait_for_load_state("load")
        expect(page.locator(".form-errors")).to_contain_text("4 erreurs à corriger")
        expect(page.locator("#number-errors")).to_contain_text("entre 2000 et 2999")  # not wiped
        for name in ("number", "name", "email", "forward_to"):
            expect(page.locator(f"[name={name}]")).to_have_attribute("aria-invalid", "true")
        border = page.locator("[name=name]").evaluate("e => getComputedStyle(e).borderTopColor")
        assert border == "rgb(180, 35, 24)", border  # the danger colour

        number.fill("2001")
        page.get_by_label("Nom de l'utilisateur").fill("Alice Martin")
        page.get_by_label("Adresse e-mail").fill("alice@acme.example")
        page.get_by_label("Téléphone de bureau").check()
        page.get_by_label("Numéro externe de renvoi").fill("")
        page.get_by_role("button", name="Créer le poste").click()
        expect(page.get_by_role("heading", name="Configuration du téléphone")).to_be_visible()
        password = extensions.sip_password(Extension.get(Extension.number == "2001"))
        expect(page.locator("#sip-password")).to_have_value(password)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.get_by_role("button", name="Copier").tap()
        expect(page.locator("#copy-status")).to_have_text("Mot de passe copié.")
        assert page.evaluate("navigator.clipboard.readText()") == password

        expect(page.get_by_role("button", name="Imprimer la fiche")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator("#setup-sheet")).to_be_visible()
        expect(page.locator("#sip-password")).to_have_value(password)
        expect(page.locator("header.top")).to_be_hidden()
        expect(page.get_by_role("heading", name="Messagerie vocale")).to_be_hidden()
        expect(page.get_by_role("button", name="Imprimer la fiche")).to_be_hidden()
        expect(page.get_by_text("Poste 2001 — Alice Martin")).to_be_visible()
    finally:
        context.close()
