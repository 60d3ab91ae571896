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


@jobs.handler(SEND_MAIL)
def send_mail(payload: dict) -> None:
    message = EmailMessage()
    message["From"] = _smtp["from"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="poste.local")
    message.set_content(payload["body"])
    with smtplib.SMTP(_smtp["host"], _smtp["port"], timeout=20) as client:
        client.send_message(message)
