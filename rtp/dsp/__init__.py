"""Recording-path DSP: trim leading/trailing silence, normalize loudness (BS.1770-4).

``process(samples, sample_rate, target_lufs=-20.0, ceil_dbfs=-1.0, pad_s=0.2)`` for a
whole recording, ``Analyser`` for the same result fed 20 ms at a time.  Pure
numpy/scipy/numba: samples in, samples out.
"""

from pathlib import Path

from .jitcache import invalidate_stale_cache

# Before any kernel is defined: cached machine code must match every source.
invalidate_stale_cache(Path(__file__).resolve().parent)

from .loudness import integrated_loudness  # noqa: E402
from .process import process  # noqa: E402
from .stream import Analyser  # noqa: E402

__all__ = ["Analyser", "integrated_loudness", "process"]
