"""From per-frame statistics to the stored audio: boundaries, loudness, gain.

Shared by ``process`` (one call) and ``Analyser.finish`` (streaming), so that both
return the same result from the same statistics.  Everything after the statistics
is one compiled call (``_render``): on a typical message the decisions take
microseconds, where a chain of numpy calls would cost as much as reading the audio.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numba
import numpy as np

from .detect import _find, band_power, detect_params
from .features import FrameStats, decode_keys
from .kweight import activity_lag_weights, kweighting_lag_weights
from .loudness import _frame_energies, block_layout, gated_from_energies
from .normalize import limiter_params, normalize
from .settings import Settings

Result = tuple[np.ndarray, int, int]


def empty() -> Result:
    """The "no speech" result: nothing to store."""
    return np.zeros(0, dtype=np.float32), 0, 0


@lru_cache(maxsize=64)
def float32_ceiling(ceil_dbfs: float) -> float:
    """Largest float32 value not above 10**(ceil_dbfs/20), so stored samples never exceed it."""
    c = 10.0 ** (ceil_dbfs / 20.0)
    c32 = np.float32(c)
    if float(c32) > c:
        c32 = np.nextafter(c32, np.float32(0.0))
    return float(c32)


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _render(x: np.ndarray, table: np.ndarray, rate: int, frame_len: int, target_lufs: float, ceiling: float,
            pad: int, wa: np.ndarray, wk: np.ndarray, dp: np.ndarray,
            lp: np.ndarray) -> tuple[np.ndarray, int, int]:  # pragma: no cover
    n = x.shape[0]
    nothing = (np.zeros(0, dtype=np.float32), 0, 0)
    power = band_power(table, wa, frame_len, n)
    found0, found1 = _find(x, power, frame_len, rate, dp)
    if found0 < 0:
        return nothing
    first = max(0, found0 - pad)
    last = min(table.shape[0], found1 + pad)
    start, end = first * frame_len, min(n, last * frame_len)
    dc = table[first:last, wk.shape[0]].sum() / (end - start)
    energies = _frame_energies(table, wk, wk.sum(), first, last, dc, frame_len, n)
    per_step, nblocks, block_len = block_layout(rate, frame_len, end - start)
    lufs = gated_from_energies(energies, per_step, nblocks, block_len)
    if not np.isfinite(lufs):
        return nothing
    # how far each frame strays from the DC: a bound on |x - dc| for the limiter
    cols = table.shape[1]
    reach = np.maximum(decode_keys(table[first:last, cols - 2]) - dc, dc - decode_keys(table[first:last, cols - 1]))
    out = normalize(x[start:end], reach, energies, lufs, dc, rate, frame_len, target_lufs, ceiling, wk, lp)
    return out, start, end


def render(x: np.ndarray, stats: FrameStats, rate: int, target_lufs: float, ceil_dbfs: float,
           pad_s: float, s: Settings) -> Result:
    """Trim and normalize ``x`` given its frame statistics."""
    n = x.shape[0]
    if rate <= 0 or n < s.min_input_s * rate or stats.table.shape[0] == 0:
        return empty()
    flen = stats.frame_len
    pad = math.ceil(max(pad_s, 0.0) * rate / flen)
    out, start, end = _render(x, stats.table, rate, flen, float(target_lufs), float32_ceiling(ceil_dbfs), pad,
                              activity_lag_weights(rate), kweighting_lag_weights(rate), detect_params(s),
                              limiter_params(s))
    return out, int(start), int(end)


