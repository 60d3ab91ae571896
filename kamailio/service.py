"""Kamailio and rtpengine as processes of Poste: render the configuration, give the commands.

``prepare(settings)`` writes ``$POSTE_DATA/kamailio/kamailio.cfg`` (a header of
``#!define`` lines from the settings, then ``include_file`` of ``kamailio/poste.cfg``),
the KEMI bootstrap script and the kamcli configuration. ``commands(settings)``
gives the argv that run Kamailio and rtpengine in the foreground, logging to
stderr, for the supervisor of ``scripts/run`` (or the tests) to start and stop.

Everything comes from the settings (``tenants.config.Settings``, the README's table):
the SIP socket, rtpengine's ``POSTE_RTP_ADDRESS``, ``POSTE_RTP_PORT_MIN``/``MAX`` and
``POSTE_RTPENGINE_NG_PORT``, the media apps behind ``dispatcher`` set 1
(``POSTE_MEDIA_NODES``: by default the one media app of ``POSTE_MEDIA_ADDRESS`` and
``POSTE_MEDIA_SIP_PORT``; ``none``: no media app, calls get 480/486 as before voicemail
existed) probed every ``POSTE_MEDIA_PING_INTERVAL`` seconds, and the protections
(``POSTE_SIP_PIKE_DENSITY``, ``POSTE_SIP_AUTH_FAIL_MAX``, ``POSTE_SIP_BAN_SECONDS``).
``Options`` may override them (the tests do) and adds what is not a setting.
"""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from tenants import config
from tenants.config import Settings, given
from tenants.secrets_store import media_secret

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
POSTE_CFG = HERE / "poste.cfg"


# Options that are settings (tenants.config.Settings): option -> field of the settings
FROM_SETTINGS = {
    "rtp_address": "rtp_address",
    "rtp_port_min": "rtp_port_min", "rtp_port_max": "rtp_port_max", "rtpengine_ng_port": "rtpengine_ng_port",
    "pike_density": "sip_pike_density", "auth_fail_max": "sip_auth_fail_max", "ban_seconds": "sip_ban_seconds",
    "media_nodes": "media_nodes", "media_address": "media_address", "media_port": "media_sip_port",
    "media_ping_interval": "media_ping_interval",
}


@dataclass(frozen=True)
class Options:
    """How Kamailio and rtpengine run. ``None`` (or empty): the settings' value (``resolved``)."""

    rtp_address: str | None = None
    rtp_port_min: int | None = None
    rtp_port_max: int | None = None
    rtpengine_ng_port: int | None = None
    children: int = 4
    pike_sampling: int = 2
    pike_density: int | None = None
    auth_fail_max: int | None = None
    auth_fail_window: int = 600
    ban_seconds: int | None = None
    log_level: int = 2  # Kamailio's debug=: 1 notice, 2 info, 3 debug
    # media apps (dispatcher set 1): () = none; None = the settings' (one media app of
    # media_address:media_port when either is given here)
    media_nodes: tuple[str, ...] | None = None
    media_address: str | None = None
    media_port: int | None = None
    media_ping_interval: int | None = None
    media_fr_ms: int = 3000  # no 100 Trying from a media app within this: try the next one

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Options:
        """The options that the variables of ``environ`` set (read as ``tenants.config`` reads them)."""
        values = given(environ)
        return cls(**{option: values[name] for option, name in FROM_SETTINGS.items() if name in values})

    def resolved(self, settings: Settings) -> Options:
        unset = {option for option in FROM_SETTINGS if getattr(self, option) in (None, "", 0)}
        values = {option: getattr(settings, FROM_SETTINGS[option]) for option in unset}
        if "media_nodes" in unset and (self.media_address or self.media_port):
            values["media_nodes"] = (f"{self.media_address or settings.media_address}:"
                                     f"{self.media_port or settings.media_sip_port}",)
        done = replace(self, **values)
        for node in done.media_nodes:
            host, sep, port = node.rpartition(":")
            if not sep or not host or not port.isdigit() or any(c in node for c in ' ;"<>@'):
                raise ValueError(f"a media node is host:port, not {node!r}")
        return done


@dataclass(frozen=True)
class Paths:
    dir: Path
    cfg: Path
    rpc_socket: Path
    rpc_fifo: Path
    kemi_boot: Path
    kamcli_ini: Path
    dispatcher_list: Path
    log_dir: Path


