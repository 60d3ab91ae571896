"""Kamailio and rtpengine as processes of Poste: render the configuration, give the commands.

``prepare(settings)`` writes ``$POSTE_DATA/kamailio/kamailio.cfg`` (a header of
``#!define`` lines from the settings, then ``include_file`` of ``kamailio/poste.cfg``),
the KEMI bootstrap script and the kamcli configuration. ``commands(settings)``
gives the argv that run Kamailio and rtpengine in the foreground, logging to
stderr, for the supervisor of ``scripts/run`` (or the tests) to start and stop.

Options that the shared settings do not carry are read from the environment:

- ``POSTE_SIP_ROUTING``: ``kemi`` (default) or ``http`` (see README.md)
- ``POSTE_ROUTING_URL``: the console's routing endpoint, for ``http``
- ``POSTE_RTP_ADDRESS`` (default: the SIP address), ``POSTE_RTP_PORT_MIN``/``MAX``
  (default 30000-30999), ``POSTE_RTPENGINE_NG_PORT`` (default SIP port + 17162)
- the media app(s) behind ``dispatcher`` set 1: ``POSTE_MEDIA_ADDRESS`` (default: the
  SIP address) and ``POSTE_MEDIA_SIP_PORT`` (default 5090), the names the media app
  itself reads; or ``POSTE_MEDIA_NODES`` (``host:port,host:port``, several media apps;
  ``none``: no media app, calls get 480/486 as before voicemail existed);
  ``POSTE_MEDIA_PING_INTERVAL`` (seconds between OPTIONS probes, default 10)
- ``POSTE_SIP_PIKE_DENSITY`` (requests per source per 2 s, default 64),
  ``POSTE_SIP_AUTH_FAIL_MAX`` (failed authentications before a ban, default 5),
  ``POSTE_SIP_BAN_SECONDS`` (default 600)
"""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from tenants.config import Settings
from tenants.secrets_store import media_secret

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
POSTE_CFG = HERE / "poste.cfg"


@dataclass(frozen=True)
class Options:
    routing: str = "kemi"  # "kemi" or "http"
    routing_url: str = ""  # e.g. http://127.0.0.1:8000/sip/route (http routing)
    rtp_address: str = ""  # default: settings.sip_address
    rtp_port_min: int = 30000
    rtp_port_max: int = 30999
    rtpengine_ng_port: int = 0  # default: sip_port + 17162 (22222 for 5060)
    children: int = 4
    pike_sampling: int = 2
    pike_density: int = 64
    auth_fail_max: int = 5
    auth_fail_window: int = 600
    ban_seconds: int = 600
    log_level: int = 2  # Kamailio's debug=: 1 notice, 2 info, 3 debug
    # media apps (dispatcher set 1): None = the one of media_address:media_port, () = none
    media_nodes: tuple[str, ...] | None = None
    media_address: str = ""  # default: settings.sip_address
    media_port: int = 5090
    media_ping_interval: int = 10
    media_fr_ms: int = 3000  # no 100 Trying from a media app within this: try the next one

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Options:
        env = os.environ if environ is None else environ

        def num(name: str, default: int) -> int:
            return int(env.get(name) or default)

        nodes_env = (env.get("POSTE_MEDIA_NODES") or "").strip()
        nodes: tuple[str, ...] | None = None
        if nodes_env.lower() == "none":
            nodes = ()
        elif nodes_env:
            nodes = tuple(n.strip() for n in nodes_env.split(",") if n.strip())
        return cls(routing=(env.get("POSTE_SIP_ROUTING") or "kemi").lower(),
                   routing_url=env.get("POSTE_ROUTING_URL") or "",
                   rtp_address=env.get("POSTE_RTP_ADDRESS") or "",
                   rtp_port_min=num("POSTE_RTP_PORT_MIN", 30000),
                   rtp_port_max=num("POSTE_RTP_PORT_MAX", 30999),
                   rtpengine_ng_port=num("POSTE_RTPENGINE_NG_PORT", 0),
                   pike_density=num("POSTE_SIP_PIKE_DENSITY", 64),
                   auth_fail_max=num("POSTE_SIP_AUTH_FAIL_MAX", 5),
                   ban_seconds=num("POSTE_SIP_BAN_SECONDS", 600),
                   media_nodes=nodes, media_address=env.get("POSTE_MEDIA_ADDRESS") or "",
                   media_port=num("POSTE_MEDIA_SIP_PORT", 5090),
                   media_ping_interval=num("POSTE_MEDIA_PING_INTERVAL", 10))

    def resolved(self, settings: Settings) -> Options:
        if self.routing not in ("kemi", "http"):
            raise ValueError(f"POSTE_SIP_ROUTING must be kemi or http, not {self.routing!r}")
        nodes = self.media_nodes
        if nodes is None:
            nodes = (f"{self.media_address or settings.sip_address}:{self.media_port}",)
        for node in nodes:
            host, sep, port = node.rpartition(":")
            if not sep or not host or not port.isdigit() or any(c in node for c in ' ;"<>@'):
                raise ValueError(f"a media node is host:port, not {node!r}")
        return replace(self, media_nodes=tuple(nodes), rtp_address=self.rtp_address or settings.sip_address,
                       rtpengine_ng_port=self.rtpengine_ng_port or settings.sip_port + 17162,
                       routing_url=self.routing_url or f"{settings.public_url}/sip/route")


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
    """The environment over the instance file ``$POSTE_DATA/poste.env`` (the real environment wins),
    as ``tenants.config`` reads it: the same POSTE_MEDIA_* the media app is given."""
    from tenants.config import _read_env_file

    return {**_read_env_file(settings.data_dir / "poste.env"), **os.environ}


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
        "SQLCON": _q(f"poste=>{db_url}"),
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
    if options.routing == "kemi":
        defines["WITH_KEMI"] = None
        defines["KEMI_SCRIPT"] = _q(p.kemi_boot)
    else:
        defines["WITH_HTTP"] = None
        # http_client joins the connection's URL and the path with a "/"
        base, _, last = options.routing_url.rstrip("/").rpartition("/")
        defines["ROUTING_HTTPCON"] = _q(f"routing=>{base}")
        defines["ROUTING_PATH"] = _q(last)
    lines = ["#!KAMAILIO", "# Rendered by kamailio/service.py from the settings: do not edit.", ""]
    for name, value in defines.items():
        lines.append(f"#!define {name}" + ("" if value is None else f" {value}"))
    # substituted inside strings too: the media apps' secret in append_hf() and comparisons
    secret = media_secret(settings.data_dir)
    if not secret.isalnum():
        raise ValueError("POSTE_MEDIA_SECRET must be letters and digits only")
    lines.append(f"#!substdef \"!MEDIA_SECRET!{secret}!g\"")
    lines.append("")
    for proto in ("udp", "tcp"):
        lines.append(f"listen={proto}:{settings.sip_address}:{settings.sip_port}")
    lines += ["", f"include_file {_q(POSTE_CFG)}", ""]
    return "\n".join(lines)


KEMI_BOOT = '''"""Rendered by kamailio/service.py: puts the project on the path of Kamailio's Python."""
import os
import sys

for path in reversed({paths!r}):
    if path not in sys.path:
        sys.path.insert(0, path)
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
    options = (options or Options.from_env(environment(settings))).resolved(settings)
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
    options = (options or Options.from_env(environment(settings))).resolved(settings)
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
