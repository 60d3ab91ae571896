"""Start-up shared by every process (console, job worker, media app, CLI)."""
from __future__ import annotations

import peewee

from tenants import credentials, mail, mailbox_pin
from tenants.config import Settings, load_settings
from tenants.db import open_database
from tenants.secrets_store import sip_key


def start(settings: Settings | None = None) -> tuple[Settings, peewee.Database]:
    """Read the settings, open the database, load the secrets, configure mail."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.database_url)
    credentials.configure_sip_key(sip_key(settings.data_dir))
    mail.configure(settings.smtp_host, settings.smtp_port, settings.mail_from)
    mailbox_pin.CONSOLE_URL["base"] = settings.public_url
    return settings, db
