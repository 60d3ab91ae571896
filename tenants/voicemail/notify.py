"""Voicemail notifications: their job kinds and the email's text (F1, F2).

The handlers that run these jobs need audio (the MP3) and SIP (the NOTIFY), so
they live in the media plane, ``rtp/notifications.py``; the domain only queues.
"""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from tenants import jobs
from tenants.notices import text_language

log = logging.getLogger(__name__)
EMAIL_JOB = jobs.declare("voicemail_email")
MWI_JOB = jobs.declare("voicemail_mwi", runner=jobs.MEDIA)  # from the media app's trusted socket

SUBJECT = {
    "fr": "Nouveau message vocal de %(caller)s (poste %(number)s)",
    "en": "New voice message from %(caller)s (extension %(number)s)",
}
BODY = {
    "fr": ("Bonjour %(name)s,\n\n"
           "Vous avez reçu un nouveau message vocal sur le poste %(number)s.\n\n"
           "  De :    %(caller)s\n"
           "  Reçu :  le %(date)s à %(time)s\n"
           "  Durée : %(duration)s\n\n"
           "Le message est joint au format MP3. Pour consulter votre messagerie, composez *97.\n"),
    "en": ("Hello %(name)s,\n\n"
           "You have a new voice message on extension %(number)s.\n\n"
           "  From:     %(caller)s\n"
           "  Received: %(date)s at %(time)s\n"
           "  Length:   %(duration)s\n\n"
           "The message is attached as an MP3. To check your voicemail, dial *97.\n"),
}
UNKNOWN = {"fr": "numéro masqué", "en": "unknown caller"}


def caller_label(number: str, name: str, language: str) -> str:
    if number and name and name != number:
        return f"{name} <{number}>"
    return number or name or UNKNOWN.get(language, UNKNOWN["fr"])


def format_duration(ms: int) -> str:
    """A message's length as both languages write it: "1 min 05 s", "42 s"."""
    seconds = max(1, round(ms / 1000))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def email_text(language: str, *, name: str, number: str, caller: str, received_at: dt.datetime, timezone: str,
               duration_ms: int) -> tuple[str, str]:
    lang = text_language(language, SUBJECT)
    local = received_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    date = local.strftime("%d/%m/%Y") if lang == "fr" else local.strftime("%Y-%m-%d")
    values = {"name": name, "number": number, "caller": caller, "date": date, "time": local.strftime("%H:%M"),
              "duration": format_duration(duration_ms)}
    return SUBJECT[lang] % values, BODY[lang] % values


# D12: the owner is warned once when the mailbox becomes nearly full, and once when it is full
# (seed 001: "supprimer certains de vos messages ... pour libérer de l'espace").
CAPACITY_SUBJECT = {
    "fr": {"nearly_full": "Votre boîte vocale (poste %(number)s) est presque pleine",
           "full": "Votre boîte vocale (poste %(number)s) est pleine"},
    "en": {"nearly_full": "Your voicemail box (extension %(number)s) is almost full",
           "full": "Your voicemail box (extension %(number)s) is full"},
}
CAPACITY_BODY = {
    "fr": {"nearly_full": ("Bonjour %(name)s,\n\n"
                           "Votre boîte vocale contient %(count)s messages sur %(limit)s possibles : "
                           "elle a presque atteint sa capacité.\n"
                           "Une fois pleine, vos correspondants ne pourront plus vous laisser de message.\n\n"
                           "Supprimez les messages dont vous n'avez plus besoin pour libérer de l'espace "
                           "(composez *97, puis 7 après un message).\n"),
           "full": ("Bonjour %(name)s,\n\n"
                    "Votre boîte vocale contient %(count)s messages sur %(limit)s possibles : elle est pleine.\n"
                    "Vos correspondants ne peuvent plus vous laisser de message.\n\n"
                    "Supprimez les messages dont vous n'avez plus besoin pour libérer de l'espace "
                    "(composez *97, puis 7 après un message).\n")},
    "en": {"nearly_full": ("Hello %(name)s,\n\n"
                           "Your voicemail box holds %(count)s messages out of %(limit)s: it is almost full.\n"
                           "Once it is full, callers will no longer be able to leave you a message.\n\n"
                           "Delete the messages you no longer need to free up space "
                           "(dial *97, then 7 after a message).\n"),
           "full": ("Hello %(name)s,\n\n"
                    "Your voicemail box holds %(count)s messages out of %(limit)s: it is full.\n"
                    "Callers can no longer leave you a message.\n\n"
                    "Delete the messages you no longer need to free up space "
                    "(dial *97, then 7 after a message).\n")},
}


def capacity_email_text(language: str, level: str, *, name: str, number: str, count: int, limit: int
                        ) -> tuple[str, str]:
    """Subject and body of the owner's "nearly full" / "full" warning (``level``), in ``language``."""
    lang = text_language(language, CAPACITY_SUBJECT)
    values = {"name": name, "number": number, "count": count, "limit": limit}
    return CAPACITY_SUBJECT[lang][level] % values, CAPACITY_BODY[lang][level] % values
