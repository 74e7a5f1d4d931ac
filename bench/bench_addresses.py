"""addresses.*: reverse lookup, geocode, vector tiles (cold/warm), the checks and the bulk import.

Data: the demo network (18,480 plates) plus 1,000,000 generated plates on 3,240 generated
1 km streets in an 18 × 18 km box over urban Hegang (~3,100 plates/km², so the densest z14
tile holds ~8,500 plates). Generated in SQL once and kept in the bench database, keyed by
DATA_VERSION; the plate table is clustered on its EPSG:3857 index for the tiles. The smoke
run generates 5,000 plates on 80 streets.
"""

from __future__ import annotations

import csv
import gzip
import multiprocessing
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pghistory
from django.db import connection, connections, transaction

from bench.harness import (
    Result,
    best_of,
    latency_p95,
    percentile,
    sized,
    time_each_ms,
)
from gis_portal.demo import demo_load
from gis_portal.history import bulk_history, history_events_write
from gis_portal.importing.pipeline import SERVER_FILE_MAX_BYTES, layer_import
from gis_portal.metric_crs import to_lonlat, to_metric
from placenames.addresses import lookup
from placenames.addresses.bulk_io import PLATES, STREETS
from placenames.addresses.demo_network import SPECIFICS
from placenames.addresses.models import DoorPlate, Street
from placenames.addresses.selectors.addresses import address_checks
from placenames.addresses.services import plates as plate_services
from placenames.addresses.tile_store import tile_build, tile_cache_clear, tile_fetch
from placenames.addresses.tiles import TileAddress
from placenames.romanize import romanize

N_PLATES = sized(1_000_000, 5_000)
ROWS, COLS = sized(180, 20), sized(18, 4)  # E–W streets every 100 m, cut into 1 km streets
DATA_VERSION = f"addresses-bench-v1-{N_PLATES}"
PER_SIDE = 155
CENTRE_LONLAT = (130.29, 47.33)
SEED = 4


def _bench_names() -> list[str]:
    names = []
    for a in SPECIFICS:
        for b in SPECIFICS:
            if a != b:
                names.append(a + b + "路")
    rng = np.random.default_rng(SEED)
    picked = rng.choice(len(names), size=ROWS * COLS, replace=False)
    return [names[i] for i in picked]


