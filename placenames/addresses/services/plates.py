"""Door plates: every write of a plate, from the officers' API, the importers and the map editor.

A door plate stays within ``MAX_PLATE_DISTANCE_M`` of its street, off the centre line, on
the side its number's parity belongs to (the street's numbering rule), with a number no
active plate of the street holds and in order with its neighbours along the street. A new
plate without a number gets the one the street's rule proposes (``plate_propose``).
``plates_create`` is the bulk write; ``plate_create_from_changes`` takes the editor's changes
and writes through ``plate_create`` inside ``PLATE_WRITES``.

Every write runs inside ``pghistory.context`` (who, from where, why); the version trigger
bumps ``version``. Validation that needs no database runs first; a refused edit changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction

from gis_portal.editing.attributes import (
    ChoiceRule,
    DateRule,
    GeometryRule,
    NumberRule,
    TextRule,
    changes_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.scope import scope_check
from gis_portal.editing.writes import FeatureWrites, geos_4490
from gis_portal.errors import Conflict, DomainError
from gis_portal.metric_crs import to_metric
from placenames.addresses.errors import (
    DuplicatePlateNumber,
    InvalidPlate,
    StreetNotFound,
)
from placenames.addresses.models import (
    DoorPlate,
    PlateStatus,
    Street,
)
from placenames.addresses.numbering import (
    ExistingPlate,
    NumberingError,
    Proposal,
    format_number,
    locate,
    locate_many,
    propose_number,
)
from placenames.addresses.services.common import (
    ACTIVE_PLATE,
    MAX_PLATE_DISTANCE_M,
    SIDE_NAMES,
    boxes_union,
    point_box,
    required_check,
    street_of_changes,
)
from placenames.addresses.services.streets import rule_of, street_locked
from placenames.addresses.tile_store import tile_cache_invalidate


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
        street = street_locked(street_id)
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
        tile_cache_invalidate(bbox_4490=point_box(old), layers=["doorplates"])
        tile_cache_invalidate(bbox_4490=point_box(plate.point_4490), layers=["doorplates"])
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
        tile_cache_invalidate(bbox_4490=point_box(plate.point_4490), layers=["doorplates"])
    return plate


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


PLATE_RULES = {
    "number": NumberRule("门牌号", 1, 99_999, required=True),
    "sub_number": NumberRule("副号", 0, 99),
    "building": TextRule("楼栋", 20),
    "unit": TextRule("单元", 20),
    "status": ChoiceRule("状态", tuple(PlateStatus.choices)),
    "installed_on": DateRule("安装时间"),
    "retired_on": DateRule("注销时间"),
    "geometry": GeometryRule("point", geometry_parse),
}


PLATE_CREATE_RULES = {
    **PLATE_RULES,
    "number": NumberRule("门牌号", 1, 99_999),  # blank: proposed by the street's rule
    "street_id": NumberRule("所属街路巷", 1, 2**62),
}


NEW_PLATE_STATUSES = (PlateStatus.PLANNED, PlateStatus.INSTALLED)


def _plate_rules_check(
    *,
    street: Street,
    geom: GEOSGeometry,
    number: int,
    sub_number: int,
    plate_id: int | None,
) -> None:
    """The numbering rules of one active plate at ``geom`` with ``number``/``sub_number``."""
    rule = rule_of(street)
    coords = list(street.line_4552.coords)
    x, y = to_metric(geom.x, geom.y)
    try:
        where = locate(coords, x, y, base_end=street.base_end)
    except NumberingError as exc:
        raise InvalidEdit("geometry", str(exc)) from None
    if where.offset_m > MAX_PLATE_DISTANCE_M:
        raise InvalidEdit(
            "geometry",
            f"门牌距{street.name} {where.offset_m:.0f} 米，超过 {MAX_PLATE_DISTANCE_M:g} 米："
            "门牌应在所属街路旁",
        )
    label = f"{street.name}{format_number(number, sub_number)}"
    expected_side = rule.side_of(number)
    if where.side != expected_side:
        parity = "单号" if number % 2 else "双号"
        raise InvalidEdit(
            "number",
            f"{label}为{parity}，按该街编号规则应在{SIDE_NAMES[expected_side]}"
            f"（面向编号增加方向），该位置在{SIDE_NAMES[where.side]}",
        )
    others = list(
        street.plates.exclude(status=PlateStatus.RETIRED)
        .exclude(pk=plate_id)
        .values_list("number", "sub_number", "point_4552")
    )
    if any((n, s) == (number, sub_number) for n, s, _p in others):
        raise InvalidEdit("number", f"{label}已被该街的在用门牌占用")
    same_side = [(n, s, p) for n, s, p in others if n % 2 == number % 2]
    if not same_side:
        return
    chainage, _side, _offset = locate_many(
        coords,
        [p.x for _n, _s, p in same_side],
        [p.y for _n, _s, p in same_side],
        base_end=street.base_end,
    )
    before = [
        (c, n, s)
        for c, (n, s, _p) in zip(chainage, same_side, strict=True)
        if c <= where.chainage_m
    ]
    after = [
        (c, n, s) for c, (n, s, _p) in zip(chainage, same_side, strict=True) if c > where.chainage_m
    ]
    prev = max(before, default=None)
    nxt = min(after, default=None)
    key = (number, sub_number)
    if prev is not None and (prev[1], prev[2]) > key:
        raise InvalidEdit(
            "number",
            f"{label}位于{format_number(prev[1], prev[2])}之后（沿编号方向），编号不能更小",
        )
    if nxt is not None and (nxt[1], nxt[2]) < key:
        raise InvalidEdit(
            "number",
            f"{label}位于{format_number(nxt[1], nxt[2])}之前（沿编号方向），编号不能更大",
        )


def _dates_check(installed_on, retired_on) -> None:
    if installed_on and retired_on and retired_on < installed_on:
        raise InvalidEdit("retired_on", "注销时间不能早于安装时间")


def _plate_prepare(values: dict) -> None:
    if "geometry" in values:
        values["point_4490"] = geos_4490(values.pop("geometry"))
    if "sub_number" in values and values["sub_number"] is None:
        values["sub_number"] = 0


def _plate_check(plate: DoorPlate, values: dict, *, topology_check: bool) -> None:
    _dates_check(
        values.get("installed_on", plate.installed_on),
        values.get("retired_on", plate.retired_on),
    )
    status = values.get("status", plate.status)
    numbering_changed = {"point_4490", "number", "sub_number", "status"} & set(values)
    if topology_check and numbering_changed and status != PlateStatus.RETIRED:
        street = Street.objects.select_for_update().get(pk=plate.street_id)
        _plate_rules_check(
            street=street,
            geom=values.get("point_4490") or plate.point_4490,
            number=values.get("number", plate.number),
            sub_number=values.get("sub_number", plate.sub_number),
            plate_id=plate.pk,
        )


def _plate_in_use(plate: DoorPlate) -> None:
    if plate.status == PlateStatus.INSTALLED:
        raise Conflict(f"门牌 {plate} 在用，不能删除：请改为“已注销”并填写注销时间")


# One door plate under its street's numbering rules; a plate in use is retired (注销), not
# deleted.
PLATE_WRITES = FeatureWrites(
    model=DoorPlate,
    geometry_field="point_4490",
    rules=PLATE_RULES,
    prepare=_plate_prepare,
    check=_plate_check,
    after_write=lambda plate, old, new: tile_cache_invalidate(
        bbox_4490=boxes_union(old, new), layers=["doorplates"]
    ),
    before_delete=_plate_in_use,
    after_delete=lambda plate, old: tile_cache_invalidate(
        bbox_4490=point_box(old), layers=["doorplates"]
    ),
)


def plate_create_from_changes(
    *, changes: Mapping, user: User | None, source: str = "api"
) -> DoorPlate:
    """Create a door plate drawn in the editor; a blank number is proposed by the rule."""
    values, comment = changes_clean(changes, PLATE_CREATE_RULES)
    required_check(values, "geometry", "请在地图上点出门牌位置")
    geom = geos_4490(values["geometry"])
    status = values.get("status") or PlateStatus.PLANNED
    if status not in NEW_PLATE_STATUSES:
        raise InvalidEdit("status", "新门牌的状态应为待制作或在用")
    sub_number = values.get("sub_number") or 0
    with PLATE_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        street = street_of_changes(values)
        number = values.get("number")
        if number is None:
            try:
                proposal = plate_propose(street_id=street.pk, lon=geom.x, lat=geom.y)
            except DomainError as exc:
                raise InvalidEdit("geometry", exc.message) from None
            number, sub_number = proposal.number, proposal.sub_number
        _plate_rules_check(
            street=street, geom=geom, number=number, sub_number=sub_number, plate_id=None
        )
        try:
            plate = plate_create(
                street_id=street.pk,
                request=PlateRequest(
                    lon=geom.x,
                    lat=geom.y,
                    number=number,
                    sub_number=sub_number,
                    building=values.get("building", ""),
                    unit=values.get("unit", ""),
                    status=status,
                    installed_on=values.get("installed_on"),
                ),
            )
        except DomainError as exc:
            raise InvalidEdit("number", exc.message) from None
        plate.refresh_from_db(fields=["version"])
    return plate


def plates_recheck(pks: list[int]) -> None:
    """Re-run the numbering rules on plates saved together in one batch."""
    for plate in DoorPlate.objects.filter(pk__in=pks).exclude(status=PlateStatus.RETIRED):
        street = Street.objects.get(pk=plate.street_id)
        _plate_rules_check(
            street=street,
            geom=plate.point_4490,
            number=plate.number,
            sub_number=plate.sub_number,
            plate_id=plate.pk,
        )
