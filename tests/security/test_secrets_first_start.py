"""Secrets generated at an installation's first start (tenants/secrets_store.py): processes that
start together (gunicorn's workers) all get the same one, and none fails. With one temporary
name shared by all, a worker could remove it before another linked it ("No such file or
directory: .../flask_secret_key.tmp"), and gunicorn stopped: "Worker failed to boot"."""
import multiprocessing
import stat
from pathlib import Path

from tenants.secrets_store import secret_key


def _start(args: tuple[str, int]) -> str:
    folder, _worker = args
    return secret_key(Path(folder), given="")


def test_workers_starting_together_share_one_generated_key(tmp_path):
    context = multiprocessing.get_context("fork")
    with context.Pool(8) as pool:
        for attempt in range(15):
            folder = tmp_path / f"install{attempt}"
            keys = pool.map(_start, [(str(folder), n) for n in range(8)], chunksize=1)
            stored = (folder / "secrets" / "flask_secret_key").read_text().strip()
            assert set(keys) == {stored} and len(stored) > 40
            assert stat.S_IMODE((folder / "secrets" / "flask_secret_key").stat().st_mode) == 0o600
            assert [p.name for p in (folder / "secrets").iterdir()] == ["flask_secret_key"]  # no temporary left