def _ensure_plates() -> None:
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_addresses_meta (version text PRIMARY KEY)")
        cur.execute("SELECT 1 FROM bench_addresses_meta WHERE version = %s", [DATA_VERSION])
        if cur.fetchone():
            return
    print(f"   generating {N_PLATES:,} plates (once; cached in the bench database) …", flush=True)
    t0 = time.perf_counter()
    x0, y0 = to_metric(*CENTRE_LONLAT)
    x0 -= COLS * 1000 / 2
    y0 -= ROWS * 100 / 2
    x0, y0 = float(x0), float(y0)  # numpy scalars: formatted into the SQL below
    names = _bench_names()
    pinyins = [romanize(n).pinyin for n in names]
    # Every generated street and plate is recorded in the history under the bench's
    # context, one INSERT … SELECT per table (see bench.harness.bulk_history). With the row
    # triggers and no context, the cost per row grew with the row count (22 s for 25,000
    # plates, 76 s for 50,000, 265 s for 100,000: more than 54 minutes for the million).
    context = pghistory.context(source="bench", generator="addresses", version=DATA_VERSION)
    generated = "NOT t.is_demo"
    with (
        transaction.atomic(),
        context,
        bulk_history(DoorPlate, Street),
        connection.cursor() as cur,
    ):
        cur.execute("SET LOCAL statement_timeout = 0")  # a one-off bulk generation
        history_events_write(DoorPlate, label="delete", where=generated)
        history_events_write(Street, label="delete", where=generated)
        cur.execute("DELETE FROM addresses_doorplate WHERE NOT is_demo")
        cur.execute("DELETE FROM addresses_street WHERE NOT is_demo")
        # Positional parameters only: the trigger-ignoring wrapper prepends one of its own.
        cur.execute(
            f"""
            INSERT INTO addresses_street (name, name_pinyin, start_description, end_description,
                geom_4490, base_end, odd_side, numbering_mode, metres_per_number, approved_by,
                is_demo, named_on, county_id, township_id, place_name_id)
            SELECT n.name, n.pinyin, '', '',
                   ST_Transform(ST_SetSRID(ST_MakeLine(
                       ST_MakePoint({x0!r} + c * 1000, {y0!r} + r * 100),
                       ST_MakePoint({x0!r} + c * 1000 + 1000, {y0!r} + r * 100)), 4552), 4490),
                   'end', 'right', 'per_door', NULL, '', false, NULL, county.id, NULL, NULL
            FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS n(name, pinyin, i),
                 LATERAL (SELECT (n.i - 1) / {COLS:d} AS r, (n.i - 1) %% {COLS:d} AS c) g,
                 -- The county of each street: the polygon under its midpoint.
                 LATERAL (SELECT ST_SetSRID(ST_MakePoint({x0!r} + c * 1000 + 500,
                                                         {y0!r} + r * 100), 4552) AS mid_4552) m
                 LEFT JOIN LATERAL (
                     SELECT a.id FROM boundaries_administrativearea a
                     WHERE a.level = 'county' AND a.valid_to IS NULL
                       AND ST_Covers(a.geom_4490, ST_Transform(m.mid_4552, 4490))
                     LIMIT 1
                 ) county ON true
            """,
            [names, pinyins],
        )
        history_events_write(Street, label="insert", where=generated)
        # Doors every ~6.5 m from the east (base) end: odd numbers north (right facing west).
        cur.execute(
            f"""
            INSERT INTO addresses_doorplate (street_id, number, sub_number, building, unit,
                name_on_plate, point_4490, side, status, installed_on, retired_on, is_demo)
            SELECT id, number, 0, '', '', name,
                   ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 4552), 4490), side,
                   'installed', NULL, NULL, false
            FROM (
                SELECT s.id, s.name, 2 * k + sd.first AS number, sd.side,
                       ST_X(ST_EndPoint(s.line_4552)) - (k + 0.5) * (1000.0 / {PER_SIDE:d})
                           + ((k * 7919 + s.id) %% 5) * 0.3 AS x,
                       ST_Y(ST_EndPoint(s.line_4552)) + sd.sign * (8 + ((k * 104729 + s.id) %% 7)) AS y,
                       row_number() OVER (ORDER BY s.id, sd.first, k) AS rn
                FROM addresses_street s
                CROSS JOIN generate_series(0, {PER_SIDE - 1:d}) k
                CROSS JOIN (VALUES (1, 'right', 1), (2, 'left', -1)) sd(first, side, sign)
                WHERE NOT s.is_demo
            ) q
            WHERE rn <= {N_PLATES:d}
            """,
            [],
        )
        history_events_write(DoorPlate, label="insert", where=generated)
    with connection.cursor() as cur:
        print(f"   inserted in {time.perf_counter() - t0:.0f} s; clustering …", flush=True)
        cur.execute("SET statement_timeout = 0")
        cur.execute("CLUSTER addresses_doorplate USING addresses_d_point_3_ec7ae7_gist")
        cur.execute("ANALYZE addresses_doorplate")
        cur.execute("ANALYZE addresses_street")
        cur.execute("INSERT INTO bench_addresses_meta VALUES (%s)", [DATA_VERSION])
        cur.execute("RESET statement_timeout")
    print(f"   data ready in {time.perf_counter() - t0:.0f} s", flush=True)


# ---- reverse ------------------------------------------------------------------------------


