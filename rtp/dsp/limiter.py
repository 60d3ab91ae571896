"""Gain stage with a sample-peak ceiling: gain, DC removal, and a look-ahead limiter.

Choice: when the loudness gain would push peaks over the ceiling, a look-ahead limiter
lowers the gain around those peaks only, instead of lowering the whole message.  Speech
crest factors rarely exceed the 19 dB between -20 LUFS and -1 dBFS, so the limiter acts
on a few isolated peaks (a click, a plosive, a clipped shout); scaling the whole
message down for them would leave it several dB quiet, missing the loudness target
that keeps every voicemail equally audible on a handset.  The limiter's gain reaches
the needed reduction 2 ms before a peak (look-ahead, so it never overshoots), holds
it 10 ms and returns over 2 ms: short enough to be inaudible on speech.

The common case (no peak over the ceiling) is one fused pass: out = g * (x - dc) while
tracking the peak.  The limiter runs only around the samples that need it.
"""

from __future__ import annotations

import numpy as np

from .jit import compiled, compiled_fast
from .prefetch import AHEAD, LINE, prefetch

_BLOCK = 256  # samples per block of the gain pass


@compiled_fast
def _gain_pass(x: np.ndarray, gain: float, dc: float, ceiling: float,
               out: np.ndarray) -> int:  # pragma: no cover
    """out = gain * (x - dc); returns how many samples exceed ``ceiling``.

    Counting (a vectorisable sum) rather than tracking the peak (a max that LLVM does
    not vectorise here) keeps this pass at memory speed.  Blocks of 256 samples, each
    prefetching the input 4 KiB ahead: a recording larger than the L2 cache (30 s at
    48 kHz) is read from L3 again here, and the prefetch cut that pass by a fifth.
    """
    g = np.float32(gain)
    d = np.float32(dc)
    c = np.float32(ceiling)
    count = 0
    n = x.shape[0]
    for a in range(0, n, _BLOCK):
        b = min(a + _BLOCK, n)
        if b + AHEAD + _BLOCK < n:
            for j in range(b + AHEAD, b + AHEAD + _BLOCK, LINE):
                prefetch(x, j)
        block = x[a:b]
        dst = out[a:b]
        for i in range(block.shape[0]):
            v = (block[i] - d) * g
            dst[i] = v
            count += abs(v) > c
    return count


def apply_gain(x: np.ndarray, gain: float, dc: float, ceiling: float, rate: int,
               attack_s: float, release_s: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Return float32 ``gain * (x - dc)`` within ``+-ceiling``, and the regions the limiter changed."""
    out = np.empty(x.shape[0], dtype=np.float32)
    if x.shape[0] == 0:
        return out, []
    overs = _gain_pass(x, gain, dc, ceiling, out)
    if not overs:
        return out, []
    return out, limit(out, ceiling, max(1, int(attack_s * rate)), max(1, int(release_s * rate)), overs)


@compiled_fast
def _overs(y: np.ndarray, ceiling: float, count: int) -> np.ndarray:  # pragma: no cover
    """Indices of the ``count`` samples with ``|y| > ceiling``, without a full-length mask.

    Blocks of 256 are counted first (vectorised) and only blocks with overs scanned.
    """
    c = np.float32(ceiling)
    idx = np.empty(count, dtype=np.int64)
    k = 0
    n = y.shape[0]
    for a in range(0, n, 256):
        b = min(a + 256, n)
        hits = 0
        for i in range(a, b):
            hits += abs(y[i]) > c
        if hits:
            for i in range(a, b):
                if abs(y[i]) > c:
                    idx[k] = i
                    k += 1
    return idx


@compiled
def _limit_region(y: np.ndarray, ceiling: float, attack: int, release: int) -> None:  # pragma: no cover
    """Limit one region in place (see ``limit``); the region has ``attack + release`` margins.

    Overs are few, so the hold (a running minimum) is built from them directly, and the
    smoothing is a running sum: O(n + overs * window) and one scratch array.
    """
    n = y.shape[0]
    hold = np.ones(n)
    for p in range(n):
        a = abs(np.float64(y[p]))
        if a > ceiling:
            need = ceiling / a
            # hold[m] = min need[m - release .. m + attack]: p is in the window of m
            # for m in [p - attack, p + release]
            for m in range(max(0, p - attack), min(n, p + release + 1)):
                if need < hold[m]:
                    hold[m] = need
    # smoothed s[i] = mean hold[i - attack .. i] (ones before the region)
    acc = float(attack + 1)
    for i in range(n):
        acc += hold[i] - (hold[i - attack - 1] if i - attack - 1 >= 0 else 1.0)
        g = acc / (attack + 1)
        v = np.float64(y[i]) * g
        a = abs(np.float64(y[i]))
        if a * g > ceiling:  # float rounding of the running sum: never exceed
            v = np.float64(y[i]) * (ceiling / a)
        y[i] = min(max(v, -ceiling), ceiling)


@compiled
def merge_regions(idx: np.ndarray, margin: int, n: int) -> np.ndarray:  # pragma: no cover
    """[lo, hi) regions (k, 2) of ``margin`` around sorted indices, merged when they overlap."""
    out = np.empty((idx.shape[0], 2), dtype=np.int64)
    k = 0
    for i in idx:
        lo, hi = max(0, i - margin), min(n, i + margin + 1)
        if k and lo <= out[k - 1, 1] + margin:
            out[k - 1, 1] = hi
        else:
            out[k, 0] = lo
            out[k, 1] = hi
            k += 1
    return out[:k]


@compiled
def limit_all(y: np.ndarray, ceiling: float, attack: int, release: int, count: int) -> np.ndarray:  # pragma: no cover
    """Limit ``y`` in place around its ``count`` samples over ``ceiling``; returns the regions."""
    regions = merge_regions(_overs(y, ceiling, count), attack + release + 2, y.shape[0])
    for r in range(regions.shape[0]):
        _limit_region(y[regions[r, 0]:regions[r, 1]], ceiling, attack, release)
    return regions


def over_regions(y: np.ndarray, ceiling: float, margin: int, count: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` regions around the ``count`` samples over ``ceiling``, merged when they overlap.

    Found without temporaries: a full-length ``abs(y) > c`` mask would cost more
    memory than the output itself on a 30-minute recording.
    """
    over = _overs(y, ceiling, count)
    if over.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(over) > 2 * margin)
    firsts = np.concatenate([[over[0]], over[breaks + 1]])
    lasts = np.concatenate([over[breaks], [over[-1]]])
    return [(max(0, int(a) - margin), min(y.shape[0], int(b) + margin + 1)) for a, b in zip(firsts, lasts, strict=True)]


def limit(y: np.ndarray, ceiling: float, attack: int, release: int, count: int) -> list[tuple[int, int]]:
    """Look-ahead limit ``y`` in place so that ``|y| <= ceiling``.

    ``count`` is the number of samples over the ceiling (from the gain pass).
    Required gain G = min(1, ceiling/|y|); hold h[m] = min G[m-release .. m+attack];
    smoothed s[n] = mean h[n-attack .. n].  Every h averaged at a peak p covers p, so
    s[p] <= G[p]: the ceiling holds at every sample by construction (the final
    min/clip only absorbs float rounding).  Returns the ``[lo, hi)`` regions it changed.
    """
    regions = over_regions(y, ceiling, attack + release + 2, count)
    for lo, hi in regions:
        _limit_region(y[lo:hi], ceiling, attack, release)
    return regions
