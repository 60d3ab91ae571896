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

from .kweight import lag_count, layout

FRAME_S = 0.02  # analysis frame: 20 ms, the media app's frame and 1/5 of a BS.1770 step


def frame_length(rate: int) -> int:
    """Analysis frame length in samples (160 at 8 kHz)."""
    return max(1, int(round(rate * FRAME_S)))


def _kernel_source(lags: int) -> str:
    # Frames whose first samples would reach before x[0] take a slow scalar path (only
    # frame 0 of a recording); all others run the vectorised loop over the whole frame.
    lines = [
        "def kernel(x, xi, f0, frame_len, out):",
        "    n = x.shape[0]",
        "    for f in range(f0, f0 + out.shape[0]):",
        "        a = f * frame_len",
        "        b = min(a + frame_len, n)",
        f"        a0 = min(max(a, {lags}), b)",
        "        s = np.float32(0.0)",
        "        hi = -2147483648",
        "        lo = 2147483647",
        f"        for tau in range({lags + 1}):",
        "            acc = np.float32(0.0)",
        "            for i in range(a, a0):",
        "                if i - tau >= 0:",
        "                    acc += x[i] * x[i - tau]",
        "            out[f - f0, tau] = acc",
        "        for i in range(a, a0):",
        "            s += x[i]",
        "            key = xi[i] ^ ((xi[i] >> 31) & 0x7FFFFFFF)",
        "            hi = max(hi, key)",
        "            lo = min(lo, key)",
        "        cur = x[a0:b]",
        "        curi = xi[a0:b]",
    ]
    lines += [f"        p{t} = x[a0 - {t}:b - {t}]" for t in range(1, lags + 1)]
    lines += [f"        c{t} = np.float32(0.0)" for t in range(lags + 1)]
    lines += ["        for k in range(cur.shape[0]):",
              "            v = cur[k]",
              "            s += v",
              "            c0 += v * v",
              # extremes on an integer key of the float's bits that orders like the
              # floats: integer max/min vectorise where float ones do not here
              "            key = curi[k] ^ ((curi[k] >> 31) & 0x7FFFFFFF)",
              "            hi = max(hi, key)",
              "            lo = min(lo, key)"]
    lines += [f"            c{t} += v * p{t}[k]" for t in range(1, lags + 1)]
    lines += [f"        out[f - f0, {t}] += c{t}" for t in range(lags + 1)]
    lines += [f"        out[f - f0, {lags + 1}] = s", f"        out[f - f0, {lags + 2}] = hi",
              f"        out[f - f0, {lags + 3}] = lo"]
    return "\n".join(lines) + "\n"


def _paired_source(lags: int) -> str:
    # d[m] = x[2m] + x[2m+1] of the frame's pairs go to a scratch row after the ``lags``
    # pairs before the frame (zero before x[0]); then the lag loop runs over that row
    # like the plain kernel.  An odd last sample is a pair with a zero partner.
    lines = [
        "def kernel(x, xi, f0, frame_len, out):",
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
        "        cur = x[a:a + 2 * full]",
        "        curi = xi[a:a + 2 * full]",
        f"        dst = buf[{lags}:{lags} + full]",
        "        s = np.float32(0.0)",
        "        ee = np.float32(0.0)",
        "        hi = -2147483648",
        "        lo = 2147483647",
        # sum and extremes over the samples (contiguous: vectorises like the plain
        # kernel), then the pair sums and differences (stride 2)
        "        for k in range(cur.shape[0]):",
        "            s += cur[k]",
        "            key = curi[k] ^ ((curi[k] >> 31) & 0x7FFFFFFF)",
        "            hi = max(hi, key)",
        "            lo = min(lo, key)",
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
        "            key = xi[b - 1] ^ ((xi[b - 1] >> 31) & 0x7FFFFFFF)",
        "            hi = max(hi, key)",
        "            lo = min(lo, key)",
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
              f"        out[f - f0, {lags + 4}] = lo"]
    return "\n".join(lines) + "\n"


@cache
def kernel(lags: int, paired: bool = False) -> Callable[..., None]:
    """Compiled statistics kernel: ``kernel(x, x.view(int32), f0, frame_len, out)``.

    Fills ``out[k] = [C(0), ..., C(lags), sum, max key, min key]`` for frame ``f0 + k`` of
    ``x`` (the last frame may be short; see ``decode_keys`` for the extremes); with
    ``paired``, ``[D(0), ..., D(lags), E, sum, max key, min key]`` of sample pairs (see
    ``kweight.layout``; ``frame_len`` must be even).  float32 accumulation within a
    20 ms frame keeps ~1e-6 relative accuracy, ample for dB decisions, at twice the
    vector width of float64.
    """
    namespace: dict = {"np": np}
    src = _paired_source(lags) if paired else _kernel_source(lags)
    exec(compile(src, f"<features kernel lags={lags} paired={paired}>", "exec"), namespace)
    return numba.njit(fastmath=True, nogil=True, boundscheck=False)(namespace["kernel"])


@dataclass
class FrameStats:
    """Per-frame statistics: lag products, sum, peak (see ``kernel``)."""

    table: np.ndarray  # (frames, lags + 4) float64
    frame_len: int
    n_samples: int

    @property
    def lagp(self) -> np.ndarray:
        """Lag products C(0..T) per frame."""
        return self.table[:, :-3]

    @property
    def sums(self) -> np.ndarray:
        """Sample sum per frame."""
        return self.table[:, -3]

    @property
    def maxima(self) -> np.ndarray:
        """max x per frame (float32)."""
        return decode_keys(self.table[:, -2])

    @property
    def minima(self) -> np.ndarray:
        """min x per frame (float32)."""
        return decode_keys(self.table[:, -1])

    def counts(self) -> np.ndarray:
        """Samples per frame (the last frame may be short)."""
        c = np.full(self.table.shape[0], float(self.frame_len))
        if c.size:
            c[-1] = self.n_samples - (c.size - 1) * self.frame_len
        return c


@numba.njit(nogil=True, cache=True)
def decode_keys(keys: np.ndarray) -> np.ndarray:  # pragma: no cover
    """float32 values back from the ordering keys of the statistics table."""
    k = keys.astype(np.int64)
    return (k ^ ((k >> 31) & 0x7FFFFFFF)).astype(np.int32).view(np.float32)


def fill(x: np.ndarray, first_frame: int, frame_len: int, out: np.ndarray, rate: int) -> None:
    """Compute rows of ``out`` for frames ``first_frame ...`` of float32 ``x`` (in place)."""
    if out.shape[0]:
        kernel(*layout(rate))(x, x.view(np.int32), first_frame, frame_len, out)


def analyse(x: np.ndarray, rate: int, lags: int | None = None) -> FrameStats:
    """Statistics of a whole float32 recording in 20 ms frames, the last one possibly short.

    The columns are ``kweight.layout(rate)``'s (``lags``, if given, must agree).
    """
    flen = frame_length(rate)
    nframes = -(-x.shape[0] // flen)
    width = lag_count(rate) + 4
    if lags is not None and lags + 4 != width:
        raise ValueError(f"{lags} lags, but the layout at {rate} Hz has {width - 4}")
    table = np.empty((nframes, width), dtype=np.float64)
    fill(x, 0, flen, table, rate)
    return FrameStats(table, flen, x.shape[0])
