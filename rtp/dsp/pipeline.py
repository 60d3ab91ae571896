"""From per-frame statistics to the stored audio: boundaries, loudness, gain.

Shared by ``process`` (one call) and ``Analyser.finish`` (streaming), so that both
return the same result from the same statistics.  ``finish`` is one compiled call:
the decisions (``_decide``, microseconds on a typical message, where a chain of numpy
calls would cost as much as reading the audio), then one pass writing the output
(``normalize.write``: gain, DC removal and the planned limiter regions) into a buffer
numpy allocated (``output_buffer``: see there why numpy's).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .detect import _find, detect_params, frame_levels
from .features import FrameStats, extreme_bits
from .jit import compiled
from .kweight import activity_lag_weights, dc_gain, kweighting_lag_weights
from .loudness import block_layout, gated_from_energies, remove_dc
from .normalize import limiter_params, plan, write
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


@compiled
def _decide(x: np.ndarray, table: np.ndarray, rate: int, frame_len: int, target_lufs: float, ceiling: float,
            pad: int, wa: np.ndarray, wk: np.ndarray, dp: np.ndarray,
            lp: np.ndarray, wk0: float) -> tuple[int, int, float, float, np.ndarray, int]:  # pragma: no cover
    """``(start, end, gain, dc, regions, overs)`` of the output; ``start < 0`` when nothing is kept."""
    n = x.shape[0]
    nothing = (-1, -1, 0.0, 0.0, np.zeros((0, 2), dtype=np.int64), 0)
    power, smooth, live, kraw = frame_levels(table, wa, wk, frame_len, n)
    found0, found1 = _find(x, power, smooth, live, frame_len, rate, dp)
    if found0 < 0:
        return nothing
    first = max(0, found0 - pad)
    last = min(table.shape[0], found1 + pad)
    start, end = first * frame_len, min(n, last * frame_len)
    sums = wk.shape[0]  # the sum column, then the extremes' (see ``features.kernel``)
    dc = table[first:last, sums].sum() / (end - start)
    energies = remove_dc(kraw, table, sums, wk0, first, last, dc, frame_len, n)
    per_step, nblocks, block_len = block_layout(rate, frame_len, end - start)
    lufs = gated_from_energies(energies, per_step, nblocks, block_len)
    if not np.isfinite(lufs):
        return nothing
    # how far each frame strays from the DC: a bound on |x - dc| for the limiter
    reach = np.empty(last - first)
    bits = np.empty(2, dtype=np.int32)
    value = bits.view(np.float32)  # the extremes' bits read as floats
    for f in range(first, last):
        bits[0], bits[1] = extreme_bits(table[f, sums + 1], table[f, sums + 2], table[f, sums + 3])
        reach[f - first] = max(np.float64(value[0]) - dc, dc - np.float64(value[1]))
    gain, regions, overs = plan(x[start:end], reach, energies, lufs, dc, rate, frame_len, target_lufs, ceiling,
                                wk, lp)
    return start, end, gain, dc, regions, overs


_last_params: tuple = (None, 0, ())


def _params(s: Settings, rate: int) -> tuple:
    """(activity weights, K weights, detection params, limiter params, attack, release) for ``s`` at ``rate``.

    The last one is kept: hashing the Settings for the lru_caches costs more per call
    than the rest of the Python around the kernels.
    """
    global _last_params
    last = _last_params
    if last[0] is s and last[1] == rate:
        return last[2]
    lp = limiter_params(s)
    wk = kweighting_lag_weights(rate)
    got = (activity_lag_weights(rate), wk, detect_params(s), lp,
           max(1, int(lp[3] * rate)), max(1, int(lp[4] * rate)), dc_gain(wk, rate))
    _last_params = (s, rate, got)
    return got


@compiled
def finish(x: np.ndarray, table: np.ndarray, rate: int, frame_len: int, target_lufs: float, ceiling: float,
           pad: int, wa: np.ndarray, wk: np.ndarray, dp: np.ndarray, lp: np.ndarray, wk0: float, attack: int,
           release: int, out: np.ndarray) -> tuple[int, int]:  # pragma: no cover
    """Decide and write: ``out[:end - start]`` gets the output, ``(start, end)`` returned (equal if nothing)."""
    start, end, gain, dc, regions, overs = _decide(x, table, rate, frame_len, target_lufs, ceiling, pad, wa, wk,
                                                   dp, lp, wk0)
    if start < 0:
        return 0, 0
    write(x[start:end], gain, dc, ceiling, regions, overs, attack, release, out[:end - start])
    return start, end


def output_buffer(n: int) -> np.ndarray:
    """Room for the longest possible output of ``n`` input samples.

    numpy's allocator, not numba's: it asks the kernel for huge pages, and numba's
    page faults doubled the cost of writing a 30-minute output.  Pages past what gets
    written are never touched, so a large trimmed part costs address space only.
    """
    return np.empty(n, dtype=np.float32)


def trimmed(out: np.ndarray, start: int, end: int) -> Result:
    """The result from ``output_buffer`` ``out`` holding ``end - start`` samples.

    A view when it fills most of the buffer; a copy when most was trimmed, so the
    caller does not keep a mostly unused buffer alive.
    """
    m = end - start
    if m <= 0:
        return empty()
    return (out[:m] if 2 * m >= out.shape[0] else out[:m].copy()), start, end


def settings_for(s: Settings, rate: int, frame_len: int, target_lufs: float, ceil_dbfs: float,
                 pad_s: float) -> tuple:
    """The arguments of ``finish`` after ``table``, up to ``out``, for these settings."""
    pad = math.ceil(max(pad_s, 0.0) * rate / frame_len)
    wa, wk, dp, lp, attack, release, wk0 = _params(s, rate)
    return (rate, frame_len, float(target_lufs), float32_ceiling(ceil_dbfs), pad, wa, wk, dp, lp, wk0, attack,
            release)


def render(x: np.ndarray, stats: FrameStats, rate: int, target_lufs: float, ceil_dbfs: float,
           pad_s: float, s: Settings) -> Result:
    """Trim and normalize ``x`` given its frame statistics."""
    n = x.shape[0]
    if rate <= 0 or n < s.min_input_s * rate or stats.table.shape[0] == 0:
        return empty()
    out = output_buffer(n)
    start, end = finish(x, stats.table, *settings_for(s, rate, stats.frame_len, target_lufs, ceil_dbfs, pad_s),
                        out)
    return trimmed(out, start, end)
