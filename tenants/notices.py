"""Texts of the emails the platform sends, in the tenant's language."""
from __future__ import annotations


def text_language(language: str, texts: dict) -> str:
    """``language`` when ``texts`` (keyed by language) has it, else French, the product's own."""
    return language if language in texts else "fr"


PIN_SUBJECT = {
    "fr": "Votre messagerie vocale : code PIN du poste %(number)s",
    "en": "Your voicemail: PIN for extension %(number)s",
}
PIN_BODY = {
    "fr": (
        "Bonjour %(name)s,\n\n"
        "Votre poste %(number)s (%(domain)s) dispose d'une messagerie vocale.\n"
        "Votre code PIN provisoire est : %(pin)s\n\n"
        "Pour consulter votre messagerie, composez *97 depuis votre téléphone ou votre numéro de poste.\n"
        "La première fois, vous devrez choisir un nouveau code PIN (au moins 4 chiffres), "
        "puis enregistrer votre nom et votre annonce d'accueil.\n\n"
        "Si vous perdez ce code, demandez à l'administrateur de votre compte d'en définir un nouveau.\n"
    ),
    "en": (
        "Hello %(name)s,\n\n"
        "Your extension %(number)s (%(domain)s) has a voicemail box.\n"
        "Your temporary PIN is: %(pin)s\n\n"
        "To check your voicemail, dial *97 from your phone or your own extension number.\n"
        "The first time, you will choose a new PIN (at least 4 digits), "
        "then record your name and your greeting.\n\n"
        "If you lose this PIN, ask your account administrator to set a new one.\n"
    ),
}


def pin_email(language: str, **values) -> tuple[str, str]:
    """Subject and body of the email that gives a user their voicemail PIN."""
    lang = text_language(language, PIN_SUBJECT)
    return PIN_SUBJECT[lang] % values, PIN_BODY[lang] % values


LOCKED_SUBJECT = {
    "fr": "Messagerie du poste %(number)s verrouillée",
    "en": "Voicemail of extension %(number)s locked",
}
LOCKED_BODY = {
    "fr": (
        "Bonjour,\n\n"
        "La messagerie vocale du poste %(number)s (%(name)s, %(domain)s) a été verrouillée "
        "après trois codes PIN erronés consécutifs.\n\n"
        "Pour la déverrouiller ou définir un nouveau code PIN : %(url)s\n"
    ),
    "en": (
        "Hello,\n\n"
        "The voicemail of extension %(number)s (%(name)s, %(domain)s) has been locked "
        "after three wrong PINs in a row.\n\n"
        "To unlock it or set a new PIN: %(url)s\n"
    ),
}


def locked_email(language: str, **values) -> tuple[str, str]:
    """Subject and body of the email that tells a tenant's admins a mailbox locked."""
    lang = text_language(language, LOCKED_SUBJECT)
    return LOCKED_SUBJECT[lang] % values, LOCKED_BODY[lang] % values
