"""Edits of streets, street signs and door plates from the map editor and its API.

Same rules as the officers' API and the import: the geometry is valid, of the layer's type
and inside the city (and the officer's area); a street line is simple and at least
MIN_STREET_LENGTH_M long and keeps its plates and signs within reach; a door plate stays
within ``MAX_PLATE_DISTANCE_M`` of its street, off the centre line, on the side its number's
parity belongs to (the street's numbering rule), with a number no active plate of the
street holds and in order with its neighbours along the street. A new plate without a
number gets the one the street's rule proposes.

Every write runs inside ``pghistory.context`` (who, from where, why); the version trigger
bumps ``version``. Validation that needs no database runs first; a refused edit changes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from boundaries.models import AreaLevel
from boundaries.selectors.areas import areas_at_point
from gis_portal.editing.attributes import (
    ChoiceRule,
    DateRule,
    GeometryRule,
    NumberRule,
    TextRule,
    changes_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.feature_io import FeatureSpec
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.writes import FeatureWrites, geos_4490
from gis_portal.errors import Conflict, DomainError
from gis_portal.metric_crs import to_metric
from placenames.addresses.checks import DEFAULT_MAX_DISTANCE_M
from placenames.addresses.models import (
    BaseEnd,
    Condition,
    DoorPlate,
    NumberingMode,
    PlateStatus,
    Side,
    SignKind,
    SignStatus,
    Street,
    StreetSign,
)
from placenames.addresses.numbering import (
    LEFT,
    NumberingError,
    NumberingRule,
    format_number,
    locate,
    locate_many,
    rule_beijing,
    validate_line,
)
from placenames.addresses.services import addresses as services
from placenames.addresses.tile_store import tile_cache_invalidate

# A plate farther from its street than the frontage setback is reported by the checks
# (too_far); the editor refuses to put one there. Signs stand at their street too.
MAX_PLATE_DISTANCE_M = DEFAULT_MAX_DISTANCE_M
MAX_SIGN_DISTANCE_M = DEFAULT_MAX_DISTANCE_M

STREET_RULES = {
    "start_description": TextRule("起点", 100),
    "end_description": TextRule("止点", 100),
    "base_end": ChoiceRule("起编端", tuple(BaseEnd.choices)),
    "odd_side": ChoiceRule("单号一侧", tuple(Side.choices)),
    "numbering_mode": ChoiceRule("编号方式", tuple(NumberingMode.choices)),
    "metres_per_number": NumberRule("每号米数", 0.1, 1000, integer=False),
    "approved_by": TextRule("批准机关", 100),
    "geometry": GeometryRule("line", geometry_parse),
}
STREET_CREATE_RULES = {**STREET_RULES, "name": TextRule("标准名称", 50, required=True)}

SIGN_RULES = {
    "kind": ChoiceRule("路牌类型", tuple(SignKind.choices)),
    "condition": ChoiceRule("现状", tuple(Condition.choices)),
    "status": ChoiceRule("状态", tuple(SignStatus.choices)),
    "installed_on": DateRule("安装时间"),
    "geometry": GeometryRule("point", geometry_parse),
}
SIGN_CREATE_RULES = {**SIGN_RULES, "street_id": NumberRule("所属街路巷", 1, 2**62)}

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
SIDE_NAMES = {LEFT: "左侧", "right": "右侧"}


_geos = geos_4490


def _required(values: dict, field: str, message: str) -> None:
    if values.get(field) in (None, ""):
        raise InvalidEdit(field, message)


# ---- streets ------------------------------------------------------------------------------


def _street_line(geom: BaseGeometry) -> LineString:
    """Return the single simple line of a street, at least MIN_STREET_LENGTH_M long."""
    if isinstance(geom, MultiLineString):
        if len(geom.geoms) != 1:
            raise InvalidEdit("geometry", "街路走向应为一条连续的线（不能分为多段）")
        geom = geom.geoms[0]
    xs, ys = to_metric(*np.asarray(geom.coords)[:, :2].T)
    try:
        validate_line(np.column_stack([xs, ys]))
    except NumberingError as exc:
        raise InvalidEdit("geometry", str(exc)) from None
    return LineString(np.asarray(geom.coords)[:, :2])


def _rule_check(street: Street, values: dict) -> None:
    merged = {
        "base_end": street.base_end,
        "odd_side": street.odd_side,
        "numbering_mode": street.numbering_mode,
        "metres_per_number": street.metres_per_number,
    } | {k: v for k, v in values.items() if k in STREET_RULES and k != "geometry"}
    try:
        NumberingRule(
            base_end=merged["base_end"],
            odd_side=merged["odd_side"],
            mode=merged["numbering_mode"],
            metres_per_number=merged["metres_per_number"],
        )
    except NumberingError as exc:
        raise InvalidEdit("metres_per_number", str(exc)) from None


def _street_keeps_plates_and_signs(street: Street, geom: GEOSGeometry) -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH line AS (SELECT ST_Transform(ST_GeomFromEWKB(%s), 4552) AS g)
            SELECT '门牌 ' || number || CASE WHEN sub_number > 0 THEN '-' || sub_number ELSE '' END
            FROM addresses_doorplate, line
            WHERE street_id = %s AND status <> 'retired'
              AND NOT ST_DWithin(point_4552, line.g, %s)
            UNION ALL
            SELECT '路牌 #' || id FROM addresses_streetsign, line
            WHERE street_id = %s AND status <> 'removed'
              AND NOT ST_DWithin(point_4552, line.g, %s)
            LIMIT 10
            """,
            [geom.ewkb, street.pk, MAX_PLATE_DISTANCE_M, street.pk, MAX_SIGN_DISTANCE_M],
        )
        far = [row[0] for row in cur.fetchall()]
    if far:
        raise InvalidEdit(
            "geometry",
            f"修改后的街路走向离{'、'.join(far)}超过 {MAX_PLATE_DISTANCE_M:g} 米："
            "请同时调整门牌/路牌位置，或缩小走向修改",
        )


