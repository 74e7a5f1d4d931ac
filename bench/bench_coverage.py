"""coverage.*: every programme on the demo data, straight-line and along the streets.

The demo data (areas, door plates and streets, facilities and census demand) are loaded
into the bench database by the demo steps, which skip when their files are unchanged.
Goals (issue 6): all programmes ≤ 5 s straight, ≤ 30 s along the streets.

Baselines, in the same run:
- straight: a per-unit Python loop over every open facility (math.hypot), the way the
  question "is anyone within r of this home?" is usually first written;
- network: one bounded Dijkstra per demand unit (networkx, cutoff = the service distance)
  instead of one per facility; timed on a fixed sample of 400 units per programme and
  scaled to all units (the note says so).
"""

from __future__ import annotations

import math
import time

import networkx as nx
import numpy as np

from bench.harness import Result, sized
from facilities.models import Facility, FacilityStatus, Programme
from facilities.selectors.coverage import coverage_all, demand_arrays, street_network
from gis_portal.demo import demo_load
from gis_portal.metric_crs import to_metric

SAMPLE_UNITS = sized(400, 20)


def _facility_xy(programme: Programme) -> np.ndarray:
    pts = list(
        Facility.objects.filter(programme=programme, status=FacilityStatus.OPEN).values_list(
            "position_4490", flat=True
        )
    )
    if not pts:
        return np.empty((0, 2))
    return np.column_stack(to_metric([p.x for p in pts], [p.y for p in pts]))


def _naive_straight() -> float:
    t0 = time.perf_counter()
    demand = demand_arrays()
    units = demand.xy_m.tolist()
    for programme in Programme.objects.all():
        fac = _facility_xy(programme).tolist()
        r = programme.service_distance_m
        target = demand.target(programme)
        served = 0.0
        for k, (x, y) in enumerate(units):
            if any(math.hypot(x - fx, y - fy) <= r for fx, fy in fac):
                served += target[k]
    return time.perf_counter() - t0


def _naive_network() -> tuple[float, int]:
    t0 = time.perf_counter()
    demand = demand_arrays()
    net = street_network()
    sample = np.random.default_rng(7).choice(len(demand.ids), SAMPLE_UNITS, replace=False)
    d_node, d_walk = net.snap(demand.xy_m[sample])
    programmes = list(Programme.objects.all())
    for programme in programmes:
        fac = _facility_xy(programme)
        if not len(fac):
            continue
        f_node, f_walk = net.snap(fac)
        by_node = {}
        for j, node in enumerate(f_node.tolist()):
            if node >= 0:
                by_node.setdefault(node, []).append(f_walk[j])
        r = programme.service_distance_m
        for node, walk in zip(d_node.tolist(), d_walk.tolist(), strict=True):
            if node < 0:
                continue
            reach = nx.single_source_dijkstra_path_length(net.graph, node, cutoff=r - walk)
            any(n in by_node for n in reach)
    elapsed = time.perf_counter() - t0
    return elapsed * len(demand.ids) / SAMPLE_UNITS, len(demand.ids)


def run() -> list[Result]:
    # geonames and placenames place the county seats and the rural settlements of the demand.
    loaded = demo_load(only=["areas", "geonames", "placenames", "addresses", "facilities"])
    summary = next(s.summary for s in loaded if s.name == "facilities")
    results = []
    for kind in ("straight", "network"):
        times = []
        for _ in range(sized(3 if kind == "straight" else 2, 1)):
            t0 = time.perf_counter()
            reports = coverage_all(distance_kind=kind)
            times.append(time.perf_counter() - t0)
        ok = [r for r in reports if "error" not in r]
        used = sorted({r["distance_kind"] for r in ok})
        if kind == "straight":
            baseline, n = _naive_straight(), summary["demand_units"]
            how = "per-unit Python loop over facilities"
        else:
            baseline, n = _naive_network()
            how = f"one Dijkstra per demand unit, {SAMPLE_UNITS} sampled and scaled"
        results.append(
            Result(
                f"coverage.all_{kind}_s",
                round(min(times), 3),
                "s",
                round(baseline, 2),
                n,
                note=(
                    f"best of {len(times)}; {len(ok)} programmes, distance used: {'/'.join(used)}; "
                    f"demand from {sorted(set(summary['demand_source'].values()))}; baseline: {how}"
                ),
            )
        )
    return results
