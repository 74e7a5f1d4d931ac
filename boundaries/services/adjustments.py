"""Applying a division adjustment (区划调整): end the old units, start the new ones, move
every record that pointed at an ended unit to its successor — in one transaction.

Reached from an approved change request (``boundaries.division_requests.area_apply_approved``) and, for
the submission's trial run, inside a transaction that is rolled back: the same checks run
both times. Every refusal is an ``InvalidEdit`` naming the part of the plan.
"""

from __future__ import annotations

import datetime as dt

import shapely
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import shape

from boundaries.adjustments import (
    AdjustmentInvalid,
    Plan,
    code_reuse_problem,
    effective_order_problem,
    geometry_problems_m,
    plan_parse,
)
from boundaries.models import (
    AdjustmentArea,
    AdjustmentRole,
    AdjustmentStatus,
    AdministrativeArea,
    DivisionAdjustment,
)
from boundaries.polygons import PolygonDataError, as_multipolygon
from boundaries.services.areas import area_pieces_rebuild
from boundaries.successors import Succession, successor_handlers
from boundaries.townships import outside_parent_m
from gis_portal.editing.errors import InvalidEdit
from gis_portal.history import history_context
from gis_portal.metric_crs import geometry_to_metric

# [M] How long a released code stays unused: the bureau's setting, no national figure found.
CODE_RETENTION_YEARS = settings.DIVISION_CODE_RETENTION_YEARS
GEOMETRY_TOLERANCE_M = 5.0


def _shape(geos) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geos.wkb))


def _geos(geom) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)


def _locked_units(plan: Plan) -> list[AdministrativeArea]:
    found = {
        a.code: a
        for a in AdministrativeArea.objects.select_for_update(of=("self",))
        .filter(code__in=plan.units, valid_to__isnull=True, is_neighbour=False)
        .select_related("parent")
    }
    for i, code in enumerate(plan.units):
        if code not in found:
            raise InvalidEdit(f"units[{i}]", f"区划代码 {code} 没有现行的行政区域")
    units = [found[c] for c in plan.units]
    if len({u.level for u in units}) > 1:
        raise InvalidEdit("units", "被调整单位的级别不同")
    if plan.kind == "merge" and len({u.parent_id for u in units}) > 1:
        raise InvalidEdit("units", "合并的单位应属于同一上级区域")
    return units


def _last_change(unit: AdministrativeArea) -> dt.date | None:
    adjusted = AdjustmentArea.objects.filter(
        area__code=unit.code, adjustment__status=AdjustmentStatus.APPLIED
    ).aggregate(last=Max("adjustment__effective_on"))["last"]
    days = [d for d in (unit.valid_from, adjusted) if d is not None]
    return max(days) if days else None


def _order_check(plan: Plan, units: list[AdministrativeArea]) -> None:
    for i, unit in enumerate(units):
        problem = effective_order_problem(
            plan.effective_on, unit=f"{unit.name}（{unit.code}）", last_change=_last_change(unit)
        )
        if problem:
            raise InvalidEdit("effective_on" if len(units) == 1 else f"units[{i}]", problem)


def _retention_check(plan: Plan) -> None:
    for i, new in enumerate(plan.new_units):
        if new.code in plan.units:
            continue  # the unit keeps its code (rename, a boundary move, the split's core)
        current = AdministrativeArea.objects.filter(code=new.code, valid_to__isnull=True).first()
        if current is not None:
            raise InvalidEdit(
                f"new_units[{i}].code", f"区划代码 {new.code} 正由 {current.name} 使用"
            )
        last_ended = AdministrativeArea.objects.filter(code=new.code).aggregate(
            last=Max("valid_to")
        )["last"]
        problem = code_reuse_problem(
            new.code,
            effective_on=plan.effective_on,
            last_ended=last_ended,
            retention_years=CODE_RETENTION_YEARS,
        )
        if problem:
            raise InvalidEdit(f"new_units[{i}].code", problem)


