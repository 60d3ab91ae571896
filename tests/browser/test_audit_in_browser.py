"""The audit log's filters in Chromium (issue 19): the list follows what is typed without a reload."""
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.signing import sign_in


def test_the_log_filters_as_one_types(page, live_server, db):
    acme = f.tenant("acme.pbx.example", "Acme")
    for n in ("2010", "2011", "2020"):
        f.extension(acme, n)
    f.account("admin", acme, email="boss@acme.example")
    sign_in(page, live_server, "boss@acme.example", "**/postes/")
    page.goto(f"{live_server}/journal/")
    page.evaluate("window.__marker = 'same page'")  # gone if the page reloads
    page.get_by_label("Objet", exact=True).fill("201")
    expect(page.locator("#audit-table")).to_contain_text("2 modifications")
    expect(page.locator("#audit-table")).not_to_contain_text("Poste 2020 créé")
    assert "objet=201" in page.url
    page.get_by_label("Type d'objet").select_option("tenant")
    expect(page.locator("#audit-table")).to_contain_text("Aucune modification ne correspond à ces filtres.")
    assert page.evaluate("window.__marker") == "same page"
