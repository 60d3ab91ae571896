"""No page shows one tenant's data to another (A2), nor one user's to another user.

The test walks every URL a signed-in account can reach from its home page
(links, form targets, htmx GETs), then requests each of them as someone else:
none may answer 200 with the first account's data.
"""
import re
from urllib.parse import urljoin, urlsplit

import pytest

from tenants import extensions, tenancy
from tenants.audit import Actor
from tenants.models import Account, Did, Tenant
from tests import factories as f

LINK = re.compile(r'(href|action|hx-get|hx-post)="([^"]+)"')
POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"|hx-post="([^"]+)"')
SKIP = ("/static/", "/deconnexion", "?lang=")


def _local(base: str, link: str) -> str | None:
    parts = urlsplit(urljoin(base, link.replace("&amp;", "&")))
    if parts.netloc or any(s in link for s in SKIP):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start: str = "/") -> tuple[dict[str, str], set[str]]:
    """Every same-site page reachable from ``start`` (with what it answered) and every POST target."""
    seen: dict[str, str] = {}
    posts: set[str] = set()
    todo = [start]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        response = client.get(url, follow_redirects=True)
        seen[url] = response.text if response.status_code == 200 else ""
        for groups in POST_FORM.findall(response.text):
            target = _local(url, groups[0] or groups[1])
            if target:
                posts.add(target)
        for _attr, link in LINK.findall(response.text):
            target = _local(url, link)
            if target and target not in seen:
                todo.append(target)
    return seen, posts


ASKING_FORM = re.compile(r"""<form[^>]*action="([^"]+)"[^>]*hx-vals='\{"confirm": "1"\}'[^>]*>(.*?)</form>""", re.S)
ASKING_BUTTON = re.compile(r"""<button[^>]*hx-post="([^"]+)"[^>]*hx-vals='\{"confirm": "1"\}'""")
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def confirmation_steps(client, pages: dict[str, str]) -> dict[str, dict[str, str]]:
    """The destructive actions on the crawled pages (those htmx confirms, see the
    ``hx_confirm`` macro), each posted as a browser without JavaScript would: the
    answer must be a confirmation page, and nothing changes. Returns, per action,
    the fields its "Confirmer" form posts."""
    asks: dict[str, dict[str, str]] = {}
    for url, text in pages.items():
        for action, body in ASKING_FORM.findall(text):
            asks[_local(url, action)] = dict(HIDDEN.findall(body))
        for action in ASKING_BUTTON.findall(text):
            asks[_local(url, action)] = {}
    token = f.token_for(client)
    steps = {}
    for url, fields in asks.items():
        fields = {k: v for k, v in fields.items() if k != "csrf_token"}
        answer = client.post(url, data={**fields, "csrf_token": token})
        action, confirm_fields = f.confirmation(answer, url)
        steps[action] = confirm_fields
    return steps


def markers_of(tenant_domain: str) -> list[str]:
    return [tenant_domain, "secret-acme-marker", "alice.2001@acme", "+33123456789"]


@pytest.fixture
def two_tenants(app, db):
    acme, globex = f.tenant("acme.pbx.example", "Acme"), f.tenant("globex.pbx.example", "Globex")
    tenancy.add_did(Actor.cli(), acme, "01 23 45 67 89")
    f.extension(acme, "2001", name="secret-acme-marker Alice", email="alice.2001@acme.example", did="0123456789")
    f.extension(acme, "2002", name="Bob Acme", email="bob.2002@acme.example")
    f.extension(globex, "2001", name="Gina Globex", email="gina@globex.example")
    f.account("admin", acme, email="boss@acme.example")
    f.account("admin", globex, email="boss@globex.example")
    f.account("user", acme, email="alice.2001@acme.example")
    f.account("user", acme, email="bob.2002@acme.example")
    return acme, globex


def test_a_tenant_admin_never_sees_another_tenants_pages(app, two_tenants):
    acme, _globex = two_tenants
    acme_admin = f.login(app.test_client(), "boss@acme.example")
    pages, posts = crawl(acme_admin)
    reached = [u for u in pages if re.search(r"/postes/\d+", u)]
    assert len(reached) >= 6, pages.keys()  # detail, edit, delete pages of both extensions
    assert len([u for u in posts if re.search(r"/postes/\d+", u)]) >= 8, posts
    before = {e.id: (e.number, e.name, e.email, e.sip_password_enc) for e in acme.extensions}
    steps = confirmation_steps(acme_admin, pages)  # delete, new SIP password: each asks first
    assert len([u for u in steps if re.search(r"/postes/\d+/supprimer", u)]) == 2, steps
    assert len([u for u in steps if re.search(r"/postes/\d+/mot-de-passe-sip", u)]) == 2, steps
    assert {e.id: (e.number, e.name, e.email, e.sip_password_enc) for e in acme.extensions} == before
    globex_admin = f.login(app.test_client(), "boss@globex.example")
    token = f.token_for(globex_admin)
    for url in pages:
        response = globex_admin.get(url)
        leaked = [m for m in markers_of("acme.pbx.example") if m in response.text]
        assert not (response.status_code == 200 and leaked), (url, leaked)
        if re.search(r"/postes/\d+", url):
            assert response.status_code in (404, 405), url  # 405: a POST-only target
    for url in posts:
        response = globex_admin.post(url, data={"csrf_token": token, "pin": "9999", "number": "2001"})
        leaked = [m for m in markers_of("acme.pbx.example") if m in response.text]
        assert not leaked, (url, leaked)
        if re.search(r"/postes/\d+", url):
            assert response.status_code == 404, url
    for url, fields in steps.items():  # the confirmed step too: the owner's fields, globex's token
        response = globex_admin.post(url, data={**fields, "csrf_token": token})
        assert response.status_code == 404, url
        assert not [m for m in markers_of("acme.pbx.example") if m in response.text], url
    assert {e.id: (e.number, e.name, e.email, e.sip_password_enc) for e in acme.extensions} == before


def test_foreign_ids_in_posts_are_404_and_change_nothing(app, two_tenants):
    acme, _globex = two_tenants
    target = extensions.by_number(acme, "2001")
    globex_admin = f.login(app.test_client(), "boss@globex.example")
    token = f.token_for(globex_admin)
    for path, data in [("supprimer", {}), ("supprimer", {"confirm": "1"}), ("pin", {"pin": "9999"}),
                       ("deverrouiller", {}), ("email-messagerie", {"voicemail_email": "thief@globex.example"}),
                       ("mot-de-passe-sip", {}), ("mot-de-passe-sip", {"confirm": "1"}),
                       ("modifier", {"number": "2001", "name": "x", "email": "x@globex.example", "kind": "desk"})]:
        response = globex_admin.post(f"/postes/{target.id}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    fresh = type(target).get_by_id(target.id)
    assert (fresh.name, fresh.email, fresh.sip_password_enc) == (target.name, target.email, target.sip_password_enc)


def test_an_extension_user_never_sees_another_users_data(app, two_tenants):
    alice = f.login(app.test_client(), "alice.2001@acme.example")
    pages, _posts = crawl(alice)
    assert any("secret-acme-marker" in text for text in pages.values())
    bob = f.login(app.test_client(), "bob.2002@acme.example")
    for url in pages:
        response = bob.get(url)
        assert not (response.status_code == 200 and "secret-acme-marker" in response.text), url
        assert "alice.2001@acme" not in response.text or response.status_code != 200, url


def test_users_and_admins_cannot_reach_operator_pages(app, two_tenants):
    operator = f.account("operator", email="op@poste.example")
    assert operator.tenant_id is None
    op = f.login(app.test_client(), "op@poste.example")
    op_pages, op_posts = crawl(op)
    assert any(u.startswith("/operateur/clients/") for u in op_pages) and len(op_posts) >= 8
    def state():
        return ([(t.domain, t.status) for t in Tenant.select().order_by(Tenant.id)],
                Did.select().count(), Account.select().count())
    before = state()
    steps = confirmation_steps(op, op_pages)  # suspend both tenants, remove acme's number and both admins
    assert sorted(re.sub(r"\d+", "N", u) for u in steps) == sorted(
        ["/operateur/clients/N/statut"] * 2 + ["/operateur/numeros/N/supprimer"] + ["/operateur/comptes/N/supprimer"] * 2)
    assert state() == before
    for who in ("boss@acme.example", "alice.2001@acme.example"):
        client = f.login(app.test_client(), who)
        token = f.token_for(client)
        for url in op_pages:
            if url.startswith("/operateur"):
                assert client.get(url).status_code in (403, 405), (who, url)
        for url in op_posts:
            if url.startswith("/operateur"):
                assert client.post(url, data={"csrf_token": token}).status_code == 403, (who, url)
        for url, fields in steps.items():
            assert client.post(url, data={**fields, "csrf_token": token}).status_code == 403, (who, url)
    assert state() == before