def _county_and_township(line: LineString):
    middle = line.interpolate(0.5, normalized=True)
    county = township = None
    for area in areas_at_point(lon=middle.x, lat=middle.y):
        if area.level == AreaLevel.COUNTY:
            county = area
        elif area.level == AreaLevel.TOWNSHIP:
            township = area
    return county, township


def _street_prepare(values: dict) -> None:
    if "geometry" in values:
        values["geom_4490"] = _geos(_street_line(values.pop("geometry")))


def _street_check(street: Street, values: dict, *, topology_check: bool) -> None:
    _rule_check(street, values)
    new_geom = values.get("geom_4490")
    if new_geom is not None and topology_check:
        _street_keeps_plates_and_signs(street, new_geom)


def _street_tiles_invalidate(street: Street, old: GEOSGeometry, new: GEOSGeometry | None) -> None:
    tile_cache_invalidate(bbox_4490=old.extent, layers=["streets"])
    if new is not None:
        tile_cache_invalidate(bbox_4490=new.extent, layers=["streets"])


def _street_in_use(street: Street) -> None:
    if street.plates.exists() or street.signs.exists():
        raise Conflict(f"街路巷「{street.name}」仍有门牌或路牌，不能删除")


# Rule, descriptions, line and comment of one street; the name is not edited here: naming
# and renaming go through a change request. A street with plates or signs is not deleted.
STREET_WRITES = FeatureWrites(
    model=Street,
    geometry_field="geom_4490",
    rules=STREET_RULES,
    refused_fields={"name": "街路巷名称不能直接修改：更名须提交地名更名申请"},
    prepare=_street_prepare,
    check=_street_check,
    after_write=_street_tiles_invalidate,
    before_delete=_street_in_use,
    after_delete=lambda street, old: _street_tiles_invalidate(street, old, None),
)


