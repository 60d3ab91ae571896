"""Where does the speech start and end?  Decisions on per-frame statistics.

1. Speech-band energy per frame (quadratic lag weighting: zero at DC, -22 dB at 50 Hz,
   flat 300-3400 Hz), in dB.
2. Noise floor: a low percentile of those energies, digital silence left out (adapts
   to the line's noise).
3. Loud frames (floor + 10 dB, or anything over -15 dBFS) form runs; runs closer than
   150 ms merge into segments; segments shorter than 60 ms are clicks.
4. Voiced segments (periodic, see ``voicing``) are speech for sure: breaths and noise
   bursts are aperiodic.  From the first and the last of them the speech grows over
   neighbouring segments (see ``_grow``): unvoiced sounds close to speech are speech.
5. Its edges extend while frames stay above floor + 4.5 dB (hysteresis), so quiet
   onsets and decays are kept; the caller adds the pad.

The whole decision is one compiled function: on a 30 s message it handles 1500 frames
in microseconds, where the same steps as numpy calls cost a quarter of a millisecond,
as much as reading the samples.
"""

from __future__ import annotations

import numba
import numpy as np

from .features import FrameStats
from .kweight import activity_lag_weights
from .settings import Settings
from .voicing import voiced_at

_SILENT_DB = -150.0


