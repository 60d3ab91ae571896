"""How the package's kernels are compiled: numba's options in one place.

``error_model="numpy"``: a division by zero gives inf/nan as in numpy instead of
raising, so no exception-raising code is emitted around every division.  Every
kernel here guards its divisors; the smaller machine code matters because each
recording is processed after other work has evicted it from the instruction cache.

Caching is switched on at first use, not at import: numba creates (and test-writes)
a function's cache folder when caching is enabled, and importing the package must
write nothing. The public entry points (``process``, ``Analyser``,
``integrated_loudness``, the generated kernels) call ``activate()`` first; a kernel
called on its own before that simply compiles without the disk cache.
"""

from __future__ import annotations

from collections.abc import Callable

import numba

from .cachedir import cache_dir

_kernels: list = []
_active = False


def _lazily_cached(**options) -> Callable:
    jit = numba.njit(**options)

    def decorate(func):
        dispatcher = jit(func)
        _kernels.append(dispatcher)
        return dispatcher
    return decorate


# plain kernels: decisions, limiter, gating
compiled = _lazily_cached(nogil=True, boundscheck=False, error_model="numpy")
# reductions LLVM may reorder to vectorise (sums of products, counts)
compiled_fast = _lazily_cached(fastmath=True, nogil=True, boundscheck=False, error_model="numpy")


def activate() -> None:
    """Keep compiled code in ``cachedir.cache_dir()`` from now on (idempotent, cheap after the first call)."""
    global _active
    if _active:
        return
    numba.config.CACHE_DIR = str(cache_dir())
    for dispatcher in _kernels:
        dispatcher.enable_caching()
    _active = True
