"""The paired statistics used from 32 kHz (``kweight.layout``): definition, streaming, limiter."""

import numpy as np
import pyloudnorm as pyln
import pytest

from rtp.dsp import Analyser, integrated_loudness, process
from rtp.dsp.features import analyse, frame_length
from rtp.dsp.kweight import kweighting_lag_weights, layout
from rtp.dsp.normalize import _limited_energies

from .signals import band_noise, quantize, voiced


def _reference(x: np.ndarray, rate: int) -> np.ndarray:
    """D(0..lags), E per frame from the definition (float64), pairs aligned to x[0]."""
    lags, paired = layout(rate)
    assert paired
    flen = frame_length(rate)
    y = np.concatenate([x.astype(np.float64), np.zeros(x.shape[0] % 2)])
    d, e = y[0::2] + y[1::2], y[0::2] - y[1::2]
    rows = []
    for a in range(0, x.shape[0], flen):
        p0, p1 = a // 2, min(-(-x.shape[0] // 2), (a + flen) // 2)
        row = [0.5 * sum(d[m] * d[m - k] for m in range(max(p0, k), p1)) for k in range(lags + 1)]
        rows.append(row + [0.5 * float(np.sum(e[p0:p1] ** 2))])
    return np.array(rows)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_paired_columns_follow_their_definition(rate):
    x = quantize(np.concatenate([band_noise(rate, rate // 2 + 1, -30.0), voiced(rate, 0.3, -6.0)]))
    assert x.shape[0] % 2 == 1  # the last sample has no partner
    stats = analyse(x, rate)
    ref = _reference(x, rate)
    np.testing.assert_allclose(stats.lagp, ref, rtol=2e-4, atol=1e-6 * np.abs(ref).max())
    np.testing.assert_allclose(stats.sums, [x[a:a + stats.frame_len].sum(dtype=np.float64)
                                            for a in range(0, x.shape[0], stats.frame_len)], atol=1e-4)


def test_44k1_stream_equals_process_and_matches_pyloudnorm():
    rate = 44100
    x = quantize(np.concatenate([band_noise(rate, rate + 7, -50.0), voiced(rate, 2.0, -9.0),
                                 band_noise(rate, rate, -50.0, seed=3)]))
    an = Analyser(rate)
    for i in range(0, x.shape[0], 333):
        an.feed(x[i:i + 333])
    out, start, end = an.finish()
    ref, rs, re = process(x, rate)
    assert (start, end) == (rs, re) and np.allclose(out, ref, atol=1e-7)
    assert np.array_equal(an._table[: an._frames], analyse(x, rate).table)
    assert pyln.Meter(rate).integrated_loudness(out.astype(np.float64)) == pytest.approx(-20.0, abs=0.3)


def test_limited_frames_are_measured_like_the_statistics_pass():
    rate = 48000
    x = quantize(voiced(rate, 1.0, -6.0, seed=2))
    stats = analyse(x, rate)
    w = kweighting_lag_weights(rate)
    e = np.zeros(stats.table.shape[0])
    flen = stats.frame_len
    # one region that limits nothing (ceiling above every sample): the energies are recomputed as they were
    regions = np.array([[3 * flen + 5, 9 * flen - 3]], dtype=np.int64)
    _limited_energies(x, 0.0, 1.0, 2.0, 96, 96, regions, flen, w, e, rate)
    np.testing.assert_allclose(e[3:9], stats.lagp[3:9] @ w, rtol=1e-4)


def test_48k_peaky_speech_is_limited_and_at_target():
    rate = 48000
    x = voiced(rate, 3.0, -30.0, seed=4)
    x[rate: rate + 40] += 0.9  # a click far above the speech: the limiter must act
    x = quantize(np.concatenate([band_noise(rate, rate, -60.0), x, band_noise(rate, rate, -60.0)]))
    out, _, _ = process(x, rate)
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20)
    assert integrated_loudness(out, rate) == pytest.approx(-20.0, abs=0.5)
