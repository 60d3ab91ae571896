"""Issue 12: scripts/supervise.py brings back a process that dies, with the others untouched; ends
everything a process started (its process group); gives up on a process that keeps failing;
SIGTERM ends every process. Small stand-in processes here (each forks a worker into its group, as
Kamailio and gunicorn do); tests/ops/test_two_stacks.py does the same with the real ones."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.ops.stack import clean_env
from tests.sip_fixtures import wait_for

ROOT = Path(__file__).resolve().parents[2]
# A server and its worker, in one process group; the worker outlives a kill -9 of the server.
SERVER = "import os, sys, time\nif os.fork() == 0:\n    time.sleep(600)\n    sys.exit()\ntime.sleep(600)\n"


def supervisor(tmp_path: Path, services: dict[str, str]) -> subprocess.Popen:
    """``python -m scripts.supervise``'s main with ``services`` (name -> Python code) for the real ones."""
    code = textwrap.dedent(f"""
        import sys
        from scripts import supervise
        supervise.services = lambda settings: [(name, [sys.executable, "-c", text, name])
                                               for name, text in {services!r}.items()]
        sys.exit(supervise.main())
    """)
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=clean_env(POSTE_DATA=str(tmp_path / "data")),
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "err", "wb"),
                            start_new_session=True)


def processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent, group, last word of the command line) of every live process."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                words = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] not in ("Z", "X"):
                found[int(entry)] = (int(fields[1]), int(fields[2]), (words[-2] if len(words) > 1 else b"").decode())
    return found


def children(parent: int) -> dict[str, int]:
    return {name: pid for pid, (ppid, _group, name) in processes().items() if ppid == parent}


def group(pgid: int) -> list[int]:
    return [pid for pid, (_ppid, g, _name) in processes().items() if g == pgid]


@pytest.fixture
def stop_later():
    started = []
    yield started.append
    for proc in started:  # what a failed test left: the supervisor, then every group it started
        left = children(proc.pid) if proc.poll() is None else {}
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pgid in left.values():
            for pid in group(pgid):
                os.kill(pid, signal.SIGKILL)


def test_a_killed_process_comes_back_alone_and_its_workers_end(tmp_path, stop_later):
    sup = supervisor(tmp_path, {"alpha": SERVER, "beta": SERVER})
    stop_later(sup)
    first = wait_for(lambda: len(children(sup.pid)) == 2 and children(sup.pid), 30, what="both started")
    wait_for(lambda: len(group(first["alpha"])) == 2, 10, what="alpha's worker")
    workers = group(first["alpha"])
    os.kill(first["alpha"], signal.SIGKILL)
    again = wait_for(lambda: children(sup.pid).get("alpha") not in (None, first["alpha"]) and children(sup.pid),
                     30, what="alpha started again")
    assert again["beta"] == first["beta"]  # the other one kept running
    assert not [pid for pid in workers if pid in processes()]  # the server's worker ended with it
    err = (tmp_path / "err").read_text()
    assert "[poste] alpha exited with status -9 (killed by SIGKILL); restarting it in 0.5 s (failure 1 of 5" in err
    assert f"[poste] alpha started again (pid {again['alpha']})" in err
    assert "alpha exited with status -9" in (tmp_path / "data" / "log" / "alpha.log").read_text()  # its own log too
    # SIGTERM ends every process of every group, then the supervisor
    groups = list(again.values())
    os.kill(sup.pid, signal.SIGTERM)
    assert sup.wait(30) == 0
    assert not [pid for pid, (_ppid, g, _name) in processes().items() if g in groups]


def test_a_process_that_keeps_failing_stops_everything(tmp_path, stop_later):
    begun = time.monotonic()
    sup = supervisor(tmp_path, {"broken": "import sys; sys.exit(3)", "beta": SERVER})
    stop_later(sup)
    beta = wait_for(lambda: children(sup.pid).get("beta"), 30, what="beta started")
    assert sup.wait(60) == 1
    err = (tmp_path / "err").read_text()
    assert err.count("broken exited with status 3; restarting it in") == 4, err
    assert "broken exited with status 3, 5 times within 60 s" in err and "Stopping everything." in err
    assert [line for line in err.splitlines() if "restarting it in" in line][-1].split("restarting it in ")[1] \
        .startswith("4.0 s")  # 0.5, 1, 2, 4: backing off
    assert not group(beta)
    assert time.monotonic() - begun < 40


def test_a_supervisor_that_dies_takes_its_processes_with_it(tmp_path, stop_later):
    """Killed itself (kill -9, OOM), it leaves no server behind holding the ports: each gets SIGTERM,
    and ends its own workers as Kamailio and gunicorn do."""
    sup = supervisor(tmp_path, {"alpha": SERVER, "beta": SERVER})
    stop_later(sup)
    started = wait_for(lambda: len(children(sup.pid)) == 2 and children(sup.pid), 30, what="both started")
    os.kill(sup.pid, signal.SIGKILL)
    sup.wait(10)
    wait_for(lambda: not set(started.values()) & set(processes()), 10, what="the servers gone")
    for pid in [pid for pgid in started.values() for pid in group(pgid)]:  # their stand-in workers
        os.kill(pid, signal.SIGKILL)
