"""Siting runs on the registry: queued, run in the background, saved as a scenario at once.

A run only ever writes its own progress row until it finishes; the scenario (inputs and
results) is written in one transaction with the run's final status, so a cancelled or
crashed run leaves no half-saved scenario.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from django.db import transaction
from django.utils import timezone

from facilities import siting
from facilities.errors import CoverageUnavailable, RunNotCancellable, SitingRejected
from facilities.models import (
    DemandUnit,
    Facility,
    FacilityStatus,
    Programme,
    RunStatus,
    Scenario,
    SitingRun,
)
from facilities.selectors import points_outside_city
from facilities.selectors.coverage import capacity_persons, demand_arrays, street_network
from facilities.services.siting import SitingRequest, siting_solve
from facilities.siting.catalogue import NEEDED, status_label
from facilities.siting.costs import CostMatrix
from facilities.siting.roads import SNAP_MAX_M, network_cost_matrix
from facilities.siting_io import CostTable, cost_matrix_for
from gis_portal.metric_crs import to_lonlat, to_metric

log = logging.getLogger(__name__)

GRID_SPACING_M = 500.0
PROGRESS_EVERY_S = 0.5


def _existing(programme: Programme) -> list[Facility]:
    # Facilities under construction are committed: a new site should not duplicate them.
    return list(
        Facility.objects.filter(
            programme=programme, status__in=[FacilityStatus.OPEN, FacilityStatus.UNDER_CONSTRUCTION]
        ).order_by("id")
    )


def candidate_grid(demand_xy_m: np.ndarray, weights: np.ndarray, spacing_m: float) -> np.ndarray:
    """Return grid points (metres) at ``spacing_m`` over the cells that hold demand."""
    cells = np.unique(np.floor(demand_xy_m[weights > 0] / spacing_m).astype(np.int64), axis=0)
    return (cells + 0.5) * spacing_m


def siting_run_create(
    *,
    programme: Programme,
    name: str,
    request: SitingRequest,
    candidates_lonlat=None,
    capacity_per_site: int | None = None,
    cost_table: CostTable | None = None,
    user=None,
    enqueue: Callable[[int], int | None] | None = None,
) -> SitingRun:
    """Check the parameters, save a queued run, and hand it to the queue after commit.

    A supplied cost matrix is checked against this run's ids now (demand unit codes,
    candidate labels, existing facility codes), so a bad file is refused before anything
    is written.
    """
    request.check()
    if request.distance == "matrix" and cost_table is None:
        raise SitingRejected("距离方式为费用矩阵时须上传费用矩阵文件", parameter="cost_matrix")
    if request.distance != "matrix" and cost_table is not None:
        raise SitingRejected(
            "上传了费用矩阵，请把距离方式选为“上传的费用矩阵”", parameter="distance"
        )
    if request.distance == "network" and street_network() is None:
        raise SitingRejected("没有道路数据，不能按沿道路距离计算", parameter="distance")
    if not name.strip():
        raise SitingRejected("请填写方案名称", parameter="name")
    if capacity_per_site is not None and capacity_per_site < 0:
        raise SitingRejected("新增站点容量不能小于 0", parameter="capacity_per_site")
    if candidates_lonlat is not None:
        arr = np.asarray(candidates_lonlat, dtype=float).reshape(-1, 2)
        outside = points_outside_city(arr)
        if outside.size:
            raise SitingRejected(
                f"{outside.size} 个候选点不在鹤岗市范围内", candidate_rows=outside[:20].tolist()
            )
        dupes = siting.duplicate_positions(np.column_stack(to_metric(arr[:, 0], arr[:, 1])))
        if dupes:
            raise SitingRejected(
                "候选点位置重复", candidate_rows=dupes[:20], parameter="candidates"
            )
        if request.p is not None and request.p > len(arr):
            raise SitingRejected(f"p = {request.p} 大于候选点个数 {len(arr)}", parameter="p")
        candidates_lonlat = arr.tolist()
    stored_matrix = None
    if cost_table is not None:
        ids = _run_ids(programme, candidates_lonlat)
        try:
            cost_matrix_for(cost_table, **ids)
        except siting.SitingInputError as exc:
            raise SitingRejected.from_input_error(exc) from exc
        stored_matrix = {
            "demand_ids": cost_table.demand_ids,
            "site_ids": cost_table.site_ids,
            "pairs": np.column_stack([cost_table.rows, cost_table.cols]).tolist(),
            "cost": cost_table.cost.tolist(),
            "layout": cost_table.layout,
        }
    run = SitingRun.objects.create(
        programme=programme,
        name=name.strip(),
        parameters={
            "model": request.model,
            "p": request.p,
            "radius_m": request.radius_m,
            "time_limit_s": request.time_limit_s,
            "candidates": "grid" if candidates_lonlat is None else candidates_lonlat,
            "grid_spacing_m": GRID_SPACING_M,
            "capacity_per_site": capacity_per_site,
            "distance": request.distance,
            "exclude_unreachable": request.exclude_unreachable,
            "cost_matrix": stored_matrix,
        },
        created_by=user if user and user.is_authenticated else None,
    )
    if enqueue is not None:

        def _defer() -> None:
            job_id = enqueue(run.pk)
            SitingRun.objects.filter(pk=run.pk).update(job_id=job_id)

        transaction.on_commit(_defer)
    return run


def siting_run_cancel(*, run_id: int) -> SitingRun:
    """Ask a queued or running run to stop; it ends as cancelled and saves nothing."""
    run = SitingRun.objects.get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        raise RunNotCancellable(f"计算已{run.get_status_display()}，不能取消")
    SitingRun.objects.filter(pk=run_id).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def _existing_xy(existing: list[Facility]) -> np.ndarray:
    if not existing:
        return np.empty((0, 2))
    return np.column_stack(
        to_metric([f.position_4490.x for f in existing], [f.position_4490.y for f in existing])
    )


def _candidates_xy(params_candidates, demand_xy_m, weights, spacing_m) -> np.ndarray:
    if params_candidates in (None, "grid"):
        return candidate_grid(demand_xy_m, weights, spacing_m)
    arr = np.asarray(params_candidates, dtype=float)
    return np.column_stack(to_metric(arr[:, 0], arr[:, 1]))


def _demand_codes(ids: np.ndarray) -> list[str]:
    """Return the demand units' codes (the ids a planner sees and a cost matrix uses)."""
    code_of = dict(DemandUnit.objects.values_list("id", "code"))
    return [code_of[int(i)] for i in ids]


