"""Romanisation of an archive-sized batch of real and generated names (no database).

Id: placenames.romanize_5611_s — 5,611 distinct names (every division name of the MCA
2025 list: provinces to counties of China and Heilongjiang's townships, Hegang's villages,
then generated street and residential names) romanised from cold caches; the goal is
≤ 5 s. Baseline: bare ``pypinyin.lazy_pinyin`` over the same names (no rules, no tables).
The smoke run uses 1,000 names.
"""

from __future__ import annotations

import csv
import time

from pypinyin import Style, lazy_pinyin

from bench.harness import Result, sized
from gis_portal.datasets import HEGANG_DATA_DIR
from placenames import romanize as rz
from placenames.demo_archive import NUMERALS, SPECIFICS
from placenames.romanize_tables import divisions

N_NAMES = sized(5611, 1000)
STREET_GENERICS = ("路", "街", "大街", "巷", "胡同", "家园", "小区", "花园", "屯", "社区")


def _names() -> list[str]:
    names = [d.name for d in divisions().values()]
    with (HEGANG_DATA_DIR / "nbs2023_villages.csv").open(encoding="utf-8") as f:
        names += [row["name"] for row in csv.DictReader(f)]
    for specific in SPECIFICS:
        for generic in STREET_GENERICS:
            names += [f"{specific}{generic}", f"{specific}{NUMERALS[len(names) % 9]}{generic}"]
    return list(dict.fromkeys(names))[:N_NAMES]


def run() -> list[Result]:
    names = _names()
    rz._readings.cache_clear()
    rz.syllables_of.cache_clear()
    start = time.perf_counter()
    flagged = sum(rz.romanize(name).needs_check for name in names)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    for name in names:
        " ".join(lazy_pinyin(name, style=Style.NORMAL))
    naive_s = time.perf_counter() - start
    return [
        Result(
            "placenames.romanize_5611_s",
            round(ours_s, 2),
            "s",
            round(naive_s, 2),
            len(names),
            note=f"cold caches; {flagged} names flagged needs_check; baseline bare "
            "lazy_pinyin (no rules or tables), so the ratio is the cost of the rules",
        )
    ]
