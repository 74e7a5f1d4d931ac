"""boundaries.topology_all_levels_s, boundaries.code_history_p95_ms.

- topology_all_levels_s: every topology check over the city, 8 counties and 72 townships
  (demo township polygons), every line (county, township, the two neighbouring-city lines)
  and marker; baseline: the same checks as per-object PostGIS queries (one round trip per
  parent, pair of sibling areas, line and marker).
- code_history_p95_ms: "what was this code on that day" (``code_history``) over a history of
  renames of every township; baseline: the same answer object by object (each unit of the
  code, then each of its adjustments, one query each).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection

from bench.harness import Result, best_of, latency_p95, sized, time_each_ms
from boundaries.adjustments import plan_parse
from boundaries.models import AdministrativeArea, AreaLevel, DivisionAdjustment
from boundaries.selectors.divisions import code_history, code_history_per_object
from boundaries.selectors.lines import TopologyTolerances, topology_report
from boundaries.services.adjustments import adjustment_apply
from gis_portal.demo import demo_load

# Runs before the other benchmarks: its set-up renames every township five times through
# the division-adjustment service, and each rename re-files the names of the township (with
# their history). Over the 1,000,000 generated place names (~14,000 a township) that set-up
# alone took more than 10 minutes; the figures are about topology and code look-ups.
RUN_ORDER = 10

STEPS = ["areas", "boundary_versions", "boundary_lines", "township_polygons", "neighbour_lines"]

_SQL = {
    "tiling": """
        SELECT ST_Area(ST_Difference(p.geom_4490, ST_Union(c.geom_4490))::geography)
        FROM boundaries_administrativearea p JOIN boundaries_administrativearea c ON c.parent_id = p.id
        WHERE p.id = %s AND c.geom_4490 IS NOT NULL AND c.valid_to IS NULL GROUP BY p.geom_4490""",
    "overlap": """
        SELECT ST_Area(ST_Intersection(a.geom_4490, b.geom_4490)::geography)
        FROM boundaries_administrativearea a, boundaries_administrativearea b
        WHERE a.id = %s AND b.id = %s AND ST_Intersects(a.geom_4490, b.geom_4490)""",
    "line": """
        SELECT ST_HausdorffDistance(ST_Transform(l.geom_4490, 4552), ST_Intersection(
            ST_Boundary(ST_Transform(a.geom_4490, 4552)), ST_Buffer(ST_Transform(b.geom_4490, 4552), 1)))
        FROM boundaries_boundaryline l JOIN boundaries_administrativearea a ON a.id = l.area_a_id
        JOIN boundaries_administrativearea b ON b.id = l.area_b_id
        WHERE l.id = %s AND a.geom_4490 IS NOT NULL AND b.geom_4490 IS NOT NULL""",
    "marker": """
        SELECT ST_Distance(m.geom_4490::geography, l.geom_4490::geography)
        FROM boundaries_boundarymarker m JOIN boundaries_boundaryline l ON l.id = m.line_id WHERE m.id = %s""",
}


def _topology_per_object() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.id, array_agg(c.id ORDER BY c.id) FROM boundaries_administrativearea p"
            " JOIN boundaries_administrativearea c ON c.parent_id = p.id"
            " WHERE p.geom_4490 IS NOT NULL AND c.geom_4490 IS NOT NULL AND c.valid_to IS NULL"
            " GROUP BY p.id"
        )
        for pid, kids in cur.fetchall():
            cur.execute(_SQL["tiling"], [pid])
            for i, a in enumerate(kids):
                for b in kids[i + 1 :]:
                    cur.execute(_SQL["overlap"], [a, b])
        cur.execute("SELECT id FROM boundaries_boundaryline WHERE geom_4490 IS NOT NULL")
        for (lid,) in cur.fetchall():
            cur.execute(_SQL["line"], [lid])
        cur.execute("SELECT id FROM boundaries_boundarymarker WHERE geom_4490 IS NOT NULL")
        for (mid,) in cur.fetchall():
            cur.execute(_SQL["marker"], [mid])


def _bench_topology() -> Result:
    demo_load(only=STEPS)  # cached by checksum
    report = topology_report(tol=TopologyTolerances())
    seconds = best_of(lambda: topology_report(tol=TopologyTolerances()), sized(3, 1))
    baseline = best_of(_topology_per_object, 1)
    c = report["checked"]
    townships = AdministrativeArea.objects.filter(
        level=AreaLevel.TOWNSHIP, valid_to__isnull=True, geom_4490__isnull=False
    ).count()
    return Result(
        "boundaries.topology_all_levels_s",
        round(seconds, 3),
        "s",
        round(baseline, 3),
        c["lines"] + c["markers"] + townships,
        note=f"best of {sized(3, 1)}; {c['parents']} parents, {townships} townships, {c['lines']} lines, "
        f"{c['markers']} markers, {len(report['features'])} issues; baseline per-object PostGIS queries",
    )


def _history_build(rounds: int) -> list[str]:
    """Rename every township ``rounds`` times (2001, 2004, …); return the codes."""
    codes = list(
        AdministrativeArea.objects.filter(level=AreaLevel.TOWNSHIP, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[: sized(72, 12)]
    )
    if DivisionAdjustment.objects.filter(approval_ref__startswith="基准测试").exists():
        return codes
    for k in range(rounds):
        day = dt.date(2001 + 3 * k, 3, 1)
        for code in codes:
            name = AdministrativeArea.objects.get(code=code, valid_to__isnull=True).name
            plan = plan_parse(
                {
                    "kind": "rename",
                    "effective_on": day.isoformat(),
                    "approval_ref": f"基准测试〔{day.year}〕{code}",
                    "units": [code],
                    "new_units": [{"code": code, "name": f"{name.split('·')[0]}·{k + 1}"}],
                },
                today=dt.date.today(),
            )
            adjustment_apply(plan=plan, user=None, comment="基准测试", source="bench", is_demo=True)
    return codes


def _bench_code_history(rng) -> Result:
    demo_load(only=["areas"])
    rounds = sized(5, 2)
    codes = _history_build(rounds)
    days = [dt.date(1995, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 30 * 365, 400)]
    queries = [
        (codes[int(i)], d) for i, d in zip(rng.integers(0, len(codes), 400), days, strict=True)
    ]
    for code, day in queries[:20]:  # same answer both ways
        fast = code_history(code=code, on=day)["unit"]
        assert (fast["name"] if fast else None) == code_history_per_object(code=code, on=day)
    n = sized(400, 40)
    ours = time_each_ms(lambda q: code_history(code=q[0], on=q[1]), queries[:n])
    peer = time_each_ms(lambda q: code_history_per_object(code=q[0], on=q[1]), queries[:n])
    return latency_p95(
        "boundaries.code_history_p95_ms",
        ours,
        peer,
        digits=3,
        note=f"p95 of {n} lookups over {len(codes)} codes × {rounds + 1} units each; "
        "baseline per-object queries (each unit, then each adjustment)",
    )


def run() -> list[Result]:
    rng = np.random.default_rng(18)
    return [_bench_topology(), _bench_code_history(rng)]
