"""Writes: streets, door plates, signs and inspections (the demo step is in demo_loader)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString as GEOSLineString
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import Q

from boundaries.models import AdministrativeArea
from gis_portal.editing.scope import scope_check
from gis_portal.metric_crs import to_metric
from placenames.addresses.errors import (
    DuplicatePlateNumber,
    DuplicateStreetName,
    InvalidPlate,
    InvalidStreetLine,
    SignNotFound,
    StreetNotFound,
)
from placenames.addresses.models import (
    Condition,
    DoorPlate,
    PlateStatus,
    SignInspection,
    SignKind,
    SignStatus,
    Street,
    StreetFormerName,
    StreetSign,
)
from placenames.addresses.numbering import (
    ExistingPlate,
    NumberingError,
    NumberingRule,
    Proposal,
    format_number,
    locate,
    locate_many,
    propose_number,
    validate_line,
)
from placenames.addresses.tile_store import tile_cache_invalidate
from placenames.models import PlaceName, PlaceNameStatus
from placenames.romanize import RomanizeInputError, romanize

ACTIVE_PLATE = ~Q(status=PlateStatus.RETIRED)


def street_name_pinyin(name: str) -> str:
    """Return the sign pinyin of a street name; a name that cannot be romanised (other
    scripts, control characters…) is refused naming the problem."""
    try:
        return romanize(name).pinyin
    except RomanizeInputError as exc:
        raise InvalidStreetLine(f"街路巷名称无法拼写：{exc}") from None


def _point_box(point: Point) -> tuple[float, float, float, float]:
    return (point.x, point.y, point.x, point.y)


# ---- streets ------------------------------------------------------------------------------


def _checked_line(coords_4490: Sequence[Sequence[float]]) -> GEOSLineString:
    try:
        arr = np.asarray(coords_4490, dtype=float)
    except (TypeError, ValueError):
        raise InvalidStreetLine("街路走向坐标格式错误") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InvalidStreetLine("街路走向应为 [[经度, 纬度], …]")
    if not np.isfinite(arr).all():
        raise InvalidStreetLine("街路走向含有无效坐标 (NaN/inf)")
    if not (
        (arr[:, 0] >= -180) & (arr[:, 0] <= 180) & (arr[:, 1] >= -90) & (arr[:, 1] <= 90)
    ).all():
        raise InvalidStreetLine("街路走向坐标超出经纬度范围")
    xs, ys = to_metric(arr[:, 0], arr[:, 1])
    try:
        validate_line(np.column_stack([xs, ys]))
    except NumberingError as exc:
        raise InvalidStreetLine(str(exc)) from None
    return GEOSLineString([tuple(c) for c in arr.tolist()], srid=4490)


def street_create(
    *,
    name: str,
    coords_4490: Sequence[Sequence[float]],
    rule: NumberingRule,
    county: AdministrativeArea | None = None,
    township: AdministrativeArea | None = None,
    start_description: str = "",
    end_description: str = "",
    named_on: date | None = None,
    approved_by: str = "",
    is_demo: bool = False,
) -> Street:
    """Create a street after checking its line (length, simplicity) and its name."""
    name = (name or "").strip()
    if not name:
        raise InvalidStreetLine("街路巷名称不能为空")
    line = _checked_line(coords_4490)
    with transaction.atomic():
        if Street.objects.filter(name=name).exists():
            raise DuplicateStreetName(f"街路巷名称「{name}」已存在（同一城区内不得重名）")
        street = Street.objects.create(
            name=name,
            name_pinyin=street_name_pinyin(name),
            county=county,
            township=township,
            start_description=start_description,
            end_description=end_description,
            geom_4490=line,
            base_end=rule.base_end,
            odd_side=rule.odd_side,
            numbering_mode=rule.mode,
            metres_per_number=rule.metres_per_number,
            named_on=named_on,
            approved_by=approved_by,
            is_demo=is_demo,
        )
        tile_cache_invalidate(bbox_4490=line.extent, layers=["streets"])
    return street


def street_rename(*, street_id: int, new_name: str, on: date, approved_by: str = "") -> Street:
    """Rename a street: the old name becomes a former name ending the day before ``on``."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise InvalidStreetLine("新名称不能为空")
    with transaction.atomic():
        street = _locked_street(street_id)
        if new_name == street.name:
            raise InvalidStreetLine("新名称与现名相同")
        if Street.objects.filter(name=new_name).exclude(pk=street.pk).exists():
            raise DuplicateStreetName(f"街路巷名称「{new_name}」已存在（同一城区内不得重名）")
        StreetFormerName.objects.create(
            street=street, name=street.name, used_from=street.named_on, used_to=on
        )
        street.name = new_name
        street.name_pinyin = street_name_pinyin(new_name)
        street.named_on = on
        street.approved_by = approved_by
        street.save(update_fields=["name", "name_pinyin", "named_on", "approved_by"])
        tile_cache_invalidate(bbox_4490=street.geom_4490.extent)
    return street


def rule_of(street: Street) -> NumberingRule:
    """Return the numbering rule stored on a street."""
    return NumberingRule(
        base_end=street.base_end,
        odd_side=street.odd_side,
        mode=street.numbering_mode,
        metres_per_number=street.metres_per_number,
    )


