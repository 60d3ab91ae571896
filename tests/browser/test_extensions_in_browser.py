"""A tenant admin in a real browser: inline French validation without reload, then the list."""
from playwright.sync_api import expect

from tenants import extensions
from tenants.models import Extension
from tests import factories as f


def test_create_extension_with_inline_validation(page, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    f.extension(acme, "2001", name="Alice Martin")
    f.account("admin", acme, email="boss@acme.example")

    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill("boss@acme.example")
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Postes")).to_be_visible()

    page.get_by_role("link", name="Nouveau poste").click()
    page.evaluate("window.__marker = 'same page'")  # gone if the page reloads
    number = page.get_by_label("Numéro de poste")
    number.fill("3001")
    expect(page.locator("#number-errors")).to_contain_text("Le numéro de poste doit être compris entre 2000 et 2999.")
    number.fill("2001")
    expect(page.locator("#number-errors")).to_contain_text("Le poste 2001 existe déjà.")
    number.fill("2042")
    expect(page.locator("#number-errors")).to_contain_text("Le poste 2042 est libre.")
    assert page.evaluate("window.__marker") == "same page"

    page.get_by_label("Nom de l'utilisateur").fill("Zoé Bernard")
    page.get_by_label("Adresse e-mail").fill("zoe@acme.example")
    page.get_by_role("button", name="Créer le poste").click()
    expect(page.locator(".flash.success")).to_contain_text("Poste 2042 créé")
    expect(page.locator("#sip-password")).to_have_value(extensions.sip_password(Extension.get(Extension.number == "2042")))
    page.goto(f"{live_server}/postes/")
    expect(page.locator("#extensions-table")).to_contain_text("Zoé Bernard")
    assert Extension.select().where(Extension.number == "2042").count() == 1

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_search_inline_edit_and_delete_with_htmx(page, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    for number, name in [("2001", "Alice Martin"), ("2002", "Bruno Petit"), ("2003", "Chloé Durand")]:
        f.extension(acme, number, name=name)
    f.account("admin", acme, email="boss@acme.example")
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill("boss@acme.example")
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Typing before the list page has loaded went to the login page, or to a search box htmx had
    # not yet set up (a full page load instead of a swap): wait for the page's load event, by
    # which htmx (a deferred script) has processed it.
    page.wait_for_url("**/postes/", wait_until="load")
    page.evaluate("window.__marker = 'same page'")

    page.get_by_placeholder("Rechercher").fill("bruno")
    expect(page.locator("#extensions-table")).to_contain_text("1 poste")
    expect(page.locator("#extensions-table")).not_to_contain_text("Alice Martin")
    assert "q=bruno" in page.url

    row = page.locator("tr", has_text="Bruno Petit")
    row.get_by_role("link", name="Modifier").click()
    editor = page.locator("tr.editing")
    editor.get_by_label("Nom de l'utilisateur").fill("Bruno Lefèvre")
    editor.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#extensions-table")).to_contain_text("Bruno Lefèvre")
    expect(page.locator("tr.editing")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="Bruno Lefèvre").get_by_role("button", name="Supprimer").click()
    expect(page.locator("#extensions-table")).not_to_contain_text("Bruno Lefèvre")
    assert page.evaluate("window.__marker") == "same page"
    assert Extension.select().where(Extension.number == "2002").count() == 0
