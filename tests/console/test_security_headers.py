"""Security headers on every answer (issue 11), the settings for HTTPS behind a reverse proxy, and
pages that run under the Content-Security-Policy: no inline script, style or event handler."""
import json
import re
from pathlib import Path

import pytest

from tests import factories as f

TEMPLATES = Path(__file__).resolve().parents[2] / "console" / "templates"
STATIC = TEMPLATES.parent / "static"
HX = {"HX-Request": "true", "HX-Target": "extensions-table"}


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy, directive -> sources."""
    header = response.headers.get("Content-Security-Policy")
    assert header, (response.request.path, "no Content-Security-Policy")
    parts = [p.split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def answers(app, admin):
    anonymous = app.test_client()
    return {
        "login page": anonymous.get("/connexion"),
        "redirect": anonymous.get("/"),
        "stylesheet": anonymous.get("/static/poste.css"),
        "htmx": anonymous.get("/static/htmx.min.js"),
        "not found": anonymous.get("/nulle-part"),
        "refused form": anonymous.post("/connexion", data={}),
        "admin page": admin.get("/postes/"),
        "htmx partial": admin.get("/postes/?q=2001", headers=HX),
    }


def test_every_answer_carries_the_security_headers(app, admin, acme):
    f.extension(acme, "2001")
    for what, response in answers(app, admin).items():
        csp = policy(response)
        assert csp["default-src"] == ["'self'"], what
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], (what, csp)
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], what
        assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"], what
        assert not [s for sources in csp.values() for s in sources if "unsafe" in s or s == "*"], what
        assert response.headers["X-Content-Type-Options"] == "nosniff", what
        assert response.headers["X-Frame-Options"] == "DENY", what
        assert response.headers["Referrer-Policy"] == "same-origin", what
        assert "Strict-Transport-Security" not in response.headers, what  # plain HTTP


def test_hsts_only_over_https(app, db):
    client = app.test_client()
    secure = client.get("/connexion", base_url="https://pbx.example")
    assert re.fullmatch(r"max-age=(\d+)", secure.headers["Strict-Transport-Security"])
    assert int(secure.headers["Strict-Transport-Security"].split("=")[1]) >= 365 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/connexion").headers
    # A client's own X-Forwarded-Proto is not believed unless a proxy is configured.
    forged = client.get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def console(settings, monkeypatch, **env):
    """The console of settings read as a process reads them: ``env`` over ``poste.env``."""
    from console import create_app
    from tenants.config import load_settings

    for name in ("POSTE_SECURE_COOKIES", "POSTE_PROXY_FIX"):
        monkeypatch.delenv(name, raising=False)
    read = load_settings({"POSTE_DATA": str(settings.data_dir), "DATABASE_URL": settings.database_url,
                          "POSTE_SMTP_PORT": "1", **env})
    return create_app(read, TESTING=True, RATELIMIT_ENABLED=False)


def session_cookie_of_a_login(app) -> str:
    f.account("admin", f.tenant("acme.pbx.example"), email="boss@acme.example")
    client = app.test_client()
    page = client.get("/connexion")
    response = client.post("/connexion", data={"csrf_token": f.csrf_token(page.text), "email": "boss@acme.example",
                                               "password": f.PASSWORD})
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_session_cookie_is_secure_only_when_configured(settings, db, monkeypatch):
    plain = session_cookie_of_a_login(console(settings, monkeypatch))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain


def test_secure_cookies_setting(settings, db, monkeypatch):
    app = console(settings, monkeypatch, POSTE_SECURE_COOKIES="1")
    assert "; Secure" in session_cookie_of_a_login(app)
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True


def test_settings_from_the_instance_file_and_bad_values(settings, db, monkeypatch):
    (settings.data_dir / "poste.env").write_text("POSTE_SECURE_COOKIES=1\n", encoding="utf-8")
    assert console(settings, monkeypatch).config["SESSION_COOKIE_SECURE"] is True
    with pytest.raises(ValueError, match="POSTE_PROXY_FIX"):
        console(settings, monkeypatch, POSTE_PROXY_FIX="maybe")


def test_proxy_headers_are_honoured_when_configured(settings, db, monkeypatch):
    app = console(settings, monkeypatch, POSTE_PROXY_FIX="1")
    behind = app.test_client().get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in behind.headers
    assert "Strict-Transport-Security" not in app.test_client().get("/connexion").headers


# What a policy without 'unsafe-inline' blocks: inline scripts, <style>, style="", on*= handlers,
# javascript: links, and what htmx would evaluate (hx-on, js: values, trigger filters).
INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"hx-on", re.I), "hx-on handler"),
    (re.compile(r"""hx-vals=["']\s*(js|javascript):""", re.I), "evaluated hx-vals"),
    (re.compile(r"""hx-trigger=["'][^"']*\[""", re.I), "hx-trigger filter"),
]
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)  # expressions, not markup


def test_templates_have_nothing_inline_the_policy_would_block():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    markup = {str(t.relative_to(TEMPLATES)): JINJA.sub("", t.read_text(encoding="utf-8")) for t in templates}
    found = [(name, what) for name, text in markup.items() for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def test_htmx_injects_no_style_and_the_indicator_style_is_in_the_stylesheet(client, db):
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", client.get("/connexion").text)
    assert meta, "no htmx-config meta"
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    css = (STATIC / "poste.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css
