"""French by default, English on request (J3): the English catalogue is complete and
follows the sources, and pages switch language by ``?lang=``, the session and the tenant."""
from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tenants import tenancy
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "console" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
POT = TRANSLATIONS / "messages.pot"
# The keywords scripts/i18n-update passes to pybabel (N_ is one of babel's defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def _extracted() -> dict[str, tuple[str, int]]:
    """msgid -> (file, line) of the strings marked in the sources, as babel.cfg says."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, (filename, lineno))
    return found


def _text(response) -> str:
    return html.unescape(response.text)


# --- the catalogue ---------------------------------------------------------------------------

def test_every_message_has_an_english_translation_with_the_same_placeholders():
    catalog = _read(EN_PO)
    assert catalog.locale is not None and str(catalog.locale) == "en"
    assert catalog.num_plurals == 2
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100  # the real catalogue, not an empty shell
    problems = []
    for m in messages:
        key = _key(m)
        if m.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        if isinstance(m.id, tuple):
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if len(strings) != catalog.num_plurals or not all(s.strip() for s in strings):
                problems.append(f"untranslated plural: {key!r}")
                continue
            wanted = _placeholders(m.id[0]) | _placeholders(m.id[1])
            for form in strings:
                if _placeholders(form) != wanted:
                    problems.append(f"placeholders differ: {key!r} -> {form!r}")
        else:
            if not (m.string or "").strip():
                problems.append(f"untranslated: {key!r}")
                continue
            if _placeholders(m.string) != _placeholders(m.id):
                problems.append(f"placeholders differ: {key!r} -> {m.string!r}")
        for form in (m.string if isinstance(m.string, tuple) else (m.string,)):
            if "«" in form or "»" in form:
                problems.append(f"French quotes in English: {form!r}")
    assert not problems, "\n".join(problems)


def test_header_names_the_project():
    catalog = _read(EN_PO)
    assert catalog.project == "Poste" and not catalog.fuzzy
    assert "PROJECT" not in catalog.header_comment and "FULL NAME" not in (catalog.last_translator or "")


def test_every_marked_source_string_is_in_the_template_and_the_english_catalogue():
    extracted = _extracted()
    assert "Connexion" in extracted and "Le numéro de poste doit être compris entre 2000 et 2999." in extracted
    template = {_key(m) for m in _read(POT) if m.id}
    english = {_key(m): m for m in _read(EN_PO) if m.id}
    not_in_pot = [f"{where}:{line}: {msgid!r}" for msgid, (where, line) in extracted.items()
                  if msgid not in template]
    not_in_po = [f"{where}:{line}: {msgid!r}" for msgid, (where, line) in extracted.items()
                 if msgid not in english]
    assert not not_in_pot, "run scripts/i18n-update; not in messages.pot:\n" + "\n".join(not_in_pot)
    assert not not_in_po, "run scripts/i18n-update and translate:\n" + "\n".join(not_in_po)


# --- pages -----------------------------------------------------------------------------------

def test_french_by_default(client):
    page = client.get("/connexion")
    text = _text(page)
    assert page.status_code == 200
    assert '<html lang="fr">' in text
    assert "Connexion" in text and "Mot de passe" in text and "Se connecter" in text
    assert "Sign in" not in text and "Password" not in text


def test_lang_parameter_switches_to_english_and_the_session_remembers_it(client):
    english = _text(client.get("/connexion?lang=en"))
    assert '<html lang="en">' in english
    assert "Sign in" in english and "Password" in english and "Number or email address" in english
    assert "Mot de passe" not in english and "Connexion" not in english

    again = _text(client.get("/connexion"))
    assert '<html lang="en">' in again and "Sign in" in again and "Mot de passe" not in again

    back = _text(client.get("/connexion?lang=fr"))
    assert '<html lang="fr">' in back and "Mot de passe" in back and "Password" not in back
    assert '<html lang="fr">' in _text(client.get("/connexion"))


def test_unknown_lang_is_ignored(client):
    text = _text(client.get("/connexion?lang=de"))
    assert '<html lang="fr">' in text and "Mot de passe" in text


def test_error_pages_are_translated(client):
    assert "Page introuvable" in _text(client.get("/nulle-part"))
    text = _text(client.get("/nulle-part?lang=en"))
    assert "Page not found" in text and "Page introuvable" not in text


def test_admin_sees_the_extensions_page_in_english(client, acme):
    f.account("admin", acme, email="boss@acme.example")
    f.extension(acme, "2001", name="Alice Martin")
    client.get("/connexion?lang=en")
    f.login(client, "boss@acme.example")

    text = _text(client.get("/postes/"))
    assert '<html lang="en">' in text
    assert "Extensions" in text and "New extension" in text and "Sign out" in text
    assert "1 extension" in text and "Alice Martin" in text
    assert "Postes" not in text and "Nouveau poste" not in text and "Se déconnecter" not in text

    f.extension(acme, "2002", name="Bob Durand")
    assert "2 extensions" in _text(client.get("/postes/"))


def test_domain_error_is_shown_in_english(client, acme):
    f.account("admin", acme, email="boss@acme.example")
    client.get("/connexion?lang=en")
    f.login(client, "boss@acme.example")
    response = client.post("/postes/nouveau", data={
        "csrf_token": f.token_for(client, "/postes/nouveau"), "number": "3001", "name": "Bob",
        "email": "bob@acme.example", "kind": "desk", "did": "", "forward_to": ""})
    text = _text(response)
    assert response.status_code == 422
    assert "The extension number must be between 2000 and 2999." in text
    assert "compris entre 2000 et 2999" not in text


def test_domain_error_is_french_by_default(client, acme):
    f.account("admin", acme, email="boss@acme.example")
    f.login(client, "boss@acme.example")
    response = client.post("/postes/nouveau", data={
        "csrf_token": f.token_for(client, "/postes/nouveau"), "number": "3001", "name": "Bob",
        "email": "bob@acme.example", "kind": "desk", "did": "", "forward_to": ""})
    text = _text(response)
    assert response.status_code == 422
    assert "Le numéro de poste doit être compris entre 2000 et 2999." in text
    assert "must be between" not in text


def test_english_tenant_gets_english_pages_without_asking(client, db):
    globex = tenancy.create_tenant(f.CLI, "Globex", "globex.pbx.example", language="en")
    f.account("admin", globex, email="boss@globex.example")
    f.login(client, "boss@globex.example")

    text = _text(client.get("/postes/"))
    assert '<html lang="en">' in text
    assert "Extensions" in text and "New extension" in text and "No extensions yet." in text
    assert "Nouveau poste" not in text

    french = _text(client.get("/postes/?lang=fr"))  # the person's own choice wins
    assert '<html lang="fr">' in french and "Nouveau poste" in french


def test_french_tenant_admin_gets_french_pages(client, acme):
    f.account("admin", acme, email="boss@acme.example")
    f.login(client, "boss@acme.example")
    text = _text(client.get("/postes/"))
    assert '<html lang="fr">' in text and "Nouveau poste" in text and "New extension" not in text
