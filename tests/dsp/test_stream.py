"""The streaming analyser gives the same result as process."""

import numpy as np
import pytest

from rtp.dsp import Analyser, process
from rtp.dsp.features import analyse, frame_length
from rtp.dsp.kweight import lag_count

from .signals import band_noise, burst_in_noise, quantize, voiced


def _stream(x, rate, chunk, **kw):
    an = Analyser(rate, **kw)
    for i in range(0, x.shape[0], chunk):
        an.feed(x[i:i + chunk])
    return an, an.finish()


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
@pytest.mark.parametrize("chunk_ms", [20, 7.3, 1000])
def test_stream_equals_process(rate, chunk_ms):
    x, _, _ = burst_in_noise(rate, 1.3, 2.7, 1.1)
    chunk = max(1, int(chunk_ms * rate / 1000))
    an, (out, start, end) = _stream(x, rate, chunk)
    ref, rs, re = process(x, rate)
    assert (start, end) == (rs, re)
    assert np.allclose(out, ref, atol=1e-7)
    # the per-frame statistics are identical, not merely close
    stats = analyse(x, rate, lag_count(rate))
    assert np.array_equal(an._table[: an._frames], stats.table)


def test_stream_with_other_settings_and_edge_cases():
    rate = 8000
    x = quantize(np.concatenate([band_noise(rate, rate, -50.0), voiced(rate, 2.0), band_noise(rate, rate, -50.0)]))
    an, got = _stream(x, rate, 160, target_lufs=-23.0, ceil_dbfs=-2.0, pad_s=0.1)
    ref = process(x, rate, -23.0, -2.0, 0.1)
    assert got[1:] == ref[1:] and np.allclose(got[0], ref[0], atol=1e-7)
    for y in (np.zeros(0, np.float32), np.array([0.25], np.float32), np.zeros(3 * rate, np.float32)):
        an, got = _stream(y, rate, 160)
        assert got[0].size == 0 and process(y, rate)[0].size == 0


def test_state_is_a_small_table_besides_the_audio():
    rate = 8000
    an = Analyser(rate)
    frame = np.zeros(160, np.float32)
    for _ in range(3000):  # one minute
        an.feed(frame)
    assert an._frames == 3000
    table_bytes = an._table[: an._frames].nbytes
    assert table_bytes <= 0.1 * an.samples.nbytes
    assert an.samples.shape[0] == 3000 * frame_length(rate)


def test_integer_frames_are_refused():
    with pytest.raises(TypeError):
        Analyser(8000).feed(np.zeros(160, np.int16))
