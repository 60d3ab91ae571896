"""Uploaded greetings: any format and rate to 8 kHz mono; broken uploads keep the old greeting."""

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rtp.audio import AudioUploadError
from rtp.audio.files import read_wav
from rtp.audio.mp3 import encode_mp3
from rtp.audio.upload import greeting_from_upload, store_greeting
from tests.dsp.signals import band_noise, voiced
from tests.dsp.tools import require

CEILING = 10 ** (-1 / 20)


def _speechlike(rate, channels=1):
    x = np.concatenate([band_noise(rate, rate, -55.0), voiced(rate, 2.0, -10.0), band_noise(rate, rate, -55.0, 2)])
    if channels == 2:
        x = np.stack([x, 0.8 * x], axis=1)
    return x


def _encode(x, rate, fmt, subtype=None):
    buf = io.BytesIO()
    sf.write(buf, x, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def _check_greeting(g):
    assert g.dtype == np.float32 and g.ndim == 1
    # 2 s of sound + 2 x 0.2 s pad (+ the trimmer's 0.1 s hangover), at 8 kHz
    assert 2.4 <= g.shape[0] / 8000 <= 2.6
    assert np.max(np.abs(g)) <= CEILING


@pytest.mark.parametrize("fmt,subtype", [("FLAC", None), ("OGG", "VORBIS"), ("OGG", "OPUS"), ("WAV", "PCM_24")])
def test_44k_stereo_upload_becomes_8k_mono(fmt, subtype):
    rate = 48000 if subtype == "OPUS" else 44100
    data = _encode(_speechlike(rate, channels=2), rate, fmt, subtype)
    _check_greeting(greeting_from_upload(data, f"greeting.{fmt.lower()}"))


def test_mp3_upload():
    _check_greeting(greeting_from_upload(encode_mp3(_speechlike(16000), 16000, 64), "hello.mp3"))


def test_m4a_upload_through_ffmpeg(tmp_path: Path):
    ffmpeg = require("ffmpeg")  # also what greeting_from_upload decodes m4a with
    wav = tmp_path / "in.wav"
    sf.write(str(wav), _speechlike(44100, 2), 44100)
    m4a = tmp_path / "out.m4a"
    subprocess.run([ffmpeg, "-v", "error", "-i", str(wav), "-c:a", "aac", "-b:a", "96k", str(m4a)], check=True)
    _check_greeting(greeting_from_upload(m4a.read_bytes(), "voice.m4a"))


@pytest.mark.parametrize("data", [b"", b"not audio at all" * 100, b"RIFF\x00\x00\x00\x00WAVEfmt garbage"])
def test_broken_upload_raises_french_error_and_keeps_old_greeting(tmp_path: Path, data):
    path = tmp_path / "greeting.wav"
    old = _encode(np.zeros(800), 8000, "WAV", "PCM_16")
    path.write_bytes(old)
    with pytest.raises(AudioUploadError) as err:
        store_greeting(data, "x.wav", path)
    msg = str(err.value)
    assert msg.endswith(".") and ("fichier" in msg or "vide" in msg)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["greeting.wav"]


def test_silent_upload_says_no_speech(tmp_path: Path):
    path = tmp_path / "greeting.wav"
    with pytest.raises(AudioUploadError, match="aucune parole"):
        store_greeting(_encode(np.zeros(16000), 16000, "WAV", "PCM_16"), "silence.wav", path)
    assert not path.exists()


def test_store_greeting_writes_8k_mono_16bit(tmp_path: Path):
    path = tmp_path / "greeting.wav"
    path.write_bytes(b"old")
    g = store_greeting(_encode(_speechlike(22050), 22050, "WAV", "PCM_16"), "g.wav", path)
    info = sf.info(str(path))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    y, _ = read_wav(path)
    assert np.max(np.abs(y - g)) <= 1 / 32768
