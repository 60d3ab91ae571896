"""Loudness gain with the limiter planned ahead: one output pass whatever happens.

The gain is set from the measured loudness.  When it would push samples over the
ceiling, the look-ahead limiter (see ``limiter``) is needed around them, and it takes
away a little energy, so the message would end slightly under the target.  Rather
than writing the output, measuring it and writing it again, the plan works on the
few samples that exceed the ceiling (found in the frames whose peak, known from the
statistics pass, gets there): it limits those regions in small buffers, recomputes
the K-weighted energy of the frames they touch, and raises the gain by the shortfall
until the output is within ``limiter_tolerance_lu`` of the target.  Then one pass writes
``gain * (x - dc)`` and the planned regions are limited in place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .jit import compiled, compiled_fast
from .limiter import _gain_pass, _limit_region, limit_all, merge_regions
from .loudness import block_layout, gated_from_energies
from .settings import Settings


@compiled
def _overs_at(x: np.ndarray, reach: np.ndarray, frame_len: int, dc: float, gain: float,
              ceiling: float) -> np.ndarray:  # pragma: no cover
    """Indices where ``|(x - dc) * gain| > ceiling`` (float32, as the gain pass computes it),
    looking only into frames whose ``reach`` (max |x - dc| per frame) gets near it."""
    d, g, c = np.float32(dc), np.float32(gain), np.float32(ceiling)
    bound = ceiling / gain * (1.0 - 1e-5)  # frames safely under the ceiling are skipped
    n = x.shape[0]
    total = 0
    for f in range(reach.shape[0]):
        if reach[f] > bound:
            for i in range(f * frame_len, min(n, (f + 1) * frame_len)):
                total += abs((x[i] - d) * g) > c
    out = np.empty(total, dtype=np.int64)
    k = 0
    for f in range(reach.shape[0]):
        if k < total and reach[f] > bound:
            for i in range(f * frame_len, min(n, (f + 1) * frame_len)):
                if abs((x[i] - d) * g) > c:
                    out[k] = i
                    k += 1
    return out


@compiled_fast
def _lag_product(v: np.ndarray, a: int, b: int, t: int) -> float:  # pragma: no cover
    """sum v[i] * v[i - t] for i in [max(a, t), b), in float32 as the statistics pass sums."""
    lo = max(a, t)
    # slices keep indices provably non-negative, so LLVM vectorises the product
    cur = v[lo:b]
    past = v[lo - t:b - t]
    c = np.float32(0.0)
    for i in range(cur.shape[0]):
        c += cur[i] * past[i]
    return c


@compiled_fast
def _paired_energies(y: np.ndarray, s0: int, f0: int, f1: int, frame_len: int, w: np.ndarray,
                     e: np.ndarray) -> None:  # pragma: no cover
    """The paired statistics of ``features`` (D lags, E) for frames ``f0..f1-1`` of ``y`` (from ``s0``), weighted."""
    lags = w.shape[0] - 2
    m = (y.shape[0] + 1) // 2
    d = np.empty(m, dtype=np.float32)
    q = np.empty(m, dtype=np.float32)
    for j in range(y.shape[0] // 2):
        d[j] = y[2 * j] + y[2 * j + 1]
        q[j] = y[2 * j] - y[2 * j + 1]
    if m > y.shape[0] // 2:  # a last sample without partner
        d[m - 1] = y[y.shape[0] - 1]
        q[m - 1] = y[y.shape[0] - 1]
    for f in range(f0, f1):
        pa, pb = (f * frame_len - s0) // 2, min(m, ((f + 1) * frame_len - s0 + 1) // 2)
        acc = 0.0
        for t in range(lags + 1):
            acc += w[t] * 0.5 * _lag_product(d, pa, pb, t)
        acc += w[lags + 1] * 0.5 * _lag_product(q, pa, pb, 0)
        e[f] = max(acc, 0.0)


@compiled_fast
def _limited_energies(x: np.ndarray, dc: float, gain: float, ceiling: float, attack: int, release: int,
                      regions: np.ndarray, frame_len: int, w: np.ndarray, e: np.ndarray,
                      rate: int) -> None:  # pragma: no cover
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
        # paired statistics (kweight.layout: from 32 kHz, even frames) reach 2 lags per pair
        paired = rate >= 32000 and frame_len % 2 == 0
        s0 = max(0, f0 * frame_len - (2 * (lags - 1) if paired else lags))
        s1 = min(n, f1 * frame_len)
        y = np.empty(s1 - s0, dtype=np.float32)
        for i in range(s0, s1):
            y[i - s0] = (x[i] - d) * g
        for q in range(r, r_end):
            _limit_region(y[regions[q, 0] - s0:regions[q, 1] - s0], ceiling, attack, release)
        if paired:
            _paired_energies(y, s0, f0, f1, frame_len, w, e)
            r = r_end
            continue
        for f in range(f0, f1):
            a, b = f * frame_len - s0, min(s1, (f + 1) * frame_len) - s0
            acc = 0.0
            for t in range(lags + 1):
                acc += w[t] * _lag_product(y, a, b, t)
            e[f] = max(acc, 0.0)
        r = r_end


@compiled
def plan(x: np.ndarray, reach: np.ndarray, energies: np.ndarray, lufs: float, dc: float, rate: int,
         frame_len: int, target_lufs: float, ceiling: float, w: np.ndarray,
         p: np.ndarray) -> tuple[float, np.ndarray, int]:  # pragma: no cover
    """The gain and the regions to limit for ``x`` at ``target_lufs`` within ``+-ceiling``.

    Returns ``(gain, regions, overs)``: ``regions`` (k, 2) are ``[lo, hi)`` around the
    ``overs`` samples over the ceiling at that gain (see the module doc).  ``reach``
    is the per-frame max |x - dc| (frames of ``frame_len`` from ``x[0]``),
    ``energies`` their K-weighted energies, ``w`` the K-weighting lag weights, ``p``
    the limiter settings (see ``limiter_params``).
    """
    max_gain_db, passes, tolerance = p[0], int(p[1]), p[2]
    attack, release = max(1, int(p[3] * rate)), max(1, int(p[4] * rate))
    margin = attack + release + 2
    n = x.shape[0]
    gain_db = min(target_lufs - lufs, max_gain_db)
    per_step, nblocks, block_len = block_layout(rate, frame_len, n)
    for step in range(1 + passes):
        gain = 10.0 ** (gain_db / 20.0)
        # the samples over the ceiling at this gain, looked for only in frames whose
        # peak (from the statistics pass) gets there
        over = _overs_at(x, reach, frame_len, dc, gain, ceiling)
        regions = merge_regions(over, margin, n)
        if regions.shape[0] == 0 or step == passes:
            break
        patched = energies * (gain * gain)
        _limited_energies(x, dc, gain, ceiling, attack, release, regions, frame_len, w, patched, rate)
        shortfall = target_lufs - gated_from_energies(patched, per_step, nblocks, block_len)
        if shortfall < tolerance or gain_db >= max_gain_db:
            break
        gain_db = min(gain_db + shortfall, max_gain_db)
    return gain, regions, over.shape[0]


@compiled
def write(x: np.ndarray, gain: float, dc: float, ceiling: float, regions: np.ndarray, overs: int, attack: int,
          release: int, out: np.ndarray) -> None:  # pragma: no cover
    """``out[:] = gain * (x - dc)`` (float32, same length as ``x``), limited in the planned regions."""
    found = _gain_pass(x, gain, dc, ceiling, out)
    for r in range(regions.shape[0]):
        _limit_region(out[regions[r, 0]:regions[r, 1]], ceiling, attack, release)
    if found != overs:
        # Cannot happen (frame extremes bound every sample); stay safe all the same.
        found = _gain_pass(x, gain, dc, ceiling, out)
        limit_all(out, ceiling, attack, release, found)


@lru_cache(maxsize=16)
def limiter_params(s: Settings) -> np.ndarray:
    """The settings ``plan`` reads, as a (read-only) array."""
    p = np.array([s.max_gain_db, s.limiter_passes, s.limiter_tolerance_lu,
                  s.limiter_attack_s, s.limiter_release_s])
    p.setflags(write=False)
    return p
