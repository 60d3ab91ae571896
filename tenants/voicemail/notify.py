"""Job handlers of voicemail: the email with the MP3 (F2) and message-waiting (F1).

Registered with the persistent job queue (``tenants.jobs``); the job worker must
import this module. Both read the current state when they run, so a retried job
never sends stale data (a message deleted in between is not emailed; MWI counts
are those of the moment).
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
import wave
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from tenants import jobs, mail
from tenants.config import load_settings
from tenants.models import Extension, Mailbox, Tenant
from tenants.voicemail import mwi, rules

log = logging.getLogger(__name__)
EMAIL_JOB = "voicemail_email"
MWI_JOB = "voicemail_mwi"
NO_PHONE = (404, 408, 410, 480)  # nothing registered: nothing to light

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


def _data_dir() -> Path:
    return load_settings().data_dir


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


def wav_to_mp3(path: Path) -> bytes:
    """8 kHz 16-bit mono WAV to MP3 (lameenc; 32 kbit/s is plenty for telephone audio)."""
    import lameenc

    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError("expected 16-bit WAV")
        rate, channels = wav.getframerate(), wav.getnchannels()
        pcm = wav.readframes(wav.getnframes())
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(channels)
    encoder.set_quality(2)
    data = encoder.encode(np.frombuffer(pcm, dtype="<i2").tobytes()) + encoder.flush()
    return bytes(data)


@jobs.handler(EMAIL_JOB)
def send_voicemail_email(payload: dict) -> None:
    from tenants.voicemail.models import VoiceMessage

    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension)
               .join(Tenant).where(VoiceMessage.id == payload["message_id"]).first())
    if message is None or message.folder == "deleted":
        log.info("voicemail %s gone before its email; not sent", payload["message_id"])
        return
    mailbox = message.mailbox
    ext, tenant = mailbox.extension, mailbox.extension.tenant
    if not mailbox.email:
        return
    lang = tenant.language
    subject, body = email_text(lang, name=ext.name, number=ext.number,
                               caller=caller_label(message.caller_number, message.caller_name, lang),
                               received_at=message.received_at, timezone=tenant.timezone,
                               duration_ms=message.duration_ms)
    mp3 = wav_to_mp3(_data_dir() / message.path)
    email = EmailMessage()
    email["From"] = mail._smtp["from"]
    email["To"] = mailbox.email
    email["Subject"] = subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="poste.local")
    email.set_content(body)
    stamp = message.received_at.strftime("%Y%m%d-%H%M%S")
    email.add_attachment(mp3, maintype="audio", subtype="mpeg", filename=f"message-{ext.number}-{stamp}.mp3")
    with smtplib.SMTP(mail._smtp["host"], mail._smtp["port"], timeout=20) as client:
        client.send_message(email)


@jobs.handler(MWI_JOB)
def send_mwi(payload: dict) -> None:
    from tenants.voicemail.service import mwi_counts

    ext = Extension.select(Extension, Tenant).join(Tenant).where(Extension.id == payload["extension_id"]).first()
    if ext is None:
        return
    counts: rules.MwiCounts = mwi_counts(ext.id)
    settings = load_settings()
    proxy = (payload.get("proxy_host") or settings.sip_address, int(payload.get("proxy_port") or settings.sip_port))
    status = mwi.send_notify(proxy, ext.number, ext.tenant.domain, counts, bind=proxy[0] if proxy[0].startswith("127.")
                             else "0.0.0.0")
    if 200 <= status < 300 or status in NO_PHONE:
        return
    raise RuntimeError(f"MWI NOTIFY for {ext.number}@{ext.tenant.domain} answered {status}")


