"""Synthetic test signals with known answers (positions in samples, levels in dBFS)."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt


def voiced(rate: int, seconds: float, peak_dbfs: float = -12.0, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """A vowel-like harmonic sound (pitch with vibrato, syllabic envelope), peak at ``peak_dbfs``."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.05 * np.sin(2 * np.pi * 5 * t))) / rate
    x = sum(np.sin(k * phase + rng.uniform(0, 6.28)) / k for k in range(1, 20) if k * f0 < 0.45 * rate)
    # syllables: never fully silent (fully voiced), 4 per second
    x = x * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t - np.pi / 2) ** 2)
    ramp = min(n // 2, int(0.01 * rate))
    if ramp:
        x[:ramp] *= np.linspace(0, 1, ramp)
        x[n - ramp:] *= np.linspace(1, 0, ramp)
    return x * (10 ** (peak_dbfs / 20) / np.max(np.abs(x)))


def band_noise(rate: int, n: int, rms_dbfs: float, seed: int = 1) -> np.ndarray:
    """Telephone-band Gaussian noise at ``rms_dbfs``."""
    sos = butter(4, [300.0, min(3400.0, 0.45 * rate)], btype="bandpass", fs=rate, output="sos")
    x = sosfilt(sos, np.random.default_rng(seed).standard_normal(n))
    return x * 10 ** (rms_dbfs / 20) / np.sqrt(np.mean(x * x))


def hum(rate: int, n: int, rms_dbfs: float) -> np.ndarray:
    """50 Hz mains hum with odd harmonics."""
    t = np.arange(n) / rate
    x = np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t) + 0.3 * np.sin(2 * np.pi * 250 * t)
    return x * 10 ** (rms_dbfs / 20) / np.sqrt(np.mean(x * x))


def burst_in_noise(rate: int, lead_s: float, burst_s: float, trail_s: float, peak_dbfs: float = -12.0,
                   noise_dbfs: float = -50.0) -> tuple[np.ndarray, int, int]:
    """A voiced burst at a known position in noise: ``(float32 samples, burst start, burst end)``."""
    burst = voiced(rate, burst_s, peak_dbfs)
    a = int(lead_s * rate)
    n = a + burst.shape[0] + int(trail_s * rate)
    x = band_noise(rate, n, noise_dbfs)
    x[a:a + burst.shape[0]] += burst
    return quantize(x), a, a + burst.shape[0]


def quantize(x: np.ndarray) -> np.ndarray:
    """float32 on the int16 grid, as recordings are."""
    return (np.clip(np.round(x * 32768), -32768, 32767) / 32768).astype(np.float32)
