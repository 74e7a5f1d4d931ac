"""Siting runs on the registry: queued, run in the background, saved as a scenario at once.

A run only ever writes its own progress row until it finishes; the scenario (inputs and
results) is written in one transaction with the run's final status, so a cancelled or
crashed run leaves no half-saved scenario.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from django.db import transaction
from django.utils import timezone

from facilities import siting
from facilities.errors import CoverageUnavailable, RunNotCancellable, SitingRejected
from facilities.models import Facility, FacilityStatus, Programme, RunStatus, Scenario, SitingRun
from facilities.selectors import points_outside_city
from facilities.selectors.coverage import capacity_persons, demand_arrays
from facilities.services.siting import SitingRequest, siting_solve
from facilities.siting.catalogue import status_label
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
    user=None,
    enqueue: Callable[[int], int | None] | None = None,
) -> SitingRun:
    """Check the parameters, save a queued run, and hand it to the queue after commit."""
    request.check()
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


def _problem(run: SitingRun) -> tuple[siting.SitingProblem, np.ndarray, list[Facility]]:
    programme = run.programme
    demand = demand_arrays()
    if len(demand.ids) == 0:
        raise CoverageUnavailable(f"服务项目“{programme.name}”没有需求数据")
    weights = demand.target(programme)
    existing = _existing(programme)
    ex_xy = (
        np.column_stack(
            to_metric([f.position_4490.x for f in existing], [f.position_4490.y for f in existing])
        )
        if existing
        else np.empty((0, 2))
    )
    params = run.parameters
    if params["candidates"] == "grid":
        cand_xy = candidate_grid(demand.xy_m, weights, params["grid_spacing_m"])
    else:
        arr = np.asarray(params["candidates"], dtype=float)
        cand_xy = np.column_stack(to_metric(arr[:, 0], arr[:, 1]))
    cand_cap, ex_cap = _capacities(programme, params.get("capacity_per_site"), existing, cand_xy)
    problem = siting.SitingProblem(
        demand_xy_m=demand.xy_m,
        demand_weight=weights,
        candidate_xy_m=cand_xy,
        existing_xy_m=ex_xy,
        demand_ids=[str(i) for i in demand.ids],
        candidate_ids=[f"候选{k + 1}" for k in range(len(cand_xy))],
        candidate_capacity=cand_cap,
        existing_capacity=ex_cap,
    )
    return problem, cand_xy, existing


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


def _save_scenario(run, problem, cand_xy, existing, result: dict) -> SitingRun:
    programme = run.programme
    radius = run.parameters["radius_m"] or programme.service_distance_m
    index = {label: k for k, label in enumerate(problem.candidate_ids)}
    chosen = [index[label] for label in result["selected"]]
    lon, lat = to_lonlat(cand_xy[chosen, 0], cand_xy[chosen, 1]) if chosen else ([], [])
    per_site = run.parameters.get("capacity_per_site") or 0
    with transaction.atomic():
        Scenario.objects.create(
            programme=programme,
            run=run,
            name=run.name,
            model=run.parameters["model"],
            parameters={
                **run.parameters,
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
