"""Start-up shared by every process (console, job worker, media app, CLI)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import peewee

from tenants import config, credentials, mail
from tenants.config import Settings, load_settings
from tenants.db import open_database
from tenants.secrets_store import sip_key

PRIVATE_UMASK = 0o077  # folders 0700, files 0600: the processes of Poste run as one user


def private_data_dir(data_dir: Path) -> None:
    """Make ``data_dir`` and everything created from now on private to this user.

    The data folder holds the database, the secrets, the logs (the demo seed's has SIP
    passwords) and the voice messages: whatever umask the process was started with, what
    it creates is its user's alone. A folder left open by an earlier version is closed
    once, with everything in it.
    """
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(parents=True, exist_ok=True)
    if not stat.S_IMODE(data_dir.stat().st_mode) & PRIVATE_UMASK:
        return
    for path in data_dir.rglob("*"):
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~PRIVATE_UMASK)
    data_dir.chmod(stat.S_IMODE(data_dir.stat().st_mode) & ~PRIVATE_UMASK)  # last: done only when all is


def start(settings: Settings | None = None) -> tuple[Settings, peewee.Database]:
    """Read the settings (once: they are this process's from now on, ``tenants.config.current()``),
    make the data folder private, open the database, load the secrets, configure mail."""
    settings = config.use(settings or load_settings())
    private_data_dir(settings.data_dir)
    db = open_database(settings.database_url)
    credentials.configure_sip_key(sip_key(settings.data_dir, settings.sip_key))
    mail.configure(settings.smtp_host, settings.smtp_port, settings.mail_from)
    return settings, db