@numba.njit(nogil=True, boundscheck=False, cache=True)
def band_power(table: np.ndarray, weights: np.ndarray, frame_len: int, n_samples: int) -> np.ndarray:  # pragma: no cover
    """Speech-band mean square per frame (linear: every decision below is a comparison,
    so thresholds are converted from dB once instead of taking a log per frame)."""
    frames = table.shape[0]
    power = np.empty(frames)
    for f in range(frames):
        ms = 0.0
        for t in range(weights.shape[0]):
            ms += table[f, t] * weights[t]
        power[f] = max(ms, 0.0) / min(frame_len, n_samples - f * frame_len)
    return power


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _percentile(values: np.ndarray, q: float) -> float:  # pragma: no cover
    """The ``q``-th percentile, lower neighbour."""
    k = int(q / 100.0 * (values.shape[0] - 1))
    return np.partition(values, k)[k]


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _segments(db: np.ndarray, thr: float, merge: int, shortest: int) -> np.ndarray:  # pragma: no cover
    """Runs of ``db > thr`` (any monotonic level scale) merged over gaps <= ``merge``, at least ``shortest`` long: (k, 2)."""
    frames = db.shape[0]
    segs = np.empty((frames // 2 + 1, 2), dtype=np.int64)
    k = 0
    f = 0
    while f < frames:
        if db[f] <= thr:
            f += 1
            continue
        a = f
        while f < frames and db[f] > thr:
            f += 1
        if k and a - segs[k - 1, 1] <= merge:
            segs[k - 1, 1] = f
        else:
            segs[k, 0] = a
            segs[k, 1] = f
            k += 1
    keep = 0
    for i in range(k):
        if segs[i, 1] - segs[i, 0] >= shortest:
            segs[keep, 0] = segs[i, 0]
            segs[keep, 1] = segs[i, 1]
            keep += 1
    return segs[:keep]


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _speech_like(x: np.ndarray, power: np.ndarray, a: int, b: int, frame_len: int, rate: int,
                 top: int, threshold: float) -> bool:  # pragma: no cover
    # Judge periodicity where the segment is loudest (best SNR): the ``top`` loudest
    # frames, picked by selection (a sort of a minutes-long segment would dominate).
    top = min(top, b - a)
    picked = np.full(top, -1, dtype=np.int64)
    for i in range(top):
        best = -1.0
        for f in range(a, b):
            if power[f] > best:
                taken = False
                for j in range(i):
                    taken |= picked[j] == f
                if not taken:
                    best = power[f]
                    picked[i] = f
    return voiced_at(x, rate, picked * frame_len + frame_len // 2, 3 * frame_len // 2, threshold)


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _grow(segs: np.ndarray, anchor: int, step: int, power: np.ndarray, hi_thr: float, fps: float,
          adjacent_s: float, distant_s: float, distant_min_s: float, below: float,
          above: float) -> int:  # pragma: no cover
    """Walk from segment ``anchor`` in direction ``step`` over segments that belong to the speech.

    Unvoiced speech (fricatives, plosive bursts, a whispered word) often stands apart
    from the voiced part by a short closure or pause: a segment close to the speech is
    kept whatever it is, a farther one only if it is as long and as loud as speech
    (breaths are quieter, clicks shorter or far louder).
    """
    cur = anchor
    k = anchor + step
    loud = -1.0  # the speech level, computed only if a distant segment needs it
    while 0 <= k < segs.shape[0]:
        gap = (max(segs[cur, 0], segs[k, 0]) - min(segs[cur, 1], segs[k, 1])) / fps
        a, b = segs[k, 0], segs[k, 1]
        if gap > adjacent_s:
            if gap > distant_s or (b - a) / fps < distant_min_s:
                break
            if loud < 0.0:
                loud = _percentile(power[power > hi_thr], 90.0)
            peak = power[a:b].max()
            if not (loud * below <= peak <= loud * above):
                break
        cur = k
        k += step
    return cur


@numba.njit(nogil=True, boundscheck=False, cache=True)
def _find(x: np.ndarray, power: np.ndarray, frame_len: int, rate: int, p: np.ndarray) -> tuple[int, int]:  # pragma: no cover
    (floor_pct, onset_db, extend_db, loud_cap, abs_floor, merge_s, min_seg_s, vthr, vtop,
     adjacent_s, distant_s, distant_min_s, below_db, above_db, extend_max_s) = (
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], int(p[8]), p[9], p[10], p[11], p[12], p[13], p[14])
    fps = rate / frame_len
    live = power[power > 1e-10]  # -100 dB: digital silence, mu-law idle
    floor = _percentile(live, floor_pct) if live.shape[0] else 0.0
    # A sound louder than ``loud_cap`` is never background noise, whatever the floor
    # (a recording that is all tone or all shouting still has content).
    hi_thr = max(min(floor * 10.0 ** (onset_db / 10.0), 10.0 ** (loud_cap / 10.0)), 10.0 ** (abs_floor / 10.0))
    lo_thr = max(min(floor * 10.0 ** (extend_db / 10.0), 10.0 ** (loud_cap / 10.0)),
                 10.0 ** ((abs_floor - 5.0) / 10.0))
    segs = _segments(power, hi_thr, int(round(merge_s * fps)), max(1, int(round(min_seg_s * fps))))
    # Only the first and the last voiced segments matter: test from each end, lazily.
    head = -1
    for k in range(segs.shape[0]):
        if _speech_like(x, power, segs[k, 0], segs[k, 1], frame_len, rate, vtop, vthr):
            head = k
            break
    if head < 0:
        return -1, -1
    tail = head
    for k in range(segs.shape[0] - 1, head, -1):
        if _speech_like(x, power, segs[k, 0], segs[k, 1], frame_len, rate, vtop, vthr):
            tail = k
            break
    below, above = 10.0 ** (-below_db / 10.0), 10.0 ** (above_db / 10.0)
    first = _grow(segs, head, -1, power, hi_thr, fps, adjacent_s, distant_s, distant_min_s, below, above)
    last = _grow(segs, tail, 1, power, hi_thr, fps, adjacent_s, distant_s, distant_min_s, below, above)
    start, end = segs[first, 0], segs[last, 1]
    # Hysteresis: extend over quieter edges, but not into the next noise event.
    reach = int(round(extend_max_s * fps))
    lo = max(0, start - reach)
    while start > lo and power[start - 1] > lo_thr:
        start -= 1
    hi = min(power.shape[0], end + reach)
    while end < hi and power[end] > lo_thr:
        end += 1
    return start, end


def band_energy_db(stats: FrameStats, rate: int) -> np.ndarray:
    """Speech-band mean square per frame, in dB (digital silence gives -150)."""
    power = band_power(stats.table, activity_lag_weights(rate), stats.frame_len, stats.n_samples)
    return 10.0 * np.log10(np.maximum(power, 10 ** (_SILENT_DB / 10)))


def detect_params(s: Settings) -> np.ndarray:
    """The settings ``_find`` reads, as an array."""
    return np.array([s.floor_percentile, s.onset_margin_db, s.extend_margin_db, s.loud_db, s.absolute_floor_db,
                     s.merge_gap_s, s.min_segment_s, s.voicing_threshold, s.voicing_frames, s.adjacent_gap_s,
                     s.distant_gap_s, s.distant_min_s, s.distant_below_db, s.click_above_db, s.extend_max_s])


def find_speech(x: np.ndarray, stats: FrameStats, rate: int, s: Settings) -> tuple[int, int] | None:
    """Return the first and last speech frames ``(first, last_exclusive)``, or None."""
    if stats.table.shape[0] == 0:
        return None
    power = band_power(stats.table, activity_lag_weights(rate), stats.frame_len, stats.n_samples)
    start, end = _find(x, power, stats.frame_len, rate, detect_params(s))
    return None if start < 0 else (int(start), int(end))
