"""Settings: read once when a process starts, into one frozen ``Settings`` that it passes on.

They come from the environment and from the instance file ``$POSTE_DATA/poste.env``
(``KEY=VALUE`` lines; the real environment wins over the file). This is the only module
that reads ``os.environ`` for a setting. Every field names its variable
(``metadata["env"]``); the README's settings table lists each one with the default given
here (``tests/ops/test_settings.py`` checks both ways). Defaults that follow another
setting (the media app's address follows ``POSTE_SIP_ADDRESS``, say) are filled in by
``load_settings``, never by arithmetic that could leave the valid range.

A value that cannot be used stops the process with ``SettingsError``: one French line
naming the variable to change.
"""
from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PORT_RANGE = (1, 65535)


class SettingsError(ValueError):
    """A setting that cannot be used; the message is one French line naming the variable."""


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


def _setting(env: str, default, kind: str = "text", *, secret: bool = False, derived: str = ""):
    """A field read from the variable ``env``. ``kind``: how its text is read (``_parse``);
    ``derived``: the default when it follows another setting (``load_settings`` fills it in)."""
    return field(default=default, repr=not secret,
                 metadata={"env": env, "kind": kind, "secret": secret, "derived": derived})


@dataclass(frozen=True)
class Settings:
    """Everything a process of Poste needs to know about its surroundings (README, "Settings")."""

    # -- the installation
    data_dir: Path = _setting("POSTE_DATA", Path("var"), "path")
    database_url: str = _setting("DATABASE_URL", "", derived="sqlite:///$POSTE_DATA/poste.db")
    # -- the console (gunicorn)
    http_address: str = _setting("POSTE_HTTP_ADDRESS", "127.0.0.1")
    http_port: int = _setting("POSTE_HTTP_PORT", 8000, "port")
    http_workers: int = _setting("POSTE_HTTP_WORKERS", 0, "count", derived="twice the cores, at most 8")
    http_threads: int = _setting("POSTE_HTTP_THREADS", 2, "count")
    public_url: str = _setting("POSTE_PUBLIC_URL", "", derived="http://POSTE_HTTP_ADDRESS:POSTE_HTTP_PORT")
    secure_cookies: bool = _setting("POSTE_SECURE_COOKIES", False, "flag")
    proxy_fix: int = _setting("POSTE_PROXY_FIX", 0, "proxies")
    ratelimit_storage_uri: str = _setting("RATELIMIT_STORAGE_URI", "poste-db://")
    # -- desk-phone provisioning over HTTPS (a second gunicorn, console/provisioning/serve.py)
    prov_address: str = _setting("POSTE_PROV_ADDRESS", "", derived="POSTE_HTTP_ADDRESS")
    prov_https_port: int = _setting("POSTE_PROV_HTTPS_PORT", 8443, "port")
    prov_url: str = _setting("POSTE_PROV_URL", "", derived="https://POSTE_PROV_ADDRESS:POSTE_PROV_HTTPS_PORT/prov")
    prov_certfile: str = _setting("POSTE_PROV_CERTFILE", "", derived="$POSTE_DATA/tls/provisioning.crt")
    prov_keyfile: str = _setting("POSTE_PROV_KEYFILE", "", derived="$POSTE_DATA/tls/provisioning.key")
    prov_auth_fail_max: int = _setting("POSTE_PROV_AUTH_FAIL_MAX", 10, "count")
    prov_ban_seconds: int = _setting("POSTE_PROV_BAN_SECONDS", 600, "count")
    # -- email
    smtp_host: str = _setting("POSTE_SMTP_HOST", "localhost")
    smtp_port: int = _setting("POSTE_SMTP_PORT", 25, "port")
    mail_from: str = _setting("POSTE_MAIL_FROM", "Poste <poste@localhost>")
    # -- voicemail: days a message stays in Deleted (by phone or portal) before it is purged (E7)
    deleted_retention_days: int = _setting("POSTE_DELETED_RETENTION_DAYS", 30, "count")
    # -- background jobs: days a done job stays listed on the operator's "Tâches" page
    done_jobs_retention_days: int = _setting("POSTE_DONE_JOBS_RETENTION_DAYS", 30, "count")
    # -- secrets: generated into $POSTE_DATA/secrets/ when not given (tenants.secrets_store)
    secret_key: str = _setting("POSTE_SECRET_KEY", "", secret=True)
    sip_key: str = _setting("POSTE_SIP_KEY", "", secret=True)
    media_secret: str = _setting("POSTE_MEDIA_SECRET", "", secret=True)
    # -- Kamailio
    sip_address: str = _setting("POSTE_SIP_ADDRESS", "127.0.0.1")
    sip_port: int = _setting("POSTE_SIP_PORT", 5060, "port")
    sip_pike_density: int = _setting("POSTE_SIP_PIKE_DENSITY", 64, "count")
    sip_auth_fail_max: int = _setting("POSTE_SIP_AUTH_FAIL_MAX", 5, "count")
    sip_ban_seconds: int = _setting("POSTE_SIP_BAN_SECONDS", 600, "count")
    media_nodes: tuple[str, ...] = _setting("POSTE_MEDIA_NODES", (), "nodes",
                                            derived="POSTE_MEDIA_ADDRESS:POSTE_MEDIA_SIP_PORT")
    media_ping_interval: int = _setting("POSTE_MEDIA_PING_INTERVAL", 10, "count")
    # -- rtpengine
    rtp_address: str = _setting("POSTE_RTP_ADDRESS", "", derived="POSTE_SIP_ADDRESS")
    rtp_port_min: int = _setting("POSTE_RTP_PORT_MIN", 30000, "port")
    rtp_port_max: int = _setting("POSTE_RTP_PORT_MAX", 30999, "port")
    rtpengine_ng_port: int = _setting("POSTE_RTPENGINE_NG_PORT", 22222, "port")
    # -- the media app
    media_address: str = _setting("POSTE_MEDIA_ADDRESS", "", derived="POSTE_SIP_ADDRESS")
    media_sip_port: int = _setting("POSTE_MEDIA_SIP_PORT", 5090, "port")
    media_peers: tuple[str, ...] = _setting("POSTE_MEDIA_PEERS", (), "list",
                                            derived="POSTE_SIP_ADDRESS:POSTE_SIP_PORT")
    media_rtp_address: str = _setting("POSTE_MEDIA_RTP_ADDRESS", "", derived="POSTE_MEDIA_ADDRESS")
    media_rtp_port_min: int = _setting("POSTE_MEDIA_RTP_PORT_MIN", 31000, "port")
    media_rtp_port_max: int = _setting("POSTE_MEDIA_RTP_PORT_MAX", 31999, "port")
    media_realtime: bool = _setting("POSTE_MEDIA_REALTIME", True, "flag")
    media_uvloop: bool = _setting("POSTE_MEDIA_UVLOOP", False, "flag")
    media_switch_interval: float = _setting("POSTE_MEDIA_SWITCH_INTERVAL", 0.0005, "seconds")
    media_log: str = _setting("POSTE_MEDIA_LOG", "INFO", "level")

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"