def _new_geometries(plan: Plan, units: list[AdministrativeArea]) -> dict[str, object]:
    """Return code → shapely polygon (lon/lat) of each new unit (None where none exists)."""
    old = {u.code: (_shape(u.geom_4490) if u.geom_4490 else None) for u in units}
    if plan.kind in ("rename", "recode"):
        return {plan.new_units[0].code: old[plan.units[0]]}
    if plan.kind == "merge":
        parts = [g for g in old.values() if g is not None]
        if parts and len(parts) != len(old):
            raise InvalidEdit("units", "合并的单位中有的没有边界，无法合成新单位的边界")
        return {
            plan.new_units[0].code: as_multipolygon(shapely.union_all(parts)) if parts else None
        }
    out = {}
    for i, new in enumerate(plan.new_units):
        try:
            geom = as_multipolygon(shape(new.geometry))
        except (PolygonDataError, ValueError, TypeError, AttributeError, KeyError, IndexError):
            raise InvalidEdit(
                f"new_units[{i}].geometry",
                "不是有效的面（GeoJSON Polygon/MultiPolygon，CGCS2000 经纬度）",
            ) from None
        out[new.code] = geom
    if any(g is None for g in old.values()):
        raise InvalidEdit("units", "原单位没有边界，无法核对新单位的边界")
    problems = geometry_problems_m(
        plan,
        {c: geometry_to_metric(g) for c, g in old.items()},
        {c: geometry_to_metric(g) for c, g in out.items()},
        tol_m=GEOMETRY_TOLERANCE_M,
    )
    if problems:
        raise InvalidEdit(*problems[0])
    parent = units[0].parent
    if parent is not None and parent.geom_4490 is not None:
        parent_m = geometry_to_metric(_shape(parent.geom_4490))
        for i, new in enumerate(plan.new_units):
            outside = outside_parent_m(
                geometry_to_metric(out[new.code]), parent_m, tol_m=GEOMETRY_TOLERANCE_M
            )
            if outside is not None:
                raise InvalidEdit(
                    f"new_units[{i}].geometry",
                    f"新单位 {new.code} 有 {outside / 1e6:.4f} km² 超出上级 {parent.name}",
                )
    return out


def _villages_of_split(plan: Plan, unit: AdministrativeArea) -> dict[str, str]:
    """Return child code → new unit code for the children of a split unit without a polygon."""
    children = set(
        AdministrativeArea.objects.filter(
            parent=unit, valid_to__isnull=True, geom_4490__isnull=True
        ).values_list("code", flat=True)
    )
    given: dict[str, str] = {}
    for i, new in enumerate(plan.new_units):
        for code in new.villages:
            if code not in children:
                raise InvalidEdit(f"new_units[{i}].villages", f"{code} 不是 {unit.name} 的下级单位")
            if code in given:
                raise InvalidEdit(f"new_units[{i}].villages", f"{code} 同时划入两个新单位")
            given[code] = new.code
    missing = sorted(children - set(given))
    if missing:
        raise InvalidEdit("new_units", f"下级单位 {'、'.join(missing[:10])} 没有指定划入哪个新单位")
    return given


@transaction.atomic
def adjustment_apply(
    *,
    plan: Plan,
    user: User | None,
    comment: str,
    source: str,
    change_request_id: int | None = None,
    is_demo: bool = False,
    scheduled: DivisionAdjustment | None = None,
) -> DivisionAdjustment:
    """Apply ``plan``: old units end the day before ``effective_on``, new ones start on it.

    ``scheduled``: the record of the plan approved ahead of its day, which becomes the
    applied adjustment (no second record)."""
    units = _locked_units(plan)
    _order_check(plan, units)
    _retention_check(plan)
    geoms = _new_geometries(plan, units)
    villages = _villages_of_split(plan, units[0]) if plan.kind == "split" else {}
    ended_on = plan.effective_on - dt.timedelta(days=1)
    first = units[0]
    with history_context(user=user, comment=comment[:500], source=source):
        for unit in units:
            if unit.valid_from is not None and ended_on < unit.valid_from:
                raise InvalidEdit(
                    "effective_on", f"{unit.name} 自 {unit.valid_from} 起设立，生效日期不能更早"
                )
            unit.valid_to = ended_on
            unit.save(update_fields=["valid_to"])
        created = []
        for new in plan.new_units:
            same = next((u for u in units if u.code == new.code), None)
            basis = same or first
            geom = geoms.get(new.code)
            created.append(
                AdministrativeArea.objects.create(
                    code=new.code,
                    name=new.name,
                    level=first.level,
                    kind=new.kind or basis.kind,
                    parent=first.parent,
                    code_authority=basis.code_authority,
                    nbs_code=basis.nbs_code if same is not None else "",
                    geom_4490=_geos(geom) if geom is not None else None,
                    source=f"区划调整：{plan.approval_ref}",
                    is_demo=is_demo or any(u.is_demo for u in units),
                    geom_is_demo=geom is not None
                    and plan.kind in ("rename", "recode", "merge")
                    and any(u.geom_is_demo for u in units),
                    valid_from=plan.effective_on,
                )
            )
        area_pieces_rebuild(area_ids=[a.pk for a in created])
        by_code = {a.code: a for a in created}
        for child, new_code in villages.items():
            AdministrativeArea.objects.filter(
                code=child, parent=first, valid_to__isnull=True
            ).update(parent=by_code[new_code])
        new_ids = tuple(a.pk for a in created)
        if plan.kind == "move_boundary":
            successors = {u.pk: new_ids for u in units}
        elif plan.kind == "split":
            successors = {first.pk: new_ids}
        else:
            successors = {u.pk: (new_ids[0],) for u in units}
        moved: dict[str, int] = {}
        succession = Succession(successors)
        for handler in successor_handlers():
            for label, n in handler(succession=succession).items():
                moved[label] = moved.get(label, 0) + n
        values = {
            "kind": plan.kind,
            "effective_on": plan.effective_on,
            "approval_ref": plan.approval_ref,
            "plan": {**plan.as_json(), "moved": moved},
            "status": AdjustmentStatus.APPLIED,
            "change_request_id": change_request_id,
            "is_demo": is_demo,
        }
        if scheduled is None:
            adjustment = DivisionAdjustment.objects.create(
                **values, applied_by=user.get_username() if user else ""
            )
        else:
            adjustment = scheduled
            for name, value in values.items():
                setattr(adjustment, name, value)
            adjustment.applied_at = timezone.now()
            adjustment.save()
        AdjustmentArea.objects.bulk_create(
            [
                AdjustmentArea(adjustment=adjustment, area=u, role=AdjustmentRole.ENDED)
                for u in units
            ]
            + [
                AdjustmentArea(adjustment=adjustment, area=a, role=AdjustmentRole.CREATED)
                for a in created
            ]
        )
    return adjustment


