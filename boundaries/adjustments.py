"""Division adjustments (区划调整) as plans, and the rules they must keep (no Django).

A plan names the current units it ends and the units it creates on its effective day:

- ``merge``: two or more units of one parent → one new unit (its polygon the union);
- ``split``: one unit → two or more, each with its polygon (together the old one);
- ``rename`` / ``recode``: one unit → the same unit under a new name / a new code;
- ``move_boundary``: two neighbours → the same two codes with new polygons (same union).

Two rules hold for every plan: its effective day comes after the last adjustment of every
unit it touches (history is recorded in order), and a code given up by an ended unit is not
given to another unit within the retention period (so a code means one unit at a time
in every archive that quotes it). The length of that period is the bureau's setting
(``DIVISION_CODE_RETENTION_YEARS``): no national figure was found.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

KINDS = {
    "merge": "合并",
    "split": "拆分",
    "rename": "更名",
    "recode": "变更代码",
    "move_boundary": "调整界线",
}
CODE_RE = re.compile(r"^\d{6}(\d{3})?$")
MAX_UNITS = 30


def unit_label(name: str, code: str) -> str:
    """Return how staff pages name a unit: 向阳区（230402）; the bare code if it has no name."""
    return f"{name}（{code}）" if name else code


class AdjustmentInvalid(ValueError):
    """A plan breaks a rule; ``field`` names the part of the plan, the message says why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    kind: str = ""
    geometry: Mapping | None = None  # GeoJSON geometry in CGCS2000 lon/lat
    villages: tuple[str, ...] = ()  # children codes moved into this unit (split)


@dataclass(frozen=True)
class Plan:
    kind: str
    effective_on: dt.date
    approval_ref: str
    units: tuple[str, ...]  # current codes ended by the adjustment
    new_units: tuple[NewUnit, ...] = field(default_factory=tuple)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "effective_on": self.effective_on.isoformat(),
            "approval_ref": self.approval_ref,
            "units": list(self.units),
            "new_units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind,
                    "geometry": u.geometry,
                    "villages": list(u.villages),
                }
                for u in self.new_units
            ],
        }


