"""ITU-R BS.1770-4 integrated loudness (gated), as pyloudnorm measures it.

Two implementations of the same measure:

* ``integrated_loudness(x, rate)``: the reference, K-weighting by ``sosfilt`` and the
  400 ms / 75 % overlap gating, vectorised (no Python loop over blocks).
* ``loudness_from_frames(...)``: the fast path, from per-frame lag products (see
  ``kweight``): block energies are sums of 20 ms frame energies, since a 100 ms step
  is five frames and a 400 ms block twenty.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

from .features import FrameStats
from .jit import compiled
from .kweight import dc_gain, kweighting_lag_weights, kweighting_sos

BLOCK_S = 0.4
STEP_S = 0.1
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0


def _block_count(n_samples: int, rate: float) -> int:
    # pyloudnorm's count: round((T - 0.4) / 0.1) + 1, the last block may run past the end.
    return int(np.round((n_samples / rate - BLOCK_S) / STEP_S)) + 1


def gated_loudness(block_ms: np.ndarray) -> float:
    """Integrated loudness (LUFS) from per-block K-weighted mean squares, with both gates."""
    if block_ms.size == 0:
        return float("-inf")
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10.0 * np.log10(block_ms)
    above = lk >= ABSOLUTE_GATE
    if not above.any():
        return float("-inf")
    rel = -0.691 + 10.0 * np.log10(block_ms[above].mean()) + RELATIVE_GATE
    sel = above & (lk > rel)
    if not sel.any():
        return float("-inf")
    return float(-0.691 + 10.0 * np.log10(block_ms[sel].mean()))


def integrated_loudness(x: np.ndarray, rate: int) -> float:
    """Reference BS.1770-4 integrated loudness of mono ``x`` in LUFS (-inf if silent)."""
    y = sosfilt(np.array(kweighting_sos(rate)), np.asarray(x, dtype=np.float64))
    blen = int(BLOCK_S * rate)
    nblocks = _block_count(y.shape[0], rate)
    if nblocks < 1:
        return gated_loudness(np.array([np.mean(y * y)]) if y.size else np.array([]))
    c2 = np.concatenate([[0.0], np.cumsum(y * y)])
    lo = (np.arange(nblocks) * STEP_S * rate).astype(np.int64)
    hi = np.minimum(lo + blen, y.shape[0])
    return gated_loudness((c2[hi] - c2[np.minimum(lo, y.shape[0])]) / blen)


@compiled
def row_dot(table: np.ndarray, f: int, w: np.ndarray) -> float:  # pragma: no cover
    """``table[f, :len(w)] @ w``: a frame's weighted statistics (K-weighted or speech-band energy)."""
    acc = 0.0
    for t in range(w.shape[0]):
        acc += table[f, t] * w[t]
    return acc


@compiled
def remove_dc(kraw: np.ndarray, table: np.ndarray, sums: int, w0: float, first: int, last: int, dc: float,
              frame_len: int, n_total: int) -> np.ndarray:  # pragma: no cover
    """K-weighted energy of frames ``first..last-1`` from their raw energies ``kraw`` (indexed by frame).

    sum (x-dc)(x'-dc) = C - dc*(S + S') + n dc^2; S' (lagged sum) ~ S, and DC gets the
    fitted response ``w0`` at 0 Hz.  ``sums`` is the table's sum column.
    """
    e = np.empty(last - first)
    for f in range(first, last):
        count = min(frame_len, n_total - f * frame_len)
        acc = kraw[f] - w0 * (2.0 * dc * table[f, sums] - count * dc * dc)
        e[f - first] = max(acc, 0.0)
    return e


@compiled
def _frame_energies(table: np.ndarray, w: np.ndarray, w0: float, first: int, last: int, dc: float,
                    frame_len: int, n_total: int) -> np.ndarray:  # pragma: no cover
    kraw = np.zeros(last)
    for f in range(first, last):
        kraw[f] = row_dot(table, f, w)
    return remove_dc(kraw, table, w.shape[0], w0, first, last, dc, frame_len, n_total)


@compiled
def gated_from_energies(e: np.ndarray, per_step: int, nblocks: int, block_len: float) -> float:  # pragma: no cover
    """BS.1770 gating over blocks of ``4 * per_step`` frames stepping ``per_step`` frames."""
    if nblocks < 1:
        total = e.sum()
        ms = np.array([total / max(block_len, 1.0)])
    else:
        # a block is four 100 ms steps: sum each step once, then four step sums per
        # block (summing 20 frames per block would redo each frame four times, in one
        # long chain of dependent additions)
        steps = np.empty(nblocks + 3)
        for j in range(nblocks + 3):
            lo = min(j * per_step, e.shape[0])
            hi = min(lo + per_step, e.shape[0])
            acc = 0.0
            for f in range(lo, hi):
                acc += e[f]
            steps[j] = acc
        ms = np.empty(nblocks)
        for j in range(nblocks):
            ms[j] = (steps[j] + steps[j + 1] + steps[j + 2] + steps[j + 3]) / block_len
    abs_gate = 10.0 ** ((ABSOLUTE_GATE + 0.691) / 10.0)
    total, count = 0.0, 0
    for v in ms:
        if v >= abs_gate:
            total += v
            count += 1
    if count == 0:
        return -np.inf
    rel_gate = total / count * 10.0 ** (RELATIVE_GATE / 10.0)
    total, count = 0.0, 0
    for v in ms:
        if v >= abs_gate and v > rel_gate:
            total += v
            count += 1
    if count == 0 or total <= 0.0:
        return -np.inf
    return -0.691 + 10.0 * np.log10(total / count)


def frame_kweighted_energy(stats: FrameStats, rate: int, first: int, last: int,
                           dc: float) -> np.ndarray:
    """K-weighted energy of frames ``first..last-1`` with the DC offset ``dc`` removed."""
    w = kweighting_lag_weights(rate)
    return _frame_energies(stats.table, w, dc_gain(w, rate), first, last, dc, stats.frame_len, stats.n_samples)


@compiled
def block_layout(rate: int, frame_len: int, n_samples: int) -> tuple[int, int, float]:  # pragma: no cover
    """(frames per 100 ms step, pyloudnorm's block count, samples per 400 ms block).

    pyloudnorm counts round((T - 0.4) / 0.1) + 1 blocks, the last may run past the end;
    a recording shorter than a block is measured as one block of its own length.
    """
    per_step = max(1, int(round(STEP_S * rate / frame_len)))
    nblocks = int(round((n_samples / rate - BLOCK_S) / STEP_S)) + 1
    block_len = BLOCK_S * rate if nblocks >= 1 else float(max(n_samples, 1))
    return per_step, nblocks, block_len


def loudness_from_energies(e: np.ndarray, rate: int, frame_len: int, n_samples: int) -> float:
    """Integrated loudness of ``n_samples`` samples whose 20 ms frames have K-weighted energies ``e``."""
    per_step, nblocks, block_len = block_layout(rate, frame_len, n_samples)
    return float(gated_from_energies(e, per_step, nblocks, block_len))


def loudness_from_frames(stats: FrameStats, rate: int, first: int, last: int,
                         n_samples: int, dc: float) -> float:
    """Integrated loudness of the samples of frames ``first..last-1`` (``n_samples`` long)."""
    e = frame_kweighted_energy(stats, rate, first, last, dc)
    return loudness_from_energies(e, rate, stats.frame_len, n_samples)
