"""G.711 tables: reference points, round trips, agreement with the stdlib where it exists."""

import importlib.util
import warnings

import numpy as np
import pytest

from rtp.audio import g711

PCM = np.arange(-32768, 32768, dtype=np.int16)


def test_reference_points():
    assert g711.ulaw_encode(np.array([0]))[0] == 0xFF
    assert g711.alaw_encode(np.array([0]))[0] == 0xD5
    assert g711.ulaw_decode(bytes([0x00]))[0] == -32124
    assert g711.alaw_decode(bytes([0x55]))[0] == -8


@pytest.mark.parametrize("enc,dec", [(g711.ulaw_encode, g711.ulaw_decode), (g711.alaw_encode, g711.alaw_decode)])
def test_codes_round_trip_and_error_is_logarithmic(enc, dec):
    codes = np.arange(256, dtype=np.uint8)
    again = enc(dec(codes))
    # every code but the duplicate zero of mu-law decodes and encodes back to itself
    assert np.count_nonzero(again != codes) <= 1
    err = np.abs(dec(enc(PCM)).astype(np.int64) - PCM)
    assert np.all(err <= np.maximum(16, np.abs(PCM.astype(np.int64)) // 16))


@pytest.mark.skipif(importlib.util.find_spec("audioop") is None, reason="stdlib audioop removed (3.13+)")
def test_agrees_with_stdlib_audioop():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    raw = PCM.tobytes()
    assert g711.ulaw_encode(PCM).tobytes() == audioop.lin2ulaw(raw, 2)
    assert g711.alaw_encode(PCM).tobytes() == audioop.lin2alaw(raw, 2)
    codes = bytes(range(256))
    assert g711.ulaw_decode(codes).tobytes() == audioop.ulaw2lin(codes, 2)
    assert g711.alaw_decode(codes).tobytes() == audioop.alaw2lin(codes, 2)


def test_float_roundtrip():
    x = np.linspace(-0.9, 0.9, 1001).astype(np.float32)
    y = g711.ulaw_roundtrip(x)
    assert y.dtype == np.float32 and np.max(np.abs(y - x)) < 0.9 / 16
