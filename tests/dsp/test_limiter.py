"""The look-ahead limiter on its own."""

import numpy as np

from rtp.dsp.limiter import apply_gain, limit


def test_ceiling_holds_and_only_peaks_are_touched():
    rate = 8000
    rng = np.random.default_rng(0)
    y = (0.3 * rng.standard_normal(4 * rate)).astype(np.float32)
    y = np.clip(y, -0.7, 0.7)
    peaks = [5000, 5003, 20000, 31000]
    y[peaks] = [1.5, -2.0, 0.95, -1.2]
    before = y.copy()
    ceiling = 0.8
    overs = int(np.count_nonzero(np.abs(y) > ceiling))
    limit(y, ceiling, attack=16, release=80, count=overs)
    assert np.max(np.abs(y)) <= ceiling
    changed = np.flatnonzero(y != before)
    # every change is within attack + release of a peak
    assert all(min(abs(i - p) for p in peaks) <= 16 + 80 + 1 for i in changed)
    # the gain is smooth: gain just before a peak already low (look-ahead)
    g = y[4990:5000] / before[4990:5000]
    assert np.all(g < 0.99)


def test_apply_gain_removes_dc_and_respects_the_ceiling():
    x = (np.sin(np.arange(8000) / 3.0) * 0.5 + 0.1).astype(np.float32)
    out, regions = apply_gain(x, 3.0, 0.1, 0.9, 8000, 0.002, 0.01)
    assert regions
    assert np.max(np.abs(out)) <= 0.9
    assert abs(float(out.mean())) < 0.01
    quiet, regions = apply_gain(x, 1.0, 0.1, 0.9, 8000, 0.002, 0.01)
    assert regions == []
    np.testing.assert_allclose(quiet, (x - np.float32(0.1)), atol=1e-6)
