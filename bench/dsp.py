"""Speed and quality benchmark of ``rtp.dsp.process`` (not a test).

    .venv/bin/python bench/dsp.py [--quick] [--messages N]

One thread, arrays preloaded, no file I/O in the timed loops.  Prints, one line each:
throughput ratio to the baseline (librosa.effects.trim + pyloudnorm, see
``dsp_baseline``), fraction of the memory-bandwidth bound (a numpy sum over the same
arrays), the quality figures of both (see ``dsp_quality``), and the peak extra memory
of the 30-minute recording (tracemalloc, which sees numpy's and numba's buffers).

Timing: CPU seconds (``time.process_time``), one run per recording for each of the
three, alternating recording by recording with the order rotated, and with the cyclic
garbage collector off (as ``timeit`` does): the machine is shared, and timing them in
separate blocks gave each a different share of memory bandwidth.  The corpus (200
messages, ~2 h with the 30-minute recording; ``bench/corpus.py``) is generated first,
espeak-ng output cached under ``bench/.corpus/``.  Takes about five minutes (the baseline
runs on the 2 h of audio three times); ``--quick`` runs 30 messages and a 3-minute long
recording.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench import corpus  # noqa: E402
from bench.dsp_baseline import baseline_process  # noqa: E402
from bench.dsp_quality import line, score  # noqa: E402

# pyloudnorm warns about every baseline message it clips; the quality lines count them.
warnings.filterwarnings("ignore", message="Possible clipped samples")
from rtp.dsp import process  # noqa: E402


def interleaved(runs: dict[str, tuple], arrays: list[tuple[np.ndarray, int]]) -> dict[str, float]:
    """CPU seconds of each ``run`` over all arrays, timed array by array in turn.

    The machine is shared: timing the candidates in separate blocks would hand each
    a different share of memory bandwidth; alternating per array evens that out.
    ``runs`` maps a name to ``(function, repeats)``; each array counts its best repeat.
    The order rotates from array to array, so that each candidate finds as many
    arrays cold (first to read them) as the others.
    """
    totals = dict.fromkeys(runs, 0.0)
    names = list(runs)
    # like timeit: no cyclic garbage collection inside the timed calls, for all alike
    gc.collect()
    gc.disable()
    try:
        _timed(runs, names, arrays, totals)
    finally:
        gc.enable()
    return totals


def _timed(runs: dict[str, tuple], names: list[str], arrays: list[tuple[np.ndarray, int]],
           totals: dict[str, float]) -> None:
    for i, (x, rate) in enumerate(arrays):
        # rotate who goes first: the first finds the array cold, the others warm
        for name in names[i % len(names):] + names[: i % len(names)]:
            run, repeat = runs[name]
            best = float("inf")
            for _ in range(repeat):
                t0 = time.process_time()
                run(x, rate)
                best = min(best, time.process_time() - t0)
            totals[name] += best


def peak_extra_memory(x: np.ndarray, rate: int) -> int:
    """Peak bytes allocated by ``process`` beyond its input (tracemalloc sees numpy buffers)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = process(x, rate)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del result
    return peak


def main() -> None:
    """Build the corpus, time both implementations and the bound, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="30 messages and a 3-minute long recording")
    ap.add_argument("--messages", type=int, default=None)
    args = ap.parse_args()
    count = args.messages or (30 if args.quick else 200)
    t0 = time.time()
    msgs = corpus.messages(count) + corpus.hard_cases(long_minutes=3.0 if args.quick else 30.0)
    seconds = sum(m.seconds for m in msgs)
    long = msgs[-1]
    print(f"corpus: {len(msgs)} recordings ({count} messages + {len(msgs) - count} hard cases), "
          f"{seconds / 3600:.2f} h of audio, generated in {time.time() - t0:.0f} s")
    arrays = [(m.samples, m.rate) for m in msgs]
    process(msgs[0].samples, msgs[0].rate)  # JIT warm-up, not timed
    for rate in sorted({r for _, r in arrays}):
        process(np.zeros(rate, np.float32), rate)

    def safe_baseline(x: np.ndarray, rate: int):
        try:
            return baseline_process(x, rate)
        except Exception:  # noqa: BLE001 - the baseline crashes on some hard cases
            return None

    safe_baseline(msgs[0].samples, msgs[0].rate)
    # one run each, array by array: the same (cold) cache state for all three
    t = interleaved({"ours": (process, 1), "base": (safe_baseline, 1), "sum": (lambda x, r: x.sum(), 1)}, arrays)
    ours, base, bound = seconds / t["ours"], seconds / t["base"], seconds / t["sum"]
    print(f"throughput: process {ours:,.0f} s/s, baseline {base:,.0f} s/s, numpy-sum bound {bound:,.0f} s/s "
          f"(audio seconds per CPU second)")
    print(f"ratio to baseline: {ours / base:.1f}x")
    print(f"fraction of memory-bandwidth bound: {ours / bound:.3f}")
    by_rate = {}
    for m in msgs:
        by_rate.setdefault(m.rate, []).append((m.samples, m.rate))
    for rate, arr in sorted(by_rate.items()):
        secs = sum(x.shape[0] / r for x, r in arr)
        t = interleaved({"ours": (process, 1), "base": (safe_baseline, 1)}, arr)
        print(f"  at {rate} Hz ({secs / 60:.0f} min): ratio to baseline {t['base'] / t['ours']:.1f}x")
    print(line("process ", score(msgs, process)))
    print(line("baseline", score(msgs, baseline_process)))
    peak = peak_extra_memory(long.samples, long.rate)
    print(f"peak extra memory, {long.name} ({long.samples.nbytes / 2**20:.1f} MiB): "
          f"{peak / 2**20:.1f} MiB = {peak / long.samples.nbytes:.2f}x its size")


if __name__ == "__main__":
    main()
