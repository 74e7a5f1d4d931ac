"""Place-name search, suggest, fuzzy and import on 1,000,000 generated names.

Ids: placenames.search_p95_ms (Chinese substring, pinyin and initials mixed),
placenames.search_2char_p95_ms (two-character Chinese queries alone), suggest_p95_ms,
fuzzy_p95_ms and fuzzy_hit_rate (homophone, missing and extra character typos, and
pinyin typed with one wrong letter),
import_5611_s (a census xlsx) and import_100k_s (a CSV, peak memory in the note). The
baseline of every query is a naive ``ILIKE '%…%'`` scan in the same run; of the imports,
a per-row ORM upsert (the obvious way), timed on part of the file and scaled.

The 1M names are generated from a fixed seed with numpy and written with COPY (indexes
dropped and rebuilt around it) inside a history context; they stay in the bench database,
keyed by a version. The smoke run uses 5,000 names and imports of 200 and 1,000 rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import threading
import time
from pathlib import Path

import numpy as np
import openpyxl
import pghistory
from django.db import connection, transaction
from django.test.utils import override_settings
from pypinyin import Style, lazy_pinyin

from bench import previous_ranking
from bench.harness import (
    CACHE_DIR,
    Result,
    latency_p95,
    percentile,
    sized,
    time_each_ms,
)
from boundaries.models import AdministrativeArea
from gis_portal.demo import demo_load
from gis_portal.history import bulk_history, history_events_write
from gis_portal.models import DatasetLoad
from placenames import romanize as rz
from placenames.codes import place_code_build
from placenames.demo_archive import SPECIFICS
from placenames.importers.service import placenames_import
from placenames.models import PlaceCategory, PlaceName
from placenames.romanize import pinyin_initials, pinyin_key, syllables_of
from placenames.selectors.names import (
    SearchFilters,
    like_escape,
    placename_search,
    placename_suggest,
)
from placenames.services.names import categories_load, representative_point, search_keys

N_NAMES = sized(1_000_000, 5_000)
DATASET_VERSION = f"placenames-v3-{N_NAMES}"
N_CENSUS_BIG, N_CENSUS_SMALL, N_CENSUS_MID = (
    sized(100_000, 1_000),
    sized(5611, 200),
    sized(10_000, 300),
)
N_NAIVE_IMPORT = sized(500, 20)
SEED = 20_261_129
ROWS_CACHE = CACHE_DIR / f"{DATASET_VERSION}.tsv"
BENCH_SERIAL_FROM = 100_000  # generated codes start here, away from imported ones
GENERICS = [
    "路",
    "街",
    "大街",
    "巷",
    "胡同",
    "小区",
    "花园",
    "家园",
    "新村",
    "屯",
    "村",
    "社区",
    "大厦",
    "广场",
    "公园",
    "山",
    "岭",
    "河",
    "沟",
    "桥",
    "农场",
    "林场",
    "中心",
    "市场",
    "学校",
]
CATEGORY_OF = {"路": "23512", "街": "23513", "大街": "23512", "巷": "23515", "胡同": "23515"}


def _ensure_reference_data() -> None:
    demo_load(only=["areas"])  # cached by checksum, in a history context
    categories_load()


def _char_pool() -> list[str]:
    """The demo specifics' characters plus the 3,755 common ones of GB 2312 level 1.

    Real names draw on thousands of characters; a small pool would make 1M names so dense
    that every typo is itself another registered name.
    """
    common = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                common.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return sorted(common | {ch for word in SPECIFICS for ch in word})


def _generate_names(rng: np.random.Generator) -> list[str]:
    chars = np.array(_char_pool())
    lengths = rng.choice([2, 3], size=N_NAMES, p=[0.8, 0.2])
    picks = rng.integers(0, len(chars), size=(N_NAMES, 3))
    generics = rng.integers(0, len(GENERICS), size=N_NAMES)
    return ["".join(chars[picks[i, : lengths[i]]]) + GENERICS[generics[i]] for i in range(N_NAMES)]


def _dataset_ready() -> bool:
    done = DatasetLoad.objects.filter(name="bench:placenames", checksum=DATASET_VERSION).exists()
    return done and PlaceName.objects.filter(source="bench").count() >= N_NAMES


def _rows_tsv(names: list[str], rng: np.random.Generator) -> io.StringIO:
    """Return the COPY text of the 1M rows (cached in bench/cache: pypinyin takes minutes).

    The rows hold this database's category and division ids, so the cache is kept per set
    of ids: another database (a new smoke database, a bench database built again) with other
    ids gets rows of its own instead of a foreign-key violation.
    """
    categories = dict(PlaceCategory.objects.values_list("code", "pk"))
    divisions = list(
        AdministrativeArea.objects.filter(level="township", valid_to__isnull=True).values_list(
            "code", "pk"
        )
    )
    ids = hashlib.sha256(repr((sorted(categories.items()), divisions)).encode()).hexdigest()[:12]
    cached = ROWS_CACHE.with_name(f"{ROWS_CACHE.stem}-{ids}.tsv")
    if cached.exists():
        return io.StringIO(cached.read_text(encoding="utf-8"))
    lon = rng.uniform(130.0, 130.6, N_NAMES)
    lat = rng.uniform(47.1, 47.6, N_NAMES)
    which = rng.integers(0, len(divisions), size=N_NAMES)
    serials: dict[str, int] = {}
    buffer = io.StringIO()
    for i, name in enumerate(names):
        generic = next(g for g in sorted(GENERICS, key=len, reverse=True) if name.endswith(g))
        category = CATEGORY_OF.get(generic, "22100")
        division_code, division_id = divisions[which[i]]
        prefix = division_code + category
        serial = serials.get(prefix, BENCH_SERIAL_FROM) + 1
        serials[prefix] = serial
        code = place_code_build(division_code=division_code, category_code=category, serial=serial)
        parts = list(syllables_of(name))  # the services' own readings (phrase dictionary)
        key = "".join(parts)
        initials = "".join(p[0] for p in parts)
        keys = {key} | {"-" + "".join(parts[:k] + parts[k + 1 :]) for k in range(len(parts))}
        pinyin = key[:1].upper() + key[1:]
        buffer.write(
            f"{code}\t{name}\t{pinyin}\t{categories[category]}\t{division_id}\t"
            f"SRID=4490;POINT({lon[i]:.6f} {lat[i]:.6f})\t"
            f"SRID=4490;POINT({lon[i]:.6f} {lat[i]:.6f})\t{name}\t{key}\t{initials}\t"
            "{" + ",".join(sorted(keys)) + "}\n"
        )
    buffer.seek(0)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(buffer.getvalue(), encoding="utf-8")
    buffer.seek(0)
    return buffer


def _copy_rows(buffer: io.StringIO) -> None:
    columns = (
        "place_code, standard_name, pinyin, category_id, division_id, point_4490, geom_4490,"
        " search_names,"
        " pinyin_key, pinyin_initials, fuzzy_keys"
    )
    with connection.cursor() as cur:
        # Building the indexes of 1M rows takes minutes; the settings' timeout is for requests.
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute(
            "SELECT indexdef, indexname FROM pg_indexes WHERE tablename = 'placenames_placename'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cur.fetchall()
        for _, index_name in indexes:
            cur.execute(f'DROP INDEX "{index_name}"')
        # Django sets these columns' defaults in Python; COPY needs them in the table.
        defaults = {
            "abbreviation": "''",
            "generic_pinyin": "''",
            "pinyin_needs_check": "false",
            "ethnic_script": "''",
            "status": "'in_use'",
            "origin": "''",
            "meaning": "''",
            "history": "''",
            "description": "''",
            "coordinate_system": "'CGCS2000'",
            "survey_method": "''",
            "media_note": "''",
            "source": "'bench'",
            "remarks": "''",
            "registrar": "''",
            "registering_unit": "''",
            "is_demo": "true",
            "created_at": "now()",
            "updated_at": "now()",
            "version": "1",
        }
        for column, value in defaults.items():
            cur.execute(f"ALTER TABLE placenames_placename ALTER {column} SET DEFAULT {value}")
        try:
            with cur.cursor.copy(f"COPY placenames_placename ({columns}) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
            # Run the deferred foreign-key checks now: ALTER TABLE refuses pending ones.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        finally:
            for column in defaults:
                cur.execute(f"ALTER TABLE placenames_placename ALTER {column} DROP DEFAULT")
        for index_def, _ in indexes:
            cur.execute(index_def)
        cur.execute("ANALYZE placenames_placename")


def _ensure_dataset() -> tuple[list[str], float]:
    rng = np.random.default_rng(SEED)
    names = _generate_names(rng)
    if _dataset_ready():
        return names, 0.0
    t0 = time.perf_counter()
    # Every generated name is recorded in the history under the bench's context, in one
    # INSERT … SELECT after the COPY (see bench.harness.bulk_history): the row trigger
    # would run a subtransaction per row, each costlier than the last.
    context = pghistory.context(source="bench", generator="placenames", version=DATASET_VERSION)
    generated = "t.source = 'bench'"
    with transaction.atomic(), context, bulk_history(PlaceName), connection.cursor() as cur:
        # Only the generated names are replaced: a TRUNCATE … CASCADE would also empty the
        # streets, door plates and facilities that refer to place names (other benchmarks'
        # data, which their cache keys would still claim as loaded).
        cur.execute("SET LOCAL statement_timeout = 0")
        history_events_write(PlaceName, label="delete", where=generated)
        cur.execute("DELETE FROM placenames_placename WHERE source = 'bench'")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE below refuses pending checks
        _copy_rows(_rows_tsv(names, rng))
        history_events_write(PlaceName, label="insert", where=generated)
        DatasetLoad.objects.update_or_create(
            name="bench:placenames", defaults={"checksum": DATASET_VERSION, "summary": {}}
        )
    return names, time.perf_counter() - t0


def _naive(q: str) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM placenames_placename WHERE standard_name ILIKE %s"
            " OR pinyin_key ILIKE %s OR pinyin_initials ILIKE %s ORDER BY standard_name LIMIT 20",
            ["%" + like_escape(q) + "%"] * 3,
        )
        cur.fetchall()


def _naive_prefix(q: str) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM placenames_placename WHERE standard_name ILIKE %s"
            " OR pinyin_key ILIKE %s ORDER BY standard_name LIMIT 10",
            [like_escape(q) + "%"] * 2,
        )
        cur.fetchall()


def _queries(names: list[str], rnd: random.Random) -> dict[str, list[str]]:
    sample = rnd.sample(names, 600)  # the smoke run's 5,000 names suffice
    two = [n[:2] for n in sample[:150]]
    three = [n[1:4] for n in sample[150:250]]
    full = sample[250:350]
    pinyin = [pinyin_key(n)[: rnd.randint(5, 9)] for n in sample[350:450]]
    initials = [pinyin_initials(n)[:3] for n in sample[450:550]]
    suggest = [n[: rnd.randint(1, 3)] for n in sample[:200]] + [
        pinyin_key(n)[:4] for n in sample[200:300]
    ]
    return {
        "mixed": two + three + full + pinyin + initials,
        "two": two,
        "suggest": suggest,
    }


def _homophones() -> dict[str, list[str]]:
    """Common characters (GB2312 level 1) grouped by toneless reading."""
    groups: dict[str, list[str]] = {}
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            groups.setdefault(lazy_pinyin(ch, style=Style.NORMAL)[0], []).append(ch)
    return groups


TYPO_KINDS = ("homophone", "missing", "extra", "pinyin_letter")


def _typos(names: list[str], rnd: random.Random, n: int) -> list[tuple[str, str, str]]:
    """Return (typo, original, kind) triples, the four kinds in turn.

    homophone: one character replaced by another of the same reading, as a pinyin keyboard
    offers them (五百街 for 五柏街); missing: one character of the specific left out (names
    of four characters or more: dropping one of three leaves a two-character query that
    matches hundreds of names equally well); extra: one character inserted; pinyin_letter:
    the name typed as full pinyin with one letter wrong. The generic's last character is kept.
    """
    groups = _homophones()
    pool = _char_pool()
    triples = []
    for k, name in enumerate(rnd.sample(names, n)):
        kind = TYPO_KINDS[k % len(TYPO_KINDS)]
        pos = rnd.randrange(len(name) - 1)
        if kind == "homophone":
            reading = lazy_pinyin(name[pos], style=Style.NORMAL)[0]
            others = [c for c in groups.get(reading, []) if c != name[pos]]
            if not others:
                continue
            typo = name[:pos] + rnd.choice(others) + name[pos + 1 :]
        elif kind == "missing" and len(name) > 3:
            typo = name[:pos] + name[pos + 1 :]
        elif kind == "pinyin_letter":
            key = pinyin_key(name)
            at = rnd.randrange(len(key))
            typo = key[:at] + rnd.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != key[at]])
            typo += key[at + 1 :]
        else:
            kind = "extra"
            typo = name[:pos] + rnd.choice(pool) + name[pos:]
        triples.append((typo, name, kind))
    return triples


def _paired_ms(new, old, items: list[str]) -> tuple[list[float], list[float]]:
    """Return the times in ms of ``new`` and ``old`` on every item, taken in turns (so a
    burst of load from the shared machine falls on both alike)."""
    times_new, times_old = [], []
    for item in items:
        times_new += time_each_ms(new, [item])
        times_old += time_each_ms(old, [item])
    return times_new, times_old


def _first_agrees(suggest, search, queries: list[str]) -> float:
    """Return the share of queries whose first suggestion is the search's first result."""
    agree = 0
    for q in queries:
        suggested = suggest(q)
        found = search(q)
        agree += bool(suggested) and bool(found) and suggested[0] == found[0]
    return agree / len(queries)


