"""Email sent through the job queue: composing is instant, delivery is retried.

An email is a text part and, for those ``tenants.emails`` renders, an HTML alternative
(``compose(to, *emails.render(...))``); attachments may be added after.

An email composed by a job is named after it (its Message-ID is the job's, the same
on every try), so an email sent twice (a worker killed after the SMTP server took it)
is recognisable as one by whoever receives it.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from tenants import jobs
from tenants.models import Tenant

SEND_MAIL = jobs.declare("send_mail")
_smtp: dict[str, Any] = {"host": "localhost", "port": 25, "from": "Poste <poste@localhost>"}


def configure(host: str, port: int, sender: str) -> None:
    _smtp.update(host=host, port=port, **{"from": sender})


def queue_mail(to: str, subject: str, body: str, html: str | None = None, tenant: Tenant | None = None) -> None:
    """Queue an email (text, and HTML when given); it goes out when the worker next runs.
    What it says is rendered now: never queue a secret this way (see ``extensions.send_pin_email``)."""
    payload = {"to": to, "subject": subject, "body": body}
    if html is not None:
        payload["html"] = html
    jobs.enqueue(SEND_MAIL, payload, tenant=tenant)


def compose(to: str, subject: str, body: str, html: str | None = None) -> EmailMessage:
    """An email from the platform's sender: ``body`` as text, ``html`` as its alternative when
    given (multipart/alternative, text first); attachments may be added."""
    message = EmailMessage()
    message["From"] = _smtp["from"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = _message_id()
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _message_id() -> str:
    """The running job's name for this email, or a fresh one outside a job."""
    domain = parseaddr(_smtp["from"])[1].rpartition("@")[2] or "poste.local"
    job = jobs.current_job()
    return f"<{job.mark()}@{domain}>" if job else make_msgid(domain=domain)


def deliver(message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server now; raises when it cannot (the job retries)."""
    with smtplib.SMTP(_smtp["host"], _smtp["port"], timeout=20) as client:
        client.send_message(message)


def send_mail(payload: dict) -> None:
    deliver(compose(payload["to"], payload["subject"], payload["body"], payload.get("html")))
