"""Issue 11, secrets at rest: the data folder is its user's alone, whatever the umask.

``$POSTE_DATA`` holds the database (SIP passwords' ciphertext and their key, PIN hashes),
the logs and the demo seed's log (SIP passwords, PIN in clear): the folder and every folder
under it are 0700, every file 0600. Each check starts a real process from the permissive
umask 022 and reads the modes of everything that process left.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERMISSIVE = "import os; os.umask(0o022)\n"


def environment(data: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "POSTE_SECRET_KEY", "POSTE_SIP_KEY")}  # all made under data/
    return {**env, "POSTE_DATA": str(data), "POSTE_SMTP_PORT": "1"}


def run(argv: list[str], data: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=ROOT, env=environment(data), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def python(code: str, data: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", PERMISSIVE + textwrap.dedent(code)], data)


def modes(data: Path) -> dict[str, str]:
    """Every path under ``data`` (and ``data`` itself) with its permission bits."""
    found = {".": oct(stat.S_IMODE(data.stat().st_mode))}
    for path in data.rglob("*"):
        found[str(path.relative_to(data))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def assert_private(data: Path, expected: list[str]) -> None:
    found = modes(data)
    missing = [name for name in expected if name not in found]
    assert not missing, f"not created: {missing}; found {sorted(found)}"
    shared = {name: mode for name, mode in found.items() if int(mode, 8) & 0o077}
    assert not shared, f"readable by group or others: {shared}"


def test_the_documented_setup_steps_leave_nothing_readable_by_others(tmp_path):
    """scripts/run's steps that make the data folder: schema, demo seed and its log."""
    data = tmp_path / "data"
    run(["bash", "-c", "set -euo pipefail; umask 022; . scripts/lib.sh; prepare_data"], data)
    assert "SIP password" in (data / "log" / "demo-seed.log").read_text()
    assert_private(data, [".", "poste.db", "log", "log/demo-seed.log", "secrets", "secrets/sip_password_key",
                          "secrets/flask_secret_key", "translations"])


def test_any_process_start_keeps_the_database_and_its_journal_private(tmp_path):
    """The shared start-up alone (no shell umask); the -wal and -shm files are read while open."""
    data = tmp_path / "data"
    done = python("""
        import json, stat
        from tenants import migrations
        from tenants.runtime import start
        from tenants.models import Job
        settings, db = start()
        db.connect()
        migrations.upgrade()
        Job.select().count()
        print(json.dumps({p.name: stat.S_IMODE(p.stat().st_mode) for p in settings.data_dir.iterdir()}))
    """, data)
    while_open = json.loads(done.stdout.splitlines()[-1])
    assert {"poste.db", "poste.db-wal", "poste.db-shm"} <= set(while_open)
    assert {name: oct(mode) for name, mode in while_open.items() if mode & 0o077} == {}
    assert_private(data, [".", "poste.db", "secrets", "secrets/sip_password_key"])


def test_a_data_folder_left_open_by_an_earlier_version_is_closed_at_start(tmp_path):
    data = tmp_path / "data"
    (data / "log").mkdir(parents=True)
    for name in ("poste.db", "log/demo-seed.log", "log/console.log"):
        (data / name).write_text("from an earlier version\n")
        (data / name).chmod(0o644)
    (data / "log").chmod(0o755)
    data.chmod(0o755)
    python("""
        from tenants.runtime import start
        start()
    """, data)
    assert_private(data, [".", "poste.db", "log", "log/demo-seed.log", "log/console.log"])


def test_the_supervisor_opens_every_log_private(tmp_path):
    """scripts/supervise.py's own start: Kamailio's rendered files and every process's log
    (the media app, rtpengine, Kamailio, the console, the job worker). Each process is
    replaced by a short one that writes a line, so the supervisor stops them all and returns.
    A log already there, left readable in a private folder, is made private too."""
    data = tmp_path / "data"
    (data / "log").mkdir(mode=0o700, parents=True)
    (data / "log" / "media.log").write_text("an earlier run\n")
    (data / "log" / "media.log").chmod(0o644)
    data.chmod(0o700)
    done = python("""
        import sys
        from scripts import supervise
        real = supervise.services

        def stand_ins(settings):
            found = [(name, [sys.executable, "-c", f"print('{name} started')"]) for name, _argv in real(settings)]
            print("SERVICES", " ".join(name for name, _argv in found))
            return found
        supervise.services = stand_ins
        sys.exit(0 if supervise.main() == 1 else 2)  # 1: a process ended, all were stopped
    """, data)
    names = [line.split()[1] for line in done.stderr.splitlines() if "exited with status" in line]
    (services,) = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("SERVICES ")]
    logs = sorted(path.name for path in (data / "log").glob("*.log"))
    assert {"media", "rtpengine", "kamailio", "console", "jobs"} <= set(services)
    assert logs == sorted(f"{name}.log" for name in services) and names
    assert "started" in (data / "log" / f"{names[0]}.log").read_text()
    assert_private(data, [".", "log", "kamailio", "kamailio/kamailio.cfg", *(f"log/{name}" for name in logs)])
