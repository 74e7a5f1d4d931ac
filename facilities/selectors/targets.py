"""The plan's targets (PlanTarget rows) measured against the registry and the yearly
statistics, as met / not met.

Each measure is computed by the one function that defines its figure: the one-per-unit
coverage by ``unit_rule_check`` (the coverage report shows the same dict), served shares by
``programme_coverage``, the yearly statistics by ``indicator_status``. The page, the API and
the reports all read ``plan_targets``; none recomputes a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Max, Sum

from boundaries.models import AdministrativeArea, AreaLevel
from facilities.errors import CoverageUnavailable
from facilities.models import (
    DemandUnit,
    Facility,
    FacilityStatus,
    IndicatorValue,
    PlanTarget,
    TargetMeasure,
    TargetPopulation,
)
from facilities.selectors.coverage import programme_coverage, unit_rule_check

ACTIVE = (FacilityStatus.OPEN, FacilityStatus.UNDER_CONSTRUCTION)
MET_LABELS = {True: "达到", False: "未达到", None: "—"}


def _goal(value: float) -> str:
    return f"{value:g}"


def counties() -> list[AdministrativeArea]:
    """Return the current county-level areas, by code."""
    return list(
        AdministrativeArea.objects.filter(level=AreaLevel.COUNTY, valid_to__isnull=True).order_by(
            "code"
        )
    )


def _count(target: PlanTarget) -> dict:
    statuses = ACTIVE if target.with_building else (FacilityStatus.OPEN,)
    n = Facility.objects.filter(
        facility_type__in=target.facility_types.all(), status__in=statuses
    ).count()
    return {
        "figure": f"{n} 处",
        "value": n,
        "goal": f"≥ {_goal(target.goal)} 处" if target.goal is not None else "规划未给出数量",
        "met": None if target.goal is None else n >= target.goal,
    }


def _unit_coverage(target: PlanTarget) -> dict:
    rule = unit_rule_check(target.programme)
    if rule is None:
        return _no_data(target, f"服务项目“{target.programme.name}”未设配置单元规则")
    lacking = [u["name"] for u in rule["lacking"]]
    shown = "、".join(lacking[:8]) + ("等" if len(lacking) > 8 else "")
    share = rule["share"]
    goal = target.goal if target.goal is not None else 100.0
    return {
        "figure": f"{rule['with_facility']}/{rule['units']}（{rule['label']}）"
        + (f"；缺：{shown}" if lacking else ""),
        "value": share,
        "goal": f"{_goal(goal)}%",
        "met": bool(rule["units"]) and share is not None and share * 100 >= goal - 1e-9,
    }


def _per_unit(target: PlanTarget) -> dict:
    rule = unit_rule_check(target.programme)
    n = Facility.objects.filter(
        facility_type__in=target.facility_types.all(), status=FacilityStatus.OPEN
    ).count()
    units = rule["units"] if rule else 0
    share = n / units if units else None
    return {
        "figure": f"{n} 处 / {units} 个单元 = {share:.0%}" if share is not None else "无配置单元",
        "value": share,
        "goal": f"≥ {_goal(target.goal)}%" if target.goal is not None else "—",
        "met": None if target.goal is None or share is None else share * 100 >= target.goal - 1e-9,
    }


def _capacity_ratio(target: PlanTarget) -> dict:
    programme = target.programme
    column, rural_only = TargetPopulation.column_of(programme.target_population)
    demand = DemandUnit.objects.filter(is_urban=False) if rural_only else DemandUnit.objects
    people = (demand.aggregate(s=Sum(column))["s"] if column != "custom" else None) or 0
    capacity = (
        Facility.objects.filter(programme=programme, status=FacilityStatus.OPEN).aggregate(
            s=Sum("capacity")
        )["s"]
        or 0
    )
    goal = target.goal if target.goal is not None else programme.capacity_per_1000
    ratio = capacity / people * 1000 if people else None
    return {
        "figure": f"{capacity} / {people} 人 = {ratio:.1f}" if ratio is not None else "无需求数据",
        "value": ratio,
        "goal": f"≥ {_goal(goal)}" if goal else "未设定",
        "met": bool(ratio is not None and goal and ratio >= goal),
    }


def _served_share(target: PlanTarget, reports: dict[str, dict]) -> dict:
    programme = target.programme
    report = reports.get(programme.slug)
    if report is None:
        try:
            report = programme_coverage(programme)
        except CoverageUnavailable as exc:
            return _no_data(target, exc.message)
        reports[programme.slug] = report
    return {
        "label": f"{target.label}（{report['service_distance_m']} 米内的{report['target_label']}）",
        "figure": f"{report['served']}/{report['target_population']} 人",
        "value": report["served_share"],
        "goal": f"≥ {_goal(target.goal)}%"
        if target.goal is not None
        else "规划未给出数值目标：仅供参考",
        "met": None
        if target.goal is None or report["served_share"] is None
        else report["served_share"] * 100 >= target.goal,
    }


def indicator_status(target: PlanTarget, areas: list[AdministrativeArea]) -> dict:
    """Return the latest year of the target's period with figures, and each county's status.

    Met for the city when every county has a figure for that year and each reaches the
    goal; a county's figure is compared on its own (no average: the denominators differ).
    """
    period = target.period
    values = IndicatorValue.objects.filter(
        indicator=target.indicator, year__gte=period.first_year, year__lte=period.last_year
    )
    year = values.aggregate(y=Max("year"))["y"]
    rows = {v.county_id: v for v in values.filter(year=year)} if year else {}
    goal = Decimal(str(target.goal)) if target.goal is not None else None
    per_county = [
        {
            "county": a.name,
            "code": a.code,
            "value_percent": float(rows[a.pk].value_percent) if a.pk in rows else None,
            "met": None if a.pk not in rows or goal is None else rows[a.pk].value_percent >= goal,
            "is_demo": rows[a.pk].is_demo if a.pk in rows else False,
        }
        for a in areas
    ]
    return {"year": year, "counties": per_county}


def _indicator(target: PlanTarget, areas: list[AdministrativeArea]) -> dict:
    status = indicator_status(target, areas)
    entered = [c for c in status["counties"] if c["value_percent"] is not None]
    goal_text = f"≥ {_goal(target.goal)}%" if target.goal is not None else "—"
    if not entered:
        return {
            "figure": f"{target.period.name}期间尚无统计数据",
            "value": None,
            "goal": goal_text,
            "met": None,
            "year": None,
            "counties": status["counties"],
        }
    reached = sum(1 for c in entered if c["met"])
    lowest = min(c["value_percent"] for c in entered)
    complete = len(entered) == len(areas)
    return {
        "figure": f"{status['year']} 年：{reached}/{len(entered)} 个县（区）达到"
        f"（已填报 {len(entered)}/{len(areas)}，最低 {lowest:g}%）",
        "value": lowest,
        "goal": goal_text,
        "met": None if target.goal is None else complete and reached == len(areas),
        "year": status["year"],
        "counties": status["counties"],
        "is_demo": any(c["is_demo"] for c in entered),
    }


def _no_data(target: PlanTarget, reason: str) -> dict:
    return {"figure": reason, "value": None, "goal": "—", "met": None}


MEASURES: dict[str, Callable[..., dict]] = {
    TargetMeasure.COUNT: _count,
    TargetMeasure.UNIT_COVERAGE: _unit_coverage,
    TargetMeasure.PER_UNIT: _per_unit,
    TargetMeasure.CAPACITY_RATIO: _capacity_ratio,
}


def plan_targets(*, coverage_reports: dict[str, dict] | None = None) -> list[dict]:
    """Return each plan target with its figure, goal, met (bool or None) and source.

    ``coverage_reports`` (by programme slug) lends reports already computed, so a served
    share on the page is the report's own figure.
    """
    reports = dict(coverage_reports or {})
    areas = counties()
    out = []
    qs = PlanTarget.objects.select_related("programme", "indicator", "period").prefetch_related(
        "facility_types"
    )
    for target in qs:
        if target.measure == TargetMeasure.SERVED_SHARE:
            measured = _served_share(target, reports)
        elif target.measure == TargetMeasure.INDICATOR:
            measured = _indicator(target, areas)
        else:
            measured = MEASURES[target.measure](target)
        out.append(
            {
                "key": target.key,
                "label": target.label,
                "kind": "indicator" if target.measure == TargetMeasure.INDICATOR else "spatial",
                "basis": target.get_basis_display(),
                "period": target.period.name,
                "source": target.sources,
                "is_demo": False,
                **measured,
                "met_label": MET_LABELS[measured["met"]],
            }
        )
    return out
