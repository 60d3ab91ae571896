"""Keep numba's on-disk cache consistent with the sources of this package.

numba checks a cached function against its own file only: when ``pipeline._render``
(cached) calls ``normalize.plan`` and only ``normalize.py`` changes, the stale
machine code of ``_render`` would still be loaded.  Before any kernel is defined,
this guard hashes every source of the package and, if the hash differs from the one
recorded with the cache, deletes the cached kernels so they are compiled afresh.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STAMP = "numba-sources.sha256"


def sources_digest(package_dir: Path) -> str:
    """SHA-256 over the names and contents of the package's ``.py`` files."""
    h = hashlib.sha256()
    for path in sorted(package_dir.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def invalidate_stale_cache(package_dir: Path) -> bool:
    """Delete the package's cached kernels if its sources changed; True if it did.

    Best effort: a read-only installation simply keeps numba's own behaviour.
    """
    cache = package_dir / "__pycache__"
    stamp = cache / STAMP
    digest = sources_digest(package_dir)
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        cache.mkdir(exist_ok=True)
        # the package's kernels, and those generated per layout (``kernels``), whose
        # cached code includes the package's functions they call
        for stale in [*cache.glob("*.nbi"), *cache.glob("*.nbc"), *cache.glob("generated/__pycache__/*.nbi"),
                      *cache.glob("generated/__pycache__/*.nbc")]:
            stale.unlink(missing_ok=True)
        tmp = cache / f".{STAMP}.{os.getpid()}"
        tmp.write_text(digest)
        tmp.replace(stamp)
    except OSError:
        return False
    return True
