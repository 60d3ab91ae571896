"""Per-frame statistics of a recording, computed in one fused pass (numba).

Everything the trimmer and the loudness meter need is a few numbers per 20 ms frame:
the lag products C(0..T) (any short quadratic weighting, K-weighting or speech band,
is then a dot product, see ``kweight``), the sample sum (for the DC offset) and the
peak (so the limiter knows where to look without another pass).  One
vectorised pass reads each sample once, so analysis runs near memory speed, and it can
be fed frame by frame during a call: a frame's numbers depend only on its own samples
and the ``T`` (paired: ``2T``) before it, computed by the same code either way, so the streaming
analyser and ``process`` agree bit for bit.

The kernel is generated per lag count (see ``kernels``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .jit import compiled
from .kernels import EXTRA_COLUMNS, stats_kernel
from .kweight import lag_count, layout

FRAME_S = 0.02  # analysis frame: 20 ms, the media app's frame and 1/5 of a BS.1770 step


def frame_length(rate: int) -> int:
    """Analysis frame length in samples (160 at 8 kHz)."""
    return max(1, int(round(rate * FRAME_S)))


@dataclass
class FrameStats:
    """Per-frame statistics: lag products, sum, peak (see ``kernel``)."""

    table: np.ndarray  # (frames, lag_count + EXTRA_COLUMNS) float64
    frame_len: int
    n_samples: int

    @property
    def lagp(self) -> np.ndarray:
        """Lag products C(0..T) per frame."""
        return self.table[:, :-4]

    @property
    def sums(self) -> np.ndarray:
        """Sample sum per frame."""
        return self.table[:, -4]

    def counts(self) -> np.ndarray:
        """Samples per frame (the last frame may be short)."""
        c = np.full(self.table.shape[0], float(self.frame_len))
        if c.size:
            c[-1] = self.n_samples - (c.size - 1) * self.frame_len
        return c


@compiled
def extreme_bits(hi: float, lo: float, low: float) -> tuple[int, int]:  # pragma: no cover
    """The float32 bits (as int32 values) of a frame's largest and smallest samples.

    From its ``hi``, ``lo``, ``low`` columns (see ``kernel``): floats without the sign
    bit order like their int32 bits, and lie above every float with it; floats with the
    sign bit order by magnitude as uint32 (and as int32).  So the largest sample is
    ``hi`` when one is >= +0, else ``low`` (all negative: the one nearest zero); the
    smallest is ``lo`` when one is negative, else ``low``.
    """
    h, u, m = np.int64(hi), np.int64(lo), np.int64(low)
    top = h if h >= 0 else m
    bottom = u - 4294967296 if u >= 2147483648 else m  # uint32 bits read as int32
    return top, bottom


def fill(x: np.ndarray, first_frame: int, frame_len: int, out: np.ndarray, rate: int) -> None:
    """Compute rows of ``out`` for frames ``first_frame ...`` of float32 ``x`` (in place)."""
    if out.shape[0]:
        stats_kernel(*layout(rate))(x, x.view(np.int32), x.view(np.uint32), first_frame, frame_len, out)


def analyse(x: np.ndarray, rate: int, lags: int | None = None) -> FrameStats:
    """Statistics of a whole float32 recording in 20 ms frames, the last one possibly short.

    The columns are ``kweight.layout(rate)``'s (``lags``, if given, must agree).
    """
    flen = frame_length(rate)
    nframes = -(-x.shape[0] // flen)
    width = lag_count(rate) + EXTRA_COLUMNS
    if lags is not None and lags + EXTRA_COLUMNS != width:
        raise ValueError(f"{lags} lags, but the layout at {rate} Hz has {width - EXTRA_COLUMNS}")
    table = np.empty((nframes, width), dtype=np.float64)
    fill(x, 0, flen, table, rate)
    return FrameStats(table, flen, x.shape[0])
