"""Every role's pages at phone size (360 and 390 px) and on a desk (1280 px), in Chromium (issue 19):
each navigation link is tapped in turn (through the folded menu on a phone), no page is wider
than the screen, lists become cards on a phone, and signing out works."""
import pytest
from playwright.sync_api import expect

from tenants import jobs, tenancy
from tenants.audit import Actor
from tests import factories as f
from tests.browser.signing import sign_in

FOLDED = 900  # below this width the navigation folds behind "Menu" (poste.css)
HOME = {"operator": "**/operateur/clients", "admin": "**/postes/", "user": "**/portail/*/"}
EMAIL = {"operator": "op@poste.example", "admin": "boss@acme.example", "user": "alice@acme.example"}


@pytest.fixture
def people(db):
    acme = f.tenant("acme.pbx.example", "Acme Coworking Paris Centre")
    tenancy.add_did(Actor.cli(), acme, "01 84 88 00 01")
    f.extension(acme, "2001", name="Alice Martin-Delacroix", email="alice@acme.example", did="01 84 88 00 01")
    for n, name in [("2002", "Bruno Petit"), ("2003", "Chloé Durand"), ("2004", "Dominique Lefèvre-Rousseau")]:
        f.extension(acme, n, name=name, email=f"{name.split()[0].lower()}.tres-longue-adresse@acme-coworking.example")
    f.extension(acme, "2005", name="Renvoi mobile", kind="virtual", forward_to="06 12 34 56 78")
    jobs.run_due()  # the PIN emails fail (SMTP port 1): the jobs page has errors to show
    f.account("operator", email=EMAIL["operator"])
    f.account("admin", acme, email=EMAIL["admin"], name="Administratrice Acme")
    f.account("user", acme, email=EMAIL["user"])


def sign_in_as(page, live_server, role):
    sign_in(page, live_server, EMAIL[role], HOME[role])


def fits(page, width):
    """Nothing is wider than the screen: the page does not scroll sideways."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide on a {width} px screen"


def open_menu(page, width, touch):
    toggle = page.get_by_role("button", name="Menu")
    if width < FOLDED:
        expect(toggle).to_be_visible()
        expect(page.locator("#site-menu")).to_be_hidden()
        toggle.tap() if touch else toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#site-menu")).to_be_visible()
    else:
        expect(toggle).to_be_hidden()
        expect(page.locator("#site-menu nav")).to_be_visible()


@pytest.mark.parametrize("width", [360, 390, 1280])
@pytest.mark.parametrize("role", ["operator", "admin", "user"])
def test_every_navigation_link_then_sign_out(browser, live_server, people, role, width):
    touch = width < FOLDED
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 780}, has_touch=touch,
                                  is_mobile=touch, device_scale_factor=2 if touch else 1)
    page = context.new_page()
    try:
        sign_in_as(page, live_server, role)
        fits(page, width)
        names = page.locator("#site-menu nav a").evaluate_all("links => links.map(a => a.textContent.trim())")
        assert len(names) >= (1 if role == "user" else 4), names
        for name in names:
            open_menu(page, width, touch)
            link = page.locator("#site-menu nav").get_by_role("link", name=name, exact=True)
            link.tap() if touch else link.click()
            page.wait_for_load_state("load")
            expect(page.locator("#site-menu nav a[aria-current=page]")).to_have_text(name)  # (folded again)
            expect(page.locator("main h1").first).to_be_visible()
            fits(page, width)
        open_menu(page, width, touch)
        logout = page.get_by_role("button", name="Se déconnecter")
        expect(logout).to_be_visible()
        logout.tap() if touch else logout.click()
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        fits(page, width)
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_lists_become_cards_on_a_phone_and_pages_fit(browser, live_server, people, width):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 780})
    page = context.new_page()
    try:
        sign_in_as(page, live_server, "admin")
        header = page.locator("#extensions-table table thead")
        if width < 640:
            expect(header).to_be_hidden()
            cell = page.locator("#extensions-table tbody tr").first.locator("td").nth(2)
            label = cell.evaluate("td => getComputedStyle(td, '::before').content")
            assert label == '"Adresse e-mail"', label
        else:
            expect(header).to_be_visible()
        for path in ("/postes/nouveau", "/journal/", "/telephones/", "/parametres/", "/mot-de-passe"):
            page.goto(f"{live_server}{path}")
            fits(page, width)
        page.goto(f"{live_server}/postes/")
        page.locator("#extensions-table a", has_text="2001").click()
        page.wait_for_load_state("load")
        fits(page, width)
        page.locator("header form[action$='/deconnexion']").evaluate("form => form.submit()")
        page.wait_for_url("**/connexion", wait_until="load")
        sign_in_as(page, live_server, "operator")
        for path in ("/operateur/taches", "/journal/", "/telephones/exploitation", "/mot-de-passe"):
            page.goto(f"{live_server}{path}")
            fits(page, width)
        page.goto(f"{live_server}/operateur/clients")
        page.get_by_role("link", name="Acme Coworking Paris Centre").first.click()
        page.wait_for_load_state("load")
        fits(page, width)
    finally:
        context.close()
