"""Audio for the portal's tests: speech-like WAV bytes (as a browser or an upload would send)."""
from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from tests.dsp.signals import band_noise, voiced


def speechlike_wav(rate: int = 16000, seconds: float = 2.0, silence: float = 1.0) -> bytes:
    """``silence`` s of faint noise, ``seconds`` s of voiced sound, the same noise: the trimmer
    keeps about ``seconds`` s and the loudness step brings it to the target."""
    x = np.concatenate([band_noise(rate, int(rate * silence), -55.0), voiced(rate, seconds, -30.0),
                        band_noise(rate, int(rate * silence), -55.0, 2)])
    buf = io.BytesIO()
    sf.write(buf, x, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()
