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
from .loudness import frame_kweighted_energy, loudness_from_energies, patch_energies
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
    energies = frame_kweighted_energy(stats, rate, first, last, dc)
    lufs = loudness_from_energies(energies, rate, flen, end - start)
    if not math.isfinite(lufs):
        return empty()
    ceiling = float32_ceiling(ceil_dbfs)
    gain_db = min(target_lufs - lufs, s.max_gain_db)
    for _ in range(1 + s.limiter_passes):
        out, regions = apply_gain(x[start:end], 10.0 ** (gain_db / 20.0), dc, ceiling, rate,
                                  s.limiter_attack_s, s.limiter_release_s)
        if not regions:
            break
        # The limiter removed some energy: measure the output again (only the frames
        # it touched changed) and make up for it, so that a few peaks do not leave
        # the whole message under the target.
        patched = energies * 10.0 ** (gain_db / 10.0)
        patch_energies(patched, out, rate, flen, regions)
        shortfall = target_lufs - loudness_from_energies(patched, rate, flen, end - start)
        if shortfall < s.limiter_tolerance_lu or gain_db >= s.max_gain_db:
            break
        gain_db = min(gain_db + shortfall, s.max_gain_db)
    return out, start, end
