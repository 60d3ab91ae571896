"""Uploaded greetings: any common audio file to the stored 8 kHz mono 16-bit WAV.

decode (soundfile, ffmpeg fallback) -> downmix -> resample with soxr -> ``rtp.dsp.process``
(trim and loudness) -> atomic WAV write.  Every check happens before anything is
written, so a broken or unsupported upload raises ``AudioUploadError`` (a French
sentence for the user) and the old greeting stays.
"""

from __future__ import annotations

import os

import numpy as np
import soxr

from rtp.dsp import process

from .decode import DecodeError, decode
from .errors import EMPTY, NO_SPEECH, TOO_LONG, UNREADABLE, AudioUploadError
from .files import write_wav_atomic

GREETING_RATE = 8000
MAX_SECONDS = 600.0
MAX_BYTES = 50 * 2**20


def to_mono_rate(x: np.ndarray, rate: int, target_rate: int = GREETING_RATE) -> np.ndarray:
    """Downmix ``(frames, channels)`` audio and resample it to ``target_rate`` with soxr."""
    mono = x.mean(axis=1, dtype=np.float32) if x.ndim == 2 else np.asarray(x, dtype=np.float32)
    if rate != target_rate and mono.size:
        mono = soxr.resample(mono, rate, target_rate, quality="HQ").astype(np.float32, copy=False)
    return np.ascontiguousarray(mono, dtype=np.float32)


def greeting_from_upload(data: bytes, filename: str | None = None) -> np.ndarray:
    """Decode an upload and return the greeting: float32, 8 kHz mono, trimmed and normalized.

    ``filename`` is only informative (decoders sniff the content).  Raises
    ``AudioUploadError`` with a French message for empty, unreadable, too long or
    speechless uploads.
    """
    if not data:
        raise AudioUploadError(EMPTY)
    if len(data) > MAX_BYTES:
        raise AudioUploadError(TOO_LONG)
    try:
        x, rate = decode(data)
    except DecodeError as exc:
        raise AudioUploadError(UNREADABLE) from exc
    if rate <= 0 or x.size == 0:
        raise AudioUploadError(UNREADABLE)
    if x.shape[0] / rate > MAX_SECONDS:
        raise AudioUploadError(TOO_LONG)
    x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    out, _, _ = process(to_mono_rate(x, rate), GREETING_RATE)
    if out.size == 0:
        raise AudioUploadError(NO_SPEECH)
    return out


def store_greeting(data: bytes, filename: str | None, path: str | os.PathLike[str]) -> np.ndarray:
    """Turn an upload into the greeting stored at ``path`` (atomically); returns its samples.

    On ``AudioUploadError`` nothing is written and the previous file stays.
    """
    greeting = greeting_from_upload(data, filename)
    write_wav_atomic(path, greeting, GREETING_RATE)
    return greeting