def _random_points(n: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    cx, cy = to_metric(*CENTRE_LONLAT)
    xs = cx + rng.uniform(-COLS * 500, COLS * 500, n)
    ys = cy + rng.uniform(-ROWS * 50, ROWS * 50, n)
    lon, lat = to_lonlat(xs, ys)
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


_NAIVE_REVERSE = """
    SELECT id FROM addresses_doorplate
    ORDER BY ST_Distance(geography(point_4490), geography(ST_SetSRID(ST_MakePoint(%s, %s), 4490)))
    LIMIT 1
"""
_DEGREE_KNN = """
    SELECT id FROM addresses_doorplate
    ORDER BY point_4490 <-> ST_SetSRID(ST_MakePoint(%s, %s), 4490) LIMIT 1
"""


def _sql_one(sql: str, params) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def bench_reverse() -> Result:
    points = _random_points(sized(2000, 100), SEED)
    lookup.reverse(lon=points[0][0], lat=points[0][1])
    ours = time_each_ms(lambda p: lookup.reverse(lon=p[0], lat=p[1]), points)
    naive_pts = points[: sized(15, 3)]
    naive = time_each_ms(lambda p: _sql_one(_NAIVE_REVERSE, p), naive_pts)
    wrong = 0
    sample = points[: sized(500, 20)]
    for p in sample:
        if _sql_one(_DEGREE_KNN, p) != lookup.reverse(lon=p[0], lat=p[1]).plate_id:
            wrong += 1
    return latency_p95(
        "addresses.reverse_p95_ms",
        ours,
        naive,
        digits=3,
        baseline_digits=1,
        with_median=True,
        note="KNN on the EPSG:4552 column with full address "
        f"joins; baseline: ORDER BY ST_Distance(geography) without index (n={len(naive_pts)}, "
        f"median {percentile(naive, 50):.0f} ms); KNN on 4490 degrees picks another plate in "
        f"{wrong / len(sample):.0%} of {len(sample)} queries",
    )


# ---- geocode ------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _queries(n: int) -> list[tuple[str, int]]:
    """Return (query, expected street id) pairs typed in the ways people type them."""
    rng = np.random.default_rng(SEED + 1)
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT p.number, s.id, s.name, s.name_pinyin, coalesce(c.name, '')
            FROM addresses_doorplate p TABLESAMPLE SYSTEM (1) REPEATABLE (7)
            JOIN addresses_street s ON s.id = p.street_id
            LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
            WHERE p.sub_number = 0
            LIMIT %s
            """,
            [n],
        )
        rows = cur.fetchall()
    out = []
    for i, (number, sid, name, pinyin, county) in enumerate(rows):
        kind = i % 9
        if kind == 0:
            q = f"{name}{number}号"
        elif kind == 1:
            q = f"鹤岗市{county}{name}{number}号".translate(_FULLWIDTH)
        elif kind == 2:
            q = f"{pinyin} {number}"
        elif kind == 3:  # a typo: one character of the specific replaced by a homophone-free one
            pos = int(rng.integers(0, max(len(name) - 1, 1)))
            q = f"{name[:pos]}的{name[pos + 1 :]}{number}号"
        elif kind == 4:
            q = f"{name}{number}号之一"  # missing: interpolated
        elif kind == 5:
            q = f"{name}{number}号院"
        elif kind == 6:
            q = f"{pinyin.upper()} {number} HAO"  # as street signs print it
        elif kind == 7:  # areas without their generic: 鹤岗兴山金谷路269号
            q = f"鹤岗{county.removesuffix('区').removesuffix('县')}{name}{number}号"
        else:
            q = f"{name}{number + 5000}号"  # past the known plates: the street
        out.append((q, sid))
    return out


_NAIVE_GEOCODE = """
    SELECT p.id FROM addresses_doorplate p JOIN addresses_street s ON s.id = p.street_id
    WHERE %s ILIKE '%%' || s.name || p.number || '号%%' LIMIT 1
"""


def bench_geocode() -> Result:
    queries = _queries(sized(1200, 60))
    lookup.geocode(queries[0][0])
    found = listed = 0

    def run(item):
        nonlocal found, listed
        _, results = lookup.geocode(item[0])
        if results and results[0].ids.get("street_id") == item[1]:
            found += 1
        if any(r.ids.get("street_id") == item[1] for r in results):
            listed += 1

    ours = time_each_ms(run, queries)
    naive_q = [q for q, _ in queries[: sized(10, 2)]]
    naive = time_each_ms(_naive_geocode, naive_q)
    return latency_p95(
        "addresses.geocode_p95_ms",
        ours,
        naive,
        digits=3,
        baseline_digits=1,
        with_median=True,
        note=f"right street first in {found / len(queries):.1%}, "
        f"among the results in {listed / len(queries):.1%} "
        f"(plain, 鹤岗市+区+全角, pinyin, one-character typo, missing 之一 → interpolated, 号院, "
        f"PINYIN IN CAPITALS, 鹤岗+区 without generics, a number past the known plates); "
        f"{Street.objects.count()} streets; baseline: ILIKE of street||number over the plates "
        f"(n={len(naive_q)}, exact strings only)",
    )


def _naive_geocode(q: str):
    with connection.cursor() as cur:
        cur.execute(_NAIVE_GEOCODE, [q])
        return cur.fetchone()


# ---- tiles ------------------------------------------------------------------------------


def _densest_z14(n: int) -> list[TileAddress]:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT floor((ST_X(point_3857) + 20037508.342789244) / (40075016.68557849 / 16384))::int AS x,
                   floor((20037508.342789244 - ST_Y(point_3857)) / (40075016.68557849 / 16384))::int AS y,
                   count(*)
            FROM addresses_doorplate GROUP BY 1, 2 ORDER BY 3 DESC LIMIT %s
            """,
            [n],
        )
        rows = cur.fetchall()
    return [TileAddress("doorplates", 14, x, y) for x, y, _ in rows], rows[0][2]