def _locked_street(street_id: int) -> Street:
    # The row lock serialises numbering on one street: two requests cannot take a number at once.
    street = Street.objects.select_for_update().filter(pk=street_id).first()
    if street is None:
        raise StreetNotFound(f"街路巷 {street_id} 不存在", street_id=street_id)
    return street


# ---- door plates -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlateRequest:
    lon: float
    lat: float
    number: int | None = None  # None: propose one by the street's rule
    sub_number: int = 0
    building: str = ""
    unit: str = ""
    status: str = PlateStatus.PLANNED
    installed_on: date | None = None


def _street_existing(street: Street) -> list[tuple[DoorPlate, float]]:
    plates = list(street.plates.filter(ACTIVE_PLATE))
    if not plates:
        return []
    coords = np.asarray(street.line_4552.coords)
    xs = [p.point_4552.x for p in plates]
    ys = [p.point_4552.y for p in plates]
    chainage, _, _ = locate_many(coords, xs, ys, base_end=street.base_end)
    return list(zip(plates, chainage.tolist(), strict=True))


def plates_create(
    *, street_id: int, requests: Sequence[PlateRequest], user: User | None = None
) -> list[DoorPlate]:
    """Create door plates on one street, all or none.

    Each plate's side and chainage come from its position; a missing number is proposed by
    the street's rule. A number already held by an active plate of the street, or given
    twice in the same call, is refused and nothing is written; so is a plate outside the
    edit scope of ``user`` (None: a system write, the import or the demo loader).
    """
    if not requests:
        raise InvalidPlate("没有要创建的门牌")
    for i, r in enumerate(requests):
        if not (-180 <= r.lon <= 180 and -90 <= r.lat <= 90) or r.lon != r.lon or r.lat != r.lat:
            raise InvalidPlate(f"第 {i + 1} 个门牌的坐标无效", index=i)
        if r.number is not None and r.number < 1:
            raise InvalidPlate(f"第 {i + 1} 个门牌的门牌号必须是正整数", index=i)
        if r.sub_number < 0:
            raise InvalidPlate(f"第 {i + 1} 个门牌的副号不能为负", index=i)
        if r.status not in PlateStatus.values or r.status == PlateStatus.RETIRED:
            raise InvalidPlate(f"第 {i + 1} 个门牌的状态无效：{r.status}", index=i)
    scope_check(user, *(Point(r.lon, r.lat, srid=4490) for r in requests))
    with transaction.atomic():
        street = _locked_street(street_id)
        rule = rule_of(street)
        coords = list(street.line_4552.coords)
        existing = [ExistingPlate(p.number, p.sub_number, c) for p, c in _street_existing(street)]
        taken = {(e.number, e.sub_number) for e in existing}
        new: list[DoorPlate] = []
        for i, r in enumerate(requests):
            x, y = to_metric(r.lon, r.lat)
            try:
                where = locate(coords, x, y, base_end=street.base_end)
            except NumberingError as exc:
                raise InvalidPlate(f"第 {i + 1} 个门牌：{exc}", index=i) from None
            if r.number is None:
                proposal = propose_number(rule=rule, location=where, existing=existing)
                number, sub = proposal.number, proposal.sub_number
            else:
                number, sub = r.number, r.sub_number
            if (number, sub) in taken:
                raise DuplicatePlateNumber(
                    f"{street.name}{format_number(number, sub)} 已被占用"
                    f"（第 {i + 1} 个门牌），未写入任何门牌",
                    street=street.name,
                    number=number,
                    sub_number=sub,
                )
            taken.add((number, sub))
            existing.append(ExistingPlate(number, sub, where.chainage_m))
            new.append(
                DoorPlate(
                    street=street,
                    number=number,
                    sub_number=sub,
                    building=r.building,
                    unit=r.unit,
                    name_on_plate=street.name,
                    point_4490=Point(r.lon, r.lat, srid=4490),
                    side=where.side,
                    status=r.status,
                    installed_on=r.installed_on,
                    is_demo=street.is_demo,
                )
            )
        created = DoorPlate.objects.bulk_create(new)
        lons = [r.lon for r in requests]
        lats = [r.lat for r in requests]
        tile_cache_invalidate(
            bbox_4490=(min(lons), min(lats), max(lons), max(lats)), layers=["doorplates"]
        )
    return created


def plate_create(*, street_id: int, request: PlateRequest) -> DoorPlate:
    """Create one door plate (see ``plates_create``)."""
    return plates_create(street_id=street_id, requests=[request])[0]


def plate_move(*, plate_id: int, lon: float, lat: float) -> DoorPlate:
    """Move a plate; the tiles at its old and new place are invalidated."""
    with transaction.atomic():
        plate = DoorPlate.objects.select_for_update().filter(pk=plate_id).first()
        if plate is None:
            raise InvalidPlate(f"门牌 {plate_id} 不存在")
        old = plate.point_4490
        plate.point_4490 = Point(lon, lat, srid=4490)
        plate.save(update_fields=["point_4490"])
        tile_cache_invalidate(bbox_4490=_point_box(old), layers=["doorplates"])
        tile_cache_invalidate(bbox_4490=_point_box(plate.point_4490), layers=["doorplates"])
    return plate


