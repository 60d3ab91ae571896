"""MP3 for emails: lameenc output that decoders read back."""

import io
import subprocess

import numpy as np
import soundfile as sf

from rtp.audio.mp3 import encode_mp3
from tests.dsp.tools import require


def _tone(rate, seconds):
    t = np.arange(int(rate * seconds)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_mp3_decodes_with_soundfile():
    data = encode_mp3(_tone(8000, 2.0), 8000)
    assert data[:3] == b"ID3" or data[0] == 0xFF
    y, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert rate == 8000
    # MP3 adds encoder delay and frame padding (576-sample frames at 8 kHz), never removes audio
    assert 0.0 <= y.shape[0] / rate - 2.0 < 0.25
    # it is the same tone: strongest frequency is 440 Hz
    spec = np.abs(np.fft.rfft(y[2000:10000]))
    assert abs(np.argmax(spec) * rate / 8000 - 440) < 5


def test_mp3_decodes_with_ffmpeg():
    ffmpeg = require("ffmpeg")
    data = encode_mp3(_tone(8000, 1.0), 8000)
    run = subprocess.run([ffmpeg, "-v", "error", "-i", "pipe:0", "-f", "s16le", "pipe:1"],
                         input=data, capture_output=True, check=True)
    assert 0.0 <= len(run.stdout) / 2 / 8000 - 1.0 < 0.25
