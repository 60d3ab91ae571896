"""Stored audio files: 16-bit PCM WAV through soundfile, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .g711 import to_pcm16


def write_wav_atomic(path: str | os.PathLike[str], samples: np.ndarray, rate: int) -> None:
    """Write float ``samples`` in [-1, 1) as a mono 16-bit WAV at ``path``, atomically.

    The file is written to a temporary name in the same folder, synced, then renamed
    over ``path``: a reader sees the old file or the new one, never half of one, and a
    failure leaves the old file untouched.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            sf.write(f, to_pcm16(samples), int(rate), subtype="PCM_16", format="WAV")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a WAV (or any libsndfile format) as mono float32 in [-1, 1) and its rate."""
    data, rate = sf.read(os.fspath(path), dtype="float32", always_2d=True)
    return data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0].copy(), int(rate)
