"""G.711 tables: reference points, round trips, agreement with the stdlib where it exists."""

import hashlib
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


# SHA-256 of CPython's audioop output (3.11) over every int16 input and every code:
# the check runs on every Python, also 3.13+ where the stdlib dropped audioop.
AUDIOOP_SHA256 = {
    "lin2ulaw": "81d633c9e6972a18c74a58720b96cb8ca0bdd096d4060b646dd708c3b846019a",
    "lin2alaw": "38488f6fd710f4686360edc4d38639f96c491595ef93f8eb8d62d5e07ca6ce7b",
    "ulaw2lin": "3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827",
    "alaw2lin": "e04788d110e58ff8c70c93b8480190d973e3b67876b6119abbaec766cc75c174",
}


def test_agrees_with_stdlib_audioop():
    codes = np.arange(256, dtype=np.uint8).tobytes()
    ours = {"lin2ulaw": g711.ulaw_encode(PCM).tobytes(), "lin2alaw": g711.alaw_encode(PCM).tobytes(),
            "ulaw2lin": g711.ulaw_decode(codes).tobytes(), "alaw2lin": g711.alaw_decode(codes).tobytes()}
    assert {k: hashlib.sha256(v).hexdigest() for k, v in ours.items()} == AUDIOOP_SHA256
    if importlib.util.find_spec("audioop") is not None:  # and directly where it exists
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import audioop
        raw = PCM.tobytes()
        assert ours["lin2ulaw"] == audioop.lin2ulaw(raw, 2)
        assert ours["lin2alaw"] == audioop.lin2alaw(raw, 2)
        assert ours["ulaw2lin"] == audioop.ulaw2lin(codes, 2)
        assert ours["alaw2lin"] == audioop.alaw2lin(codes, 2)


def test_float_roundtrip():
    x = np.linspace(-0.9, 0.9, 1001).astype(np.float32)
    y = g711.ulaw_roundtrip(x)
    assert y.dtype == np.float32 and np.max(np.abs(y - x)) < 0.9 / 16
