"""A new SIP password is shown once, from the server: never in the session cookie, which is signed
but not encrypted (issue 11, secrets at rest)."""
import base64
import re
import zlib

import pytest

from tenants.credentials import decrypt_sip_password
from tenants.models import Extension
from tests import factories as f

# The phone setup sheet's password field (directory/detail.html).
SHOWN = re.compile(r'id="sip-password" class="secret" value="([A-Za-z0-9]+)"')


def decoded(set_cookie: str) -> str:
    """What anyone holding the cookie reads in it (Flask's session: base64 of JSON, maybe zlib)."""
    value = set_cookie.split(";")[0].split("=", 1)[1]
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")


class Flow:
    """A signed-in admin's client that keeps every cookie the console set."""

    def __init__(self, client):
        self.client, self.cookies = client, []

    def __call__(self, method: str, url: str, **kw):
        response = self.client.open(url, method=method, **kw)
        self.cookies += response.headers.getlist("Set-Cookie")
        return response

    def readable(self) -> str:
        return "\n".join(c + "\n" + decoded(c) for c in self.cookies if "=" in c.split(";")[0])


@pytest.fixture
def flow(admin):
    return Flow(admin)


def shown_once(flow: Flow, response, ext: Extension) -> str:
    """Follow the answer to the page that shows the password; check it is the extension's, that the
    page is not cached, and that reloading the page no longer shows it."""
    assert response.status_code == 302
    url = response.headers["Location"]
    page = flow("GET", url)
    found = SHOWN.findall(page.text)
    assert len(found) == 1, page.text
    assert found[0] == decrypt_sip_password(Extension.get_by_id(ext.id).sip_password_enc)
    assert "no-store" in page.headers.get("Cache-Control", "")
    again = flow("GET", url)
    assert again.status_code == 200 and found[0] not in again.text and "une seule fois" not in again.text
    return found[0]


def test_creating_an_extension_shows_its_password_once_and_no_cookie_holds_it(flow):
    token = f.csrf_token(flow("GET", "/postes/nouveau").text)
    response = flow("POST", "/postes/nouveau", data={
        "csrf_token": token, "number": "2001", "name": "Alice Martin", "email": "alice@acme.example",
        "kind": "desk", "did": "", "forward_to": ""})
    ext = Extension.get(Extension.number == "2001")
    password = shown_once(flow, response, ext)
    assert flow.cookies and password not in flow.readable()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_new_sip_password_is_shown_once_and_no_cookie_holds_it(flow, acme, htmx):
    ext = f.extension(acme, "2001")
    token = f.csrf_token(flow("GET", f"/postes/{ext.id}").text)
    headers = {"HX-Request": "true", "HX-Boosted": "true"} if htmx else {}
    ask = flow("POST", f"/postes/{ext.id}/mot-de-passe-sip", data={"csrf_token": token}, headers=headers)
    action, fields = f.confirmation(ask, f"/postes/{ext.id}/mot-de-passe-sip")
    response = flow("POST", action, data=fields, headers=headers)
    password = shown_once(flow, response, ext)
    assert flow.cookies and password not in flow.readable()


def test_the_password_is_shown_only_to_the_session_that_made_it(app, flow, acme):
    ext = f.extension(acme, "2001")
    token = f.csrf_token(flow("GET", f"/postes/{ext.id}").text)
    response = flow("POST", f"/postes/{ext.id}/mot-de-passe-sip", data={"csrf_token": token, "confirm": "1"})
    other = f.login(app.test_client(), "boss@acme.example")  # the same admin, elsewhere
    assert not SHOWN.search(other.get(response.headers["Location"]).text)
    assert SHOWN.search(flow("GET", response.headers["Location"]).text)
