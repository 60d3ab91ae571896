"""Every hard case of the corpus: no crash, no NaN, never over the ceiling, empty when no speech."""

import numpy as np
import pytest

from bench import corpus
from rtp.dsp import Analyser, process
from tests.dsp.tools import require

CEILING = 10 ** (-1 / 20)


@pytest.fixture(autouse=True, scope="module")
def _espeak():
    require("espeak-ng")  # the corpus speaks with it: fail, never skip, if missing


@pytest.fixture(scope="module")
def cases():
    return {m.name: m for m in corpus.hard_cases(cache_dir=None, long_minutes=30.0)}


def test_all_hard_cases(cases):
    assert {"empty", "one_sample", "digital_silence", "pure_noise", "clipped_speech", "dc_offset",
            "full_scale_square", "no_silence", "long_30min", "too_short"} <= set(cases)
    for name, m in cases.items():
        before = m.samples.copy()
        out, start, end = process(m.samples, m.rate)
        assert np.array_equal(before, m.samples), name
        assert np.isfinite(out).all(), name
        assert out.size == 0 or np.max(np.abs(out)) <= CEILING, name
        assert out.shape[0] == end - start, name
        if m.speech is None:
            assert out.size == 0 and start == end == 0, name
            continue
        gs, ge = m.speech
        # no speech lost beyond 20 ms, and the pad is there where the recording allows it
        assert start <= gs + 0.02 * m.rate and end >= ge - 0.02 * m.rate, name


def test_long_recording_streams_like_process(cases):
    m = cases["long_30min"]
    an = Analyser(m.rate)
    for i in range(0, m.samples.shape[0], 160):
        an.feed(m.samples[i:i + 160])
    out, start, end = an.finish()
    ref, rs, re = process(m.samples, m.rate)
    assert (start, end) == (rs, re) and np.allclose(out, ref, atol=1e-7)


def test_nan_input_does_not_spread():
    x = np.full(16000, np.nan, np.float32)
    out, _, _ = process(x, 8000)
    assert np.isfinite(out).all()