def street_create(*, changes: Mapping, user: User | None, source: str = "api") -> Street:
    """Create a street drawn in the editor: name, line, numbering rule (default: Beijing)."""
    values, comment = changes_clean(changes, STREET_CREATE_RULES)
    _required(values, "name", "请填写街路巷标准名称")
    _required(values, "geometry", "请在地图上绘制街路走向")
    line = _street_line(values.pop("geometry"))
    geom = _geos(line)
    xs, ys = to_metric(*np.asarray(line.coords).T)
    default = rule_beijing(np.column_stack([xs, ys]))
    try:
        rule = NumberingRule(
            base_end=values.get("base_end") or default.base_end,
            odd_side=values.get("odd_side") or default.odd_side,
            mode=values.get("numbering_mode") or default.mode,
            metres_per_number=values.get("metres_per_number"),
        )
    except NumberingError as exc:
        raise InvalidEdit("metres_per_number", str(exc)) from None
    with STREET_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        county, township = _county_and_township(line)
        try:
            street = services.street_create(
                name=values["name"],
                coords_4490=list(line.coords),
                rule=rule,
                county=county,
                township=township,
                start_description=values.get("start_description", ""),
                end_description=values.get("end_description", ""),
                approved_by=values.get("approved_by", ""),
            )
        except DomainError as exc:
            field = "name" if "名称" in exc.message else "geometry"
            raise InvalidEdit(field, exc.message) from None
    return street


# ---- street signs ---------------------------------------------------------------------------


def _near_street(street: Street, geom: GEOSGeometry, limit_m: float, what: str) -> float:
    x, y = to_metric(geom.x, geom.y)
    _chainage, _side, offset = locate_many(list(street.line_4552.coords), [x], [y])
    distance_m = float(offset[0])
    if distance_m > limit_m:
        raise InvalidEdit(
            "geometry",
            f"{what}距{street.name} {distance_m:.0f} 米，超过 {limit_m:g} 米：请放在所属街路旁",
        )
    return distance_m


def _point_box(geom: GEOSGeometry) -> tuple[float, float, float, float]:
    return (geom.x, geom.y, geom.x, geom.y)


def _box_of(old: GEOSGeometry, new: GEOSGeometry | None) -> tuple[float, float, float, float]:
    """The box of a point before and after a move: one tile invalidation for both places."""
    points = [old] if new is None else [old, new]
    xs, ys = [p.x for p in points], [p.y for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _sign_check(sign: StreetSign, values: dict, *, topology_check: bool) -> None:
    new_geom = values.get("point_4490")
    if new_geom is not None:
        _near_street(sign.street, new_geom, MAX_SIGN_DISTANCE_M, "路牌")


# One street sign: it must stay by its street; its inspections go with it when deleted.
SIGN_WRITES = FeatureWrites(
    model=StreetSign,
    geometry_field="point_4490",
    rules=SIGN_RULES,
    check=_sign_check,
    after_write=lambda sign, old, new: tile_cache_invalidate(
        bbox_4490=_box_of(old, new), layers=["signs"]
    ),
    after_delete=lambda sign, old: tile_cache_invalidate(
        bbox_4490=_point_box(old), layers=["signs"]
    ),
)


def _street_for_new(values: dict) -> Street:
    _required(values, "street_id", "请选择所属街路巷")
    street = Street.objects.select_for_update().filter(pk=values["street_id"]).first()
    if street is None:
        raise InvalidEdit("street_id", f"街路巷 {values['street_id']} 不存在")
    return street


def sign_create(*, changes: Mapping, user: User | None, source: str = "api") -> StreetSign:
    """Create a street sign drawn in the editor; its text is the street's name."""
    values, comment = changes_clean(changes, SIGN_CREATE_RULES)
    _required(values, "kind", "请选择路牌类型")
    _required(values, "geometry", "请在地图上点出路牌位置")
    geom = _geos(values["geometry"])
    with SIGN_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        street = _street_for_new(values)
        _near_street(street, geom, MAX_SIGN_DISTANCE_M, "路牌")
        sign = services.sign_create(
            street_id=street.pk,
            kind=values["kind"],
            lon=geom.x,
            lat=geom.y,
            installed_on=values.get("installed_on"),
            status=values.get("status") or SignStatus.PLANNED,
        )
        if values.get("condition"):
            sign.condition = values["condition"]
            sign.save(update_fields=["condition"])
            sign.refresh_from_db(fields=["version"])
    return sign


# ---- door plates ---------------------------------------------------------------------------


def _plate_rules_check(
    *,
    street: Street,
    geom: GEOSGeometry,
    number: int,
    sub_number: int,
    plate_id: int | None,
) -> None:
    """The numbering rules of one active plate at ``geom`` with ``number``/``sub_number``."""
    rule = services.rule_of(street)
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
        values["point_4490"] = _geos(values.pop("geometry"))
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
        bbox_4490=_box_of(old, new), layers=["doorplates"]
    ),
    before_delete=_plate_in_use,
    after_delete=lambda plate, old: tile_cache_invalidate(
        bbox_4490=_point_box(old), layers=["doorplates"]
    ),
)


