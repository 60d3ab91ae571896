"""Signing in through the login page, as every browser test starts."""
from tests import factories as f


def sign_in(page, live_server: str, email: str, lands_on: str = "**") -> None:
    """Sign ``email`` in and wait for the page it lands on to have loaded (htmx set up)."""
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(f.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lands_on, wait_until="load")