def _memory_peak_mb(fn) -> tuple[float, float]:
    """Return (seconds, peak RSS growth in MB) of fn(), sampling /proc every 50 ms."""
    page = 4096
    rss = lambda: int(Path("/proc/self/statm").read_text().split()[1]) * page  # noqa: E731
    start, peak, stop = rss(), [0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss() - start)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    fn()
    seconds = time.perf_counter() - t0
    stop.set()
    thread.join()
    return seconds, max(peak[0], rss() - start) / 1e6


def _census_rows(n: int, rnd: random.Random, tag: str) -> list[list]:
    divisions = list(
        AdministrativeArea.objects.filter(
            level="township", valid_to__isnull=True, code__startswith="23040"
        ).values_list("code", flat=True)
    )
    chars = _char_pool()
    rows, serials = [], {}
    for _k in range(n):
        division = rnd.choice(divisions)
        generic, category = rnd.choice([("路", "23512"), ("街", "23513"), ("小区", "22100")])
        name = "".join(rnd.sample(chars, 2)) + tag + generic
        serial = serials.get(division + category, 800_000) + 1
        serials[division + category] = serial
        code = place_code_build(division_code=division, category_code=category, serial=serial)
        rows.append(
            [
                code,
                name,
                category,
                division,
                round(130.27 + rnd.uniform(-0.03, 0.03), 6),
                round(47.33 + rnd.uniform(-0.03, 0.03), 6),
                "2000",
                "现今",
                "示例含义",
                "2016-05-01",
            ]
        )
    return rows