def existing_label(f: Facility) -> str:
    """Return the id an existing facility has in a siting run (and a supplied cost matrix)."""
    return f"F{f.pk}"


def _candidate_labels(count: int) -> list[str]:
    return [f"候选{k + 1}" for k in range(count)]


def _run_ids(programme: Programme, candidates_lonlat) -> dict:
    """Return the ids a supplied cost matrix must use for this programme and candidates."""
    demand = demand_arrays()
    weights = demand.target(programme)
    cand = _candidates_xy(candidates_lonlat, demand.xy_m, weights, GRID_SPACING_M)
    return {
        "demand_ids": _demand_codes(demand.ids),
        "demand_weight": weights,
        "candidate_ids": _candidate_labels(len(cand)),
        "existing_ids": [existing_label(f) for f in _existing(programme)],
    }


def _problem(run: SitingRun) -> tuple[siting.SitingProblem, np.ndarray, list[Facility]]:
    programme = run.programme
    demand = demand_arrays()
    if len(demand.ids) == 0:
        raise CoverageUnavailable(f"服务项目“{programme.name}”没有需求数据")
    weights = demand.target(programme)
    existing = _existing(programme)
    ex_xy = _existing_xy(existing)
    params = run.parameters
    cand_xy = _candidates_xy(params["candidates"], demand.xy_m, weights, params["grid_spacing_m"])
    network = street_network() if params.get("distance") == "network" else None
    if network is not None and params["candidates"] == "grid":
        # Grid cell centres fall anywhere; along the roads a site stands on a street: the
        # street junction or vertex nearest to each centre (one site per point).
        cand_xy = np.unique(network.node_xy[network.tree.query(cand_xy)[1]], axis=0)
    cand_cap, ex_cap = _capacities(programme, params.get("capacity_per_site"), existing, cand_xy)
    problem = siting.SitingProblem(
        demand_xy_m=demand.xy_m,
        demand_weight=weights,
        candidate_xy_m=cand_xy,
        existing_xy_m=ex_xy,
        demand_ids=_demand_codes(demand.ids),
        candidate_ids=_candidate_labels(len(cand_xy)),
        candidate_capacity=cand_cap,
        existing_capacity=ex_cap,
        existing_ids=[existing_label(f) for f in existing],
    )
    costs = _costs(run, problem, network)
    if costs is not None:
        problem = replace(problem, costs=costs)
    return problem, cand_xy, existing


