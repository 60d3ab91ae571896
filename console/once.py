"""Flash messages that carry a secret (a new SIP password), shown once from the server.

``flask.flash`` keeps its messages in the session cookie, which is signed but not
encrypted: base64 of the cookie showed the password. ``flash_once`` keeps the message
server-side instead (``tenants.one_time``, encrypted) and puts only a random token in the
session; the next full page shows it beside the flashed messages and deletes it, so a
reload (or a replayed cookie) shows nothing. That page is sent ``Cache-Control: no-store``.
"""
from __future__ import annotations

import json

from flask import Flask, g, session
from flask_login import current_user

from tenants import one_time
from tenants.models import utcnow

SESSION_KEY = "_once"
PAGES_KEY = "_once_pages"


def flash_once(message: str, category: str = "success") -> None:
    token = one_time.keep(current_user.account.id, json.dumps([category, message]), utcnow())
    session[SESSION_KEY] = [*session.get(SESSION_KEY, []), token]


def taken_messages() -> list[tuple[str, str]]:
    """The session's messages kept by ``flash_once``, as (category, message); each only once."""
    tokens = session.pop(SESSION_KEY, None)
    if not tokens or not current_user.is_authenticated:
        return []
    texts = [one_time.take(current_user.account.id, token, utcnow()) for token in tokens]
    messages = [tuple(json.loads(text)) for text in texts if text is not None]
    if messages:
        g.shows_secret = True
    return messages


def keep_for_page(name: str, data: dict) -> None:
    """Keep ``data`` (a new SIP password for the phone setup sheet) for the next page that asks for
    ``name``; server-side, as ``flash_once``: the session holds only the token."""
    token = one_time.keep(current_user.account.id, json.dumps(data), utcnow())
    session[PAGES_KEY] = {**session.get(PAGES_KEY, {}), name: token}


def take_for_page(name: str) -> dict | None:
    """What ``keep_for_page(name, ...)`` kept, once; the page that shows it is not cached."""
    pages = session.get(PAGES_KEY) or {}
    if name not in pages or not current_user.is_authenticated:
        return None
    token = pages.pop(name)
    session[PAGES_KEY] = pages
    text = one_time.take(current_user.account.id, token, utcnow())
    if text is None:
        return None
    g.shows_secret = True
    return json.loads(text)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(taken_messages=taken_messages)

    @app.after_request
    def _no_store(response):
        if g.get("shows_secret"):
            response.headers["Cache-Control"] = "no-store"
        return response
