"""Builders of test data through the real services, and a signed-in test client."""
from __future__ import annotations

import re

from tenants import accounts, extensions, tenancy
from tenants.audit import Actor
from tenants.extensions import ExtensionInput
from tenants.models import Account, Extension, Tenant

PASSWORD = "correct-horse-battery"
CLI = Actor.cli()


def tenant(domain: str = "acme.pbx.example", name: str | None = None) -> Tenant:
    return tenancy.create_tenant(CLI, name or domain.split(".")[0].capitalize(), domain)


def extension(t: Tenant, number: str = "2001", name: str = "Alice Martin", email: str | None = None,
              **kw) -> Extension:
    email = email or f"{name.split()[0].lower()}.{number}@{t.domain}"
    ext, _password = extensions.create_extension(CLI, t, ExtensionInput(number=number, name=name, email=email, **kw))
    return ext


def account(role: str, t: Tenant | None = None, email: str | None = None, **kw) -> Account:
    email = email or f"{role}-{t.domain if t else 'op'}@example.org".replace(".pbx.example", "")
    return accounts.create_account(CLI, role, email, PASSWORD, tenant=t, **kw)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/connexion")
    response = client.post("/connexion", data={"csrf_token": csrf_token(page.text), "email": email,
                                               "password": password})
    assert response.status_code == 302, response.text
    return client


def token_for(client, url: str = "/mot-de-passe") -> str:
    """A valid CSRF token of the client's session."""
    return csrf_token(client.get(url).text)


CONFIRM_FORM = re.compile(r'<form method="post" action="([^"]+)">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def confirmation(response, action: str | None = None) -> tuple[str, dict[str, str]]:
    """The confirmation page of a destructive action (console.forms.confirm_first): the
    target and fields its "Confirmer" form posts, after checking what any such page has.
    ``action`` (a path), when given, must be where it posts."""
    html = response.text
    assert response.status_code == 200 and "<html" in html, response.status_code
    forms = [(target, body) for target, body in CONFIRM_FORM.findall(html) if 'name="confirm"' in body]
    assert len(forms) == 1, "no confirmation form on the page"
    target, body = forms[0]
    assert action is None or target == action, (target, action)
    assert ">Confirmer</button>" in body and ">Annuler</a>" in body
    fields = {}
    for tag in HIDDEN.findall(body):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    assert fields.get("confirm") and fields.get("csrf_token"), fields
    return target, fields
