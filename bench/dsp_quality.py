"""Quality figures of a trimmer/normalizer on the corpus (ground truth from ``corpus``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pyloudnorm as pyln

from bench.corpus import Message


@dataclass
class Quality:
    """Per-boundary trimming errors, loudness errors and defect counts (seconds, LU)."""

    cut: list[float] = field(default_factory=list)
    kept: list[float] = field(default_factory=list)
    loudness_error: list[float] = field(default_factory=list)
    clipped: int = 0
    nan: int = 0
    crashes: list[str] = field(default_factory=list)
    wrong_empty: list[str] = field(default_factory=list)

    def add(self, m: Message, result: tuple[np.ndarray, int, int] | Exception, target: float,
            ceil_dbfs: float, pad_s: float) -> None:
        """Score one result against the message's ground truth."""
        if isinstance(result, Exception):
            self.crashes.append(f"{m.name}: {result!r}")
            return
        out, start, end = result
        self.nan += int(np.count_nonzero(~np.isfinite(out)))
        ceiling = 10 ** (ceil_dbfs / 20)
        self.clipped += int(np.count_nonzero(np.abs(out) > ceiling))
        if m.speech is None:
            if out.size:
                self.wrong_empty.append(f"{m.name}: kept {out.size} samples of no speech")
            return
        if out.size == 0:
            self.wrong_empty.append(f"{m.name}: speech dropped")
            gs, ge = m.speech
            self.cut += [(ge - gs) / m.rate] * 2
            return
        gs, ge = m.speech
        pad = pad_s * m.rate
        self.cut += [max(0, start - gs) / m.rate, max(0, ge - end) / m.rate]
        self.kept += [max(0.0, (gs - pad) - start) / m.rate, max(0.0, end - (ge + pad)) / m.rate]
        if out.shape[0] >= 3 * m.rate:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lufs = pyln.Meter(m.rate).integrated_loudness(out.astype(np.float64))
            self.loudness_error.append(abs(lufs - target))

    def figures(self) -> dict[str, float]:
        """The figures the issue sets bars on (milliseconds for times)."""
        cut, kept, err = (np.array(v) if v else np.zeros(1) for v in (self.cut, self.kept, self.loudness_error))
        return {
            "cut_p95_ms": float(np.percentile(cut, 95) * 1000), "cut_max_ms": float(cut.max() * 1000),
            "kept_p95_ms": float(np.percentile(kept, 95) * 1000), "kept_max_ms": float(kept.max() * 1000),
            "loudness_err_p95_lu": float(np.percentile(err, 95)), "loudness_err_max_lu": float(err.max()),
            "clipped": self.clipped, "nan": self.nan, "crashes": len(self.crashes),
            "wrong_empty": len(self.wrong_empty),
        }

    def passes(self) -> bool:
        """The issue's bars: cut p95 <= 10 ms, max <= 20 ms; kept p95 <= 150 ms; loudness p95 <= 1 LU."""
        f = self.figures()
        return (f["cut_p95_ms"] <= 10 and f["cut_max_ms"] <= 20 and f["kept_p95_ms"] <= 150
                and f["loudness_err_p95_lu"] <= 1.0 and f["clipped"] == 0 and f["nan"] == 0
                and f["crashes"] == 0 and f["wrong_empty"] == 0)


def score(messages: list[Message], run, target: float = -20.0, ceil_dbfs: float = -1.0,
          pad_s: float = 0.2) -> Quality:
    """Run ``run(samples, rate)`` on every message and score it."""
    q = Quality()
    for m in messages:
        try:
            result = run(m.samples, m.rate)
        except Exception as exc:  # noqa: BLE001 - a crash is a figure, not an abort
            result = exc
        q.add(m, result, target, ceil_dbfs, pad_s)
    return q


def line(label: str, q: Quality) -> str:
    """One printable line of quality figures."""
    f = q.figures()
    return (f"quality {label}: speech cut p95 {f['cut_p95_ms']:.1f} ms max {f['cut_max_ms']:.1f} ms; "
            f"silence kept beyond pad p95 {f['kept_p95_ms']:.1f} ms max {f['kept_max_ms']:.1f} ms; "
            f"loudness error p95 {f['loudness_err_p95_lu']:.2f} LU max {f['loudness_err_max_lu']:.2f} LU; "
            f"clipped {f['clipped']}; NaN {f['nan']}; crashes {f['crashes']}; "
            f"wrong empty/non-empty {f['wrong_empty']}")
