"""A quick run of the quality corpus (real espeak-ng speech) against the issue's bars."""

import pytest

from bench import corpus
from bench.dsp_quality import score
from rtp.dsp import process
from tests.dsp.tools import require


@pytest.fixture(autouse=True, scope="module")
def _espeak():
    require("espeak-ng")  # the corpus speaks with it: fail, never skip, if missing


def test_quality_bars_on_a_handful_of_messages():
    msgs = corpus.messages(10, seed=11, cache_dir=None)
    assert {m.rate for m in msgs} >= {8000}
    q = score(msgs, process)
    f = q.figures()
    assert len(q.cut) == 2 * len(msgs)
    assert f["cut_p95_ms"] <= 10.0 and f["cut_max_ms"] <= 20.0, f
    assert f["kept_p95_ms"] <= 150.0, f
    assert q.loudness_error and f["loudness_err_p95_lu"] <= 1.0, f
    assert f["clipped"] == 0 and f["nan"] == 0 and f["crashes"] == 0 and f["wrong_empty"] == 0, f
    assert q.passes()


def test_corpus_is_deterministic():
    a = corpus.make_message(42, 8000, cache_dir=None)
    b = corpus.make_message(42, 8000, cache_dir=None)
    assert a.speech == b.speech and (a.samples == b.samples).all()
    assert -36.0 <= 20 * __import__("math").log10(float(abs(a.samples).max())) <= 0.0
