"""boundaries.*: parameter fitting, bulk Beijing 1954 → CGCS2000 conversion, topology checks.

- fit_50_ms: 7-parameter fit from 50 common points (2 blunders, rejection included);
  baseline: scipy.optimize.least_squares on the same model and rejection loop (a generic
  non-linear solver instead of the centred linear solve).
- convert_1m_s: 1,000,000 vertices EPSG:2440 → EPSG:4552 through the fitted PROJ pipeline on
  numpy arrays; baseline: the same transformer called once per point (timed on 50,000 points,
  scaled to 1,000,000).
- topology_s: every topology check over all the demo data (areas, 2 versions, lines, markers);
  baseline: the same checks as per-object PostGIS queries (one round trip per marker, line,
  pair of areas).
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection
from scipy.optimize import least_squares

from bench.harness import Result, best_of, median, sized
from boundaries import transform_fit as tf
from boundaries.crs import CRS_TABLE
from boundaries.selectors.lines import TopologyTolerances, topology_report
from boundaries.synthetic import DEMO_TRUE_7P, cgcs2000_to_demo_beijing1954
from boundaries.transform_fit import CommonPoint, fit_transformation
from gis_portal.demo import demo_load
from gis_portal.metric_crs import to_metric

SRC, DST = CRS_TABLE[2440], CRS_TABLE[4552]
N_POINTS = 50
N_VERTICES = sized(1_000_000, 10_000)
N_LOOP = sized(50_000, 1_000)


def _points(rng) -> list[CommonPoint]:
    lon = rng.uniform(129.4, 132.6, N_POINTS)
    lat = rng.uniform(47.0, 48.5, N_POINTS)
    xd, yd = to_metric(lon, lat)
    hd = rng.uniform(150, 600, N_POINTS)
    xs, ys, hs = cgcs2000_to_demo_beijing1954(SRC, DST, xd, yd, hd)
    e = rng.normal(0, 0.01, (2, N_POINTS))
    xs, ys = xs + e[0], ys + e[1]
    xs[3] += 0.4  # two blunders for the 3×RMS rule
    ys[17] -= 0.3
    return [
        CommonPoint(
            f"P{i}", "check" if i >= 40 else "common", xs[i], ys[i], hs[i], xd[i], yd[i], hd[i]
        )
        for i in range(N_POINTS)
    ]


def _fit_scipy(points: list[CommonPoint]) -> dict:
    """The peer approach: a generic non-linear least-squares solver, same model, same rule."""
    common = [p for p in points if p.role == "common"]
    src = tf._to_cart(
        SRC, [p.x_src for p in common], [p.y_src for p in common], [p.h_src for p in common]
    )
    dst = tf._to_cart(
        DST, [p.x_dst for p in common], [p.y_dst for p in common], [p.h_dst for p in common]
    )
    active = np.ones(len(common), dtype=bool)
    keys = tf.PARAMETER_KEYS["7p"]
    while True:

        def residual(v, s=src[active], d=dst[active]):
            return (tf.helmert7_apply(dict(zip(keys, v, strict=True)), s) - d).ravel()

        sol = least_squares(residual, np.zeros(7), x_scale=[1, 1, 1, 1e-1, 1e-1, 1e-1, 1])
        params = dict(zip(keys, sol.x, strict=True))
        r = np.linalg.norm(tf.helmert7_apply(params, src) - dst, axis=1)
        rms = np.sqrt(np.mean(r[active] ** 2))
        worst = int(np.argmax(np.where(active, r, -1)))
        if active.sum() - 1 > 3 and r[worst] > max(3 * rms, tf.MIN_REJECT_M):
            active[worst] = False
            continue
        return params


def _bench_fit(rng) -> Result:
    points = _points(rng)
    result = fit_transformation(points, model="7p", source=SRC, target=DST)
    assert sorted(result.rejected) == ["P17", "P3"], result.rejected
    ours = [
        best_of(lambda: fit_transformation(points, model="7p", source=SRC, target=DST), 1) * 1000
        for _ in range(sized(30, 3))
    ]
    peer = [best_of(lambda: _fit_scipy(points), 1) * 1000 for _ in range(sized(10, 1))]
    return Result(
        "boundaries.fit_50_ms",
        round(median(ours), 3),
        "ms",
        round(median(peer), 3),
        N_POINTS,
        note=f"median of {sized(30, 3)}; check RMS {result.check_rms_m * 100:.2f} cm; baseline scipy least_squares",
    )


def _bench_convert(rng) -> Result:
    pipeline = tf.pipeline_for("7p", DEMO_TRUE_7P, SRC, DST)
    x = rng.uniform(420_000, 680_000, N_VERTICES)
    y = rng.uniform(5_200_000, 5_370_000, N_VERTICES)
    tf.transform_points(pipeline, x[:10], y[:10])  # build and cache the transformer
    seconds = best_of(lambda: tf.transform_points(pipeline, x, y), sized(3, 1))
    t = tf.pipeline_transformer(pipeline)
    xs, ys = x[:N_LOOP].tolist(), y[:N_LOOP].tolist()
    t0 = time.perf_counter()
    for a, b in zip(xs, ys, strict=True):
        t.transform(a, b)
    loop_seconds = (time.perf_counter() - t0) * N_VERTICES / N_LOOP
    return Result(
        "boundaries.convert_1m_s",
        round(seconds, 3),
        "s",
        round(loop_seconds, 3),
        N_VERTICES,
        note=f"best of {sized(3, 1)}; 7p pipeline EPSG:2440→EPSG:4552; per-point loop timed on {N_LOOP:,} and scaled",
    )


_PER_OBJECT_SQL = {
    "tiling": """
        SELECT ST_Area(ST_Difference(p.geom_4490, ST_Union(c.geom_4490))::geography)
        FROM boundaries_administrativearea p JOIN boundaries_administrativearea c ON c.parent_id = p.id
        WHERE p.id = %s AND c.geom_4490 IS NOT NULL GROUP BY p.geom_4490""",
    "overlap": """
        SELECT ST_Area(ST_Intersection(a.geom_4490, b.geom_4490)::geography)
        FROM boundaries_administrativearea a, boundaries_administrativearea b WHERE a.id = %s AND b.id = %s""",
    "line": """
        SELECT ST_HausdorffDistance(ST_Transform(l.geom_4490, 4552), ST_Intersection(
            ST_Boundary(ST_Transform(a.geom_4490, 4552)), ST_Buffer(ST_Transform(b.geom_4490, 4552), 1)))
        FROM boundaries_boundaryline l JOIN boundaries_administrativearea a ON a.id = l.area_a_id
        JOIN boundaries_administrativearea b ON b.id = l.area_b_id WHERE l.id = %s""",
    "marker": """
        SELECT ST_Distance(m.geom_4490::geography, l.geom_4490::geography)
        FROM boundaries_boundarymarker m JOIN boundaries_boundaryline l ON l.id = m.line_id WHERE m.id = %s""",
    "version": """
        SELECT ST_Area(ST_SymDifference(a.geom_4490, b.geom_4490)::geography),
               ST_HausdorffDistance(ST_Transform(a.geom_4490, 4552), ST_Transform(b.geom_4490, 4552))
        FROM boundaries_versionedareageometry a JOIN boundaries_versionedareageometry b
          ON a.area_id = b.area_id AND a.version_id < b.version_id WHERE a.area_id = %s""",
}


def _topology_per_object() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM boundaries_administrativearea WHERE level = 'city' AND geom_4490 IS NOT NULL"
        )
        for (pid,) in cur.fetchall():
            cur.execute(_PER_OBJECT_SQL["tiling"], [pid])
        cur.execute(
            "SELECT id FROM boundaries_administrativearea WHERE level = 'county' AND geom_4490 IS NOT NULL"
        )
        counties = [r[0] for r in cur.fetchall()]
        for i, a in enumerate(counties):
            for b in counties[i + 1 :]:
                cur.execute(_PER_OBJECT_SQL["overlap"], [a, b])
        cur.execute("SELECT id FROM boundaries_boundaryline WHERE geom_4490 IS NOT NULL")
        for (lid,) in cur.fetchall():
            cur.execute(_PER_OBJECT_SQL["line"], [lid])
        cur.execute("SELECT id FROM boundaries_boundarymarker WHERE geom_4490 IS NOT NULL")
        for (mid,) in cur.fetchall():
            cur.execute(_PER_OBJECT_SQL["marker"], [mid])
        cur.execute("SELECT DISTINCT area_id FROM boundaries_versionedareageometry")
        for (aid,) in cur.fetchall():
            cur.execute(_PER_OBJECT_SQL["version"], [aid])


def _bench_topology() -> Result:
    demo_load(only=["areas", "boundary_versions", "boundary_lines"])  # cached by checksum
    report = topology_report(tol=TopologyTolerances())
    seconds = best_of(lambda: topology_report(tol=TopologyTolerances()), sized(3, 1))
    baseline = best_of(_topology_per_object, sized(3, 1))
    c = report["checked"]
    return Result(
        "boundaries.topology_s",
        round(seconds, 3),
        "s",
        round(baseline, 3),
        c["lines"] + c["markers"] + c["version_areas"],
        note=f"best of {sized(3, 1)}; {c['lines']} lines, {c['markers']} markers, {c['version_areas']} areas × 2 versions, "
        f"{len(report['features'])} issues; baseline per-object PostGIS queries",
    )


def run() -> list[Result]:
    rng = np.random.default_rng(54)
    return [_bench_fit(rng), _bench_convert(rng), _bench_topology()]
