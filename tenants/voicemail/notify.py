"""Voicemail notifications: their job kinds and the email's values (F1, F2).

The handlers that run these jobs need audio (the MP3) and SIP (the NOTIFY), so
they live in the media plane, ``rtp/notifications.py``; the domain only queues, and says
what the email holds: its text and HTML are ``tenants/emails/templates/voicemail.*``.
"""
from __future__ import annotations

import logging

from tenants import emails, jobs
from tenants.voicemail.models import VoiceMessage

log = logging.getLogger(__name__)
EMAIL_JOB = jobs.declare("voicemail_email")
MWI_JOB = jobs.declare("voicemail_mwi", runner=jobs.MEDIA)  # from the media app's trusted socket


def caller_label(number: str, name: str) -> str:
    """Who called, as the email says it: "Bob <0612345678>", the number or the name alone;
    "" when neither is known (the template then says the number was withheld)."""
    if number and name and name != number:
        return f"{name} <{number}>"
    return number or name or ""


def message_email(message: VoiceMessage) -> emails.Email:
    """The email of a new voice message (its MP3 is attached by the media plane), in the
    tenant's language and time zone; ``message`` is loaded with its mailbox, extension and tenant."""
    ext = message.mailbox.extension
    tenant = ext.tenant
    return emails.render("voicemail", tenant.language, tenant.timezone, name=ext.name, number=ext.number,
                         caller=caller_label(message.caller_number, message.caller_name),
                         received_at=message.received_at, duration_ms=message.duration_ms)
