"""Recording-path DSP: trim leading/trailing silence, normalize loudness (BS.1770-4).

``process(samples, sample_rate, target_lufs=-20.0, ceil_dbfs=-1.0, pad_s=0.2)`` for a
whole recording, ``Analyser`` for the same result fed 20 ms at a time.  Pure
numpy/scipy/numba: samples in, samples out.
"""

from .loudness import integrated_loudness
from .process import process
from .stream import Analyser

__all__ = ["Analyser", "integrated_loudness", "process"]