class _TrialOnly(Exception):
    """Raised to roll back the trial application of a scheduled adjustment."""


@transaction.atomic
def adjustment_schedule(
    *,
    plan: Plan,
    user: User | None,
    comment: str,
    source: str,
    change_request_id: int | None = None,
    is_demo: bool = False,
) -> DivisionAdjustment:
    """Record ``plan``, approved ahead of its effective day, as scheduled: nothing changes
    until ``adjustments_apply_due`` runs on that day (its units are linked only then, so the
    code history shows no change before it happens). The plan is checked now by applying it
    in a savepoint that is rolled back, so a plan that would fail is refused at approval."""
    try:
        with transaction.atomic():
            adjustment_apply(plan=plan, user=user, comment=comment, source=source)
            raise _TrialOnly
    except _TrialOnly:
        pass
    units = _locked_units(plan)
    for i, unit in enumerate(units):
        waiting = DivisionAdjustment.objects.filter(
            status=AdjustmentStatus.SCHEDULED, plan__units__contains=[unit.code]
        ).first()
        if waiting is not None:
            raise InvalidEdit(
                "effective_on" if len(units) == 1 else f"units[{i}]",
                f"{unit.name}（{unit.code}）已有一项待生效的区划调整"
                f"（{waiting.approval_ref}，{waiting.effective_on} 生效）",
            )
    adjustment = DivisionAdjustment.objects.create(
        kind=plan.kind,
        effective_on=plan.effective_on,
        approval_ref=plan.approval_ref,
        plan=plan.as_json(),
        status=AdjustmentStatus.SCHEDULED,
        change_request_id=change_request_id,
        applied_by=user.get_username() if user else "",
        is_demo=is_demo or any(u.is_demo for u in units),
    )
    return adjustment


def adjustments_apply_due(*, today: dt.date) -> list[DivisionAdjustment]:
    """Apply every scheduled adjustment whose effective day is ``today`` or earlier, in date
    order, each in its own transaction; return those applied (none on a second run)."""
    applied = []
    due = (
        DivisionAdjustment.objects.filter(
            status=AdjustmentStatus.SCHEDULED, effective_on__lte=today
        )
        .order_by("effective_on", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            scheduled = DivisionAdjustment.objects.select_for_update().get(pk=pk)
            if scheduled.status != AdjustmentStatus.SCHEDULED:
                continue  # another run applied it meanwhile
            try:
                plan = plan_parse(scheduled.plan, today=today, scheduled_ok=True)
            except AdjustmentInvalid as exc:
                raise plan_error(exc) from None
            applied.append(
                adjustment_apply(
                    plan=plan,
                    user=None,
                    comment=f"区划调整按期生效：{plan.approval_ref}"[:500],
                    source="scheduled_adjustment",
                    change_request_id=scheduled.change_request_id,
                    is_demo=scheduled.is_demo,
                    scheduled=scheduled,
                )
            )
    return applied


def plan_error(exc: AdjustmentInvalid) -> InvalidEdit:
    return InvalidEdit(exc.field, exc.message)