_NAIVE_TILE = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
        json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(p.point_4490)::json,
                          'properties', json_build_object('id', p.id, 'street', s.name,
                                                          'number', p.number))), '[]'))::text
    FROM addresses_doorplate p JOIN addresses_street s ON s.id = p.street_id
    WHERE p.point_4490 && ST_Transform(ST_TileEnvelope(%s, %s, %s), 4490)
"""


def bench_tiles() -> list[Result]:
    tiles, densest = _densest_z14(sized(10, 2))
    sizes = [len(gzip.decompress(tile_build(t))) for t in tiles]
    cold = time_each_ms(tile_build, tiles * sized(5, 1))
    naive_sizes = []

    def naive(t):
        with connection.cursor() as cur:
            cur.execute(_NAIVE_TILE, [t.z, t.x, t.y])
            naive_sizes.append(len(cur.fetchone()[0]))

    naive_ms = time_each_ms(naive, tiles * sized(2, 1))
    tile_cache_clear()
    for t in tiles:
        tile_fetch(t)
    warm = time_each_ms(tile_fetch, tiles * sized(50, 3))
    tile_cache_clear()
    return [
        latency_p95(
            "addresses.tile_z14_cold_p95_ms",
            cold,
            naive_ms,
            baseline_digits=1,
            note=f"{len(tiles)} densest z14 tiles (densest {densest} plates, {max(sizes) / 1024:.0f} KB MVT), "
            f"ST_AsMVT on the generated EPSG:3857 column, table clustered, JIT off, gzip; baseline: "
            f"the same plates as GeoJSON built in PostGIS from 4490 ({max(naive_sizes) / 1024:.0f} KB)",
        ),
        latency_p95(
            "addresses.tile_z14_warm_p95_ms",
            warm,
            cold,
            digits=3,
            baseline_digits=2,
            note=f"median {percentile(warm, 50):.2f} ms from the tile cache: the cache row's id is "
            f"checked in PostgreSQL on every request (an edit deletes the covering rows), the "
            f"gzipped bytes come from the process's recent tiles; baseline: cold build",
        ),
    ]


# ---- checks -----------------------------------------------------------------------------

_NAIVE_CHECK_SQL = """
    SELECT
      (SELECT count(*) FROM addresses_doorplate o
        WHERE o.street_id = p.street_id AND o.number = p.number AND o.sub_number = p.sub_number
          AND o.id <> p.id AND o.status <> 'retired'),
      ST_Distance(p.point_4552, s.line_4552),
      ST_LineLocatePoint(s.line_4552, p.point_4552),
      (SELECT count(*) FROM addresses_doorplate o
        WHERE o.street_id = p.street_id AND o.number %% 2 = p.number %% 2 AND o.number > p.number
          AND ST_LineLocatePoint(s.line_4552, o.point_4552)
              * CASE WHEN s.base_end = 'start' THEN 1 ELSE -1 END
            < ST_LineLocatePoint(s.line_4552, p.point_4552)
              * CASE WHEN s.base_end = 'start' THEN 1 ELSE -1 END)
    FROM addresses_doorplate p JOIN addresses_street s ON s.id = p.street_id WHERE p.id = %s
