"""Recording-path DSP: trim leading/trailing silence, normalize loudness (BS.1770-4).

``process(samples, sample_rate, target_lufs=-20.0, ceil_dbfs=-1.0, pad_s=0.2)`` for a
whole recording; ``Analyser(sample_rate, ...)`` gives the same result fed 20 ms at a
time (``feed(frame)`` during the call, ``finish()`` at hang-up).  Pure numpy/numba:
samples in, samples out, no I/O.

How it works (one module per step):

* ``features``: one fused pass over the samples computes, per 20 ms frame, the lag
  products C(0..T) (from 32 kHz, of sums of sample pairs: see ``kweight.layout``), the
  sum and the extremes.  Everything else reads only this table
  (1/10 of the audio's size), which is why streaming costs nothing at hang-up.
* ``kweight``: BS.1770-4 K-weighting for any rate (pyloudnorm's formulas), and short
  lag weights such that ``C @ w`` is a frame's K-weighted (or speech-band) energy
  within 0.3 dB, so no IIR filter runs over the samples.
* ``detect``: noise floor, loud runs, voiced anchors, growth over soft and unvoiced
  neighbours, hysteresis and hangover: where the speech starts and ends.
* ``loudness``: BS.1770-4 gating (400 ms blocks, 75 % overlap, -70 LUFS and -10 LU
  gates, as pyloudnorm) over frame energies; ``integrated_loudness`` is the reference.
* ``normalize`` / ``limiter``: the gain to ``target_lufs`` and the sample-peak ceiling.
* ``pipeline``: decisions and output from the table, shared by ``process`` (which runs
  statistics, decisions and output as one compiled call) and the ``Analyser``.

Limiter choice: when the loudness gain would push samples over the ceiling, a
look-ahead limiter (2 ms attack ahead of the peak, 10 ms hold, 2 ms release) lowers
the gain around those samples only, and the gain is then raised by what the limiting
took away (one measured correction).  The alternative, scaling the whole message down
until its highest peak fits, would leave a message with one click or plosive several
dB under the target, and consistent loudness is the point of normalizing voicemail
for a handset.  Speech rarely needs more than the 19 dB between -20 LUFS and -1 dBFS,
so the limiter touches a few milliseconds per message; the ceiling holds at every
sample by construction.

Kernels are compiled by numba on first use (about 20 s cold, well under a second from
its on-disk cache, kept outside the package in a folder per version of its sources:
see ``cachedir``; the statistics kernel and ``process``'s entry are generated per rate
layout, see ``kernels``). Importing the package writes nothing.
"""

from .cachedir import cache_dir
from .loudness import integrated_loudness
from .process import process
from .stream import Analyser

CACHE_DIR = cache_dir()  # where the compiled code goes, once something runs

__all__ = ["Analyser", "integrated_loudness", "process"]
