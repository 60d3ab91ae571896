"""Voicing test: does a stretch of audio contain a periodic (voiced) sound?

Breaths, hiss and bursts of noise are aperiodic; vowels, hums and tones are periodic.
It runs on a handful of frames per candidate segment only, so its cost does not grow
with the length of the recording.
"""

from __future__ import annotations

import numpy as np


def periodicity(window: np.ndarray, rate: int, fmin: float = 70.0, fmax: float = 400.0) -> float:
    """Peak normalized autocorrelation of ``window`` over pitch lags ``rate/fmax..rate/fmin``.

    Returns a value in [0, 1] (1: exactly periodic); 0 for silence or a too short window.
    """
    w = np.asarray(window, dtype=np.float64)
    w = w - w.mean()
    n = w.shape[0]
    lo, hi = int(rate / fmax), int(rate / fmin)
    if n < 2 * hi or not np.any(w):
        return 0.0
    spec = np.fft.rfft(w, 2 * n)
    ac = np.fft.irfft(spec.real ** 2 + spec.imag ** 2)[: hi + 1]
    # Normalize by the energies of the two overlapping parts, so a lag is judged on
    # the samples it actually compares (unbiased, bounded by 1).
    c2 = np.concatenate([[0.0], np.cumsum(w * w)])
    lags = np.arange(lo, hi + 1)
    e_head = c2[n - lags]            # w[0 : n-lag]
    e_tail = c2[n] - c2[lags]        # w[lag : n]
    denom = np.sqrt(e_head * e_tail)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(denom > 0, ac[lo:hi + 1] / denom, 0.0)
    return float(max(0.0, r.max()))


def is_voiced(x: np.ndarray, rate: int, centres: np.ndarray, window_s: float,
              threshold: float) -> bool:
    """True if any window of ``window_s`` centred on a sample index in ``centres`` is periodic."""
    half = int(window_s * rate / 2)
    for c in centres:
        a, b = max(0, int(c) - half), min(x.shape[0], int(c) + half)
        if periodicity(x[a:b], rate) >= threshold:
            return True
    return False
