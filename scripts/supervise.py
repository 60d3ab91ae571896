"""Start every Poste process under one supervisor and stop them all together.

Each process logs to ``$POSTE_DATA/log/<name>.log`` (0600, in the data folder made
private first: the processes inherit its umask 077). Ctrl-C (or SIGTERM) stops
them all: SIGTERM first, SIGKILL for any still running after a grace period.
If one of them dies, the others are stopped too, so a half-running system is
never left behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tenants.config import Settings, load_settings
from tenants.runtime import private_data_dir

GRACE_SECONDS = 10
ROOT = Path(__file__).resolve().parent.parent


def services(settings: Settings) -> list[tuple[str, list[str]]]:
    """(name, argv) of every process to run, in start order."""
    venv = ROOT / ".venv" / "bin"
    # The media app first, so Kamailio's first OPTIONS probe of it already succeeds.
    found: list[tuple[str, list[str]]] = [("media", [str(venv / "python"), "-m", "rtp.mediaapp"])]
    try:  # the SIP half (Kamailio, rtpengine), when present
        from kamailio import service as sip_service
    except ImportError:
        sip_service = None
    if sip_service is not None:
        sip_service.prepare(settings)
        found += sip_service.commands(settings)
    address = os.environ.get("POSTE_HTTP_ADDRESS", "127.0.0.1")
    found += [
        ("console", [str(venv / "gunicorn"), "--bind", f"{address}:{settings.http_port}", "--workers", "2",
                     "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5", "wsgi:app"]),
        ("jobs", [str(venv / "flask"), "--app", "wsgi", "jobs", "work"]),
    ]
    return found


def banner(settings: Settings, names: list[str]) -> str:
    from console.cli import DEMO_ADMIN, DEMO_DOMAIN, DEMO_OPERATOR, DEMO_USER

    address = os.environ.get("POSTE_HTTP_ADDRESS", "127.0.0.1")
    host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    return "\n".join([
        "",
        f"Poste is running: http://{host}:{settings.http_port}/",
        f"  operator      {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}",
        f"  tenant admin  {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}   ({DEMO_DOMAIN})",
        f"  user          {DEMO_USER[0]} / {DEMO_USER[1]}",
        f"  SIP           {settings.sip_address}:{settings.sip_port}  (extension passwords: "
        f"{settings.log_dir / 'demo-seed.log'})",
        f"  processes     {', '.join(names)}; logs in {settings.log_dir}/",
        "Press Ctrl-C to stop.",
        "",
    ])


def stop_all(children: dict[str, subprocess.Popen]) -> None:
    # Each child leads its own process group (Kamailio forks workers): signal the group.
    for proc in reversed(list(children.values())):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + GRACE_SECONDS
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[poste] {name} did not stop in {GRACE_SECONDS}s; killing it", file=sys.stderr)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def open_log(path: Path) -> int:
    """``path`` opened for appending, readable by this user only, even if it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def main() -> int:
    settings = load_settings()
    private_data_dir(settings.data_dir)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    stopping = False

    def request_stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, argv in services(settings):
            log = open_log(settings.log_dir / f"{name}.log")
            # The children ignore the terminal's Ctrl-C; this supervisor stops them in order.
            try:
                children[name] = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                                  stdin=subprocess.DEVNULL, start_new_session=True)
            finally:
                os.close(log)  # the child has its own copy
        print(banner(settings, list(children)), flush=True)
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"[poste] {name} exited with status {proc.returncode}; see "
                          f"{settings.log_dir / (name + '.log')}. Stopping everything.", file=sys.stderr)
                    stopping, status = True, 1
                    break
            time.sleep(0.3)
    finally:
        print("[poste] stopping...", file=sys.stderr)
        stop_all(children)
        print("[poste] stopped.", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