"""


def bench_checks() -> Result:
    seconds = best_of(lambda: address_checks(is_demo=True), repeat=sized(3, 1))
    report = address_checks(is_demo=True)
    ids = list(DoorPlate.objects.filter(is_demo=True).order_by("id").values_list("id", flat=True))
    sample = ids[:: max(len(ids) // sized(500, 20), 1)]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for pid in sample:
            cur.execute(_NAIVE_CHECK_SQL, [pid])
            cur.fetchone()
    naive_s = (time.perf_counter() - t0) / len(sample) * len(ids)
    return Result(
        "addresses.check_all_s",
        round(seconds, 3),
        "s",
        round(naive_s, 2),
        report.plates_checked,
        note=f"all 7 rules over {report.plates_checked} demo plates and {report.signs_checked} signs "
        f"({len(report.findings)} findings), best of {sized(3, 1)}; baseline: per-plate SQL (duplicates, "
        f"distance, order) timed on {len(sample)} plates and scaled to all",
    )


# ---- bulk import ----------------------------------------------------------------------------

N_IMPORT = sized(1_000_000, 3_000)
IMPORT_STREETS = -(-N_IMPORT // (2 * PER_SIDE))  # 310 plates a street, both sides
NAIVE_SAMPLE = sized(2_000, 200)


class _PeakRss:
    """Sample this process's resident memory every 50 ms; ``peak_mb`` above the start."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * self.page

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def peak_mb(self) -> float:
        return (self.peak - self.start) / 1e6


def _import_layout() -> tuple[list[str], float, float]:
    """The bench import's street names and the metric origin of its 1 km street grid."""
    names = [name[:-1] + "二路" for name in _bench_names()[:IMPORT_STREETS]]  # 新华胜利二路
    x0, y0 = to_metric(*CENTRE_LONLAT)
    return names, float(x0) - COLS * 500, float(y0) - ROWS * 50 + 50  # 50 m off the bench grid


def import_files_write(folder: Path) -> tuple[Path, Path]:
    """Write the streets CSV and the N_IMPORT-plate CSV (deterministic: same bytes every run).

    Streets run west → east, 1 km long, 100 m apart; doors every 1000/155 m from the east
    (base) end with a little jitter, odd numbers 8–14 m north (the right, facing west).
    """
    names, x0, y0 = _import_layout()
    per_row = COLS
    streets_csv, plates_csv = folder / "bench_streets.csv", folder / "bench_plates.csv"
    with streets_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["标准名称", "起编端", "单号一侧", "编号方式", "几何"])
        for i, name in enumerate(names):
            r, c = divmod(i, per_row)
            xs = np.array([x0 + c * 1000, x0 + c * 1000 + 1000])
            lon, lat = to_lonlat(xs, np.array([y0 + r * 100] * 2))
            wkt = f"LINESTRING({lon[0]:.9f} {lat[0]:.9f}, {lon[1]:.9f} {lat[1]:.9f})"
            w.writerow([name, "线终点", "右侧", "按门顺序编号", wkt])
    k = np.arange(PER_SIDE)
    with plates_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["街路巷", "门牌号", "副号", "状态", "东经", "北纬"])
        written = 0
        for i, name in enumerate(names):
            r, c = divmod(i, per_row)
            east, y = x0 + c * 1000 + 1000, y0 + r * 100
            for first, sign in ((1, 1), (2, -1)):
                xs = east - (k + 0.5) * (1000.0 / PER_SIDE) + ((k * 7919 + i) % 5) * 0.3
                ys = y + sign * (8 + (k * 104729 + i) % 7)
                lon, lat = to_lonlat(xs, ys)
                take = min(PER_SIDE, N_IMPORT - written)
                w.writerows(
                    [name, 2 * j + first, 0, "在用", f"{lon[j]:.8f}", f"{lat[j]:.8f}"]
                    for j in range(take)
                )
                written += take
                if written >= N_IMPORT:
                    return streets_csv, plates_csv
    return streets_csv, plates_csv


class _Undo(Exception):
    """Roll the bench import back: the bench database keeps its cached data sets only."""


