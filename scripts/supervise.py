"""Start every Poste process under one supervisor, bring back the one that dies, stop them all together.

Each process logs to ``$POSTE_DATA/log/<name>.log`` (0600, in the data folder made private
first: the processes inherit its umask 077) and leads its own process group, so that
everything it starts (Kamailio's workers, gunicorn's) is ended with it.

- Start: the settings are read and every port checked first (``tenants.listeners``): a port
  that is invalid, shared by two settings or held by another process stops the start with
  one French line naming it and the setting to change (and who holds it).
- A process that exits (a crash, a ``kill -9``) is started again after a backoff (0.5 s,
  doubling up to 30 s), with a line saying why; the others keep serving. Its whole group
  is ended first, so nothing it left holds its ports.
- A process that fails ``FAILURES_ALLOWED`` times within ``FAILURE_WINDOW`` seconds stops
  everything (it will not start: its log says why), as does Ctrl-C or SIGTERM: SIGTERM to
  every group, SIGKILL to what is left after a grace period.

Why not supervisord or circus: they would add a daemon, its configuration and its own log
files for five processes, and neither checks the ports with the settings' names at start.
On a production host systemd does this job (``python -m scripts.systemd``, README).
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tenants import listeners
from tenants.config import Settings, load_or_exit
from tenants.runtime import private_data_dir

GRACE_SECONDS = 10
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0
FAILURES_ALLOWED, FAILURE_WINDOW = 5, 60.0
TICK = 0.2
ROOT = Path(__file__).resolve().parent.parent
PR_SET_PDEATHSIG = 1


def services(settings: Settings) -> list[tuple[str, list[str]]]:
    """(name, argv) of every process to run, in start order."""
    venv = ROOT / ".venv" / "bin"
    # The media app first, so Kamailio's first OPTIONS probe of it already succeeds.
    found: list[tuple[str, list[str]]] = [("media", [str(venv / "python"), "-m", "rtp.mediaapp"])]
    from console import gunicorn_conf
    from kamailio import service as sip_service

    found += sip_service.commands(settings)
    found += [
        ("console", gunicorn_conf.command(settings, venv)),
        # the desk phones' files over HTTPS: a second gunicorn of the same app (console/provisioning/serve.py)
        ("provisioning", [str(venv / "python"), "-m", "console.provisioning.serve"]),
        ("jobs", [str(venv / "flask"), "--app", "wsgi", "jobs", "work"]),
    ]
    return found


def banner(settings: Settings, names: list[str]) -> str:
    from console.cli import DEMO_ADMIN, DEMO_DOMAIN, DEMO_OPERATOR, DEMO_USER

    return "\n".join([
        "",
        f"Poste is running: {settings.public_url}/",
        f"  operator      {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}",
        f"  tenant admin  {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}   ({DEMO_DOMAIN})",
        f"  user          {DEMO_USER[0]} / {DEMO_USER[1]}",
        f"  SIP           {settings.sip_address}:{settings.sip_port}  (extension passwords: "
        f"{settings.log_dir / 'demo-seed.log'})",
        f"  processes     {', '.join(names)}; logs in {settings.log_dir}/",
        "Press Ctrl-C to stop.",
        "",
    ])


def say(line: str) -> None:
    print(f"[poste] {line}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ process groups

def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of group ``pgid``, wherever they were re-parented."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat[stat.rindex(")") + 2:].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            members.append(int(entry))
    return members


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_groups_gone(pgids: list[int], seconds: float) -> list[int]:
    """Wait until no process of ``pgids`` is left; the groups still there after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        left = [pgid for pgid in pgids if group_members(pgid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def end_groups(pgids: list[int], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM every group, SIGKILL what is left after ``grace`` seconds; return when all are gone."""
    for pgid in pgids:
        signal_group(pgid, signal.SIGTERM)
    left = wait_groups_gone(pgids, grace)
    for pgid in left:
        signal_group(pgid, signal.SIGKILL)
    wait_groups_gone(left, 5)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the supervisor dies (even by SIGKILL), so nothing outlives it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


# ------------------------------------------------------------------ the supervisor

@dataclass
class Child:
    name: str
    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    failures: list[float] = field(default_factory=list)  # when it exited, within the window
    restart_at: float | None = None

    def start(self) -> None:
        fd = open_log(self.log)
        try:
            # The children ignore the terminal's Ctrl-C; the supervisor stops them in order.
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, stdout=fd, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        finally:
            os.close(fd)  # the child has its own copy
        self.restart_at = None

    def failed(self, now: float) -> tuple[int, float | None]:
        """Count a failure: how many within the window, and the delay before the next start
        (None: too many, give up)."""
        self.failures = [t for t in self.failures if now - t < FAILURE_WINDOW] + [now]
        count = len(self.failures)
        if count >= FAILURES_ALLOWED:
            return count, None
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (count - 1))
        self.restart_at = now + delay
        return count, delay

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def open_log(path: Path) -> int:
    """``path`` opened for appending, readable by this user only, even if it existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def note(child: Child, line: str) -> None:
    """``line`` on the supervisor's output and in the child's own log."""
    say(line)
    fd = open_log(child.log)
    try:
        os.write(fd, f"[poste] {line}\n".encode())
    finally:
        os.close(fd)


def exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"status {code} (killed by {signal.Signals(-code).name})"
        except ValueError:
            return f"status {code}"
    return f"status {code}"


def after_exit(child: Child) -> bool:
    """``child`` has exited: end its group, then plan its restart; False when it keeps failing."""
    code = child.proc.returncode
    end_groups([child.proc.pid])  # what it started (Kamailio's workers) holds its ports
    count, delay = child.failed(time.monotonic())
    if delay is None:
        note(child, f"{child.name} exited with {exit_text(code)}, {count} times within {FAILURE_WINDOW:.0f} s; "
                    f"see {child.log}. Stopping everything.")
        return False
    note(child, f"{child.name} exited with {exit_text(code)}; restarting it in {delay:.1f} s "
                f"(failure {count} of {FAILURES_ALLOWED} allowed within {FAILURE_WINDOW:.0f} s); see {child.log}")
    return True


def restart(child: Child, settings: Settings, now: float) -> bool:
    """Start ``child`` again if its ports are free; otherwise count a failure. False: give up."""
    problems = listeners.problems(settings, (child.name,))
    if problems:
        for line in problems:
            note(child, line)
        count, delay = child.failed(now)
        if delay is None:
            say(f"{child.name} cannot start, {count} times within {FAILURE_WINDOW:.0f} s. Stopping everything.")
            return False
        return True
    child.start()
    note(child, f"{child.name} started again (pid {child.proc.pid})")
    return True


def supervise(children: list[Child], settings: Settings, stopping) -> int:
    """Watch ``children`` until ``stopping()``; 1 when one of them keeps failing."""
    while not stopping():
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at and not restart(child, settings, now):
                    return 1
            elif not child.running and not after_exit(child):
                return 1
        time.sleep(TICK)
    return 0


def main() -> int:
    settings = load_or_exit()
    private_data_dir(settings.data_dir)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    planned = services(settings)
    problems = listeners.problems(settings, [name for name, _argv in planned])
    if problems:
        for line in problems:
            say(line)
        return 2
    from kamailio import service as sip_service

    sip_service.prepare(settings)
    stop_requested = False

    def request_stop(*_args) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children = [Child(name, argv, settings.log_dir / f"{name}.log") for name, argv in planned]
    status = 0
    try:
        for child in children:
            child.start()
        print(banner(settings, [child.name for child in children]), flush=True)
        status = supervise(children, settings, lambda: stop_requested)
    finally:
        say("stopping...")
        end_groups([child.proc.pid for child in reversed(children) if child.proc is not None])
        for child in children:
            if child.proc is not None:
                child.proc.wait()
        say("stopped.")
    return status


if __name__ == "__main__":
    sys.exit(main())
