"""WAV files are written atomically and read back."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rtp.audio import files


def test_round_trip_16bit(tmp_path: Path):
    x = (0.5 * np.sin(np.arange(8000) / 5.0)).astype(np.float32)
    path = tmp_path / "greeting.wav"
    files.write_wav_atomic(path, x, 8000)
    info = sf.info(str(path))
    assert (info.samplerate, info.channels, info.subtype, info.format) == (8000, 1, "PCM_16", "WAV")
    y, rate = files.read_wav(path)
    assert rate == 8000 and y.dtype == np.float32
    assert np.max(np.abs(y - x)) <= 1 / 32768
    assert [p.name for p in tmp_path.iterdir()] == ["greeting.wav"]


def test_failure_leaves_old_file_and_no_temporary(tmp_path: Path, monkeypatch):
    path = tmp_path / "greeting.wav"
    path.write_bytes(b"old greeting")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(files.sf, "write", broken)
    with pytest.raises(OSError):
        files.write_wav_atomic(path, np.zeros(10, np.float32), 8000)
    assert path.read_bytes() == b"old greeting"
    assert [p.name for p in tmp_path.iterdir()] == ["greeting.wav"]


def test_stereo_file_reads_as_mono(tmp_path: Path):
    path = tmp_path / "s.wav"
    sf.write(str(path), np.stack([np.full(100, 0.5), np.full(100, -0.25)], axis=1), 16000, subtype="PCM_16")
    y, rate = files.read_wav(path)
    assert rate == 16000 and y.shape == (100,) and np.allclose(y, 0.125, atol=1e-4)
