"""E3, seed 001 "Renvoyer un message vocal comme courriel": a message emailed with its WAV
attached, to the addresses given (To, Cc, Bcc) with the owner's text. Queued as a job (the
worker sends it, retried like every email); the job reads the message when it runs."""
from __future__ import annotations

import logging
from pathlib import Path

from tenants import config, jobs, mail
from tenants.models import Extension, Mailbox, Tenant
from tenants.problems import N_, DomainError, Problem
from tenants.validation import check_email
from tenants.voicemail import access
from tenants.voicemail.models import VoiceMessage

log = logging.getLogger(__name__)
FORWARD_EMAIL = jobs.declare("voicemail_forward_email")
MAX_ADDRESSES = 20

_WORDS = {
    "fr": ("Message vocal de %(caller)s, transféré par %(name)s (%(number)s)",
           "Message vocal reçu le %(when)s, de %(caller)s, durée %(seconds)d s.", "numéro masqué"),
    "en": ("Voice message from %(caller)s, forwarded by %(name)s (%(number)s)",
           "Voice message received on %(when)s, from %(caller)s, %(seconds)d s long.", "withheld number"),
}


def addresses(text: str) -> list[str]:
    """The addresses of one field (commas, semicolons or spaces between them), once each."""
    found: list[str] = []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if part and part.lower() not in [a.lower() for a in found]:
            found.append(part)
    return found


def forward_problems(to: str, cc: str, bcc: str) -> list[Problem]:
    problems: list[Problem] = []
    total = 0
    for field, text in (("to", to), ("cc", cc), ("bcc", bcc)):
        found = addresses(text)
        total += len(found)
        for address in found:
            problems += check_email(address, field)
    if not addresses(to) and not any(p.field == "to" for p in problems):
        problems.append(Problem("to", N_("Indiquez au moins une adresse e-mail.")))
    if total > MAX_ADDRESSES:
        problems.append(Problem("to", N_("%(max)d destinataires au plus."), {"max": MAX_ADDRESSES}))
    return problems


def queue_forward(mailbox_id: int, message_id: int, to: str, cc: str, bcc: str, text: str) -> None:
    """Check and queue; DomainError (nothing queued) for a private message or a bad address."""
    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension).join(Tenant)
               .where((VoiceMessage.id == message_id) & (VoiceMessage.mailbox == mailbox_id)).first())
    if message is None:
        raise DomainError(Problem("to", N_("Ce message n'existe pas.")))
    if message.private:
        raise DomainError(Problem("to", N_("Un message privé ne peut pas être renvoyé.")))
    problems = forward_problems(to, cc, bcc)
    if problems:
        raise DomainError(problems)
    jobs.enqueue(FORWARD_EMAIL, {"message_id": message.id, "to": addresses(to), "cc": addresses(cc),
                                 "bcc": addresses(bcc), "text": (text or "")[:5000]},
                 tenant=message.mailbox.extension.tenant)


def send_forward(payload: dict) -> None:
    """The job: the email with the WAV, if the message is still there and still not private."""
    message = (VoiceMessage.select(VoiceMessage, Mailbox, Extension, Tenant).join(Mailbox).join(Extension).join(Tenant)
               .where(VoiceMessage.id == payload["message_id"]).first())
    if message is None or message.private:
        log.info("voice message %s gone (or private) before its forward; not sent", payload["message_id"])
        return
    ext = message.mailbox.extension
    tenant = ext.tenant
    subject_t, body_t, withheld = _WORDS.get(tenant.language, _WORDS["fr"])
    caller = message.caller_name or message.caller_number or withheld
    if message.caller_name and message.caller_number and message.caller_name != message.caller_number:
        caller = f"{message.caller_name} <{message.caller_number}>"
    when = access.local_time(message.received_at, tenant.timezone).strftime("%d/%m/%Y %H:%M")
    about = body_t % {"when": when, "caller": caller, "seconds": round(message.duration_ms / 1000)}
    body = f"{payload['text'].strip()}\n\n-- \n{about}\n" if payload.get("text", "").strip() else f"{about}\n"
    email = mail.compose(", ".join(payload["to"]),
                         subject_t % {"caller": caller, "name": ext.name, "number": ext.number}, body)
    if payload.get("cc"):
        email["Cc"] = ", ".join(payload["cc"])
    if payload.get("bcc"):
        email["Bcc"] = ", ".join(payload["bcc"])  # smtplib sends to them and drops the header
    if ext.email:
        email["Reply-To"] = ext.email
    wav = (Path(config.current().data_dir) / message.path).read_bytes()
    stamp = message.received_at.strftime("%Y%m%d-%H%M%S")
    email.add_attachment(wav, maintype="audio", subtype="wav", filename=f"message-{ext.number}-{stamp}.wav")
    mail.deliver(email)