CENSUS_HEADER = [
    "代码",
    "标准名称",
    "类别",
    "所在(跨)行政区",
    "东经",
    "北纬",
    "坐标系",
    "使用时间",
    "地名含义",
    "登记时间",
]


def _census_xlsx(rows: list[list]) -> Path:
    path = CACHE_DIR / "placenames_census_5611.xlsx"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(CENSUS_HEADER)
        for row in rows:
            sheet.append(row)
        book.save(path)
    return path


def _census_csv(rows: list[list], *, name: str = "placenames_census_100k.csv") -> Path:
    path = CACHE_DIR / name
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(CENSUS_HEADER)
            writer.writerows(rows)
    return path


def _delete_codes(codes: list[str]) -> None:
    with pghistory.context(source="bench", operation="delete imported rows"):
        for start in range(0, len(codes), 20_000):
            PlaceName.objects.filter(place_code__in=codes[start : start + 20_000]).delete()


def _orm_upsert_row(row: list) -> None:
    """The baseline: one census row as the per-row ORM upsert that the import replaced
    (look up category and division, romanise, update_or_create, other divisions and aliases
    replaced; one transaction per row)."""
    name, category_code, division_code = row[1], row[2], row[3]
    with transaction.atomic():
        category = PlaceCategory.objects.get(code=category_code)
        division = AdministrativeArea.objects.get(code=division_code, valid_to__isnull=True)
        roman = rz.romanize(name, settlement=rz.is_settlement_category(category_code))
        place, created = PlaceName.objects.update_or_create(
            place_code=row[0],
            defaults={
                "standard_name": name,
                "pinyin": roman.pinyin,
                "generic_pinyin": roman.generic_pinyin,
                "pinyin_needs_check": roman.needs_check,
                "category": category,
                "division": division,
                "geom_4490": None,
                "point_4490": representative_point(None),
                "is_demo": False,
                **search_keys(standard_name=name, alias_names=[], abbreviation=""),
            },
        )
        place.other_divisions.set(AdministrativeArea.objects.none())
        if not created:
            place.aliases.all().delete()


