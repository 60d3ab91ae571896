"""Where numba keeps the package's compiled kernels: never inside the package.

``rtp.dsp`` writes nothing when it is imported, and nothing under its own folder ever
(a read-only installation works the same). Its cache goes under ``NUMBA_CACHE_DIR``
when set (the media app points it into the data folder), else the user's cache folder,
in a subfolder named after a digest of the package's sources. numba checks a cached
function against its own file only, so when ``pipeline._render`` calls
``normalize.plan`` and only ``normalize.py`` changes, stale machine code would load; a
new digest is a new, empty folder instead, and nothing needs deleting.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def sources_digest(package_dir: Path = PACKAGE) -> str:
    """SHA-256 over the names and contents of the package's ``.py`` files."""
    h = hashlib.sha256()
    for path in sorted(package_dir.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_dir(package_dir: Path = PACKAGE, environ: Mapping[str, str] | None = None) -> Path:
    """The folder for this version of the package's compiled code (not created here)."""
    env = os.environ if environ is None else environ
    base = env.get("NUMBA_CACHE_DIR") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "poste", "numba")
    return Path(base) / f"rtp-dsp-{sources_digest(package_dir)[:16]}"

