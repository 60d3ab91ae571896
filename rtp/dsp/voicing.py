"""Voicing test: does a stretch of audio contain a periodic (voiced) sound?

Breaths, hiss and bursts of noise are aperiodic; vowels, hums and tones are periodic.
It runs on a handful of frames per candidate segment only, so its cost does not grow
with the length of the recording.
"""

from __future__ import annotations

import numpy as np

from .jit import compiled, compiled_fast


@compiled_fast
def _lag_corr(d: np.ndarray, c2: np.ndarray, lag: int) -> float:  # pragma: no cover
    """Normalized correlation of ``d`` with itself shifted by ``lag``."""
    n = d.shape[0]
    acc = np.float32(0.0)
    # slices keep indices provably non-negative, so LLVM vectorises the product
    head = d[: n - lag]
    tail = d[lag:]
    for i in range(head.shape[0]):
        acc += head[i] * tail[i]
    # normalized by the energies of the two overlapping parts, so a lag is judged on
    # the samples it actually compares (bounded by 1)
    den = np.sqrt(c2[n - lag] * (c2[n] - c2[lag]))
    return acc / den if den > 0.0 else 0.0


@compiled_fast
def _periodicity(w: np.ndarray, lo: int, hi: int, enough: float = np.inf) -> float:  # pragma: no cover
    """Peak normalized autocorrelation over lags ``lo..hi``; the search stops at the first
    lag reaching ``enough`` (a voicing test needs "is it periodic", not how much)."""
    n = w.shape[0]
    mean = 0.0
    for i in range(n):
        mean += w[i]
    mean /= n
    # float32 products (twice the vector width), float64 energies and sums per lag
    d = np.empty(n, dtype=np.float32)
    c2 = np.zeros(n + 1)
    for i in range(n):
        d[i] = w[i] - mean
        c2[i + 1] = c2[i] + np.float64(d[i]) * d[i]
    best = 0.0
    best_lag = lo
    # coarse search on even lags, then the odd neighbours of the best: a pitch peak
    # of band-limited speech is several samples wide at 8 kHz
    for lag in range(lo, hi + 1, 2):
        r = _lag_corr(d, c2, lag)
        if r > best:
            best, best_lag = r, lag
            if best >= enough:
                return best
    for lag in (best_lag - 1, best_lag + 1):
        if lo <= lag <= hi:
            best = max(best, _lag_corr(d, c2, lag))
    return best


def periodicity(window: np.ndarray, rate: int, fmin: float = 70.0, fmax: float = 400.0) -> float:
    """Peak normalized autocorrelation of ``window`` over pitch lags ``rate/fmax..rate/fmin``.

    Returns a value in [0, 1] (1: exactly periodic); 0 for silence or a too short window.
    """
    lo, hi = int(rate / fmax), int(rate / fmin)
    if window.shape[0] < 2 * hi:
        return 0.0
    return float(_periodicity(np.ascontiguousarray(window, dtype=np.float32), lo, hi))


@compiled
def _decimate(w: np.ndarray, d: int) -> np.ndarray:  # pragma: no cover
    """Mean of each group of ``d`` samples (a crude low pass, plenty for pitch)."""
    out = np.empty(w.shape[0] // d, dtype=np.float32)
    for i in range(out.shape[0]):
        acc = np.float32(0.0)
        for j in range(d):
            acc += w[i * d + j]
        out[i] = acc / d
    return out


@compiled
def voiced_at(x: np.ndarray, rate: int, centres: np.ndarray, half: int,
              threshold: float) -> bool:  # pragma: no cover
    """True if any window ``[c - half, c + half)`` of ``x``, ``c`` in ``centres``, is periodic.

    Above 8 kHz the window is first decimated to about 8 kHz: pitch lives far below
    4 kHz, and the lag search costs the square of the rate.
    """
    d = max(1, rate // 8000)
    r = rate / d
    lo, hi = int(r / 400.0), int(r / 70.0)
    for c in centres:
        a, b = max(0, c - half), min(x.shape[0], c + half)
        w = x[a:b] if d == 1 else _decimate(x[a:b], d)
        if w.shape[0] >= 2 * hi and _periodicity(w, lo, hi, threshold) >= threshold:
            return True
    return False