def _naive_import_seconds(rows: list[list], sample: int) -> float:
    """Per-row ORM upserts (romanise, code check, one transaction per row) on ``sample``."""
    t0 = time.perf_counter()
    for row in rows[:sample]:
        _orm_upsert_row(row)
    seconds = time.perf_counter() - t0
    _delete_codes([r[0] for r in rows[:sample]])
    return seconds * len(rows) / sample


def run() -> list[Result]:
    _ensure_reference_data()
    names, build_s = _ensure_dataset()
    rnd = random.Random(SEED)
    queries = _queries(names, rnd)
    empty = SearchFilters()

    def search(q: str) -> list[str]:
        return [p.standard_name for p in placename_search(q=q, filters=empty, limit=20).places]

    def suggest(q: str) -> list[str]:
        return [s.standard_name for s in placename_suggest(q=q, limit=10)]

    def previous_search(q: str) -> list[str]:
        page = previous_ranking.placename_search(q=q, filters=empty, limit=20)
        return [p.standard_name for p in page.places]

    def previous_suggest(q: str) -> list[str]:
        return [s.standard_name for s in previous_ranking.placename_suggest(q=q, limit=10)]

    for q in queries["mixed"][:20]:  # warm the caches
        search(q)
        previous_search(q)
    _naive(queries["mixed"][0])
    # The baseline of search and suggest is the previous ranking (commit d0262cb), timed in
    # turns with the current one; the ILIKE scan is in the note.
    mixed, previous_mixed = _paired_ms(search, previous_search, queries["mixed"])
    two = time_each_ms(search, queries["two"])
    naive_mixed = time_each_ms(_naive, queries["mixed"][::25])
    naive_two = time_each_ms(_naive, queries["two"][::15])
    sug, previous_sug = _paired_ms(suggest, previous_suggest, queries["suggest"])
    naive_sug = time_each_ms(_naive_prefix, queries["suggest"][::20])
    agree = _first_agrees(suggest, search, queries["suggest"])
    previous_agree = _first_agrees(previous_suggest, previous_search, queries["suggest"])

    print(  # the imports below take minutes: show the query figures first
        f"   queries: search p95 {percentile(mixed, 95):.1f} ms, 2-char p95 "
        f"{percentile(two, 95):.1f} ms, suggest p95 {percentile(sug, 95):.1f} ms",
        flush=True,
    )
    typos = _typos(names, rnd, sized(400, 40))
    hits = 0
    fuzzy_times = []
    kind_hits: dict[str, list[int]] = {kind: [0, 0] for kind in TYPO_KINDS}
    for typo, original, kind in typos:
        t0 = time.perf_counter()
        page = placename_search(q=typo, filters=empty, limit=10, with_total=False)
        fuzzy_times.append((time.perf_counter() - t0) * 1000)
        hit = any(p.standard_name == original for p in page.places)
        hits += hit
        kind_hits[kind][0] += hit
        kind_hits[kind][1] += 1
    naive_hits = 0
    naive_fuzzy = []
    for typo, original, _kind in typos[::20]:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT standard_name FROM placenames_placename WHERE standard_name ILIKE %s"
                " ORDER BY standard_name LIMIT 10",
                ["%" + like_escape(typo) + "%"],
            )
            found = [r[0] for r in cur.fetchall()]
        naive_fuzzy.append((time.perf_counter() - t0) * 1000)
        naive_hits += original in found

    print(
        f"   fuzzy p95 {percentile(fuzzy_times, 95):.1f} ms, hit rate {hits / len(typos):.3f}",
        flush=True,
    )
    return [
        latency_p95(
            "placenames.search_p95_ms",
            mixed,
            previous_mixed,
            with_median=True,
            note="2/3-char, full names, pinyin and initials mixed, "
            f"with total count and fuzzy; 1M names; baseline: the previous ranking (median "
            f"{percentile(previous_mixed, 50):.2f} ms), ILIKE scan p95 "
            f"{percentile(naive_mixed, 95):.0f} ms"
            + (f"; data set built in {build_s:.0f} s" if build_s else "; data set cached"),
        ),
        latency_p95(
            "placenames.search_2char_p95_ms",
            two,
            naive_two,
            with_median=True,
            note="two-character Chinese queries alone (GIN over character bigrams)",
        ),
        latency_p95(
            "placenames.suggest_p95_ms",
            sug,
            previous_sug,
            with_median=True,
            note="1–3 typed characters or 4 pinyin letters; "
            f"baseline: the previous autocomplete (median {percentile(previous_sug, 50):.2f} ms), "
            f"ILIKE 'q%' scan p95 {percentile(naive_sug, 95):.0f} ms",
        ),
        Result(
            "placenames.suggest_agrees_share",
            round(agree, 3),
            "share",
            round(previous_agree, 3),
            len(queries["suggest"]),
            note="share of the suggest queries whose first suggestion is the search's first "
            "result; baseline: the same for the previous search and autocomplete",
        ),
        latency_p95(
            "placenames.fuzzy_p95_ms",
            fuzzy_times,
            naive_fuzzy,
            with_median=True,
            note="top-10 for homophone, missing and "
            "extra-character typos and full pinyin with one wrong letter",
        ),
        Result(
            "placenames.fuzzy_hit_rate",
            round(hits / len(typos), 3),
            "share",
            None,
            len(typos),
            note="share of typos whose intended name is in the top 10 ("
            + ", ".join(f"{k} {h}/{n}" for k, (h, n) in kind_hits.items())
            + f"); a naive ILIKE substring search finds {naive_hits / len(typos[::20]):.2f}",
        ),
        *import_results(),
    ]


