"""K-weighting coefficients and their lag-product approximation."""

import numpy as np
import pyloudnorm as pyln
import pytest

from rtp.dsp.kweight import (
    activity_lag_weights,
    kweighting_lag_weights,
    kweighting_power,
    kweighting_sos,
    lag_response,
)


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_filter_matches_pyloudnorm(rate):
    meter = pyln.Meter(rate)
    ours = kweighting_sos(rate)
    for row, stage in zip(ours, meter._filters.values(), strict=True):
        np.testing.assert_allclose(row[:3], stage.b, rtol=1e-12)
        np.testing.assert_allclose(row[3:], stage.a, rtol=1e-12)


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_lag_weights_follow_the_filter_in_the_speech_band(rate):
    hz = np.linspace(150.0, min(8000.0, 0.49 * rate), 400)
    omega = 2 * np.pi * hz / rate
    err_db = 10 * np.log10(lag_response(kweighting_lag_weights(rate), omega, rate) / kweighting_power(rate, omega))
    assert np.max(np.abs(err_db)) < 0.5


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_activity_weights_reject_dc_and_hum(rate):
    w = activity_lag_weights(rate)
    resp = lambda f: lag_response(w, np.array([2 * np.pi * f / rate]), rate)[0]  # noqa: E731
    assert abs(resp(0.0)) < 1e-4
    assert resp(50.0) < 10 ** (-18 / 10)  # 50 Hz at least 18 dB down
    # flat within a few dB where speech is (the 48 kHz fit is coarsest: -2.8 dB at 1 kHz)
    assert 10 ** (-4 / 10) < resp(1000.0) < 10 ** (3 / 10)
