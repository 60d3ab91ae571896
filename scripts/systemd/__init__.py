"""systemd units for a production host, rendered from the settings (``python -m scripts.systemd``).

One unit per process (the media app, rtpengine, Kamailio, the console, the job worker), a
one-shot ``-setup`` unit (migrations, prompts) they all need, and a target that starts and
stops them together. Each unit runs the same command as ``scripts/supervise.py``
(``services``), with the settings written out as ``Environment=`` lines (secrets stay in
``$POSTE_DATA/secrets/`` or ``$POSTE_DATA/poste.env``, read through ``EnvironmentFile=``),
checks its ports first (``python -m tenants.listeners``), is restarted by systemd when it
dies (``Restart=always``, at most 5 times a minute, like the supervisor) and is stopped
with every process it started (``KillMode=control-group``). The media app is granted
real-time scheduling (``LimitRTPRIO``); a port under 1024 is granted
``CAP_NET_BIND_SERVICE`` to the process that opens it.
"""
from __future__ import annotations

from pathlib import Path

from scripts.supervise import FAILURE_WINDOW, FAILURES_ALLOWED, GRACE_SECONDS, ROOT, services
from tenants.config import Settings, as_environment
from tenants.listeners import listeners

WHAT = {
    "media": "media app (voicemail)",
    "rtpengine": "rtpengine (media relay)",
    "kamailio": "Kamailio (SIP)",
    "console": "console (gunicorn)",
    "jobs": "job worker",
}
AFTER = {"kamailio": ("rtpengine", "media")}  # started after these when they start together
REALTIME_PRIORITY = 10  # rtp.mediaapp.__main__.REALTIME_PRIORITY


def quote(word: str) -> str:
    """``word`` as one argument of an ``Exec*=`` line or an ``Environment=`` assignment."""
    word = word.replace("%", "%%")
    if word and not any(c in word for c in ' \t"\'\\;$'):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$") + '"'


def _lines(sections: dict[str, list[tuple[str, str]]]) -> str:
    out = ["# Rendered by `python -m scripts.systemd` from Poste's settings: render again after a change."]
    for name, items in sections.items():
        out += ["", f"[{name}]"] + [f"{key}={value}" for key, value in items]
    return "\n".join(out) + "\n"


def units(settings: Settings, user: str = "root", group: str = "", name: str = "poste") -> dict[str, str]:
    """File name -> text of every unit for ``settings``, run as ``user``."""
    python = str(ROOT / ".venv" / "bin" / "python")
    environment = [("Environment", quote(f"{key}={value}")) for key, value in as_environment(settings).items()]
    common = [("User", user), ("Group", group or user), ("WorkingDirectory", str(ROOT)), ("UMask", "0077"),
              *environment, ("EnvironmentFile", f"-{settings.data_dir / 'poste.env'}")]
    setup = f"{name}-setup.service"
    found = {setup: _lines({
        "Unit": [("Description", "Poste: database migrations and voice prompts"),
                 ("After", "network-online.target"), ("Wants", "network-online.target"), ("PartOf", f"{name}.target")],
        "Service": [("Type", "oneshot"), ("RemainAfterExit", "yes"), *common,
                    ("ExecStart", f"{python} -m flask --app wsgi db upgrade"),
                    ("ExecStart", f"{python} -m rtp.prompts")],
    })}
    privileged = {item.service for item in listeners(settings) if item.port < 1024 and not item.last}
    for service, argv in services(settings):
        after = " ".join(f"{name}-{other}.service" for other in AFTER.get(service, ()))
        extra = []
        if service == "kamailio":
            extra.append(("ExecStartPre", f"{python} -m kamailio.service"))  # renders kamailio.cfg
        if service == "media":  # SCHED_RR for the 20 ms RTP clock without root (rtp/mediaapp/__main__.py)
            extra.append(("LimitRTPRIO", str(REALTIME_PRIORITY)))
            # rtp.dsp's compiled kernels (rtp/dsp/cachedir.py): a system user may have no home to cache them in
            extra.append(("Environment", quote(f"NUMBA_CACHE_DIR={settings.data_dir / 'cache' / 'numba'}")))
        if service in privileged and user != "root":
            extra.append(("AmbientCapabilities", "CAP_NET_BIND_SERVICE"))
        found[f"{name}-{service}.service"] = _lines({
            "Unit": [("Description", f"Poste: {WHAT.get(service, service)}"),
                     ("After", f"network-online.target {setup} {after}".strip()), ("Wants", "network-online.target"),
                     ("Requires", setup), ("PartOf", f"{name}.target"),
                     ("StartLimitIntervalSec", f"{FAILURE_WINDOW:.0f}"), ("StartLimitBurst", str(FAILURES_ALLOWED))],
            "Service": [("Type", "simple"), *common,
                        ("ExecStartPre", f"{python} -m tenants.listeners {service}"), *extra,
                        ("ExecStart", " ".join(quote(word) for word in argv)),
                        ("Restart", "always"), ("RestartSec", "1"), ("KillMode", "control-group"),
                        ("TimeoutStopSec", str(GRACE_SECONDS))],
            "Install": [("WantedBy", f"{name}.target")],
        })
    found[f"{name}.target"] = _lines({
        "Unit": [("Description", "Poste: every process of the PBX"),
                 ("Wants", " ".join(sorted(unit for unit in found if unit.endswith(".service"))))],
        "Install": [("WantedBy", "multi-user.target")],
    })
    return found


def write(directory: Path, rendered: dict[str, str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in rendered.items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)  # systemd reads them; no secret is in them
        written.append(path)
    return written