def import_results() -> list[Result]:
    """The import figures alone: import_5611_s, import_100k_s and the 100k import's RSS.

    Callable on its own (after django.setup()) to re-measure the import without the
    search figures; imports into the data set of 1M names and deletes its rows again.
    """
    _ensure_reference_data()
    _ensure_dataset()
    census = _census_rows(N_CENSUS_BIG, random.Random(SEED + 1), "甲")
    small = _census_rows(N_CENSUS_SMALL, random.Random(SEED + 2), "乙")
    xlsx = _census_xlsx(small)
    csv_path = _census_csv(census)
    _delete_codes([r[0] for r in small])
    t0 = time.perf_counter()
    report = placenames_import(path=xlsx)
    import_small_s = time.perf_counter() - t0
    assert report.valid == N_CENSUS_SMALL and not report.errors, report.errors[:3]
    _delete_codes([r[0] for r in small])
    naive_small_s = _naive_import_seconds(small, N_NAIVE_IMPORT)

    # Production settings: DEBUG=False (the dev settings keep every query's SQL in memory).
    with override_settings(DEBUG=False):
        ten_k_path = _census_csv(census[:N_CENSUS_MID], name="placenames_census_10k.csv")
        _delete_codes([r[0] for r in census])
        holder = {}
        import_10k_s, peak_10k_mb = _memory_peak_mb(
            lambda: holder.setdefault("report", placenames_import(path=ten_k_path))
        )
        assert holder.pop("report").valid == N_CENSUS_MID
        _delete_codes([r[0] for r in census[:N_CENSUS_MID]])
        import_big_s, peak_mb = _memory_peak_mb(
            lambda: holder.setdefault("report", placenames_import(path=csv_path))
        )
        assert holder["report"].valid == N_CENSUS_BIG, holder["report"].errors[:3]
        _delete_codes([r[0] for r in census])
    naive_big_s = naive_small_s * N_CENSUS_BIG / N_CENSUS_SMALL

    return [
        Result(
            "placenames.import_5611_s",
            round(import_small_s, 2),
            "s",
            round(naive_small_s, 2),
            N_CENSUS_SMALL,
            note="census xlsx, validation + romanisation + upsert; baseline per-row ORM upsert "
            f"timed on {N_NAIVE_IMPORT} rows and scaled",
        ),
        Result(
            "placenames.import_100k_s",
            round(import_big_s, 2),
            "s",
            round(naive_big_s, 2),
            N_CENSUS_BIG,
            note=f"CSV streamed twice (validate, then write in batches of 2,000) in one "
            f"transaction, DEBUG=False; {N_CENSUS_MID:,} rows took {import_10k_s:.1f} s; "
            f"baseline scaled from the {N_NAIVE_IMPORT}-row per-row timing",
        ),
        Result(
            "placenames.import_100k_rss_growth_mb",
            round(peak_mb, 1),
            "MB",
            round(peak_10k_mb, 1),
            N_CENSUS_BIG,
            note="peak RSS growth of the process during the 100k-row import (sampled every "
            "50 ms); baseline: the same for 10k rows, run first (so it also bears the "
            "one-off warm-up: caches, imports)",
        ),
    ]
