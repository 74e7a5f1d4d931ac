"""The figures of a siting scenario, defined once for the page, the API and the reports."""

from __future__ import annotations

from facilities.figures import FIGURES
from facilities.models import Scenario
from facilities.services.siting import DISTANCE_KINDS
from facilities.siting.catalogue import SITING_MODELS, status_label


def _i(value: float | None) -> str:
    return "—" if value is None else f"{round(value):,}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _quality(result: dict) -> str:
    """Say how good the result is in the words the run's message uses (catalogue.STATUS_LABELS)."""
    status = result.get("status", "")
    gap = result.get("gap") or 0.0
    if status == "optimal" and gap <= 1e-4:
        return status_label("optimal")
    return f"{status_label(status)}，与最优方案相差不超过 {gap:.2%}"


def _radius(s: Scenario, unit: str) -> str:
    radius = s.parameters.get("radius_m") or s.programme.service_distance_m
    return f"{radius:,.0f}{unit}（服务人数按此计）"


def mean_distance(result: dict) -> float | None:
    """Return the weighted mean cost of the allocated demand (metres, or the matrix's unit)."""
    rows = (result.get("allocation") or {}).get("rows") or []
    total = sum(r["weight"] for r in rows)
    if not total:
        return None
    return sum(r["weight"] * r["cost"] for r in rows) / total


def scenario_figures(s: Scenario) -> list[tuple[str, str]]:
    """Return (label, value) rows of one scenario, in the order every view shows them."""
    r = s.result
    kind = r.get("distance_kind", "straight")
    unit = "" if kind == "matrix" else " 米"
    alloc = r.get("allocation") or {}
    share = s.served_after / s.target_population if s.target_population else None
    share_before = s.served_before / s.target_population if s.target_population else None
    model = SITING_MODELS.get(s.model)
    mean = mean_distance(r)
    return [
        ("选址方法", model.label if model else s.model),
        ("距离方式", DISTANCE_KINDS.get(kind, kind)),
        ("服务半径", _radius(s, unit)),
        ("结果质量", _quality(r)),
        ("新增站点", f"{len(s.new_sites)} 处"),
        ("服务对象", _i(s.target_population)),
        (FIGURES["served_before"].label, _i(s.served_before)),
        (FIGURES["served_after"].label, _i(s.served_after)),
        ("新增服务人数", _i(s.served_after - s.served_before)),
        ("方案基准覆盖率", _pct(share_before)),
        ("方案覆盖率", _pct(share)),
        ("平均距离", "—" if mean is None else f"{mean:,.0f}{unit}"),
        ("最远距离", f"{r.get('max_distance_m', 0):,.0f}{unit}"),
        ("未分配的需求点", f"{alloc.get('unserved_count', 0):,} 个"),
        ("新增容量", _i(s.new_capacity)),
        ("容量约束", "按容量分配" if r.get("capacitated") else "不限容量"),
    ]


def allocation_rows(scenarios: list[Scenario]) -> tuple[list[str], list[list]]:
    """Return the demand → site allocation of the scenarios as one table."""
    header = ["方案", "需求单元", "站点", "站点类型", "分配人数", "距离或费用"]
    kinds = {"new": "新增", "existing": "现有"}
    rows = [
        [s.name, r["demand"], r["site"], kinds[r["site_kind"]], r["weight"], r["cost"]]
        for s in scenarios
        for r in (s.result.get("allocation") or {}).get("rows", [])
    ]
    return header, rows


def load_rows(scenarios: list[Scenario]) -> tuple[list[str], list[list]]:
    """Return every open site's load against its capacity, per scenario."""
    header = ["方案", "站点", "站点类型", "分配人数", "容量", "负荷率"]
    kinds = {"new": "新增", "existing": "现有"}
    rows = [
        [
            s.name,
            x["site"],
            kinds[x["site_kind"]],
            x["load"],
            "不限" if x["capacity"] is None else x["capacity"],
            "—" if x["use_share"] is None else f"{x['use_share']:.1%}",
        ]
        for s in scenarios
        for x in (s.result.get("allocation") or {}).get("loads", [])
    ]
    return header, rows


def comparison_rows(scenarios: list[Scenario]) -> tuple[list[str], list[list]]:
    """Return the scenarios side by side: one column per scenario, one row per figure."""
    header = ["指标", *[f"{s.name}（#{s.pk}）" for s in scenarios]]
    figures = [scenario_figures(s) for s in scenarios]
    if not figures:
        return header, []
    rows = [[label, *[f[k][1] for f in figures]] for k, (label, _) in enumerate(figures[0])]
    return header, rows