RANGES = (("rtp_port_min", "rtp_port_max"), ("media_rtp_port_min", "media_rtp_port_max"))
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse(name: str, kind: str, text: str):
    """The value of ``name=text``; SettingsError (one French line) when it cannot be used."""
    def bad(expected: str) -> SettingsError:
        return SettingsError(f"{name}={text} : {expected} ; changez {name}.")

    if kind in ("port", "count"):
        if not text.isdigit():
            raise bad("un nombre entier est attendu" if kind == "count" else
                      "un numéro de port entre 1 et 65535 est attendu")
        value = int(text)
        if kind == "port" and not PORT_RANGE[0] <= value <= PORT_RANGE[1]:
            raise bad("un numéro de port entre 1 et 65535 est attendu")
        return value
    if kind in ("flag", "proxies"):  # proxies: how many, or yes (one) / no
        if kind == "proxies" and text.isdigit():
            return int(text)
        if text.lower() not in _YES + _NO:
            raise bad("1 ou 0 est attendu")
        return int(text.lower() in _YES) if kind == "proxies" else text.lower() in _YES
    if kind == "level":
        if text.upper() not in LOG_LEVELS:
            raise bad("un niveau de journal est attendu (" + ", ".join(LOG_LEVELS) + ")")
        return text.upper()
    if kind == "seconds":
        try:
            fraction = float(text)
        except ValueError:
            fraction = math.nan
        if not 0 < fraction < 1:
            raise bad("une durée en secondes entre 0 et 1 est attendue")
        return fraction
    if kind == "path":
        return Path(text)
    if kind == "list":
        return tuple(item.strip() for item in text.split(",") if item.strip())
    if kind == "nodes":  # host:port,host:port, or none
        if text.lower() == "none":
            return ()
        nodes = _parse(name, "list", text)
        for node in nodes:
            host, sep, port = node.rpartition(":")
            if not sep or not host or not port.isdigit() or any(c in node for c in ' ;"<>@'):
                raise bad("une liste d'adresse:port est attendue (ou none)")
        return nodes
    return text