def _text(value, field_name: str, *, limit: int, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise AdjustmentInvalid(field_name, "不能为空")
        return ""
    if not isinstance(value, str):
        raise AdjustmentInvalid(field_name, "应为文字")
    value = value.strip()
    if len(value) > limit:
        raise AdjustmentInvalid(field_name, f"超过 {limit} 字")
    if required and not value:
        raise AdjustmentInvalid(field_name, "不能为空")
    return value


def _code(value, field_name: str) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        shown = str(value)[:20]
        raise AdjustmentInvalid(field_name, f"{shown!r} 不是 6 位或 9 位区划代码")
    return value


def plan_parse(data, *, today: dt.date, scheduled_ok: bool = False) -> Plan:
    """Return the plan of a proposal's ``adjustment`` object, or raise naming the bad part.

    A later effective day is refused unless ``scheduled_ok`` (an approved change-request
    waits for its day: ``adjustment_services.adjustments_apply_due``)."""
    if not isinstance(data, Mapping):
        raise AdjustmentInvalid("adjustment", "调整方案应为对象")
    kind = data.get("kind")
    if kind not in KINDS:
        raise AdjustmentInvalid(
            "kind", f"调整类型应为 {'、'.join(KINDS)}（{'、'.join(KINDS.values())}）"
        )
    raw_day = data.get("effective_on")
    try:
        effective_on = dt.date.fromisoformat(str(raw_day))
    except ValueError:
        raise AdjustmentInvalid(
            "effective_on", f"{str(raw_day)[:20]!r} 不是 YYYY-MM-DD 日期"
        ) from None
    if effective_on > today and not scheduled_ok:
        raise AdjustmentInvalid(
            "effective_on", f"生效日期 {effective_on} 晚于今天：区划调整在生效后登记"
        )
    approval_ref = _text(data.get("approval_ref"), "approval_ref", limit=100)
    units = data.get("units")
    if not isinstance(units, list) or not units or len(units) > MAX_UNITS:
        raise AdjustmentInvalid("units", f"应列出 1–{MAX_UNITS} 个被调整单位的区划代码")
    codes = tuple(_code(c, f"units[{i}]") for i, c in enumerate(units))
    if len(set(codes)) != len(codes):
        raise AdjustmentInvalid("units", "被调整单位重复")
    raw_new = data.get("new_units")
    if not isinstance(raw_new, list) or not raw_new or len(raw_new) > MAX_UNITS:
        raise AdjustmentInvalid("new_units", f"应列出 1–{MAX_UNITS} 个调整后的单位")
    new_units = []
    for i, u in enumerate(raw_new):
        where = f"new_units[{i}]"
        if not isinstance(u, Mapping):
            raise AdjustmentInvalid(where, "应为对象（code、name…）")
        villages = u.get("villages") or []
        if not isinstance(villages, list) or len(villages) > 500:
            raise AdjustmentInvalid(f"{where}.villages", "应为村级区划代码列表")
        geometry = u.get("geometry")
        if geometry is not None and not isinstance(geometry, Mapping):
            raise AdjustmentInvalid(f"{where}.geometry", "应为 GeoJSON 几何对象")
        new_units.append(
            NewUnit(
                code=_code(u.get("code"), f"{where}.code"),
                name=_text(u.get("name"), f"{where}.name", limit=100),
                kind=_text(u.get("kind"), f"{where}.kind", limit=20, required=False),
                geometry=geometry,
                villages=tuple(str(v)[:12] for v in villages),
            )
        )
    new_codes = [u.code for u in new_units]
    if len(set(new_codes)) != len(new_codes):
        raise AdjustmentInvalid("new_units", "调整后的单位代码重复")
    plan = Plan(kind, effective_on, approval_ref, codes, tuple(new_units))
    _shape_check(plan)
    return plan


def _shape_check(plan: Plan) -> None:
    """The number of units on each side, and which codes stay, for each kind."""
    n_old, n_new = len(plan.units), len(plan.new_units)
    old, new = set(plan.units), [u.code for u in plan.new_units]
    if plan.kind == "merge" and (n_old < 2 or n_new != 1):
        raise AdjustmentInvalid("units", "合并应由两个以上单位合并为一个新单位")
    if plan.kind == "split" and (n_old != 1 or n_new < 2):
        raise AdjustmentInvalid("new_units", "拆分应由一个单位分为两个以上新单位")
    if plan.kind in ("rename", "recode") and (n_old != 1 or n_new != 1):
        raise AdjustmentInvalid("units", f"{KINDS[plan.kind]}只涉及一个单位")
    if plan.kind == "rename" and new[0] != plan.units[0]:
        raise AdjustmentInvalid("new_units[0].code", "更名不改变区划代码（改代码请用“变更代码”）")
    if plan.kind == "recode" and new[0] == plan.units[0]:
        raise AdjustmentInvalid("new_units[0].code", "变更代码的新代码与原代码相同")
    if plan.kind == "move_boundary" and (n_old != 2 or set(new) != old):
        raise AdjustmentInvalid("new_units", "调整界线涉及两个相邻单位，调整后代码不变")
    needs_geometry = plan.kind in ("split", "move_boundary")
    for i, u in enumerate(plan.new_units):
        if needs_geometry and u.geometry is None:
            raise AdjustmentInvalid(
                f"new_units[{i}].geometry", f"{KINDS[plan.kind]}需要新单位的边界"
            )


def effective_order_problem(
    effective_on: dt.date, *, unit: str, last_change: dt.date | None
) -> str | None:
    """Return why ``effective_on`` cannot follow the unit's last change, or None."""
    if last_change is not None and effective_on <= last_change:
        return (
            f"生效日期 {effective_on} 不晚于 {unit} 的上一次调整（{last_change} 生效）："
            "区划调整按生效日期顺序登记"
        )
    return None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def code_reuse_problem(
    code: str, *, effective_on: dt.date, last_ended: dt.date | None, retention_years: int
) -> str | None:
    """Return why ``code`` cannot be given to a new unit on ``effective_on``, or None.

    ``last_ended``: the last day a previous unit held the code (None: never used).
    """
    if last_ended is None:
        return None
    free_from = add_years(last_ended, retention_years) + dt.timedelta(days=1)
    if effective_on < free_from:
        return (
            f"区划代码 {code} 于 {last_ended} 停用，{retention_years} 年保留期内"
            f"（{free_from} 以前）不得给其他单位使用"
        )
    return None


def geometry_problems_m(
    plan: Plan, old_m: dict[str, BaseGeometry], new_m: dict[str, BaseGeometry], *, tol_m: float
) -> list[tuple[str, str]]:
    """Return (field, reason) where the new polygons (metres) do not replace the old ones.

    Split and boundary moves redistribute the same ground: the new polygons must not
    overlap and must together cover exactly the old ones, to within ``tol_m``.
    """
    if plan.kind not in ("split", "move_boundary"):
        return []
    problems = []
    before = shapely.union_all(list(old_m.values()))
    after = shapely.union_all(list(new_m.values()))
    for label, piece in (
        ("未覆盖原单位", before.difference(after)),
        ("超出原单位", after.difference(before)),
    ):
        if not piece.is_empty and not piece.buffer(-tol_m / 2).is_empty:
            problems.append(
                ("new_units", f"新单位边界{label} {piece.area / 1e6:.4f} km²（容差 {tol_m:g} m）")
            )
    codes = sorted(new_m)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            overlap = new_m[a].intersection(new_m[b])
            if not overlap.is_empty and not overlap.buffer(-tol_m / 2).is_empty:
                problems.append(
                    ("new_units", f"新单位 {a} 与 {b} 重叠 {overlap.area / 1e6:.4f} km²")
                )
    return problems
