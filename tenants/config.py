"""Settings read from the environment, with safe defaults.

An instance file ``$POSTE_DATA/poste.env`` (KEY=VALUE lines) may set them too;
the real environment wins over the file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True)
class Settings:
    """Everything a process of Poste needs to know about its surroundings."""

    data_dir: Path
    http_port: int
    sip_port: int
    sip_address: str
    smtp_host: str
    smtp_port: int
    database_url: str
    mail_from: str
    public_url: str

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from ``environ`` (default ``os.environ``)."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("POSTE_DATA") or "var").resolve()
    env = {**_read_env_file(data_dir / "poste.env"), **env}
    http_port = int(env.get("POSTE_HTTP_PORT") or 8000)
    return Settings(
        data_dir=data_dir,
        http_port=http_port,
        sip_port=int(env.get("POSTE_SIP_PORT") or 5060),
        sip_address=env.get("POSTE_SIP_ADDRESS") or "127.0.0.1",
        smtp_host=env.get("POSTE_SMTP_HOST") or "localhost",
        smtp_port=int(env.get("POSTE_SMTP_PORT") or 25),
        database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'poste.db'}",
        mail_from=env.get("POSTE_MAIL_FROM") or "Poste <poste@localhost>",
        public_url=(env.get("POSTE_PUBLIC_URL") or f"http://127.0.0.1:{http_port}").rstrip("/"),
    )