def paths(settings: Settings) -> Paths:
    base = settings.data_dir / "kamailio"
    return Paths(dir=base, cfg=base / "kamailio.cfg", rpc_socket=base / "rpc.sock",
                 rpc_fifo=base / "rpc.fifo", kemi_boot=base / "poste_kemi.py",
                 kamcli_ini=base / "kamcli.ini", dispatcher_list=base / "dispatcher.list",
                 log_dir=settings.log_dir)


def environment(settings: Settings) -> dict[str, str]:
    """The variables the processes of ``settings`` see (``tenants.config.environment``)."""
    return config.environment(settings.data_dir)


def kamailio_db_url(database_url: str) -> tuple[str, str]:
    """Kamailio's db_url and database module for the project's ``DATABASE_URL``."""
    parsed = urlparse(database_url)
    if parsed.scheme.startswith("sqlite"):
        # Read as tenants.db reads it: sqlite:///relative/file.db, sqlite:////absolute/file.db.
        path = str(Path(parsed.path[1:]).resolve())
        # Kamailio reads the database name after the host part: sqlite:/// + /abs/path
        return f"sqlite:///{path}", "db_sqlite.so"
    if parsed.scheme in ("postgres", "postgresql"):
        return "postgres://" + database_url.split("://", 1)[1], "db_postgres.so"
    raise ValueError(f"unsupported DATABASE_URL for Kamailio: {parsed.scheme!r}")


def _q(value: object) -> str:
    text = str(value)
    if '"' in text or "\n" in text:
        raise ValueError(f"value not allowed in kamailio.cfg: {text!r}")
    return f'"{text}"'


def render(settings: Settings, options: Options) -> str:
    p = paths(settings)
    db_url, db_module = kamailio_db_url(settings.database_url)
    sqlite = db_module == "db_sqlite.so"
    defines = {
        "LOG_LEVEL": options.log_level,
        "DBURL": _q(db_url),
        "DB_MODULE": _q(db_module),
        "RPC_SOCKET": _q(p.rpc_socket),
        "RPC_FIFO": _q(p.rpc_fifo),
        "RTPENGINE_SOCK": _q(f"udp:127.0.0.1:{options.rtpengine_ng_port}"),
        "CHILDREN": options.children,
        "PIKE_SAMPLING": options.pike_sampling,
        "PIKE_DENSITY": options.pike_density,
        "AUTH_FAIL_MAX": options.auth_fail_max,
        "HT_IPBAN": _q(f"ipban=>size=8;autoexpire={options.ban_seconds};"),
        "HT_AUTHFAIL": _q(f"authfail=>size=8;autoexpire={options.auth_fail_window};"),
        # SQLite has one writer at a time and Kamailio's driver does not wait on a
        # busy database: write registrations and dialogs back on a timer (and at
        # shutdown) from one process. PostgreSQL takes them as they happen.
        "UL_DB_MODE": 2 if sqlite else 1,
        "DLG_DB_MODE": 2 if sqlite else 1,
    }
    if options.media_nodes:
        defines["WITH_MEDIA"] = None
        defines["DS_LIST"] = _q(p.dispatcher_list)
        defines["DS_PING_INTERVAL"] = max(1, options.media_ping_interval)
        defines["MEDIA_FR_MS"] = max(500, options.media_fr_ms)
    defines["KEMI_SCRIPT"] = _q(p.kemi_boot)  # the routing plan's adapter (kemi.py)
    lines = ["#!KAMAILIO", "# Rendered by kamailio/service.py from the settings: do not edit.", ""]
    for name, value in defines.items():
        lines.append(f"#!define {name}" + ("" if value is None else f" {value}"))
    # substituted inside strings too: the media apps' secret in append_hf() and comparisons
    secret = media_secret(settings.data_dir, settings.media_secret)
    if not secret.isalnum():
        raise ValueError("POSTE_MEDIA_SECRET must be letters and digits only")
    lines.append(f"#!substdef \"!MEDIA_SECRET!{secret}!g\"")
    lines.append("")
    for proto in ("udp", "tcp"):
        lines.append(f"listen={proto}:{settings.sip_address}:{settings.sip_port}")
    lines += ["", f"include_file {_q(POSTE_CFG)}", ""]
    return "\n".join(lines)


