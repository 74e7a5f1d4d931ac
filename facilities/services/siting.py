"""Run a siting model on CSV files or on the registry, checking the input first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facilities import siting
from facilities.errors import SitingRejected
from facilities.selectors import points_outside_city
from facilities.siting.allocation import allocation_dict
from facilities.siting.catalogue import NEEDED, PARAMETER_LABELS, REFUSED, SITING_MODELS
from facilities.siting_io import Projected, read_points_file, to_problem

# How a run measures distance, as the page and the API offer it.
DISTANCE_KINDS = {
    "straight": "直线距离",
    "network": "沿道路距离",
    "matrix": "上传的费用矩阵",
}


@dataclass(frozen=True)
class SitingRequest:
    model: str
    p: int | None = None
    radius_m: float | None = None
    time_limit_s: float = 60.0
    distance: str = "straight"  # one of DISTANCE_KINDS
    # Leave out demand and candidates no road reaches (reported) instead of refusing the run.
    exclude_unreachable: bool = False

    def check(self) -> None:
        """Raise SitingRejected for a parameter the model needs or refuses."""
        if self.model not in SITING_MODELS:
            known = "、".join(f"{m.label}（{m.name}）" for m in SITING_MODELS.values())
            raise SitingRejected(f"未知模型 {self.model[:20]!r}；可用：{known}", parameter="model")
        model = SITING_MODELS[self.model]
        for name, rule in (("p", model.p), ("radius_m", model.radius_m)):
            value = getattr(self, name)
            label = PARAMETER_LABELS[name]
            if rule == NEEDED and value is None:
                raise SitingRejected(f"“{model.label}”需要填写{label}", parameter=name)
            if rule == REFUSED and value is not None:
                raise SitingRejected(f"“{model.label}”不使用{label}，请留空", parameter=name)
        if self.radius_m is not None and not self.radius_m > 0:
            raise SitingRejected(
                f"服务半径必须大于 0 米（收到 {self.radius_m}）", parameter="radius_m"
            )
        if self.p is not None and self.p < 1:
            raise SitingRejected(f"新增站点数必须至少为 1（收到 {self.p}）", parameter="p")
        if not self.time_limit_s > 0:
            raise SitingRejected("时间限制必须大于 0 秒", parameter="time_limit")
        if self.distance not in DISTANCE_KINDS:
            raise SitingRejected(
                f"未知的距离方式 {self.distance!r}；可用：{', '.join(DISTANCE_KINDS)}",
                parameter="distance",
            )


def siting_check_inside_city(projected: Projected) -> None:
    """Raise SitingRejected naming the candidates that lie outside the city."""
    outside = points_outside_city(projected.candidate_lonlat)
    if outside.size:
        ids = [projected.problem.candidate_label(int(j)) for j in outside[:50]]
        raise SitingRejected(
            f"{outside.size} 个候选点不在鹤岗市范围内：{', '.join(ids[:10])}",
            candidate_ids=ids,
        )


def siting_solve(
    *, request: SitingRequest, problem: siting.SitingProblem, should_stop=None
) -> dict:
    """Solve ``problem`` and return the result as the JSON-ready dict the issue specifies."""
    request.check()
    kwargs: dict = {"time_limit_s": request.time_limit_s, "should_stop": should_stop}
    if request.p is not None:
        kwargs["p"] = request.p
    if SITING_MODELS[request.model].radius_m == NEEDED:
        kwargs["radius_m"] = request.radius_m
    try:
        result = siting.solve(request.model, problem, **kwargs)
    except siting.SitingInputError as exc:
        raise SitingRejected.from_input_error(exc) from exc
    out = result.as_dict(problem)
    if request.radius_m is not None and out["covered_weight"] is None:
        dist = siting.nearest_open_distance(problem, result.selected)
        out["covered_weight"] = float(problem.demand_weight[dist <= request.radius_m].sum())
    out["total_weight"] = float(np.sum(problem.demand_weight))
    out["capacitated"] = problem.capacitated
    out["distance_kind"] = problem.distance_kind
    out["distance_label"] = DISTANCE_KINDS[problem.distance_kind]
    if problem.costs is not None and problem.costs.report:
        out["network_report"] = problem.costs.report
    out["allocation"] = allocation_dict(problem, result, radius_m=request.radius_m)
    return out


def siting_solve_files(
    *,
    request: SitingRequest,
    demand_path: Path,
    candidates_path: Path,
    existing_path: Path | None = None,
    crs: str = "EPSG:4490",
) -> dict:
    """Read the CSV files, check them (no database writes) and solve."""
    request.check()
    try:
        demand = read_points_file(
            demand_path, label="需求点文件", value_column="weight", required=True
        )
        candidates = read_points_file(
            candidates_path, label="候选点文件", value_column="capacity", required=False
        )
        existing = (
            read_points_file(
                existing_path, label="现有设施文件", value_column="capacity", required=False
            )
            if existing_path
            else None
        )
        projected = to_problem(demand, candidates, existing, crs_text=crs)
        siting.validate_problem(projected.problem, p=request.p, radius_m=request.radius_m)
    except siting.SitingInputError as exc:
        raise SitingRejected.from_input_error(exc) from exc
    siting_check_inside_city(projected)
    out = siting_solve(request=request, problem=projected.problem)
    out["metric_crs"] = projected.metric_crs
    return out
