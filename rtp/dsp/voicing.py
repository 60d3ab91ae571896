"""Voicing test: does a stretch of audio contain a periodic (voiced) sound?

Breaths, hiss and bursts of noise are aperiodic; vowels, hums and tones are periodic.
It runs on a handful of frames per candidate segment only, so its cost does not grow
with the length of the recording.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(fastmath=True, nogil=True, boundscheck=False, cache=True)
def _periodicity(w: np.ndarray, lo: int, hi: int) -> float:  # pragma: no cover
    n = w.shape[0]
    mean = 0.0
    for i in range(n):
        mean += w[i]
    mean /= n
    d = np.empty(n)
    c2 = np.zeros(n + 1)
    for i in range(n):
        d[i] = w[i] - mean
        c2[i + 1] = c2[i] + d[i] * d[i]
    best = 0.0
    for lag in range(lo, hi + 1):
        acc = 0.0
        for i in range(n - lag):
            acc += d[i] * d[i + lag]
        # Normalize by the energies of the two overlapping parts, so a lag is judged on
        # the samples it actually compares (bounded by 1).
        den = np.sqrt(c2[n - lag] * (c2[n] - c2[lag]))
        if den > 0.0 and acc / den > best:
            best = acc / den
    return best


def periodicity(window: np.ndarray, rate: int, fmin: float = 70.0, fmax: float = 400.0) -> float:
    """Peak normalized autocorrelation of ``window`` over pitch lags ``rate/fmax..rate/fmin``.

    Returns a value in [0, 1] (1: exactly periodic); 0 for silence or a too short window.
    """
    lo, hi = int(rate / fmax), int(rate / fmin)
    if window.shape[0] < 2 * hi:
        return 0.0
    return float(_periodicity(np.ascontiguousarray(window, dtype=np.float32), lo, hi))


def is_voiced(x: np.ndarray, rate: int, centres: np.ndarray, window_s: float,
              threshold: float) -> bool:
    """True if any window of ``window_s`` centred on a sample index in ``centres`` is periodic."""
    half = int(window_s * rate / 2)
    for c in centres:
        a, b = max(0, int(c) - half), min(x.shape[0], int(c) + half)
        if periodicity(x[a:b], rate) >= threshold:
            return True
    return False