def plate_create(*, changes: Mapping, user: User | None, source: str = "api") -> DoorPlate:
    """Create a door plate drawn in the editor; a blank number is proposed by the rule."""
    values, comment = changes_clean(changes, PLATE_CREATE_RULES)
    _required(values, "geometry", "请在地图上点出门牌位置")
    geom = _geos(values["geometry"])
    status = values.get("status") or PlateStatus.PLANNED
    if status not in NEW_PLATE_STATUSES:
        raise InvalidEdit("status", "新门牌的状态应为待制作或在用")
    sub_number = values.get("sub_number") or 0
    with PLATE_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        street = _street_for_new(values)
        number = values.get("number")
        if number is None:
            try:
                proposal = services.plate_propose(street_id=street.pk, lon=geom.x, lat=geom.y)
            except DomainError as exc:
                raise InvalidEdit("geometry", exc.message) from None
            number, sub_number = proposal.number, proposal.sub_number
        _plate_rules_check(
            street=street, geom=geom, number=number, sub_number=sub_number, plate_id=None
        )
        try:
            plate = services.plate_create(
                street_id=street.pk,
                request=services.PlateRequest(
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


def streets_recheck(pks: list[int]) -> None:
    """Re-run the street rules after a batch (a street and its plates moved together)."""
    for street in Street.objects.filter(pk__in=pks):
        _street_keeps_plates_and_signs(street, street.geom_4490)


# ---- what the editor shows of each layer (GeoJSON built by PostGIS) -------------------------

STREET_FEATURES = FeatureSpec(
    table="addresses_street t",
    geometry="t.geom_4490",
    properties=(
        ("label", "t.name"),
        ("name", "t.name"),
        ("start_description", "t.start_description"),
        ("end_description", "t.end_description"),
        ("base_end", "t.base_end"),
        ("odd_side", "t.odd_side"),
        ("numbering_mode", "t.numbering_mode"),
        ("metres_per_number", "t.metres_per_number"),
        ("approved_by", "t.approved_by"),
        ("is_demo", "t.is_demo"),
    ),
    county="t.county_id",
)
SIGN_FEATURES = FeatureSpec(
    table="addresses_streetsign t JOIN addresses_street s ON s.id = t.street_id",
    geometry="t.point_4490",
    properties=(
        ("label", "t.text_zh"),
        ("street_id", "t.street_id"),
        ("kind", "t.kind"),
        ("condition", "t.condition"),
        ("status", "t.status"),
        ("installed_on", "t.installed_on"),
        ("is_demo", "t.is_demo"),
    ),
    county="s.county_id",
)
PLATE_FEATURES = FeatureSpec(
    table="addresses_doorplate t JOIN addresses_street s ON s.id = t.street_id",
    geometry="t.point_4490",
    properties=(
        (
            "label",
            "t.name_on_plate || t.number || '号' || "
            "CASE WHEN t.sub_number > 0 THEN '-' || t.sub_number ELSE '' END",
        ),
        ("street_id", "t.street_id"),
        ("number", "t.number"),
        ("sub_number", "t.sub_number"),
        ("building", "t.building"),
        ("unit", "t.unit"),
        ("status", "t.status"),
        ("installed_on", "t.installed_on"),
        ("retired_on", "t.retired_on"),
        ("is_demo", "t.is_demo"),
    ),
    county="s.county_id",
)