def environment(data_dir: Path | None = None) -> dict[str, str]:
    """The variables a process sees: ``$POSTE_DATA/poste.env`` under the real environment."""
    data_dir = data_dir or Path(os.environ.get("POSTE_DATA") or "var")
    return {**_read_env_file(Path(data_dir) / "poste.env"), **os.environ}


def given(environ: Mapping[str, str]) -> dict[str, object]:
    """The settings ``environ`` sets (by field name), read and checked; the others are absent."""
    values: dict[str, object] = {}
    for f in fields(Settings):
        text = (environ.get(f.metadata["env"]) or "").strip()
        if text:
            values[f.name] = _parse(f.metadata["env"], f.metadata["kind"], text)
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the environment over ``poste.env``)."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("POSTE_DATA") or "var").resolve()
    env = {**_read_env_file(data_dir / "poste.env"), **env}
    values: dict[str, Any] = {**given(env), "data_dir": data_dir}
    s = Settings(**values)
    web_host = "127.0.0.1" if s.http_address in ("", "0.0.0.0", "::") else s.http_address
    public_url = (s.public_url or f"http://{web_host}:{s.http_port}").rstrip("/")
    media_address = s.media_address or s.sip_address
    prov_address = s.prov_address or s.http_address
    prov_host = "127.0.0.1" if prov_address in ("", "0.0.0.0", "::") else prov_address
    s = Settings(**{
        **values,
        "database_url": s.database_url or f"sqlite:///{data_dir / 'poste.db'}",
        "public_url": public_url,
        "http_workers": s.http_workers or min(2 * (os.cpu_count() or 1), 8),
        "prov_address": prov_address,
        "prov_url": (s.prov_url or f"https://{prov_host}:{s.prov_https_port}/prov").rstrip("/"),
        "prov_certfile": s.prov_certfile or str(data_dir / "tls" / "provisioning.crt"),
        "prov_keyfile": s.prov_keyfile or str(data_dir / "tls" / "provisioning.key"),
        "rtp_address": s.rtp_address or s.sip_address,
        "media_address": media_address,
        "media_rtp_address": s.media_rtp_address or media_address,
        "media_peers": s.media_peers or (f"{s.sip_address}:{s.sip_port}",),
        "media_nodes": (s.media_nodes if "media_nodes" in values else (f"{media_address}:{s.media_sip_port}",)),
    })
    if s.http_threads < 1:
        raise SettingsError(f"POSTE_HTTP_THREADS={s.http_threads} : au moins 1 est attendu ; changez POSTE_HTTP_THREADS.")
    for low, high in RANGES:
        if getattr(s, low) > getattr(s, high):
            raise SettingsError(f"{env_name(low)}={getattr(s, low)} est au-dessus de {env_name(high)}="
                                f"{getattr(s, high)} : changez l'un des deux.")
    return s


def load_or_exit(environ: Mapping[str, str] | None = None) -> Settings:
    """``load_settings`` for a process's start: a value it cannot use is its French line on
    stderr and exit status 2, not a traceback."""
    try:
        return load_settings(environ)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def env_name(field_name: str) -> str:
    """The variable that sets the field ``field_name``."""
    return next(f.metadata["env"] for f in fields(Settings) if f.name == field_name)


def as_environment(settings: Settings, *, secrets: bool = False) -> dict[str, str]:
    """The settings as the variables that give them back (secrets only when asked and set)."""
    env: dict[str, str] = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.metadata["secret"] and not (secrets and value):
            continue
        if isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, tuple):
            value = ",".join(value) or "none"
        env[f.metadata["env"]] = str(value)
    return env


_current: Settings | None = None


def use(settings: Settings) -> Settings:
    """Make ``settings`` this process's own (``tenants.runtime.start`` does, once per start)."""
    global _current
    _current = settings
    return settings


def current() -> Settings:
    """This process's settings: those it started with, else read now from the environment."""
    return _current or use(load_settings())
