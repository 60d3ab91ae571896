"""Kernels generated per layout: written as source files (so numba caches them), or compiled from memory."""

from pathlib import Path

import numpy as np
import pytest

from rtp.dsp import kernels
from rtp.dsp.features import frame_length
from rtp.dsp.kweight import lag_count, layout


@pytest.mark.parametrize("rate", [8000, 48000])
def test_generated_source_is_the_module_numba_compiles(rate: int):
    lags, paired = layout(rate)
    module = kernels.layout_module(lags, paired)
    path = kernels.GENERATED / f"stats_{lags}_{'paired' if paired else 'plain'}.py"
    assert path.read_text() == kernels.layout_source(lags, paired)
    assert Path(module.__file__) == path


def test_read_only_package_compiles_from_memory_with_the_same_results(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path):
    rate = 16000
    lags, paired = layout(rate)
    x = (np.random.default_rng(3).standard_normal(rate) * 0.1).astype(np.float32)
    flen = frame_length(rate)
    frames = -(-x.shape[0] // flen)

    def statistics(kernel) -> np.ndarray:
        out = np.empty((frames, lag_count(rate) + kernels.EXTRA_COLUMNS))
        kernel(x, x.view(np.int32), x.view(np.uint32), 0, flen, out)
        return out

    from_file = statistics(kernels.stats_kernel(lags, paired))
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setattr(kernels, "GENERATED", blocker / "generated")  # mkdir fails: OSError
    kernels.layout_module.cache_clear()
    try:
        module = kernels.layout_module(lags, paired)
        assert getattr(module, "__file__", None) is None  # built from memory, not from a file
        assert np.array_equal(statistics(module.kernel), from_file)
    finally:
        kernels.layout_module.cache_clear()
