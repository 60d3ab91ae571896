"""Instance secrets (Flask's session key, the key that encrypts SIP passwords, the media apps' secret).

Taken from the settings when given (``POSTE_SECRET_KEY``, ``POSTE_SIP_KEY``,
``POSTE_MEDIA_SECRET``: the process's settings, ``tenants.config.current()``, unless the
caller passes the value), otherwise generated once into ``$POSTE_DATA/secrets/`` with
owner-only permissions and reused afterwards.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from tenants import config


def _load_or_create(path: Path, make) -> str:
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = make()
    # a name of its own: workers starting together (gunicorn's, at an installation's first start)
    # each write theirs; with one shared name, one could remove it before another linked it
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    try:
        os.link(tmp, path)  # fails if another process created it first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def secret_key(data_dir: Path, given: str | None = None) -> str:
    """The Flask secret key: ``POSTE_SECRET_KEY`` or a generated one."""
    given = config.current().secret_key if given is None else given
    return given or _load_or_create(data_dir / "secrets" / "flask_secret_key", lambda: secrets.token_urlsafe(48))


def sip_key(data_dir: Path, given: str | None = None) -> str:
    """The Fernet key for SIP passwords at rest: ``POSTE_SIP_KEY`` or a generated one."""
    given = config.current().sip_key if given is None else given
    return given or _load_or_create(data_dir / "secrets" / "sip_password_key",
                                    lambda: Fernet.generate_key().decode("ascii"))


def media_secret(data_dir: Path, given: str | None = None) -> str:
    """The secret Kamailio and the media apps put on the requests they send each other:
    ``POSTE_MEDIA_SECRET`` or a generated one. A phone never sees it (Kamailio strips
    any copy arriving from outside), so it cannot be borrowed by a forged packet."""
    given = config.current().media_secret if given is None else given
    return given or _load_or_create(data_dir / "secrets" / "media_secret", lambda: secrets.token_hex(24))


SECRET_HEADER = "X-Poste-Secret"
