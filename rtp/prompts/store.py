"""Prompt audio for the media app: segments and recorded files, encoded once per codec and cached."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from rtp.audio.files import read_wav
from rtp.audio.g711 import alaw_encode, to_pcm16, ulaw_encode

RATE = 8000


class PromptStore:
    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self._segment = lru_cache(maxsize=2048)(self._load_segment)

    def _encode(self, samples: np.ndarray, codec: int) -> bytes:
        pcm = to_pcm16(samples)
        return (ulaw_encode(pcm) if codec == 0 else alaw_encode(pcm)).tobytes()

    def _load_segment(self, key: str, language: str, codec: int) -> bytes:
        path = self.data_dir / "prompts" / language / f"{key}.wav"
        if not path.exists() and language != "fr":
            path = self.data_dir / "prompts" / "fr" / f"{key}.wav"
        if not path.exists():
            return b""  # a missing prompt is silence, never a dead call
        samples, rate = read_wav(path)
        if rate != RATE:
            from scipy.signal import resample_poly
            samples = resample_poly(samples, RATE, rate).astype(np.float32)
        return self._encode(samples, codec)

    def segment(self, key: str, language: str, codec: int) -> bytes:
        return self._segment(key, language, codec)

    def file(self, relative: str, codec: int) -> bytes:
        """A recorded file (greeting, name) relative to $POSTE_DATA; not cached (it may change)."""
        path = (self.data_dir / relative).resolve()
        if self.data_dir.resolve() not in path.parents or not path.exists():
            return b""
        samples, rate = read_wav(path)
        if rate != RATE:
            from scipy.signal import resample_poly
            samples = resample_poly(samples, RATE, rate).astype(np.float32)
        return self._encode(samples, codec)

    def samples(self, samples: np.ndarray, codec: int) -> bytes:
        return self._encode(samples, codec)
