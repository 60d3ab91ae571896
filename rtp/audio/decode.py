"""Decode an uploaded audio file of any common format to float32 samples.

libsndfile (through soundfile) reads WAV, FLAC, OGG/Vorbis, Opus and MP3 in memory;
anything else (M4A/AAC, WebM, ...) goes through Debian's ffmpeg, when installed, into
a temporary WAV that soundfile then reads.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

FFMPEG_TIMEOUT_S = 60


class DecodeError(Exception):
    """The data is not audio that any decoder here can read."""


def _soundfile(data: bytes) -> tuple[np.ndarray, int]:
    x, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return x, int(rate)


def _ffmpeg(data: bytes) -> tuple[np.ndarray, int]:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise DecodeError("ffmpeg is not installed")
    with tempfile.TemporaryDirectory(prefix="poste-upload-") as tmp:
        src, dst = Path(tmp) / "in", Path(tmp) / "out.wav"
        src.write_bytes(data)  # a file, not a pipe: M4A needs a seekable input
        run = subprocess.run([exe, "-nostdin", "-v", "error", "-i", str(src), "-vn", "-f", "wav",
                              "-c:a", "pcm_f32le", str(dst)],
                             capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False)
        if run.returncode != 0 or not dst.exists():
            raise DecodeError(run.stderr.decode(errors="replace")[-300:])
        x, rate = sf.read(str(dst), dtype="float32", always_2d=True)
        return x, int(rate)


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode ``data`` to ``(samples (frames, channels) float32, rate)``; raises DecodeError."""
    try:
        return _soundfile(data)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        pass
    try:
        return _ffmpeg(data)
    except (OSError, subprocess.SubprocessError, sf.LibsndfileError, RuntimeError) as exc:
        raise DecodeError(str(exc)) from exc