def _naive_seconds_per_plate(plates_csv: Path) -> float:
    """The services' per-plate path (ORM, one street batch at a time) on a sample."""
    with plates_csv.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))[1 : NAIVE_SAMPLE + 1]
    street_ids = dict(
        Street.objects.filter(name__in={r[0] for r in rows}).values_list("name", "id")
    )
    by_street: dict[str, list] = {}
    for name, number, _sub, _status, lon, lat in rows:
        by_street.setdefault(name, []).append(
            plate_services.PlateRequest(
                # The imported numbers are taken: the same doors, 1000 higher (same parity).
                lon=float(lon),
                lat=float(lat),
                number=int(number) + 1000,
                status="installed",
            )
        )
    t0 = time.perf_counter()
    with pghistory.context(source="bench", generator="naive-import"):
        for name, requests in by_street.items():
            plate_services.plates_create(street_id=street_ids[name], requests=requests)
    return (time.perf_counter() - t0) / len(rows)


def _plates_import(path: Path, *, name: str):
    with _PeakRss() as rss:
        report = layer_import(
            spec=PLATES,
            path=path,
            operator="bench",
            file_name=name,
            max_bytes=SERVER_FILE_MAX_BYTES,
            statement_timeout_s=0,
        )
    assert not report.errors, report.errors[:3]
    return report, rss.peak_mb


def _tenth_peak_mb(streets_csv: Path, tenth_csv: Path, out) -> None:
    """In a forked child: import the tenth (rolled back) and send its peak RSS growth."""
    try:
        with transaction.atomic():
            layer_import(spec=STREETS, path=streets_csv, operator="bench")
            _report, peak_mb = _plates_import(tenth_csv, name="bench_plates_tenth.csv")
            out.send(peak_mb)
            raise _Undo
    except _Undo:
        pass
    finally:
        connections.close_all()


def bench_import() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        t0 = time.perf_counter()
        streets_csv, plates_csv = import_files_write(Path(tmp))
        mb = plates_csv.stat().st_size / 1e6
        print(
            f"   wrote {N_IMPORT:,} plates ({mb:.0f} MB) in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        try:
            with transaction.atomic():
                layer_import(spec=STREETS, path=streets_csv, operator="bench")
                report, peak_mb = _plates_import(plates_csv, name="bench_plates.csv")
                assert report.created == N_IMPORT
                naive = _naive_seconds_per_plate(plates_csv)
                raise _Undo
        except _Undo:
            pass
        # The memory baseline in a fresh process (a fork): this one keeps what it allocated.
        tenth_csv = Path(tmp) / "bench_plates_tenth.csv"
        with plates_csv.open(encoding="utf-8") as f:
            tenth_csv.write_text(
                "".join(next(f) for _ in range(N_IMPORT // 10 + 1)), encoding="utf-8"
            )
        connections.close_all()
        fork = multiprocessing.get_context("fork")
        receive, send = fork.Pipe(duplex=False)
        child = fork.Process(target=_tenth_peak_mb, args=(streets_csv, tenth_csv, send))
        child.start()
        tenth_mb = receive.recv()
        child.join()
    return [
        Result(
            "addresses.import_1m_plates_s",
            round(report.seconds, 1),
            "s",
            round(naive * N_IMPORT, 1),
            N_IMPORT,
            note=f"{N_IMPORT:,}-plate CSV ({mb:.0f} MB) through import_addresses' pipeline (parse, "
            "validate incl. street, side, distance and duplicates, COPY to staging, write with "
            f"history under the file's name), one transaction: {N_IMPORT / report.seconds:,.0f} "
            f"plates/s; baseline: services.plates_create (ORM, per street) on {NAIVE_SAMPLE:,} "
            "plates scaled; rolled back after timing",
        ),
        Result(
            "addresses.import_1m_plates_rss_growth_mb",
            round(peak_mb, 1),
            "MB",
            round(tenth_mb, 1),
            N_IMPORT,
            note=f"peak RSS growth of the process during the {N_IMPORT:,}-plate import "
            f"(sampled every 50 ms); baseline: the same for its first {N_IMPORT // 10:,} plates, "
            "in a forked process (flat memory: the two are alike)",
        ),
    ]


def run() -> list[Result]:
    demo_load(only=["areas", "addresses"])  # each step cached by checksum, in a history context
    _ensure_plates()
    results = [bench_reverse(), bench_geocode(), *bench_tiles(), bench_checks(), *bench_import()]
    return results
