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

import pgtrigger
from django.db import connection
from django.db.models import AutoField, Model

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
        """Return baseline / value (how many times better; for rates value / baseline)."""
        if self.baseline in (None, 0) or self.value == 0:
            return None
        if self.unit.endswith("/s"):
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


# ---- bulk writes with their history ------------------------------------------------------
#
# The generators write up to a million rows in one statement or COPY. The per-row history
# trigger costs more per row the longer the transaction: its context lookup runs in a
# PL/pgSQL EXCEPTION block (a subtransaction per row) that upserts the context row, and in a
# 1M-row statement that grew from ~0.3 ms to several ms per row (10,000 plates 2.8 s, 20,000
# plates 8.2 s, context set). So bulk writes ignore the row triggers (``bulk_history``) and
# write the same events — every tracked column, the label, the row id, the context —
# with one INSERT … SELECT per table (``history_events_write``).


def bulk_history(*models: type[Model], labels: tuple[str, ...] = ("insert", "delete")):
    """Return a context manager ignoring the row history triggers of ``labels`` on ``models``."""
    return pgtrigger.ignore(
        *(f"{m._meta.label}:{label}_{label}" for m in models for label in labels)
    )


def history_events_write(model: type[Model], *, label: str, where: str, params=()) -> int:
    """Write a ``label`` history event for every row of ``model`` matching ``where``; return the count.

    The columns are those pghistory's row trigger writes (the event model's tracked fields);
    the context is the one in force (``pghistory.context``), created once for the statement.
    Call it after a bulk insert, or before a bulk delete, run under ``bulk_history``.
    """
    event = model.pgh_event_model
    tracked = {f.name for f in model._meta.fields}
    columns = [
        f.column
        for f in event._meta.fields
        if f.concrete and not isinstance(f, AutoField) and f.name in tracked
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f't."{c}"' for c in columns)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH ctx AS MATERIALIZED (SELECT _pgh_attach_context() AS id)
            INSERT INTO "{event._meta.db_table}"
                ({names}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)
            SELECT {values}, now(), %s, t."{model._meta.pk.column}", ctx.id
            FROM "{model._meta.db_table}" t, ctx
            WHERE {where}
            """,
            [label, *params],
        )
        return cur.rowcount
