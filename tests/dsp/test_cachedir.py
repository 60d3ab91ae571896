"""rtp/dsp writes nothing at import, nothing under its own folder ever, and runs from a
read-only copy; its compiled cache goes where NUMBA_CACHE_DIR says, per version of its sources."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import rtp.dsp
from rtp.dsp.cachedir import cache_dir, sources_digest

PACKAGE = Path(rtp.dsp.__file__).resolve().parent

RUN = """
import sys, numpy as np
import rtp.dsp
assert rtp.dsp.__file__.startswith(sys.argv[1]), rtp.dsp.__file__
print(rtp.dsp.CACHE_DIR)
if sys.argv[2] == "run":
    x = (np.sin(np.arange(16000) / 8000 * 2 * np.pi * 300) * 0.05).astype(np.float32)
    x[:4000] = 0
    out, start, end = rtp.dsp.process(x, 8000)
    print(start, end, float(np.sum(out)))
"""


def tree(root: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime) for p in root.rglob("*")} \
        if root.exists() else {}


def read_only_copy(tmp_path: Path) -> Path:
    """rtp/__init__.py and rtp/dsp/*.py only, every file and folder without write bits."""
    root = tmp_path / "ro"
    (root / "rtp" / "dsp").mkdir(parents=True)
    shutil.copy(PACKAGE.parent / "__init__.py", root / "rtp" / "__init__.py")
    for source in PACKAGE.glob("*.py"):
        shutil.copy(source, root / "rtp" / "dsp" / source.name)
    for path in [*root.rglob("*"), root]:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (stat.S_IXUSR if path.is_dir() else 0))
    return root


def run(root: Path, what: str, env: dict) -> list[str]:
    done = subprocess.run([sys.executable, "-B", "-c", RUN, str(root), what], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root), **env}, cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


def test_the_cache_folder_follows_numba_cache_dir_and_the_sources(tmp_path: Path):
    here = cache_dir(PACKAGE, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert here.parent == tmp_path and here.name == f"rtp-dsp-{sources_digest(PACKAGE)[:16]}"
    assert cache_dir(PACKAGE, {"XDG_CACHE_HOME": str(tmp_path)}).parent == tmp_path / "poste" / "numba"
    changed = tmp_path / "pkg"
    changed.mkdir()
    (changed / "a.py").write_text("x = 1\n")
    before = cache_dir(changed, {"NUMBA_CACHE_DIR": str(tmp_path)})
    (changed / "a.py").write_text("x = 2\n")  # any source changed: a new, empty folder, no stale kernels
    assert cache_dir(changed, {"NUMBA_CACHE_DIR": str(tmp_path)}) != before


def test_import_writes_nothing(tmp_path: Path):
    root = read_only_copy(tmp_path)
    cache = tmp_path / "cache"
    before = tree(root)
    (folder, *_rest) = run(root, "import", {"NUMBA_CACHE_DIR": str(cache)})
    assert Path(folder).parent == cache
    assert tree(root) == before and not cache.exists()


def test_a_read_only_copy_runs_with_the_same_result_and_caches_outside(tmp_path: Path):
    root = read_only_copy(tmp_path)
    before = tree(root)
    cache = tmp_path / "cache"
    (_folder, result, *_rest) = run(root, "run", {"NUMBA_CACHE_DIR": str(cache)})
    (_folder, reference, *_rest) = run(PACKAGE.parent.parent, "run", {"NUMBA_CACHE_DIR": str(tmp_path / "other")})
    assert result == reference
    assert tree(root) == before  # nothing written in the package, not even __pycache__
    assert any(p.suffix in (".nbi", ".nbc") for p in cache.rglob("*"))  # compiled code kept where told
