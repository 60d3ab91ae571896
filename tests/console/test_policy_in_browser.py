"""htmx works under the console's Content-Security-Policy in a real browser, which reports no
violation: search as you type, inline validation, the new SIP password behind htmx's dialog."""
from playwright.sync_api import expect

from tenants import extensions
from tenants.models import Extension
from tests import factories as f
from tests.browser.conftest import browser, live_server, page  # noqa: F401 - the browser fixtures

# Init scripts run before the page's own and are not subject to its policy.
WATCH = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def test_htmx_pages_run_under_the_policy(page, live_server, db):  # noqa: F811 - fixtures
    acme = f.tenant("acme.pbx.example", "Acme")
    alice = f.extension(acme, "2001", name="Alice Martin")
    f.extension(acme, "2002", name="Bruno Petit")
    f.account("admin", acme, email="boss@acme.example")
    page.add_init_script(WATCH)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())

    response = page.goto(f"{live_server}/connexion")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Adresse e-mail").fill("boss@acme.example")
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/postes/")  # loaded: htmx (a deferred script) has set the page up
    page.get_by_placeholder("Rechercher").fill("bruno")
    expect(page.locator("#extensions-table")).to_contain_text("1 poste")
    expect(page.locator("#extensions-table")).not_to_contain_text("Alice Martin")

    page.get_by_role("link", name="Nouveau poste").click()
    page.wait_for_url("**/postes/nouveau")
    page.get_by_label("Numéro de poste").fill("2001")
    expect(page.locator("#number-errors")).to_contain_text("Le poste 2001 existe déjà.")

    page.goto(f"{live_server}/postes/{alice.id}")
    page.get_by_role("button", name="Nouveau mot de passe SIP").click()
    expect(page.locator(".flash.success")).to_contain_text("reconfigurez ses téléphones")
    expect(page.locator("#sip-password")).to_have_value(extensions.sip_password(Extension.get_by_id(alice.id)))
    page.reload()
    expect(page.get_by_role("heading", name="Poste 2001")).to_be_visible()
    expect(page.locator(".flash")).to_have_count(0)
    expect(page.locator("#sip-password")).to_have_count(0)

    assert page.evaluate("window.__violations") == [] and refused == []
