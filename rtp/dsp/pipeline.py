"""From per-frame statistics to the stored audio: boundaries, loudness, gain.

Shared by ``process`` (one call) and ``Analyser.finish`` (streaming), so that both
return the same result from the same statistics.
"""

from __future__ import annotations

import math

import numpy as np

from .detect import find_speech
from .features import FrameStats
from .limiter import apply_gain
from .loudness import loudness_from_frames
from .settings import Settings

Result = tuple[np.ndarray, int, int]


def empty() -> Result:
    """The "no speech" result: nothing to store."""
    return np.zeros(0, dtype=np.float32), 0, 0


def float32_ceiling(ceil_dbfs: float) -> float:
    """Largest float32 value not above 10**(ceil_dbfs/20), so stored samples never exceed it."""
    c = 10.0 ** (ceil_dbfs / 20.0)
    c32 = np.float32(c)
    if float(c32) > c:
        c32 = np.nextafter(c32, np.float32(0.0))
    return float(c32)


def render(x: np.ndarray, stats: FrameStats, rate: int, target_lufs: float, ceil_dbfs: float,
           pad_s: float, s: Settings) -> Result:
    """Trim and normalize ``x`` given its frame statistics."""
    n = x.shape[0]
    if n < s.min_input_s * rate or rate <= 0:
        return empty()
    found = find_speech(x, stats, rate, s)
    if found is None:
        return empty()
    flen = stats.frame_len
    pad = math.ceil(max(pad_s, 0.0) * rate / flen)
    first = max(0, found[0] - pad)
    last = min(stats.table.shape[0], found[1] + pad)
    start, end = first * flen, min(n, last * flen)
    dc = float(stats.sums[first:last].sum() / (end - start))
    lufs = loudness_from_frames(stats, rate, first, last, end - start, dc)
    if not math.isfinite(lufs):
        return empty()
    gain = 10.0 ** (min(target_lufs - lufs, s.max_gain_db) / 20.0)
    out = apply_gain(x[start:end], gain, dc, float32_ceiling(ceil_dbfs), rate,
                     s.limiter_attack_s, s.limiter_release_s)
    return out, start, end
