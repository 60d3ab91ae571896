"""Loudness gain with the limiter planned ahead: one output pass whatever happens.

The gain is set from the measured loudness.  When it would push samples over the
ceiling, the look-ahead limiter (see ``limiter``) is needed around them, and it takes
away a little energy, so the message would end slightly under the target.  Rather
than writing the output, measuring it and writing it again, the plan works on the
few samples that can exceed the ceiling (found once, for up to ``limiter_makeup_db``
more gain): it limits those regions in small buffers, recomputes the K-weighted
energy of the frames they touch, and raises the gain by the shortfall until the
output is within ``limiter_tolerance_lu`` of the target.  Then one pass writes
``gain * (x - dc)`` and the planned regions are limited in place.
"""

from __future__ import annotations

import numba
import numpy as np

from .limiter import _gain_pass, _limit_region, limit_all
from .loudness import block_layout, gated_from_energies
from .settings import Settings


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _candidates(x: np.ndarray, peaks: np.ndarray, frame_len: int, dc: float,
                threshold: float) -> np.ndarray:  # pragma: no cover
    """Indices where ``|x - dc| > threshold``, looking only into frames whose peak allows it."""
    d = np.float32(dc)
    t = np.float32(threshold)
    bound = threshold - abs(dc)  # |x - dc| <= peak + |dc|
    n = x.shape[0]
    total = 0
    for f in range(peaks.shape[0]):
        if peaks[f] > bound:
            for i in range(f * frame_len, min(n, (f + 1) * frame_len)):
                total += abs(x[i] - d) > t
    out = np.empty(total, dtype=np.int64)
    k = 0
    for f in range(peaks.shape[0]):
        if k < total and peaks[f] > bound:
            for i in range(f * frame_len, min(n, (f + 1) * frame_len)):
                if abs(x[i] - d) > t:
                    out[k] = i
                    k += 1
    return out


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _regions(x: np.ndarray, cand: np.ndarray, dc: float, gain: float, ceiling: float,
             margin: int) -> np.ndarray:  # pragma: no cover
    """[lo, hi) regions (k, 2) around the candidates over the ceiling at ``gain``."""
    d, g, c = np.float32(dc), np.float32(gain), np.float32(ceiling)
    n = x.shape[0]
    out = np.empty((cand.shape[0], 2), dtype=np.int64)
    k = 0
    for i in cand:
        if abs((x[i] - d) * g) > c:
            lo, hi = max(0, i - margin), min(n, i + margin + 1)
            if k and lo <= out[k - 1, 1] + margin:
                out[k - 1, 1] = hi
            else:
                out[k, 0] = lo
                out[k, 1] = hi
                k += 1
    return out[:k]