def _costs(run: SitingRun, problem: siting.SitingProblem, network) -> CostMatrix | None:
    """Return the run's road or supplied costs (None: straight lines)."""
    params = run.parameters
    kind = params.get("distance", "straight")
    if kind == "matrix":
        stored = params["cost_matrix"]
        pairs = np.asarray(stored["pairs"], dtype=np.int64).reshape(-1, 2)
        table = CostTable(
            stored["demand_ids"],
            stored["site_ids"],
            pairs[:, 0],
            pairs[:, 1],
            np.asarray(stored["cost"], dtype=float),
            stored["layout"],
        )
        try:
            return cost_matrix_for(
                table,
                demand_ids=list(problem.demand_ids or []),
                demand_weight=problem.demand_weight,
                candidate_ids=list(problem.candidate_ids or []),
                existing_ids=list(problem.existing_ids or []),
            )
        except siting.SitingInputError as exc:  # the registry changed since the upload
            raise SitingRejected.from_input_error(exc) from exc
    if kind != "network":
        return None
    if network is None:
        raise SitingRejected("没有道路数据，不能按沿道路距离计算")
    model = siting.SITING_MODELS[params["model"]]
    cutoff = params["radius_m"] if model.radius_m == NEEDED else None
    costs = network_cost_matrix(
        network.road_graph(),
        demand_xy_m=problem.demand_xy_m,
        candidate_xy_m=problem.candidate_xy_m,
        existing_xy_m=problem.existing_xy_m,
        cutoff_m=cutoff,
        demand_ids=problem.demand_ids,
        candidate_ids=problem.candidate_ids,
        existing_ids=problem.existing_ids,
    )
    if not params.get("exclude_unreachable"):
        network_refuse_unreachable(costs.report, problem.demand_weight, problem.demand_ids)
    return costs


def network_refuse_unreachable(report: dict, weights: np.ndarray, demand_ids) -> None:
    """Raise SitingRejected naming what no road reaches: off-graph points by id, and the
    graph's components when demand lies where no site can be reached."""
    off = report["off_network_demand_count"] + report["off_network_candidate_count"]
    off += report["off_network_existing_count"]
    if off:
        parts = []
        for key, label in (
            ("demand", "需求点"),
            ("candidate", "候选点"),
            ("existing", "现有设施"),
        ):
            count = report[f"off_network_{key}_count"]
            if count:
                ids = "、".join(report[f"off_network_{key}_ids"][:10])
                parts.append(f"{count} 个{label}（{ids}）")
        raise SitingRejected(
            f"以下点距道路超过 {SNAP_MAX_M:g} 米，到不了道路网：{'；'.join(parts)}。"
            "可勾选“排除到不了道路的点”后再算",
            network_report=report,
        )
    if report["stranded_demand_count"]:
        comps = report.get("component_list", [])
        desc = "；".join(
            f"第 {k + 1} 部分 {c['nodes']} 个路口、{c['demand_count']} 个需求点、"
            f"{c['candidate_count'] + c['existing_count']} 个站点"
            for k, c in enumerate(comps[:5])
        )
        raise SitingRejected(
            f"道路网不连通（{report['components']} 个互不相通的部分）："
            f"{report['stranded_demand_count']} 个需求点所在部分没有任何站点"
            f"（{'、'.join(report['stranded_demand_ids'][:10])}）。{desc}",
            network_report=report,
        )


