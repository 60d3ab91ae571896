"""Email sent through the job queue: composing is instant, delivery is retried."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from tenants import jobs
from tenants.models import Tenant

SEND_MAIL = "send_mail"
_smtp = {"host": "localhost", "port": 25, "from": "Poste <poste@localhost>"}


def configure(host: str, port: int, sender: str) -> None:
    _smtp.update(host=host, port=port, **{"from": sender})


def queue_mail(to: str, subject: str, body: str, tenant: Tenant | None = None) -> None:
    """Queue a plain-text email; it goes out when the worker next runs."""
    jobs.enqueue(SEND_MAIL, {"to": to, "subject": subject, "body": body}, tenant=tenant)


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text email from the platform's sender; attachments may be added."""
    message = EmailMessage()
    message["From"] = _smtp["from"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="poste.local")
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server now; raises when it cannot (the job retries)."""
    with smtplib.SMTP(_smtp["host"], _smtp["port"], timeout=20) as client:
        client.send_message(message)


@jobs.handler(SEND_MAIL)
def send_mail(payload: dict) -> None:
    deliver(compose(payload["to"], payload["subject"], payload["body"]))
