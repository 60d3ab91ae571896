"""Trimming and normalization on generated signals with known answers."""

import numpy as np
import pyloudnorm as pyln
import pytest

from rtp.dsp import process
from rtp.dsp.settings import DEFAULT

from .signals import band_noise, burst_in_noise, hum, quantize, voiced

# Beyond the pad the trimmer keeps a VAD hangover, plus up to one 20 ms frame of grid.
BEFORE = DEFAULT.preroll_s + 0.03
AFTER = DEFAULT.hangover_s + 0.03


def lufs(x, rate):
    return pyln.Meter(rate).integrated_loudness(x.astype(np.float64))


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_burst_in_noise_is_cut_at_the_pad(rate):
    x, a, b = burst_in_noise(rate, lead_s=2.0, burst_s=3.0, trail_s=2.5, peak_dbfs=-20.0, noise_dbfs=-55.0)
    out, start, end = process(x, rate)
    pad = int(0.2 * rate)
    assert a - pad - int(BEFORE * rate) <= start <= a - pad
    assert b + pad <= end <= b + pad + int(AFTER * rate)
    assert out.dtype == np.float32 and out.shape[0] == end - start
    assert lufs(out, rate) == pytest.approx(-20.0, abs=0.5)
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20)


def test_parameters_are_honoured():
    rate = 8000
    x, a, b = burst_in_noise(rate, 2.0, 4.0, 2.0, peak_dbfs=-15.0)
    out, start, end = process(x, rate, target_lufs=-26.0, ceil_dbfs=-3.0, pad_s=0.5)
    assert a - int((0.5 + BEFORE) * rate) <= start <= a - int(0.5 * rate)
    assert b + int(0.5 * rate) <= end <= b + int((0.5 + AFTER) * rate)
    assert lufs(out, rate) == pytest.approx(-26.0, abs=0.5)
    assert np.max(np.abs(out)) <= 10 ** (-3 / 20)


def test_pauses_inside_are_kept():
    rate = 8000
    parts = [band_noise(rate, 2 * rate, -55.0), voiced(rate, 1.5), band_noise(rate, 3 * rate, -55.0, seed=4),
             voiced(rate, 1.5, f0=180.0), band_noise(rate, 2 * rate, -55.0, seed=5)]
    x = quantize(np.concatenate(parts))
    out, start, end = process(x, rate)
    assert start <= 2 * rate - int(0.15 * rate)
    assert end >= int(10.0 * rate) - 2 * rate + int(0.15 * rate)
    assert out.shape[0] == end - start


def test_clicks_breaths_hum_and_dc_in_silence_are_not_speech():
    rate = 8000
    n = 10 * rate
    rng = np.random.default_rng(3)
    x = band_noise(rate, n, -52.0) + hum(rate, n, -45.0) + 0.05
    for at in (int(0.5 * rate), int(8.8 * rate)):  # clicks, louder than the speech
        x[at:at + 24] += 0.5 * np.exp(-np.arange(24) / 4.0) * np.cos(np.arange(24))
    breath = band_noise(rate, int(0.4 * rate), -30.0, seed=9) * np.hanning(int(0.4 * rate))
    x[int(1.0 * rate):int(1.4 * rate)] += breath * rng.uniform(0.9, 1.0)
    a, b = 3 * rate, 6 * rate
    x[a:b] += voiced(rate, 3.0, -14.0)
    out, start, end = process(quantize(x), rate)
    assert a - int((0.2 + BEFORE) * rate) <= start <= a - int(0.2 * rate)
    assert b + int(0.2 * rate) <= end <= b + int((0.2 + AFTER) * rate)
    assert abs(float(np.mean(out))) < 1e-3  # DC removed


def test_input_is_not_modified_and_any_dtype_is_accepted():
    rate = 8000
    x, _, _ = burst_in_noise(rate, 1.0, 2.0, 1.0)
    copy = x.copy()
    out, _, _ = process(x, rate)
    assert np.array_equal(x, copy)
    out64, _, _ = process(x.astype(np.float64), rate)
    np.testing.assert_array_equal(out, out64)


def test_peaks_are_limited_not_the_whole_message():
    rate = 8000
    x, a, b = burst_in_noise(rate, 1.0, 6.0, 1.0, peak_dbfs=-30.0, noise_dbfs=-65.0)
    spike = a + 2 * rate
    x[spike:spike + 8] = np.float32(0.9) * np.sign(np.arange(8) % 2 - 0.5).astype(np.float32)
    out, start, _ = process(x, rate)
    assert np.max(np.abs(out)) <= 10 ** (-1 / 20)
    # The limiter only touched the spike: the message is at the target loudness.
    assert lufs(out, rate) == pytest.approx(-20.0, abs=0.5)
    far = out[: spike - start - int(0.05 * rate)]
    near = np.abs(out[spike - start - 40: spike - start + 48])
    assert near.max() == pytest.approx(10 ** (-1 / 20), rel=1e-3)
    assert np.max(np.abs(far)) < near.max()


def test_tiny_pad_and_no_pad():
    rate = 8000
    x, a, b = burst_in_noise(rate, 1.0, 2.0, 1.0)
    _, start, end = process(x, rate, pad_s=0.0)
    assert a - int(BEFORE * rate) <= start <= a and b <= end <= b + int(AFTER * rate)


def test_wrong_inputs_are_refused_clearly():
    with pytest.raises(TypeError):
        process(np.zeros(8000, np.int16), 8000)
    with pytest.raises(ValueError):
        process(np.zeros((8000, 2), np.float32), 8000)
    with pytest.raises(ValueError):
        process(np.zeros(8000, np.float32), 0)
    out, start, end = process(np.zeros((8000, 1), np.float32), 8000)  # one column is mono
    assert out.size == 0 and start == end == 0
