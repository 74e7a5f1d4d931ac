"""Streets: every write of a street, from the officers' API, the importers and the map editor.

A street's line is simple and at least MIN_STREET_LENGTH_M long (``numbering.validate_line``)
and keeps its plates and signs within reach; its name is unique in the city and has its sign
pinyin; naming and renaming go through a change request (``street_rename`` applies an
approved one). ``street_create`` is the write itself; ``street_create_from_changes`` takes
an editor's or the edit API's changes (checked by ``STREET_CREATE_RULES``) and writes
through it inside ``STREET_WRITES`` (history context, scope, city check, tile invalidation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.geos import LineString as GEOSLineString
from django.db import connection, transaction
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from boundaries.models import AdministrativeArea, AreaLevel
from boundaries.selectors.areas import areas_at_point
from gis_portal.editing.attributes import (
    ChoiceRule,
    GeometryRule,
    NumberRule,
    TextRule,
    changes_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.writes import FeatureWrites, geos_4490
from gis_portal.errors import Conflict, DomainError
from gis_portal.metric_crs import to_metric
from placenames.addresses.errors import (
    DuplicateStreetName,
    InvalidStreetLine,
    StreetNotFound,
)
from placenames.addresses.models import (
    BaseEnd,
    NumberingMode,
    Side,
    Street,
    StreetFormerName,
)
from placenames.addresses.numbering import (
    NumberingError,
    NumberingRule,
    rule_beijing,
    validate_line,
)
from placenames.addresses.services.common import (
    MAX_PLATE_DISTANCE_M,
    MAX_SIGN_DISTANCE_M,
    required_check,
)
from placenames.addresses.tile_store import tile_cache_invalidate
from placenames.models import PlaceName, PlaceNameStatus
from placenames.romanize import RomanizeInputError, romanize


def street_name_pinyin(name: str) -> str:
    """Return the sign pinyin of a street name; a name that cannot be romanised (other
    scripts, control characters…) is refused naming the problem."""
    try:
        return romanize(name).pinyin
    except RomanizeInputError as exc:
        raise InvalidStreetLine(f"街路巷名称无法拼写：{exc}") from None


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
        street = street_locked(street_id)
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


def street_locked(street_id: int) -> Street:
    # The row lock serialises numbering on one street: two requests cannot take a number at once.
    street = Street.objects.select_for_update().filter(pk=street_id).first()
    if street is None:
        raise StreetNotFound(f"街路巷 {street_id} 不存在", street_id=street_id)
    return street


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
        values["geom_4490"] = geos_4490(_street_line(values.pop("geometry")))


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


def street_create_from_changes(
    *, changes: Mapping, user: User | None, source: str = "api"
) -> Street:
    """Create a street drawn in the editor: name, line, numbering rule (default: Beijing)."""
    values, comment = changes_clean(changes, STREET_CREATE_RULES)
    required_check(values, "name", "请填写街路巷标准名称")
    required_check(values, "geometry", "请在地图上绘制街路走向")
    line = _street_line(values.pop("geometry"))
    geom = geos_4490(line)
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
            street = street_create(
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


def streets_recheck(pks: list[int]) -> None:
    """Re-run the street rules after a batch (a street and its plates moved together)."""
    for street in Street.objects.filter(pk__in=pks):
        _street_keeps_plates_and_signs(street, street.geom_4490)


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
