"""The benchmark harness: timing helpers, the result record, and the data-set cache.

Every benchmark measures the project's way and a naive or peer way *in the same run*, so
that the ratio is meaningful on a shared, noisy machine.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

# The smoke run (bench/run.py --smoke, `make bench-smoke`, part of `make test`): every data
# set scaled down to a few thousand rows, the same code paths, in a throwaway database —
# so a benchmark that no longer runs fails CI instead of the next `make bench`.
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
CACHE_DIR = Path(__file__).resolve().parent / ("cache/smoke" if SMOKE else "cache")


def sized(full: int, smoke: int) -> int:
    """Return a data-set size or repeat count: ``full``, or ``smoke`` in the smoke run."""
    return smoke if SMOKE else full


@dataclass
class Result:
    id: str
    value: float
    unit: str
    baseline: float | None
    n: int
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Return baseline / value (how many times better; for rates and shares value / baseline)."""
        if self.baseline in (None, 0) or self.value == 0:
            return None
        if self.unit.endswith("/s") or self.unit == "share":
            return round(self.value / self.baseline, 2)
        return round(self.baseline / self.value, 2)

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("note")
        d["ratio"] = self.ratio
        return d


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0–100) by linear interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_p95(
    figure_id: str,
    times_ms: list[float],
    baseline_ms: list[float],
    *,
    digits: int = 2,
    baseline_digits: int | None = None,
    with_median: bool = False,
    note: str = "",
) -> Result:
    """Return the p95 of ``times_ms`` against the p95 of ``baseline_ms`` as a Result in ms.

    The value is rounded to ``digits``, the baseline to ``baseline_digits`` (default: the
    same); n is the number of timings. ``with_median`` starts the note "median X ms; ".
    """
    if with_median:
        note = f"median {percentile(times_ms, 50):.2f} ms; {note}"
    return Result(
        figure_id,
        round(percentile(times_ms, 95), digits),
        "ms",
        round(percentile(baseline_ms, 95), digits if baseline_digits is None else baseline_digits),
        len(times_ms),
        note=note,
    )


def time_each_ms(fn: Callable[[object], object], items: Iterable[object]) -> list[float]:
    """Return the wall time in ms of fn(item) for every item."""
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Return the smallest wall time in seconds of ``repeat`` calls (least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def median(values: list[float]) -> float:
    return statistics.median(values)
