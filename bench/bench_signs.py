"""Place-name sign coverage of the whole city: placenames.sign_coverage_s (target ≤ 2 s).

Data: the demo city built by the demo steps (areas, the 5,611-entry archive, streets and
street signs, the culture step's place signs), plus whatever other benchmarks left in the
bench database (bench_placenames keeps its generated names: they count as places too, so
the figure is for the archive as the database holds it; ``n`` says how many places).
Measured: ``sign_coverage(year)`` — one grouped statement — best of 3. Baseline in the
same run: the per-object path (``sign_coverage_naive``: a query per place for its signs,
another for its street's signs), timed over the whole city when it has ≤ 20,000 archive
records, else over the first 5,000 and scaled linearly (said in the note).
"""

from __future__ import annotations

import tempfile
import time

from django.test.utils import override_settings

from bench.harness import Result, best_of, sized
from gis_portal.demo import demo_load
from placenames.models import PlaceName
from placenames.selectors.signs import sign_coverage, sign_coverage_naive
from placenames.sign_coverage import coverage_total

YEAR = 2025
NAIVE_ALL_UP_TO = sized(20_000, 2_000)
NAIVE_SAMPLE = sized(5_000, 500)


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        demo_load(only=["areas", "placenames", "addresses", "culture"])
    cells = sign_coverage(year=YEAR)
    places, covered, rate = coverage_total(cells)
    seconds = best_of(lambda: sign_coverage(year=YEAR), repeat=3)

    records = PlaceName.objects.count()
    sample = None if records <= NAIVE_ALL_UP_TO else NAIVE_SAMPLE
    t0 = time.perf_counter()
    sign_coverage_naive(year=YEAR, limit=sample)
    naive_s = time.perf_counter() - t0
    if sample is not None:
        naive_s *= records / sample
        how = f"逐条基线按前 {sample} 条记录计时、线性换算到 {records} 条"
    else:
        how = f"逐条基线遍历全部 {records} 条记录"
    note = (
        f"{YEAR} 年末全市应设标志地名 {places} 处，已设 {covered} 处，"
        f"覆盖率 {rate if rate is None else round(rate * 100, 1)}%；{how}"
    )
    return [
        Result(
            "placenames.sign_coverage_s", round(seconds, 4), "s", round(naive_s, 3), places, note
        )
    ]
