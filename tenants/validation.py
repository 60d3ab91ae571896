"""Pure checks of what people type. Each returns a list of problems (empty when fine)."""
from __future__ import annotations

import re
import zoneinfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from tenants.problems import N_, Problem

EXTENSION_MIN, EXTENSION_MAX = 2000, 2999
NAME_MAX = 100
EMAIL_MAX = 254
PASSWORD_MIN = 10
PASSWORD_MAX = 128
PIN_MIN, PIN_MAX = 4, 10
LANGUAGES = ("fr", "en")
# RFC 1035 labels; at least two of them, as a SIP domain is a DNS name. At most 64
# characters: Kamailio's domain and subscriber tables hold no more.
_ASCII_DIGITS = re.compile(r"^[0-9]+$")  # str.isdigit() would accept "２００１" or "١٢٣٤"
_DOMAIN = re.compile(r"^(?=.{4,64}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_extension_number(number: str, field: str = "number") -> list[Problem]:
    """Extensions are four digits from 2000 to 2999 (A3)."""
    number = (number or "").strip()
    if not number:
        return [Problem(field, N_("Le numéro de poste est obligatoire."))]
    if not _ASCII_DIGITS.match(number) or len(number) != 4:
        return [Problem(field, N_("Le numéro de poste doit comporter 4 chiffres (2000 à 2999)."))]
    if not EXTENSION_MIN <= int(number) <= EXTENSION_MAX:
        return [Problem(field, N_("Le numéro de poste doit être compris entre 2000 et 2999."))]
    return []


def check_name(name: str, field: str = "name", required: bool = True) -> list[Problem]:
    name = (name or "").strip()
    if required and not name:
        return [Problem(field, N_("Ce champ est obligatoire."))]
    if len(name) > NAME_MAX:
        return [Problem(field, N_("Ce champ ne peut dépasser %(max)d caractères."), {"max": NAME_MAX})]
    if any(ord(c) < 32 for c in name):
        return [Problem(field, N_("Ce champ contient des caractères non autorisés."))]
    return []


def check_email(email: str, field: str = "email") -> list[Problem]:
    email = (email or "").strip()
    if not email:
        return [Problem(field, N_("L'adresse e-mail est obligatoire."))]
    if len(email) > EMAIL_MAX:
        return [Problem(field, N_("Ce champ ne peut dépasser %(max)d caractères."), {"max": EMAIL_MAX})]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [Problem(field, N_("L'adresse e-mail « %(value)s » n'est pas valide."), {"value": email})]
    return []


def check_domain(domain: str, field: str = "domain") -> list[Problem]:
    domain = (domain or "").strip().lower()
    if not domain:
        return [Problem(field, N_("Le domaine SIP est obligatoire."))]
    if not _DOMAIN.match(domain):
        return [Problem(field, N_("Le domaine SIP « %(value)s » n'est pas un nom de domaine valide (ex. acme.pbx.example)."),
                        {"value": domain[:80]})]
    return []


def check_timezone(tz: str, field: str = "timezone") -> list[Problem]:
    if tz not in zoneinfo.available_timezones():
        return [Problem(field, N_("Fuseau horaire inconnu : %(value)s."), {"value": (tz or "")[:64]})]
    return []


def check_language(lang: str, field: str = "language") -> list[Problem]:
    if lang not in LANGUAGES:
        return [Problem(field, N_("Langue non prise en charge (fr ou en)."))]
    return []


def check_password(password: str, field: str = "password") -> list[Problem]:
    password = password or ""
    if len(password) < PASSWORD_MIN:
        return [Problem(field, N_("Le mot de passe doit comporter au moins %(min)d caractères."), {"min": PASSWORD_MIN})]
    if len(password) > PASSWORD_MAX:
        return [Problem(field, N_("Ce champ ne peut dépasser %(max)d caractères."), {"max": PASSWORD_MAX})]
    return []


def check_pin(pin: str, field: str = "pin") -> list[Problem]:
    """Voicemail PIN: digits only, at least 4 (D4, seed 002)."""
    pin = (pin or "").strip()
    if not _ASCII_DIGITS.match(pin):
        return [Problem(field, N_("Le code PIN ne doit contenir que des chiffres."))]
    if len(pin) < PIN_MIN:
        return [Problem(field, N_("Le code PIN doit comporter au moins %(min)d chiffres."), {"min": PIN_MIN})]
    if len(pin) > PIN_MAX:
        return [Problem(field, N_("Le code PIN ne peut dépasser %(max)d chiffres."), {"max": PIN_MAX})]
    return []


def to_e164(number: str, region: str = "FR") -> str | None:
    """The E.164 form of a phone number typed as a French user would, or None."""
    raw = (number or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_phone_number(number: str, field: str) -> list[Problem]:
    if not (number or "").strip():
        return [Problem(field, N_("Le numéro de téléphone est obligatoire."))]
    if to_e164(number) is None:
        return [Problem(field, N_("« %(value)s » n'est pas un numéro de téléphone valide."), {"value": number.strip()[:32]})]
    return []
