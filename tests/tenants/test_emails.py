"""The emails (issue 13): Jinja templates, a text and an HTML part each, translated through the console's one
catalogue, with dates and lengths written by Babel in the tenant's language and time zone."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tenants import emails, extensions, jobs
from tenants.audit import Actor
from tenants.mailbox_pin import PinOutcome, try_pin
from tenants.models import Account, Job
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
EN_PO = ROOT / "console" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
SPACES = re.compile(r"[\u00a0\u202f]")  # Babel's French and English data put (narrow) no-break spaces
RECEIVED = dt.datetime(2026, 3, 1, 13, 5)  # stored naive UTC: 14:05 in Paris, 08:05 in New York


def plain(text: str) -> str:
    return SPACES.sub(" ", text)


# One rendering of every kind, with the values its caller gives.
KINDS = {
    "first_pin": dict(name="Alice Martin", number="2001", domain="acme.pbx.example", pin="482913"),
    "mailbox_locked": dict(name="Alice Martin", number="2001", domain="acme.pbx.example",
                           url="https://pbx.example/postes/7", locked_at=RECEIVED),
    "voicemail": dict(name="Alice Martin", number="2001", caller="Bob <0612345678>", received_at=RECEIVED,
                      duration_ms=65_000),
    "mailbox_capacity": dict(level="nearly_full", name="Alice Martin", number="2001", count=90, limit=100),
    "low_balance": dict(domain="acme.pbx.example", url="https://pbx.example/compte-prepaye", balance="4,00 €",
                        threshold="5,00 €"),
    "prepaid_limit": dict(domain="acme.pbx.example", url="https://pbx.example/compte-prepaye",
                          limit_kind="concurrent_limit", limit="3"),
}


def render(kind: str, language: str, timezone: str = "Europe/Paris", **changes) -> emails.Email:
    email = emails.render(kind, language, timezone, **{**KINDS[kind], **changes})
    return emails.Email(*map(plain, email))


def test_every_kind_has_a_text_and_an_html_template_and_a_test_here():
    names = {p.name for p in emails.TEMPLATES.iterdir()}
    kinds = {name.removesuffix(".txt") for name in names if name.endswith(".txt")}
    assert kinds == set(KINDS)
    assert {f"{kind}.html" for kind in kinds} <= names


# --- each kind, in French and in English ------------------------------------------------------------

def test_first_pin_in_french_and_english():
    fr, en = render("first_pin", "fr"), render("first_pin", "en")
    assert fr.subject == "Votre messagerie vocale : code PIN du poste 2001"
    assert fr.text.startswith("Bonjour Alice Martin,\n\nVotre poste 2001 (acme.pbx.example) dispose d'une")
    assert "Votre code PIN provisoire est : 482913\n" in fr.text and "composez *97" in fr.text
    assert '<html lang="fr">' in fr.html and "<title>Votre messagerie vocale : code PIN du poste 2001</title>" in fr.html
    assert re.search(r"<p>Votre code PIN provisoire est : <strong[^>]*>482913</strong></p>", fr.html)
    assert en.subject == "Your voicemail: PIN for extension 2001"
    assert en.text.startswith("Hello Alice Martin,\n\nYour extension 2001 (acme.pbx.example) has a voicemail box.")
    assert "Your temporary PIN is: 482913\n" in en.text and "dial *97" in en.text
    assert '<html lang="en">' in en.html and "Your temporary PIN is: <strong" in en.html


def test_locked_notice_in_french_and_english_dated_in_the_tenants_zone():
    fr, en = render("mailbox_locked", "fr"), render("mailbox_locked", "en")
    assert fr.subject == "Messagerie du poste 2001 verrouillée"
    assert ("La messagerie vocale du poste 2001 (Alice Martin, acme.pbx.example) a été verrouillée "
            "le 1 mars 2026 à 14:05 après trois codes PIN erronés consécutifs.") in fr.text
    assert "Pour la déverrouiller ou définir un nouveau code PIN : https://pbx.example/postes/7\n" in fr.text
    assert '<a href="https://pbx.example/postes/7">https://pbx.example/postes/7</a>' in fr.html
    assert en.subject == "Voicemail of extension 2001 locked"
    assert ("The voicemail of extension 2001 (Alice Martin, acme.pbx.example) was locked on March 1, 2026 "
            "at 2:05 PM after three wrong PINs in a row.") in en.text
    assert "To unlock it or set a new PIN: https://pbx.example/postes/7" in en.text
    new_york = render("mailbox_locked", "en", "America/New_York")
    assert "on March 1, 2026 at 8:05 AM" in new_york.text and "on March 1, 2026 at 8:05 AM" in new_york.html


def test_voicemail_in_french_and_english():
    fr, en = render("voicemail", "fr"), render("voicemail", "en")
    assert fr.subject == "Nouveau message vocal de Bob <0612345678> (poste 2001)"
    assert ("Vous avez reçu un nouveau message vocal sur le poste 2001.\n\n"
            "  De :    Bob <0612345678>\n"
            "  Reçu :  le 1 mars 2026 à 14:05\n"
            "  Durée : 1 min 5 s\n\n"
            "Le message est joint au format MP3.") in fr.text
    assert "<dd" in fr.html and ">Bob &lt;0612345678&gt;</dd>" in fr.html and ">le 1 mars 2026 à 14:05</dd>" in fr.html
    assert en.subject == "New voice message from Bob <0612345678> (extension 2001)"
    assert ("  From:     Bob <0612345678>\n"
            "  Received: March 1, 2026 at 2:05 PM\n"
            "  Length:   1 min 5 sec\n") in en.text
    assert ">March 1, 2026 at 2:05 PM</dd>" in en.html and ">1 min 5 sec</dd>" in en.html
    assert "le 1 mars 2026 à 8:05" not in fr.text
    assert "  Reçu :  le 1 mars 2026 à 08:05\n" in render("voicemail", "fr", "America/New_York").text


def test_a_withheld_caller_is_said_in_the_language():
    fr, en = render("voicemail", "fr", caller=""), render("voicemail", "en", caller="")
    assert fr.subject == "Nouveau message vocal de numéro masqué (poste 2001)" and ">numéro masqué</dd>" in fr.html
    assert en.subject == "New voice message from unknown caller (extension 2001)" and "From:     unknown caller" in en.text


def test_capacity_warnings_in_french_and_english():
    fr = render("mailbox_capacity", "fr")
    assert fr.subject == "Votre boîte vocale (poste 2001) est presque pleine"
    assert "90 messages sur 100 possibles : elle a presque atteint sa capacité." in fr.text
    assert "libérer de l'espace (composez *97, puis 7 après un message)" in fr.text
    full = render("mailbox_capacity", "en", level="full", count=100)
    assert full.subject == "Your voicemail box (extension 2001) is full"
    assert "Your voicemail box holds 100 messages out of 100: it is full." in full.text
    assert "Callers can no longer leave you a message." in full.text and "dial *97, then 7" in full.html
    one = render("mailbox_capacity", "en", level="full", count=1, limit=1)
    assert "holds 1 message out of 1: it is full." in one.text  # the catalogue's plural forms


def test_an_unknown_language_gets_french():
    assert render("mailbox_capacity", "xx", level="full", count=100).subject == \
        "Votre boîte vocale (poste 2001) est pleine"


# --- what is rendered, and how ------------------------------------------------------------------------

def test_the_html_part_escapes_what_it_is_given_and_the_text_part_keeps_it():
    hostile = '<script>alert("x")</script> & Co'
    email = render("first_pin", "fr", name=hostile)
    assert "<script>" not in email.html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in email.html
    assert f"Bonjour {hostile}," in email.text
    link = render("mailbox_locked", "en", url='https://pbx.example/postes/7?a=1&b="2"')
    assert 'href="https://pbx.example/postes/7?a=1&amp;b=&#34;2&#34;"' in link.html


def test_the_html_part_is_a_whole_accessible_document():
    for kind in KINDS:
        email = render(kind, "en")
        assert email.html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
        title = email.subject.replace("<", "&lt;").replace(">", "&gt;")
        assert f"<title>{title}</title>" in email.html and '<meta charset="utf-8">' in email.html
        assert "\n" not in email.subject and email.text.endswith("\n") and "\n\n\n" not in email.text


def test_a_missing_value_is_an_error_not_a_blank():
    values = dict(KINDS["voicemail"])
    del values["received_at"]
    with pytest.raises(jinja2.UndefinedError, match="received_at"):
        emails.render("voicemail", "fr", "Europe/Paris", **values)


@pytest.mark.parametrize(("ms", "fr", "en"), [
    (200, "1 s", "1 sec"),  # at least a second
    (42_000, "42 s", "42 sec"),
    (59_600, "1 min", "1 min"),  # whole seconds
    (65_000, "1 min 5 s", "1 min 5 sec"),
    (3_540_000, "59 min", "59 min"),  # never rounded up to the next unit
    (3_725_000, "1 h 2 min 5 s", "1 hr 2 min 5 sec"),
])
def test_durations_by_babels_units(ms, fr, en):
    assert (plain(emails.duration(ms, "fr")), plain(emails.duration(ms, "en"))) == (fr, en)


# --- the catalogue -----------------------------------------------------------------------------------

def template_strings() -> dict[str, str]:
    """French msgid -> template, as ``scripts/i18n-update`` extracts them (babel.cfg's jinja2 method)."""
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            str(emails.TEMPLATES), [("**.txt", "jinja2"), ("**.html", "jinja2")]):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found[msgid] = filename
    return found


