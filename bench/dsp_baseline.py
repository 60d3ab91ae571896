"""The baseline the DSP is measured against: librosa.effects.trim + pyloudnorm.

Same pad, target and ceiling as ``rtp.dsp.process``: trim with librosa's defaults
(2048/512 frames) at top_db=40 (a common choice for speech; the default 60 keeps
line noise), add the pad, measure BS.1770 with pyloudnorm, normalize, and scale the
whole message down if its peak exceeds the ceiling (pyloudnorm's peak normalization).
"""

from __future__ import annotations

import librosa
import numpy as np
import pyloudnorm as pyln

TOP_DB = 40.0


def baseline_process(x: np.ndarray, rate: int, target_lufs: float = -20.0, ceil_dbfs: float = -1.0,
                     pad_s: float = 0.2) -> tuple[np.ndarray, int, int]:
    """librosa trim + pyloudnorm normalization; ``(out, start, end)`` like ``process``."""
    if x.shape[0] == 0 or not np.any(x):
        return np.zeros(0, np.float32), 0, 0
    _, (a, b) = librosa.effects.trim(x, top_db=TOP_DB)
    pad = int(pad_s * rate)
    start, end = max(0, int(a) - pad), min(x.shape[0], int(b) + pad)
    y = x[start:end]
    if y.shape[0] < int(0.4 * rate) + 1:
        return np.zeros(0, np.float32), 0, 0
    lufs = pyln.Meter(rate).integrated_loudness(y)
    if not np.isfinite(lufs):
        return np.zeros(0, np.float32), 0, 0
    out = pyln.normalize.loudness(y, lufs, target_lufs)
    peak = np.max(np.abs(out))
    ceiling = 10 ** (ceil_dbfs / 20)
    if peak > ceiling:
        out = out * (ceiling / peak)
    return out.astype(np.float32), start, end
