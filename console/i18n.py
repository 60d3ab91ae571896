"""French by default, English on request (J3).

The source strings are French; ``translations/en`` holds the English catalogue.
The compiled ``.mo`` is built from the ``.po`` into ``$POSTE_DATA`` at start-up,
so a fresh clone needs no extra build step.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request, session
from flask_babel import get_translations
from flask_login import current_user

LANGUAGES = ("fr", "en")
DEFAULT_TIMEZONE = "Europe/Paris"
TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogues(target: Path) -> Path:
    """Compile every ``.po`` of the source tree into ``target`` and return it.

    Done at each start (a few milliseconds): the compiled catalogue can never be
    older than its source, and the source tree may stay read-only. Each process
    writes its own temporary file and renames it into place, so several workers
    starting together never see a half-written catalogue.
    """
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(TRANSLATIONS).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with tempfile.NamedTemporaryFile(dir=mo_path.parent, suffix=".tmp", delete=False) as handle:
            write_mo(handle, catalog)
        os.replace(handle.name, mo_path)
    return target


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


def select_timezone() -> str:
    """Dates are in the tenant's zone for its people, in the operator's own on the operator's pages."""
    if current_user and current_user.is_authenticated:
        account = current_user.account
        if account.tenant is not None:
            return account.tenant.timezone
        return account.timezone or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def translations():
    """This request's catalogue, looked up once (Flask-Babel's lookup costs more than the
    translation itself, and a list of 50 rows translates hundreds of strings)."""
    try:
        return g._poste_translations
    except AttributeError:
        g._poste_translations = get_translations()
        return g._poste_translations


def template_gettext(message: str) -> str:
    return translations().ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ungettext(singular, plural, n)
