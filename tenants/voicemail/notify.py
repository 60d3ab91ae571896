"""Voicemail notifications: their job kinds and the email's text (F1, F2).

The handlers that run these jobs need audio (the MP3) and SIP (the NOTIFY), so
they live in the media plane, ``rtp/notifications.py``; the domain only queues.
"""
from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from tenants import jobs

log = logging.getLogger(__name__)
EMAIL_JOB = jobs.declare("voicemail_email")
MWI_JOB = jobs.declare("voicemail_mwi")

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


def format_duration(ms: int, language: str) -> str:
    seconds = max(1, round(ms / 1000))
    minutes, seconds = divmod(seconds, 60)
    if language == "en":
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def email_text(language: str, *, name: str, number: str, caller: str, received_at: dt.datetime, timezone: str,
               duration_ms: int) -> tuple[str, str]:
    lang = language if language in SUBJECT else "fr"
    local = received_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    date = local.strftime("%d/%m/%Y") if lang == "fr" else local.strftime("%Y-%m-%d")
    values = {"name": name, "number": number, "caller": caller, "date": date, "time": local.strftime("%H:%M"),
              "duration": format_duration(duration_ms, lang)}
    return SUBJECT[lang] % values, BODY[lang] % values
