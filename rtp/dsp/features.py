"""Per-frame statistics of a recording, computed in one fused pass (numba).

Everything the trimmer and the loudness meter need is a few numbers per 20 ms frame:
the lag products C(0..T) (any short quadratic weighting, K-weighting or speech band,
is then a dot product, see ``kweight``), the sample sum (for the DC offset) and the
peak (so the limiter knows where to look without another pass).  One
vectorised pass reads each sample once, so analysis runs near memory speed, and it can
be fed frame by frame during a call: a frame's numbers depend only on its own samples
and the ``T`` (paired: ``2T``) before it, computed by the same code either way, so the streaming
analyser and ``process`` agree bit for bit.

The kernel is generated per lag count so that the accumulators are plain locals that
LLVM keeps in vector registers (a loop over ``tau`` inside the sample loop would not
vectorise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numba
import numpy as np

from .jit import compiled
from .kweight import lag_count, layout
from .prefetch import AHEAD, LINE, prefetch

# columns after ``lag_count``: the last lag product, sum, hi, lo, low (see ``kernel``)
EXTRA_COLUMNS = 5
FRAME_S = 0.02  # analysis frame: 20 ms, the media app's frame and 1/5 of a BS.1770 step


def frame_length(rate: int) -> int:
    """Analysis frame length in samples (160 at 8 kHz)."""
    return max(1, int(round(rate * FRAME_S)))


def _kernel_source(lags: int) -> str:
    # Frames whose first samples would reach before x[0] take a slow scalar path (only
    # frame 0 of a recording); all others run the vectorised loop over the whole frame.
    lines = [
        "def kernel(x, xi, xu, f0, frame_len, out):",
        "    n = x.shape[0]",
        "    for f in range(f0, f0 + out.shape[0]):",
        "        a = f * frame_len",
        "        b = min(a + frame_len, n)",
        f"        a0 = min(max(a, {lags}), b)",
        "        s = np.float32(0.0)",
        "        hi = xi[a]",
        "        lo = xu[a]",
        "        low = xi[a]",
        f"        for tau in range({lags + 1}):",
        "            acc = np.float32(0.0)",
        "            for i in range(a, a0):",
        "                if i - tau >= 0:",
        "                    acc += x[i] * x[i - tau]",
        "            out[f - f0, tau] = acc",
        "        for i in range(a, a0):",
        "            s += x[i]",
        "            hi = max(hi, xi[i])",
        "            lo = max(lo, xu[i])",
        "            low = min(low, xi[i])",
        # the next frames' cache lines, a little ahead (see ``prefetch``)
        f"        if b + {AHEAD} + frame_len < n:",
        f"            for j in range(b + {AHEAD}, b + {AHEAD} + frame_len, {LINE}):",
        "                prefetch(x, j)",
        "        cur = x[a0:b]",
        "        curi = xi[a0:b]",
        "        curu = xu[a0:b]",
    ]
    lines += [f"        p{t} = x[a0 - {t}:b - {t}]" for t in range(1, lags + 1)]
    lines += [f"        c{t} = np.float32(0.0)" for t in range(lags + 1)]
    lines += ["        for k in range(cur.shape[0]):",
              "            v = cur[k]",
              "            s += v",
              "            c0 += v * v",
              # extremes as integer maxima of the float's bits (see ``kernel``)
              "            hi = max(hi, curi[k])",
              "            lo = max(lo, curu[k])",
              "            low = min(low, curi[k])"]
    lines += [f"            c{t} += v * p{t}[k]" for t in range(1, lags + 1)]
    lines += [f"        out[f - f0, {t}] += c{t}" for t in range(lags + 1)]
    lines += [f"        out[f - f0, {lags + 1}] = s", f"        out[f - f0, {lags + 2}] = hi",
              f"        out[f - f0, {lags + 3}] = lo", f"        out[f - f0, {lags + 4}] = low"]
    return "\n".join(lines) + "\n"


def _paired_source(lags: int) -> str:
    # d[m] = x[2m] + x[2m+1] of the frame's pairs go to a scratch row after the ``lags``
    # pairs before the frame (zero before x[0]); then the lag loop runs over that row
    # like the plain kernel.  An odd last sample is a pair with a zero partner.
    lines = [
        "def kernel(x, xi, xu, f0, frame_len, out):",
        "    n = x.shape[0]",
        f"    buf = np.empty({lags} + (frame_len + 1) // 2, dtype=np.float32)",
        "    for f in range(f0, f0 + out.shape[0]):",
        "        a = f * frame_len",
        "        b = min(a + frame_len, n)",
        "        pa = a // 2",
        f"        for j in range({lags}):",
        f"            p = pa - {lags} + j",
        "            buf[j] = x[2 * p] + x[2 * p + 1] if p >= 0 else np.float32(0.0)",
        "        full = (b - a) // 2",
        "        npairs = (b - a + 1) // 2",
        f"        if b + {AHEAD} + frame_len < n:",
        f"            for j in range(b + {AHEAD}, b + {AHEAD} + frame_len, {LINE}):",
        "                prefetch(x, j)",
        "        cur = x[a:a + 2 * full]",
        "        curi = xi[a:a + 2 * full]",
        "        curu = xu[a:a + 2 * full]",
        f"        dst = buf[{lags}:{lags} + full]",
        "        s = np.float32(0.0)",
        "        ee = np.float32(0.0)",
        "        hi = xi[a]",
        "        lo = xu[a]",
        "        low = xi[a]",
        # sum and extremes over the samples (contiguous: vectorises like the plain
        # kernel), then the pair sums and differences (stride 2)
        "        for k in range(cur.shape[0]):",
        "            s += cur[k]",
        "            hi = max(hi, curi[k])",
        "            lo = max(lo, curu[k])",
        "            low = min(low, curi[k])",
        "        for k in range(full):",
        "            v0 = cur[2 * k]",
        "            v1 = cur[2 * k + 1]",
        "            e = v0 - v1",
        "            dst[k] = v0 + v1",
        "            ee += e * e",
        "        if npairs > full:",
        "            v = x[b - 1]",
        f"            buf[{lags} + full] = v",
        "            s += v",
        "            ee += v * v",
        "            hi = max(hi, xi[b - 1])",
        "            lo = max(lo, xu[b - 1])",
        "            low = min(low, xi[b - 1])",
        f"        cur2 = buf[{lags}:{lags} + npairs]",
    ]
    lines += [f"        p{t} = buf[{lags - t}:{lags - t} + npairs]" for t in range(1, lags + 1)]
    lines += [f"        c{t} = np.float32(0.0)" for t in range(lags + 1)]
    lines += ["        for k in range(cur2.shape[0]):",
              "            v = cur2[k]",
              "            c0 += v * v"]
    lines += [f"            c{t} += v * p{t}[k]" for t in range(1, lags + 1)]
    lines += [f"        out[f - f0, {t}] = np.float32(0.5) * c{t}" for t in range(lags + 1)]
    lines += [f"        out[f - f0, {lags + 1}] = np.float32(0.5) * ee",
              f"        out[f - f0, {lags + 2}] = s", f"        out[f - f0, {lags + 3}] = hi",
              f"        out[f - f0, {lags + 4}] = lo", f"        out[f - f0, {lags + 5}] = low"]
    return "\n".join(lines) + "\n"


@cache
def kernel(lags: int, paired: bool = False) -> Callable[..., None]:
    """Compiled statistics kernel: ``kernel(x, x.view(int32), x.view(uint32), f0, frame_len, out)``.

    Fills ``out[k] = [C(0), ..., C(lags), sum, hi, lo, low]`` for frame ``f0 + k`` of
    ``x`` (the last frame may be short); with ``paired``, ``[D(0), ..., D(lags), E, sum,
    hi, lo, low]`` of sample pairs (see ``kweight.layout``; ``frame_len`` must be even).
    float32 accumulation within a 20 ms frame keeps ~1e-6 relative accuracy, ample for
    dB decisions, at twice the vector width of float64.

    ``hi``, ``lo`` and ``low`` are the largest int32, largest uint32 and smallest int32
    readings of the samples' bits: integer extremes of 32-bit lanes vectorise where
    float ones do not (NaN rules), and together they give the frame's extremes (see
    ``peak_bounds``).
    """
    namespace: dict = {"np": np, "prefetch": prefetch}
    src = _paired_source(lags) if paired else _kernel_source(lags)
    exec(compile(src, f"<features kernel lags={lags} paired={paired}>", "exec"), namespace)
    return numba.njit(fastmath=True, nogil=True, boundscheck=False, error_model="numpy")(namespace["kernel"])


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

    @property
    def maxima(self) -> np.ndarray:
        """Largest sample per frame."""
        return peak_bounds(self.table[:, -3], self.table[:, -2], self.table[:, -1])[0]

    @property
    def minima(self) -> np.ndarray:
        """Smallest sample per frame."""
        return peak_bounds(self.table[:, -3], self.table[:, -2], self.table[:, -1])[1]

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


@compiled
def peak_bounds(hi: np.ndarray, lo: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """``(maxima, minima)`` per frame from its ``hi``, ``lo``, ``low`` columns (see ``extreme_bits``)."""
    frames = hi.shape[0]
    bits = np.empty(2 * frames, dtype=np.int32)
    for f in range(frames):
        bits[f], bits[frames + f] = extreme_bits(hi[f], lo[f], low[f])
    values = bits.view(np.float32)
    return values[:frames].astype(np.float64), values[frames:].astype(np.float64)


def fill(x: np.ndarray, first_frame: int, frame_len: int, out: np.ndarray, rate: int) -> None:
    """Compute rows of ``out`` for frames ``first_frame ...`` of float32 ``x`` (in place)."""
    if out.shape[0]:
        kernel(*layout(rate))(x, x.view(np.int32), x.view(np.uint32), first_frame, frame_len, out)


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
