"""``process``: trim silence and normalize loudness of a whole recording in one call.

Statistics, decisions and output are one compiled call (``kernels.process_entry``):
every call from Python into numba costs ~1.5 us warm but 8-13 us when the
interpreter's and numba's dispatch structures have been evicted from the caches by
other work, which is how recordings arrive (one at a time, between calls and uploads).
"""

from __future__ import annotations

import numpy as np

from .features import analyse, frame_length
from .jit import activate
from .kernels import process_entry
from .kweight import lag_count, layout
from .pipeline import Result, empty, output_buffer, render, settings_for, trimmed
from .settings import DEFAULT, Settings


def as_samples(samples: np.ndarray) -> np.ndarray:
    """View ``samples`` as contiguous 1-D float32, copying only when needed.

    Integer PCM is refused rather than guessed at (divide int16 by 32768 first), and so
    is more than one channel (downmix first): both would silently give wrong levels.
    """
    if type(samples) is np.ndarray and samples.dtype == np.float32 and samples.ndim == 1 \
            and samples.flags.c_contiguous:
        return samples  # the usual case: no copy, no conversion (and never written to)
    a = np.asarray(samples)
    if a.dtype.kind not in "fc" and a.size:
        raise TypeError(f"samples must be float in [-1, 1) (int16 / 32768), not {a.dtype}")
    if a.ndim > 1 and a.size != a.shape[0]:
        raise ValueError(f"samples must be mono (1-D), not shaped {a.shape}")
    return np.ascontiguousarray(a.real if a.dtype.kind == "c" else a, dtype=np.float32).reshape(-1)


def _rate(sample_rate: float) -> int:
    rate = int(sample_rate)
    if rate != sample_rate or rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, not {sample_rate!r}")
    return rate


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
    activate()
    x = as_samples(samples)
    rate = _rate(sample_rate)
    n = x.shape[0]
    if n == 0 or n < settings.min_input_s * rate:
        return empty()
    flen = frame_length(rate)
    out = output_buffer(n)
    entry = process_entry(*layout(rate))
    start, end = entry(x, *settings_for(settings, rate, flen, target_lufs, ceil_dbfs, pad_s), out)
    if start < 0:
        # Corrupt input: treat non-finite samples as silence rather than spreading NaN.
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        return render(x, analyse(x, rate, lag_count(rate)), rate, target_lufs, ceil_dbfs, pad_s, settings)
    return trimmed(out, start, end)
