"""Where does the speech start and end?  Decisions on per-frame statistics.

1. Speech-band energy per frame (quadratic lag weighting: zero at DC, -22 dB at 50 Hz,
   flat 300-3400 Hz), in dB.
2. Noise floor: a low percentile of those energies (adapts to the line's noise).
3. Loud frames (floor + 10 dB) form runs; runs closer than 150 ms merge into
   segments; segments shorter than 60 ms are clicks.
4. Voiced segments (periodic, see ``voicing``) are speech for sure: breaths and noise
   bursts are aperiodic.  From the first and last of them the speech grows over
   neighbouring segments (see ``_grow``): unvoiced sounds close to speech are speech.
5. Its edges extend while frames stay above floor + 4.5 dB (hysteresis), so quiet
   onsets and decays are kept; the caller adds the pad.
"""

from __future__ import annotations

import numpy as np

from .features import FrameStats
from .kweight import activity_lag_weights
from .settings import Settings
from .voicing import is_voiced


def band_energy_db(stats: FrameStats, rate: int) -> np.ndarray:
    """Speech-band mean square per frame, in dB (digital silence gives -150)."""
    ms = (stats.lagp @ activity_lag_weights(rate)) / stats.counts()
    return 10.0 * np.log10(np.maximum(ms, 1e-15))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.view(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _segments(loud: np.ndarray, merge: int, shortest: int) -> list[tuple[int, int]]:
    starts, ends = _runs(loud)
    if starts.size == 0:
        return []
    keep = np.concatenate([[True], starts[1:] - ends[:-1] > merge])
    seg_starts = starts[keep]
    seg_ends = ends[np.concatenate([keep[1:], [True]])]
    return [(int(a), int(b)) for a, b in zip(seg_starts, seg_ends, strict=True) if b - a >= shortest]


def _speech_like(seg: tuple[int, int], db: np.ndarray, x: np.ndarray, rate: int,
                 flen: int, s: Settings) -> bool:
    a, b = seg
    # Judge periodicity where the segment is loudest: best SNR.
    top = a + np.argsort(db[a:b])[::-1][: s.voicing_frames]
    centres = top * flen + flen // 2
    return is_voiced(x, rate, centres, 3 * flen / rate, s.voicing_threshold)


def _gap_s(a: tuple[int, int], b: tuple[int, int], fps: float) -> float:
    return (max(a[0], b[0]) - min(a[1], b[1])) / fps


def _grow(anchor: int, segs: list[tuple[int, int]], step: int, db: np.ndarray, loud: float,
          fps: float, s: Settings) -> int:
    """Walk from segment ``anchor`` in direction ``step`` over segments that belong to the speech.

    Unvoiced speech (fricatives, plosive bursts, a whispered word) often stands apart
    from the voiced part by a short closure or pause: a segment close to the speech is
    kept whatever it is, a farther one only if it is as long and as loud as speech
    (breaths are quieter, clicks shorter or far louder).
    """
    cur = anchor
    k = anchor + step
    while 0 <= k < len(segs):
        gap = _gap_s(segs[cur], segs[k], fps)
        a, b = segs[k]
        peak = float(db[a:b].max())
        near = gap <= s.adjacent_gap_s
        far_ok = (gap <= s.distant_gap_s and (b - a) / fps >= s.distant_min_s
                  and loud - s.distant_below_db <= peak <= loud + s.click_above_db)
        if not (near or far_ok):
            break
        cur = k
        k += step
    return cur


def percentile(values: np.ndarray, q: float) -> float:
    """The ``q``-th percentile (lower neighbour): np.percentile without its overhead."""
    k = int(q / 100.0 * (values.size - 1))
    return float(np.partition(values, k)[k])


def noise_floor(db: np.ndarray, s: Settings) -> float:
    """Low percentile of frame energies, ignoring digital silence (exact zeros, mu-law idle)."""
    live = db[db > -100.0]
    return percentile(live, s.floor_percentile) if live.size else -150.0


def find_speech(x: np.ndarray, stats: FrameStats, rate: int, s: Settings) -> tuple[int, int] | None:
    """Return the first and last speech frames ``(first, last_exclusive)``, or None."""
    db = band_energy_db(stats, rate)
    if db.size == 0:
        return None
    flen = stats.frame_len
    fps = rate / flen
    floor = noise_floor(db, s)
    # A sound louder than ``loud_db`` is never background noise, whatever the floor
    # (a recording that is all tone or all shouting still has content).
    hi_thr = max(min(floor + s.onset_margin_db, s.loud_db), s.absolute_floor_db)
    lo_thr = max(min(floor + s.extend_margin_db, s.loud_db), s.absolute_floor_db - 5.0)
    segs = _segments(db > hi_thr, int(round(s.merge_gap_s * fps)), max(1, int(round(s.min_segment_s * fps))))
    # Only the first and the last voiced segments matter: test from each end, lazily.
    head = next((k for k, g in enumerate(segs) if _speech_like(g, db, x, rate, flen, s)), None)
    if head is None:
        return None
    tail = next(k for k in range(len(segs) - 1, head - 1, -1)
                if k == head or _speech_like(segs[k], db, x, rate, flen, s))
    loud = percentile(db[db > hi_thr], 90.0)
    first = _grow(head, segs, -1, db, loud, fps, s)
    last = _grow(tail, segs, 1, db, loud, fps, s)
    start, end = segs[first][0], segs[last][1]
    # Hysteresis: extend over quieter edges, but not into the next noise event.
    reach = int(round(s.extend_max_s * fps))
    quiet = db <= lo_thr
    lo = max(0, start - reach)
    below = np.flatnonzero(quiet[lo:start])
    start = lo + below[-1] + 1 if below.size else lo
    hi = min(db.size, end + reach)
    below = np.flatnonzero(quiet[end:hi])
    end = end + below[0] if below.size else hi
    return start, end