def test_every_template_string_is_in_the_catalogue_with_an_english_translation():
    strings = template_strings()
    assert len(strings) > 20 and "Durée :" in strings and "Bonjour %(name)s," in strings
    with EN_PO.open("rb") as handle:
        catalog = read_po(handle)
    english = {}
    for m in catalog:
        for i, msgid in enumerate(m.id if isinstance(m.id, tuple) else (m.id,)):
            english[msgid] = m.string[i] if isinstance(m.string, tuple) else m.string
    missing = [f"{where}: {msgid!r}" for msgid, where in strings.items() if not (english.get(msgid) or "").strip()]
    assert not missing, "run scripts/i18n-update and translate:\n" + "\n".join(missing)
    assert "tenants/emails/templates/**.txt" in (ROOT / "babel.cfg").read_text()  # the script extracts them too


def test_an_english_email_holds_no_french_source_string():
    # The longest words between placeholders of each French string, when long enough to be French only.
    french = {piece for msgid in template_strings()
              for piece in [max(re.split(r"%\(\w+\)\w", msgid), key=len).strip()] if len(piece) >= 10}
    assert "Vous avez reçu un nouveau message vocal sur le poste" in french
    for kind in KINDS:
        for part in render(kind, "en"):
            left = [piece for piece in french if piece in part]
            assert not left, (kind, left)