def _capacities(
    programme: Programme, per_site: int | None, existing: list[Facility], cand_xy: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return (candidate, existing) capacities in target persons, or (None, None).

    Capacities bind only when the run gives a capacity per new site and the programme's
    standard has a ratio (beds or places per 1,000 target persons) to turn beds into
    persons; existing facilities then count with their registered capacity (blank =
    unlimited), the same conversion the coverage analysis uses.
    """
    if per_site is None or not programme.capacity_per_1000:
        return None, None
    persons = per_site / programme.capacity_per_1000 * 1000
    return np.full(len(cand_xy), persons), capacity_persons(programme, existing)


def siting_run_execute(*, run_id: int, should_abort: Callable[[], bool] | None = None) -> SitingRun:
    """Run a queued siting run to the end: done (with its scenario), cancelled or failed."""
    run = SitingRun.objects.select_related("programme").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    if run.cancel_requested:
        return _finish(run, RunStatus.CANCELLED, "已取消（未开始）")
    SitingRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, progress=0.02)
    params = run.parameters
    started = time.monotonic()
    last = [0.0]

    def should_stop() -> bool:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return False
        last[0] = now
        progress = min(0.95, 0.05 + 0.9 * (now - started) / max(params["time_limit_s"], 0.1))
        SitingRun.objects.filter(pk=run_id).update(progress=progress)
        cancelled = SitingRun.objects.filter(pk=run_id, cancel_requested=True).exists()
        return cancelled or bool(should_abort and should_abort())

    try:
        problem, cand_xy, existing = _problem(run)
        request = SitingRequest(
            model=params["model"],
            p=params["p"],
            radius_m=params["radius_m"],
            time_limit_s=params["time_limit_s"],
            distance=params.get("distance", "straight"),
            exclude_unreachable=bool(params.get("exclude_unreachable")),
        )
        result = siting_solve(request=request, problem=problem, should_stop=should_stop)
    except siting.SitingInterrupted:
        return _finish(run, RunStatus.CANCELLED, "已取消，未保存方案")
    except (SitingRejected, CoverageUnavailable) as exc:
        return _finish(run, RunStatus.FAILED, exc.message)
    except Exception as exc:  # the run must end as failed, then the worker logs the crash
        _finish(run, RunStatus.FAILED, f"计算出错：{type(exc).__name__}")
        raise
    if SitingRun.objects.filter(pk=run_id, cancel_requested=True).exists():
        return _finish(run, RunStatus.CANCELLED, "已取消，未保存方案")
    return _save_scenario(run, problem, cand_xy, existing, result)


def _finish(run: SitingRun, status: str, message: str) -> SitingRun:
    SitingRun.objects.filter(pk=run.pk).update(
        status=status, message=message[:500], finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _served_within(problem: siting.SitingProblem, selected: list[int], radius_m: float) -> float:
    """Return the target served within ``radius_m`` (and within capacity when capacitated)."""
    if problem.capacitated:
        return siting.served_within_capacity(problem, selected, radius_m)
    dist = siting.nearest_open_distance(problem, selected)
    return float(problem.demand_weight[dist <= radius_m].sum())


def _map_layers(problem, cand_xy, result: dict, radius_m: float) -> None:
    """Add to ``result`` what the map draws: allocation lines and before/after coverage.

    ``coverage_points`` rows are [lon, lat, target persons, state]: 1 reached by an existing
    site within the radius, 2 reached only with the new sites, 0 reached by neither (by the
    run's own distances: straight, along the roads or the supplied costs).
    """
    d_lon, d_lat = to_lonlat(problem.demand_xy_m[:, 0], problem.demand_xy_m[:, 1])
    sites_xy = np.vstack([cand_xy, problem.existing_xy_m])
    s_lon, s_lat = to_lonlat(sites_xy[:, 0], sites_xy[:, 1]) if len(sites_xy) else ([], [])
    s_lon, s_lat = np.atleast_1d(s_lon), np.atleast_1d(s_lat)
    d_lon, d_lat = np.atleast_1d(d_lon), np.atleast_1d(d_lat)
    alloc = result["allocation"]
    alloc["lines"] = [
        [
            round(float(d_lon[r["demand_row"]]), 6),
            round(float(d_lat[r["demand_row"]]), 6),
            round(float(s_lon[r["site_index"]]), 6),
            round(float(s_lat[r["site_index"]]), 6),
        ]
        for r in alloc["rows"]
    ]
    index = {label: k for k, label in enumerate(problem.candidate_ids)}
    chosen = [index[label] for label in result["selected"]]
    before = siting.nearest_open_distance(problem, []) <= radius_m
    after = siting.nearest_open_distance(problem, chosen) <= radius_m
    state = np.where(before, 1, np.where(after, 2, 0))
    keep = np.flatnonzero(problem.demand_weight > 0)
    result["coverage_points"] = [
        [
            round(float(d_lon[i]), 6),
            round(float(d_lat[i]), 6),
            float(problem.demand_weight[i]),
            int(state[i]),
        ]
        for i in keep.tolist()
    ]


def _save_scenario(run, problem, cand_xy, existing, result: dict) -> SitingRun:
    programme = run.programme
    radius = run.parameters["radius_m"] or programme.service_distance_m
    index = {label: k for k, label in enumerate(problem.candidate_ids)}
    chosen = [index[label] for label in result["selected"]]
    lon, lat = to_lonlat(cand_xy[chosen, 0], cand_xy[chosen, 1]) if chosen else ([], [])
    per_site = run.parameters.get("capacity_per_site") or 0
    _map_layers(problem, cand_xy, result, float(radius))
    with transaction.atomic():
        Scenario.objects.create(
            programme=programme,
            run=run,
            name=run.name,
            model=run.parameters["model"],
            parameters={
                **{k: v for k, v in run.parameters.items() if k != "cost_matrix"},
                "cost_matrix_pairs": len((run.parameters.get("cost_matrix") or {}).get("cost", [])),
                "existing_sites": len(existing),
                "candidates_count": len(cand_xy),
            },
            result=result,
            served_before=_served_within(problem, [], radius),
            served_after=_served_within(problem, chosen, radius),
            target_population=float(problem.demand_weight.sum()),
            new_sites=[
                {
                    "label": problem.candidate_ids[k],
                    "lon": round(float(x), 6),
                    "lat": round(float(y), 6),
                }
                for k, x, y in zip(chosen, np.atleast_1d(lon), np.atleast_1d(lat), strict=True)
            ],
            new_capacity=float(per_site * len(chosen)),
            created_by=run.created_by,
        )
        SitingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            progress=1.0,
            finished_at=timezone.now(),
            message=f"{status_label(result['status'])}，与最优的差距不超过 {result['gap']:.2%}",
        )
    run.refresh_from_db()
    return run
