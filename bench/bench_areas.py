"""areas.point_lookup_p95_ms: which areas contain a point, GiST index vs. an un-indexed scan."""

from __future__ import annotations

import numpy as np
from django.db import connection

from bench.harness import Result, latency_p95, percentile, sized, time_each_ms
from boundaries.models import AdministrativeArea
from boundaries.selectors.areas import areas_at_point, areas_at_point_unindexed
from gis_portal.demo import demo_load

N_POINTS = sized(10_000, 200)


def _ensure_areas() -> None:
    demo_load(only=["areas"])  # cached by checksum, in a history context


def _points() -> list[tuple[float, float]]:
    rng = np.random.default_rng(20261129)
    city = AdministrativeArea.objects.get(code="230400", valid_to__isnull=True).geom_4490
    min_lon, min_lat, max_lon, max_lat = city.extent
    lon = rng.uniform(min_lon, max_lon, N_POINTS)
    lat = rng.uniform(min_lat, max_lat, N_POINTS)
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


def _lookup(point) -> None:
    areas_at_point(lon=point[0], lat=point[1])


def run() -> list[Result]:
    _ensure_areas()
    points = _points()
    with connection.cursor() as cur:
        cur.execute("ANALYZE boundaries_administrativearea")
    _lookup(points[0])
    indexed = time_each_ms(_lookup, points)
    naive = time_each_ms(
        lambda p: areas_at_point_unindexed(lon=p[0], lat=p[1]), points[: sized(2000, 50)]
    )
    # Baseline: the same selector with the GiST index unusable (a sequential scan).
    with connection.cursor() as cur:
        cur.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
    try:
        seq = time_each_ms(_lookup, points)
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET enable_indexscan; RESET enable_bitmapscan")
    return [
        latency_p95(
            "areas.point_lookup_p95_ms",
            indexed,
            seq,
            digits=3,
            note=f"median {percentile(indexed, 50):.2f} ms vs {percentile(seq, 50):.2f} ms; selector on "
            f"ST_Subdivide pieces, GiST vs seq scan; naive whole-polygon codes-only query "
            f"p95 {percentile(naive, 95):.2f} ms",
        )
    ]