# --- sent as a job, through a real SMTP server ------------------------------------------------------

def test_the_locked_notice_arrives_with_text_and_html_in_each_admins_language(smtp):
    acme = f.tenant()
    f.account("admin", acme, email="boss@acme.example")
    Account.update(language="en").where(Account.email == "boss@acme.example").execute()
    f.account("admin", acme, email="deputy@acme.example")  # no language of their own: the tenant's
    box = extensions.mailbox_of(f.extension(acme, "2001", name="Alice Martin"))
    extensions.set_pin(Actor.cli(), box, "4711")
    Job.delete().execute()  # the PIN email of the creation is not under test here
    assert [try_pin(box.id, "0000") for _ in range(3)][-1] is PinOutcome.JUST_LOCKED
    queued = {job.payload["to"]: job for job in Job.select()}
    assert jobs.run_due() == 2
    received = {m["To"]: m for m in smtp.wait_for(2)}
    boss, deputy = received["boss@acme.example"], received["deputy@acme.example"]
    assert boss["Subject"] == "Voicemail of extension 2001 locked"
    assert deputy["Subject"] == "Messagerie du poste 2001 verrouillée"
    for to, message in received.items():
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        job = queued[to]
        assert message["Message-ID"].startswith(f"<job{job.id}.")  # named after its job, as every try
    text = plain(boss.get_body(("plain",)).get_content())
    html = plain(boss.get_body(("html",)).get_content())
    assert "was locked on " in text and " after three wrong PINs in a row." in text
    assert f"/postes/{box.extension_id}</a>" in html and '<html lang="en">' in html
    assert "a été verrouillée le " in plain(deputy.get_body(("plain",)).get_content())


def test_low_balance_notice_in_french_and_english():
    fr, en = render("low_balance", "fr"), render("low_balance", "en", balance="€4.00", threshold="€5.00")
    assert fr.subject == "Compte prépayé de acme.pbx.example : solde bas"
    assert "Le solde du compte prépayé de acme.pbx.example est de 4,00 €, sous le seuil de 5,00 €" in fr.text
    assert '<a href="https://pbx.example/compte-prepaye">' in fr.html
    assert en.subject == "Prepaid account of acme.pbx.example: low balance"
    assert "The balance of the prepaid account of acme.pbx.example is €4.00, below the €5.00 threshold" in en.text


def test_prepaid_limit_notice_in_french_and_english():
    fr, en = render("prepaid_limit", "fr"), render("prepaid_limit", "en")
    assert fr.subject == "Compte prépayé de acme.pbx.example : appels refusés"
    assert "3 appels vers l'extérieur sont déjà en cours, la limite que votre opérateur a fixée." in fr.text
    assert "changez son mot de passe SIP" in fr.text and '<a href="https://pbx.example/compte-prepaye">' in fr.html
    assert en.subject == "Prepaid account of acme.pbx.example: calls refused"
    assert "3 calls to the outside are already in progress" in en.text
    daily = render("prepaid_limit", "fr", limit_kind="daily_limit", limit="20,00 €")
    assert "il dépasserait la dépense maximale de 20,00 € par jour" in daily.text
    assert "maximum spend of €20.00 a day" in render("prepaid_limit", "en", limit_kind="daily_limit",
                                                     limit="€20.00").text
