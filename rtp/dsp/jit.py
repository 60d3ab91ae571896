"""How the package's kernels are compiled: numba's options in one place.

``error_model="numpy"``: a division by zero gives inf/nan as in numpy instead of
raising, so no exception-raising code is emitted around every division.  Every
kernel here guards its divisors; the smaller machine code matters because each
recording is processed after other work has evicted it from the instruction cache.
"""

from __future__ import annotations

import numba

# plain kernels: decisions, limiter, gating
compiled = numba.njit(nogil=True, boundscheck=False, cache=True, error_model="numpy")
# reductions LLVM may reorder to vectorise (sums of products, counts)
compiled_fast = numba.njit(fastmath=True, nogil=True, boundscheck=False, cache=True, error_model="numpy")
