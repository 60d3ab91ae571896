"""``process``: trim silence and normalize loudness of a whole recording in one call."""

from __future__ import annotations

import numpy as np

from .features import analyse
from .kweight import lag_count
from .pipeline import Result, empty, render
from .settings import DEFAULT, Settings


def as_samples(samples: np.ndarray) -> np.ndarray:
    """View ``samples`` as contiguous 1-D float32, copying only when needed; NaN/inf become 0."""
    x = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    return x


def process(samples: np.ndarray, sample_rate: int, target_lufs: float = -20.0,
            ceil_dbfs: float = -1.0, pad_s: float = 0.2,
            settings: Settings = DEFAULT) -> Result:
    """Trim leading/trailing silence and normalize loudness.

    ``samples``: 1-D float32 in [-1, 1) (int16 / 32768), not modified.  Returns
    ``(out, start, end)``: ``out`` is the float32 trimmed, normalized audio with
    ``|out| <= 10 ** (ceil_dbfs / 20)`` and integrated loudness ``target_lufs``
    (BS.1770-4), covering input samples ``[start, end)``; it keeps ``pad_s`` before
    the first and after the last speech.  No speech gives an empty ``out`` and
    ``start == end == 0``: the caller then stores nothing.
    """
    x = as_samples(samples)
    if x.shape[0] == 0:
        return empty()
    stats = analyse(x, int(sample_rate), lag_count(sample_rate))
    if not np.isfinite(stats.sums).all():
        # Corrupt input: treat non-finite samples as silence rather than spreading NaN.
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        stats = analyse(x, int(sample_rate), lag_count(sample_rate))
    return render(x, stats, int(sample_rate), target_lufs, ceil_dbfs, pad_s, settings)
