"""French by default, English on request (J3).

The source strings are French; ``translations/en`` holds the English catalogue.
The compiled ``.mo`` is rebuilt from the ``.po`` when it is missing or older, so
a fresh clone needs no extra build step.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session
from flask_login import current_user

LANGUAGES = ("fr", "en")
TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogues() -> None:
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the account's, then the tenant's, then French."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and current_user.is_authenticated:
        if current_user.account.language in LANGUAGES:
            return current_user.account.language
        tenant = current_user.account.tenant
        if tenant is not None and tenant.language in LANGUAGES:
            return tenant.language
    return "fr"