KEMI_BOOT = '''"""Rendered by kamailio/service.py: puts the project on the path of Kamailio's Python
and gives it the settings' data folder and database."""
import os
import sys

for path in reversed({paths!r}):
    if path not in sys.path:
        sys.path.insert(0, path)
# what tenants.config.current() reads in Kamailio's processes
os.environ["DATABASE_URL"] = {database_url!r}
os.environ["POSTE_DATA"] = {data_dir!r}

from kamailio.kemi import mod_init  # noqa: E402,F401  (app_python3 calls mod_init())
'''


def kamcli_config(settings: Settings) -> str:
    p = paths(settings)
    return "\n".join([
        "; Rendered by kamailio/service.py: kamcli talks to this Kamailio over JSON-RPC.",
        "; Use: kamcli -c " + str(p.kamcli_ini) + " <command>   (see kamailio/README.md)",
        "[main]", "domain=", "",
        "[ctl]", "type=jsonrpc", "",
        "[jsonrpc]", "transport=socket",
        f"path={p.rpc_fifo}", "rplnamebase=kamcli_rpc_reply.fifo", f"rpldir={p.dir}",
        f"srvaddr={p.rpc_socket}", f"rcvaddr={p.dir}/kamcli_rpc_reply.sock", "outformat=json", "",
    ])


def dispatcher_list(options: Options) -> str:
    """Set 1 of ``dispatcher``: the media apps, probed with OPTIONS (they answer them)."""
    lines = ["# Rendered by kamailio/service.py: media apps (setid destination flags priority)."]
    lines += [f"1 sip:{node} 0 0" for node in options.media_nodes or ()]
    return "\n".join(lines) + "\n"


def prepare(settings: Settings, options: Options | None = None) -> None:
    """Make the runtime directories and render the configuration files."""
    options = (options or Options()).resolved(settings)
    p = paths(settings)
    p.dir.mkdir(parents=True, exist_ok=True)
    p.log_dir.mkdir(parents=True, exist_ok=True)
    if len(str(p.rpc_socket)) > 100:
        raise ValueError(f"POSTE_DATA path too long for a UNIX socket: {p.rpc_socket}")
    for stale in (p.rpc_socket, p.rpc_fifo):
        if stale.exists() or stale.is_symlink():
            stale.unlink()
    search = [str(REPO), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    _write(p.kemi_boot, KEMI_BOOT.format(paths=list(dict.fromkeys(search)),
                                         database_url=settings.database_url,
                                         data_dir=str(settings.data_dir)))
    _write(p.dispatcher_list, dispatcher_list(options))
    _write(p.cfg, render(settings, options))
    _write(p.kamcli_ini, kamcli_config(settings))


def _write(path: Path, text: str) -> None:
    """Write atomically, owner-only: kamailio.cfg holds the media apps' secret."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(path)


def _binary(name: str) -> str:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin") or name


def commands(settings: Settings, options: Options | None = None) -> list[tuple[str, list[str]]]:
    """(name, argv) of rtpengine and Kamailio, both in the foreground, logs on stderr."""
    options = (options or Options()).resolved(settings)
    p = paths(settings)
    rtpengine = [
        _binary("rtpengine"), "--foreground", "--log-stderr", "--config-file=none",
        "--table=-1",  # userspace forwarding, no kernel module
        f"--interface={options.rtp_address}",
        f"--listen-ng=127.0.0.1:{options.rtpengine_ng_port}",
        f"--port-min={options.rtp_port_min}", f"--port-max={options.rtp_port_max}",
        "--num-threads=2", "--delete-delay=0", "--log-level=5",
    ]
    kamailio = [
        _binary("kamailio"), "-DD", "-E", "-f", str(p.cfg), "-Y", str(p.dir), "-w", str(p.dir),
        "-m", "64", "-M", "8",
    ]
    return [("rtpengine", rtpengine), ("kamailio", kamailio)]


def check_config(settings: Settings) -> tuple[bool, str]:
    """Run ``kamailio -c`` on the rendered configuration."""
    import subprocess

    p = paths(settings)
    done = subprocess.run([_binary("kamailio"), "-c", "-f", str(p.cfg), "-Y", str(p.dir)],
                          capture_output=True, text=True, timeout=60)
    return done.returncode == 0, done.stdout + done.stderr


if __name__ == "__main__":  # python -m kamailio.service: render and print the commands
    from tenants.config import load_settings

    s = load_settings()
    prepare(s)
    for name, argv in commands(s):
        print(name, " ".join(argv), file=sys.stdout)
