"""BS.1770-4 loudness: known values, pyloudnorm agreement, the fast frame-based path."""

import numpy as np
import pyloudnorm as pyln
import pytest

from rtp.dsp import integrated_loudness
from rtp.dsp.features import analyse
from rtp.dsp.kweight import lag_count
from rtp.dsp.loudness import loudness_from_frames

from .signals import band_noise, quantize, voiced


def _fast(x, rate):
    stats = analyse(x, rate, lag_count(rate))
    return loudness_from_frames(stats, rate, 0, stats.table.shape[0], x.shape[0], float(x.mean()))


def test_full_scale_1khz_sine_reads_minus_3_lufs():
    # BS.1770-4: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
    rate = 48000
    t = np.arange(5 * rate) / rate
    x = np.sin(2 * np.pi * 997 * t)
    # pyloudnorm's RBJ filters read 0.04 LU under the ITU table; we follow pyloudnorm
    assert integrated_loudness(x, rate) == pytest.approx(-3.01, abs=0.05)
    assert integrated_loudness(x * 0.1, rate) == pytest.approx(-23.01, abs=0.05)
    # the lag fit is 0.25 dB high at 1 kHz at 48 kHz (its coarsest), and averages out on speech
    assert _fast(x.astype(np.float32) * np.float32(0.1), rate) == pytest.approx(-23.01, abs=0.3)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_matches_pyloudnorm(rate):
    x = quantize(np.concatenate([band_noise(rate, 2 * rate, -45.0), voiced(rate, 4.0, -9.0),
                                 band_noise(rate, rate, -50.0, seed=3)]))
    expected = pyln.Meter(rate).integrated_loudness(x.astype(np.float64))
    assert integrated_loudness(x, rate) == pytest.approx(expected, abs=0.01)
    assert _fast(x, rate) == pytest.approx(expected, abs=0.25)


def test_gating_ignores_quiet_parts():
    rate = 8000
    loud = voiced(rate, 3.0, -10.0)
    alone = integrated_loudness(loud, rate)
    with_quiet = np.concatenate([loud, band_noise(rate, 6 * rate, -60.0)])
    # The quiet blocks fall under the relative gate (-10 LU): same loudness.
    assert integrated_loudness(with_quiet, rate) == pytest.approx(alone, abs=0.3)  # ungated: -4.8 LU
    assert integrated_loudness(np.zeros(rate), rate) == float("-inf")


def test_dc_offset_does_not_count():
    rate = 8000
    x = voiced(rate, 3.0, -12.0).astype(np.float32)
    assert _fast(x + np.float32(0.2), rate) == pytest.approx(_fast(x, rate), abs=0.05)
