"""G.711 mu-law and A-law by table lookup (ITU-T G.711, as in sox and Asterisk).

Decoding is a 256-entry table; encoding is a 65536-entry table indexed by the 16-bit
sample, built once from the reference segment algorithm.  Both are one numpy ``take``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

_BIAS = 0x84


def _ulaw_encode_reference(pcm: np.ndarray) -> np.ndarray:
    # The 14-bit formulation of the ITU reference (and of CPython's audioop).
    s = pcm.astype(np.int32) >> 2
    mask = np.where(s < 0, 0x7F, 0xFF)
    mag = np.minimum(np.where(s < 0, -s, s), 8159) + 0x21
    segment = np.searchsorted(np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), mag)
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((mag >> (segment + 1)) & 0x0F))
    return (code ^ mask).astype(np.uint8)


def _ulaw_decode_reference(code: np.ndarray) -> np.ndarray:
    u = ~code.astype(np.int32) & 0xFF
    sign, exponent, mantissa = u & 0x80, (u >> 4) & 0x07, u & 0x0F
    mag = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -mag, mag).astype(np.int16)


def _alaw_encode_reference(pcm: np.ndarray) -> np.ndarray:
    s = pcm.astype(np.int32) >> 3  # A-law works on 13-bit magnitudes
    sign = np.where(s >= 0, 0x80, 0)
    mag = np.where(s >= 0, s, -s - 1)
    mag = np.minimum(mag, 0xFFF)
    exponent = np.where(mag < 32, 0, np.floor(np.log2(np.maximum(mag, 1))).astype(np.int32) - 4)
    mantissa = np.where(exponent == 0, mag >> 1, mag >> exponent) & 0x0F
    return ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)


def _alaw_decode_reference(code: np.ndarray) -> np.ndarray:
    a = code.astype(np.int32) ^ 0x55
    sign, exponent, mantissa = a & 0x80, (a >> 4) & 0x07, a & 0x0F
    mag = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1))
    return np.where(sign != 0, mag, -mag).astype(np.int16)


@cache
def _tables() -> dict[str, np.ndarray]:
    pcm = np.arange(-32768, 32768, dtype=np.int32)
    codes = np.arange(256, dtype=np.uint8)
    tables = {
        "ulaw_enc": _ulaw_encode_reference(pcm), "ulaw_dec": _ulaw_decode_reference(codes),
        "alaw_enc": _alaw_encode_reference(pcm), "alaw_dec": _alaw_decode_reference(codes),
    }
    for t in tables.values():
        t.setflags(write=False)
    return tables


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """float samples in [-1, 1) to int16 (x * 32768, rounded and saturated)."""
    return np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def ulaw_encode(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM to mu-law bytes (uint8)."""
    return _tables()["ulaw_enc"].take(np.asarray(pcm, dtype=np.int32) + 32768)


def ulaw_decode(code: np.ndarray | bytes) -> np.ndarray:
    """mu-law bytes to int16 PCM."""
    return _tables()["ulaw_dec"].take(np.frombuffer(code, dtype=np.uint8) if isinstance(code, bytes)
                                      else np.asarray(code, dtype=np.uint8))


def alaw_encode(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM to A-law bytes (uint8)."""
    return _tables()["alaw_enc"].take(np.asarray(pcm, dtype=np.int32) + 32768)


def alaw_decode(code: np.ndarray | bytes) -> np.ndarray:
    """A-law bytes to int16 PCM."""
    return _tables()["alaw_dec"].take(np.frombuffer(code, dtype=np.uint8) if isinstance(code, bytes)
                                      else np.asarray(code, dtype=np.uint8))


def ulaw_roundtrip(samples: np.ndarray) -> np.ndarray:
    """float32 samples through mu-law and back (what a PCMU call leg does to them)."""
    return ulaw_decode(ulaw_encode(to_pcm16(samples))).astype(np.float32) / np.float32(32768.0)