def plate_retire(*, plate_id: int, on: date) -> DoorPlate:
    """Retire a plate (注销) from ``on``; its number becomes free."""
    with transaction.atomic():
        plate = DoorPlate.objects.select_for_update().filter(pk=plate_id).first()
        if plate is None:
            raise InvalidPlate(f"门牌 {plate_id} 不存在")
        if plate.installed_on and on < plate.installed_on:
            raise InvalidPlate("注销日期不能早于安装日期")
        plate.status = PlateStatus.RETIRED
        plate.retired_on = on
        plate.save(update_fields=["status", "retired_on"])
        tile_cache_invalidate(bbox_4490=_point_box(plate.point_4490), layers=["doorplates"])
    return plate


# ---- signs ------------------------------------------------------------------------------


def sign_create(
    *,
    street_id: int,
    kind: str,
    lon: float,
    lat: float,
    installed_on: date | None = None,
    status: str = SignStatus.PLANNED,
) -> StreetSign:
    """Create a street sign carrying the street's current name and its pinyin."""
    if kind not in SignKind.values:
        raise InvalidPlate(f"路牌类型无效：{kind}")
    with transaction.atomic():
        street = _locked_street(street_id)
        sign = StreetSign.objects.create(
            street=street,
            kind=kind,
            text_zh=street.name,
            text_pinyin=street.name_pinyin,
            point_4490=Point(lon, lat, srid=4490),
            installed_on=installed_on,
            status=status,
            is_demo=street.is_demo,
        )
        tile_cache_invalidate(bbox_4490=(lon, lat, lon, lat), layers=["signs"])
    return sign


def sign_inspect(
    *,
    sign_id: int,
    on: date,
    condition: str,
    user: User | None,
    inspector: str = "",
    note: str = "",
) -> SignInspection:
    """Record an inspection and update the sign's condition: a write to the sign, so only
    inside the edit scope of ``user`` (None: a system write)."""
    if condition not in Condition.values:
        raise InvalidPlate(f"路牌现状无效：{condition}")
    with transaction.atomic():
        sign = StreetSign.objects.select_for_update().filter(pk=sign_id).first()
        if sign is None:
            raise SignNotFound(f"路牌 {sign_id} 不存在", sign_id=sign_id)
        scope_check(user, sign.point_4490)
        if sign.installed_on and on < sign.installed_on:
            raise InvalidPlate("巡检日期不能早于安装日期")
        record = SignInspection.objects.create(
            sign=sign, inspected_on=on, condition=condition, inspector=inspector, note=note
        )
        sign.condition = condition
        sign.save(update_fields=["condition"])
    return record


def plate_propose(*, street_id: int, lon: float, lat: float) -> Proposal:
    """Return the number a new door at lon/lat would get (nothing is written)."""
    street = Street.objects.filter(pk=street_id).first()
    if street is None:
        raise StreetNotFound(f"街路巷 {street_id} 不存在", street_id=street_id)
    try:
        where = locate(
            list(street.line_4552.coords), *to_metric(lon, lat), base_end=street.base_end
        )
    except NumberingError as exc:
        raise InvalidPlate(str(exc)) from None
    existing = [ExistingPlate(p.number, p.sub_number, c) for p, c in _street_existing(street)]
    return propose_number(rule=rule_of(street), location=where, existing=existing)


@dataclass
class ArchiveLinkReport:
    linked: list[tuple[str, str]]  # (street, place code)
    ambiguous: list[str]
    missing: list[str]

    def as_dict(self) -> dict:
        return {
            "linked": len(self.linked),
            "ambiguous": len(self.ambiguous),
            "missing": len(self.missing),
        }


def streets_link_archive(*, dry_run: bool = False) -> ArchiveLinkReport:
    """Link each unlinked street to the in-use archive record of the same standard name in
    its county (or one of its townships); names with no or several candidates are reported,
    not guessed. ``dry_run`` reports the same and writes nothing."""
    report = ArchiveLinkReport([], [], [])
    streets = list(Street.objects.filter(place_name__isnull=True).select_related("county"))
    candidates: dict[str, list[PlaceName]] = {}
    for p in PlaceName.objects.filter(
        standard_name__in={s.name for s in streets}, status=PlaceNameStatus.IN_USE
    ).select_related("division"):
        candidates.setdefault(p.standard_name, []).append(p)
    links = []
    for s in streets:
        found = [
            p
            for p in candidates.get(s.name, [])
            if s.county_id is None or s.county_id in (p.division_id, p.division.parent_id)
        ]
        if len(found) == 1:
            links.append((s, found[0]))
            report.linked.append((s.name, found[0].place_code))
        elif found:
            report.ambiguous.append(s.name)
        else:
            report.missing.append(s.name)
    if not dry_run:
        with transaction.atomic():
            for s, p in links:
                Street.objects.filter(pk=s.pk, place_name__isnull=True).update(place_name=p)
    return report