@numba.njit(fastmath=True, nogil=True, boundscheck=False, cache=True)
def _limited_energies(x: np.ndarray, dc: float, gain: float, ceiling: float, attack: int, release: int,
                      regions: np.ndarray, frame_len: int, w: np.ndarray, e: np.ndarray) -> None:  # pragma: no cover
    """Overwrite ``e`` (K-weighted energy per output frame) for the frames the regions touch."""
    lags = w.shape[0] - 1
    d, g = np.float32(dc), np.float32(gain)
    n = x.shape[0]
    r = 0
    while r < regions.shape[0]:
        # group regions whose frames overlap, so a shared frame sees both limited
        f0 = regions[r, 0] // frame_len
        f1 = min(e.shape[0], (regions[r, 1] + frame_len - 1) // frame_len)
        r_end = r + 1
        while r_end < regions.shape[0] and regions[r_end, 0] // frame_len < f1:
            f1 = min(e.shape[0], (regions[r_end, 1] + frame_len - 1) // frame_len)
            r_end += 1
        s0 = max(0, f0 * frame_len - lags)
        s1 = min(n, f1 * frame_len)
        y = np.empty(s1 - s0, dtype=np.float32)
        for i in range(s0, s1):
            y[i - s0] = (x[i] - d) * g
        for q in range(r, r_end):
            _limit_region(y[regions[q, 0] - s0:regions[q, 1] - s0], ceiling, attack, release)
        for f in range(f0, f1):
            a, b = f * frame_len - s0, min(s1, (f + 1) * frame_len) - s0
            acc = 0.0
            for t in range(lags + 1):
                lo = max(a, t)
                cur = y[lo:b]
                past = y[lo - t:b - t]
                c = np.float32(0.0)
                for i in range(cur.shape[0]):
                    c += cur[i] * past[i]
                acc += w[t] * c
            e[f] = max(acc, 0.0)
        r = r_end


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _count_over(x: np.ndarray, idx: np.ndarray, dc: float, gain: float, ceiling: float) -> int:  # pragma: no cover
    d, g, c = np.float32(dc), np.float32(gain), np.float32(ceiling)
    k = 0
    for i in idx:
        k += abs((x[i] - d) * g) > c
    return k


@numba.njit(nogil=True, boundscheck=False, cache=True)
def normalize(x: np.ndarray, peaks: np.ndarray, energies: np.ndarray, lufs: float, dc: float, rate: int,
              frame_len: int, target_lufs: float, ceiling: float, w: np.ndarray,
              p: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Return float32 ``g * (x - dc)`` at ``target_lufs`` and within ``+-ceiling`` (see module doc).

    ``peaks`` are the per-frame max |x| of ``x`` (frames of ``frame_len`` from ``x[0]``),
    ``energies`` their K-weighted energies, ``w`` the K-weighting lag weights, ``p`` the
    limiter settings (see ``limiter_params``).
    """
    max_gain_db, makeup_db, passes, tolerance = p[0], p[1], int(p[2]), p[3]
    attack, release = max(1, int(p[4] * rate)), max(1, int(p[5] * rate))
    gain_db = min(target_lufs - lufs, max_gain_db)
    top_db = min(gain_db + makeup_db, max_gain_db)
    margin = attack + release + 2
    cand = _candidates(x, peaks, frame_len, dc, ceiling / 10.0 ** (top_db / 20.0))
    regions = np.empty((0, 2), dtype=np.int64)
    if cand.shape[0]:
        per_step, nblocks, block_len = block_layout(rate, frame_len, x.shape[0])
        for step in range(1 + passes):
            g = 10.0 ** (gain_db / 20.0)
            regions = _regions(x, cand, dc, g, ceiling, margin)
            if regions.shape[0] == 0 or step == passes:
                break
            patched = energies * (g * g)
            _limited_energies(x, dc, g, ceiling, attack, release, regions, frame_len, w, patched)
            shortfall = target_lufs - gated_from_energies(patched, per_step, nblocks, block_len)
            if shortfall < tolerance or gain_db >= max_gain_db:
                break
            gain_db = min(gain_db + shortfall, max_gain_db)
            if gain_db > top_db:
                # Rare (a loud click dominated the measurement): widen the candidates.
                top_db = min(gain_db + makeup_db, max_gain_db)
                cand = _candidates(x, peaks, frame_len, dc, ceiling / 10.0 ** (top_db / 20.0))
    gain = 10.0 ** (gain_db / 20.0)
    out = np.empty(x.shape[0], dtype=np.float32)
    overs = _gain_pass(x, gain, dc, ceiling, out)
    for r in range(regions.shape[0]):
        _limit_region(out[regions[r, 0]:regions[r, 1]], ceiling, attack, release)
    if overs != _count_over(x, cand, dc, gain, ceiling):
        # Cannot happen (the candidates cover every sample that can go over); stay safe.
        overs = _gain_pass(x, gain, dc, ceiling, out)
        limit_all(out, ceiling, attack, release, overs)
    return out


def limiter_params(s: Settings) -> np.ndarray:
    """The settings ``normalize`` reads, as an array."""
    return np.array([s.max_gain_db, s.limiter_makeup_db, s.limiter_passes, s.limiter_tolerance_lu,
                     s.limiter_attack_s, s.limiter_release_s])
