"""Edits of place names from the editor, the API and approved change requests.

Same rules as the API and the census import: geometry valid, of a type the record's
category allows, inside the city (and the officer's area); the representative point is
recomputed from the geometry; pinyin is romanised by the 1984 rules when left blank, and
an entered spelling must be Latin letters. Names themselves (naming, renaming, abolishing)
change only through an approved change request: the direct edit refuses those fields, and
``placename_apply_approved`` applies them for the approval service.

Every write runs inside ``pghistory.context`` (who, from where, why); the version trigger
bumps ``version``. A refused edit changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from boundaries.models import AdministrativeArea
from gis_portal.editing.attributes import (
    COMMENT_FIELD,
    ChoiceRule,
    DateRule,
    TextRule,
    changes_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import (
    MAX_VERTICES,
    _from_geojson,
    _from_wkt,
    geometry_parse,
)
from gis_portal.editing.layers import ApprovedChange
from gis_portal.editing.models import ChangeKind
from gis_portal.editing.scope import Footprint, scope_check
from gis_portal.editing.write_checks import city_check
from gis_portal.editing.writes import FeatureWrites
from gis_portal.errors import Conflict, NotFound
from gis_portal.history import history_context
from placenames import romanize as rz
from placenames.importers.validation import ALLOWED_TYPES, ANY_TYPE
from placenames.models import (
    AliasKind,
    PlaceCategory,
    PlaceName,
    PlaceNameAlias,
    PlaceNameStatus,
    SurveyMethod,
)
from placenames.selectors.names import placename_review
from placenames.services.names import (
    division_code_basis,
    place_code_next,
    representative_point,
    search_keys,
)

GEOMETRY_FIELD = "geom_4490"
GEOMETRY_TYPE_NAMES = {
    "Point": "点",
    "MultiPoint": "多点",
    "LineString": "线",
    "MultiLineString": "多线",
    "Polygon": "面",
    "MultiPolygon": "多面",
}
_HAN = re.compile(r"[\u3400-\u9fff]")
# Hanyu pinyin as the 1984 rules write it: letters (ü and tone marks included), digits,
# spaces, hyphens and the syllable-dividing apostrophe.
_PINYIN = re.compile(r"^[A-Za-zÀ-ÿĀ-ſǍ-ǜ0-9 '’\-·]+$")


# --- rules (no database) ---------------------------------------------------------------


@dataclass(frozen=True)
class PinyinRule(TextRule):
    label: str = "罗马字母拼写"
    max_length: int = 300

    def clean(self, field: str, value) -> str:
        value = super().clean(field, value)
        if value and (_HAN.search(value) or not _PINYIN.match(value)):
            raise InvalidEdit(
                field, f"{self.label}应为汉语拼音字母（可含空格、连字符、隔音符号），不能含汉字"
            )
        return value


@dataclass(frozen=True)
class YearRule:
    label: str

    def clean(self, field: str, value) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not 1000 <= value <= 2100:
            raise InvalidEdit(field, f"{self.label}应为四位年份")
        return value


@dataclass(frozen=True)
class StandardNameRule(TextRule):
    label: str = "标准名称"
    max_length: int = rz.MAX_NAME_LENGTH
    required: bool = True

    def clean(self, field: str, value) -> str:
        value = super().clean(field, value)
        if not _HAN.search(value):
            raise InvalidEdit(field, f"{self.label}应含汉字")
        if value[0] in "=+-@" or any(ch.isspace() for ch in value):
            raise InvalidEdit(field, f"{self.label}不能含空白，也不能以 = + - @ 开头")
        try:
            rz.name_check(value)  # other scripts, control or private-use characters
        except rz.RomanizeInputError as exc:
            raise InvalidEdit(field, f"{self.label}：{exc}") from None
        return value


@dataclass(frozen=True)
class PlaceGeometryRule:
    """Any census geometry type; the record's category decides which are allowed."""

    def clean(self, field: str, value) -> BaseGeometry:
        return placename_geometry_parse(value)


def placename_geometry_parse(raw, *, kind: str = "any") -> BaseGeometry:
    """Return a submitted place-name geometry (point, line or polygon, single or multi).

    The container checks (GeoJSON without ``crs``, EWKT only in SRID 4490, vertex limit,
    lon/lat range, validity) are geometry_input's; which type is right is decided by the
    record's category (``geometry_type_check``).
    """
    if kind in ("point", "line"):
        return geometry_parse(raw, kind=kind)
    if isinstance(raw, dict):
        geom = _from_geojson(raw)
    elif isinstance(raw, str):
        geom = _from_wkt(raw)
    else:
        raise InvalidEdit("geometry", "几何应为 GeoJSON 几何对象或 WKT 文本")
    if geom.is_empty:
        raise InvalidEdit("geometry", "几何为空")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise InvalidEdit("geometry", f"几何顶点数超过上限 {MAX_VERTICES:,}")
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise InvalidEdit("geometry", "坐标含非数值 (NaN/inf)")
    if not ((np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()):
        raise InvalidEdit(
            "geometry", "坐标不是经纬度：应为 CGCS2000 经纬度 (EPSG:4490)，不是投影坐标"
        )
    if geom.geom_type not in ANY_TYPE:
        raise InvalidEdit("geometry", f"不支持的几何类型：{geom.geom_type}")
    if not geom.is_valid:
        raise InvalidEdit(
            "geometry", f"几何无效（自相交等）：{shapely.is_valid_reason(geom)[:100]}"
        )
    return geom


def geometry_type_check(geom: BaseGeometry, category_code: str) -> None:
    """Refuse a geometry type the category does not allow (as the census import does)."""
    allowed = next(
        (types for prefix, types in ALLOWED_TYPES.items() if category_code.startswith(prefix)),
        ANY_TYPE,
    )
    if geom.geom_type not in allowed:
        names = "、".join(GEOMETRY_TYPE_NAMES[t] for t in sorted(allowed))
        raise InvalidEdit(
            "geometry",
            f"此类别（{category_code}）的地名不能是{GEOMETRY_TYPE_NAMES[geom.geom_type]}，"
            f"应为：{names}",
        )


# The attributes an officer changes directly (no approval needed).
EDIT_RULES: dict[str, object] = {
    "abbreviation": TextRule("简称", 50),
    "pinyin": PinyinRule(),
    "ethnic_script": TextRule("民族文字", 200),
    "established_year": YearRule("设立年份"),
    "origin": TextRule("来历", 5000),
    "meaning": TextRule("地名含义", 5000),
    "history": TextRule("历史沿革", 5000),
    "description": TextRule("地理实体描述", 5000),
    "survey_method": ChoiceRule("测量方法", tuple(SurveyMethod.choices), allow_blank=True),
    "media_note": TextRule("多媒体/读音", 300),
    "source": TextRule("资料来源", 300),
    "remarks": TextRule("备注", 5000),
    "geometry": PlaceGeometryRule(),
}
# Fields that change only through an approved request (renaming, abolishing).
NAME_RULES: dict[str, object] = {
    "standard_name": StandardNameRule(),
    "status": ChoiceRule("使用状态", tuple(PlaceNameStatus.choices)),
    "abolished_on": DateRule("废止时间"),
    "named_on": DateRule("命名时间"),
}


# Naming a new place: what the record needs besides the editable attributes.
def category_choices() -> tuple[tuple[str, str], ...]:
    """Return (code, "name（code）") of the census categories a place name is filed under."""
    rows = PlaceCategory.objects.filter(code__regex=r"^\d{5}$").order_by("code")
    return tuple((code, f"{name}（{code}）") for code, name in rows.values_list("code", "name"))


# The levels a place name's 所在行政区 is (the census files names by county, township, village).
DIVISION_LEVELS = ("county", "township", "village")


def division_choices() -> tuple[tuple[str, str], ...]:
    """Return (code, label) of the current districts a new place name may lie in; a
    township or village is labelled with its parent ("工农区 红旗街道") so names repeat
    nowhere in the list."""
    rows = (
        AdministrativeArea.objects.filter(valid_to__isnull=True, level__in=DIVISION_LEVELS)
        .order_by("code")
        .values_list("code", "name", "level", "parent__name")
    )
    return tuple(
        (code, name if level == "county" else f"{parent or ''} {name}".strip())
        for code, name, level, parent in rows
    )


CREATE_RULES: dict[str, object] = {
    "standard_name": StandardNameRule(),
    "category": ChoiceRule("类别", category_choices, list_in_error=False),
    "division": ChoiceRule("所在行政区", division_choices, list_in_error=False),
    "named_on": DateRule("命名时间"),
    **EDIT_RULES,
}


def request_kind_of(*, action: str, proposed: Mapping) -> str | None:
    """Return the change-request kind an edit needs, or None if it may apply directly.

    create → naming; a new standard name → renaming; status abolished → abolishing.
    """
    if action == "create":
        return "naming"
    if not isinstance(proposed, Mapping):
        return None
    if proposed.get("status") == PlaceNameStatus.ABOLISHED or "abolished_on" in proposed:
        return "abolishing"
    if set(proposed) & set(NAME_RULES):
        return "renaming"
    return None


def name_changes_clean(kind: str, changes: Mapping) -> tuple[dict, str]:
    """Validate a renaming/abolishing proposal (no database); return (values, comment)."""
    values, comment = changes_clean(changes, {**EDIT_RULES, **NAME_RULES})
    if kind == "renaming" and "standard_name" not in values:
        raise InvalidEdit("standard_name", "更名申请须给出新的标准名称")
    if kind == "abolishing":
        if values.get("status") != PlaceNameStatus.ABOLISHED:
            raise InvalidEdit("status", "销名申请的使用状态应为 abolished（已废止）")
        if not values.get("abolished_on"):
            raise InvalidEdit("abolished_on", "销名须填写废止时间")
        if values["abolished_on"] > timezone.localdate():
            raise InvalidEdit("abolished_on", "废止时间不能晚于今天")
    elif values.get("status") == PlaceNameStatus.ABOLISHED:
        raise InvalidEdit("status", "废止地名请提交销名申请")
    return values, comment


# --- writes ---------------------------------------------------------------------------


def _to_geos(geom: BaseGeometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)


def placename_footprint(place: PlaceName) -> Footprint:
    """Where a place name is for the edit scope: its geometry (or, where none was surveyed,
    its representative point) and its division — a name with no location at all is still
    scoped by the district it is filed under."""
    return Footprint.of(place.geom_4490 or place.point_4490, divisions=[place.division_id])


def _division_check(division: AdministrativeArea, point: Point) -> None:
    """Refuse a new name whose place lies outside the division it is declared in.

    Tested against the nearest of the division and its parents that has a polygon
    (townships and villages often have none, the county always has one); the point is the
    place's representative point, so an entity crossing a line (所在(跨)行政区) is filed where
    its point lies.
    """
    chain = [division.pk, division.parent_id]
    if division.parent is not None:
        chain.append(division.parent.parent_id)
    chain = [pk for pk in chain if pk is not None]
    with_polygon = set(
        AdministrativeArea.objects.filter(pk__in=chain, geom_4490__isnull=False).values_list(
            "pk", flat=True
        )
    )
    nearest = next((pk for pk in chain if pk in with_polygon), None)
    if nearest is None:
        return  # no polygon to test against; the city check still applies
    if AdministrativeArea.objects.filter(pk=nearest, geom_4490__covers=point).exists():
        return
    actual = (
        AdministrativeArea.objects.filter(
            level="county", valid_to__isnull=True, geom_4490__covers=point
        )
        .values_list("name", flat=True)
        .first()
    )
    where = f"，该位置在{actual}" if actual else ""
    raise InvalidEdit(
        "division", f"位置不在所填行政区（{division.name}）内{where}：请核对所属政区或位置"
    )


def _placename_check(place: PlaceName, values: dict, *, topology_check: bool = True) -> None:
    """A new geometry must be of a type the name's category allows."""
    geom = values.get(GEOMETRY_FIELD)
    if geom is not None:
        geometry_type_check(geom, place.category.code)


def _apply_values(place: PlaceName, values: dict, user: User | None) -> list[str]:
    """Set validated values on ``place`` (geometry and its point, pinyin, search keys);
    return the fields to save."""
    fields = []
    new_geom = values.pop(GEOMETRY_FIELD, None)
    if new_geom is not None:
        place.geom_4490 = new_geom
        place.point_4490 = representative_point(new_geom)
        fields += [GEOMETRY_FIELD, "point_4490"]
    old_name = place.standard_name
    for name, value in values.items():
        setattr(place, name, value)
        fields.append(name)
    renamed = "standard_name" in values and values["standard_name"] != old_name
    if renamed:
        # The former name stays findable as 曾用名 (valid until today).
        PlaceNameAlias.objects.get_or_create(
            place=place,
            name=old_name,
            kind=AliasKind.FORMER,
            defaults={"pinyin": place.pinyin, "valid_to": timezone.localdate()},
        )
    if "pinyin" in values or renamed:
        # A natural village keeps its joined spelling through a renaming (rule 3), as the
        # census import and the archive's services spell it: the category decides.
        roman = rz.romanize(
            place.standard_name, settlement=rz.is_settlement_category(place.category.code)
        )
        if values.get("pinyin"):
            place.pinyin_needs_check = False
        else:
            place.pinyin = roman.pinyin
            place.pinyin_needs_check = roman.needs_check
        place.generic_pinyin = roman.generic_pinyin
        fields += ["pinyin", "pinyin_needs_check", "generic_pinyin"]
    if renamed or "abbreviation" in values:
        keys = search_keys(
            standard_name=place.standard_name,
            alias_names=list(place.aliases.values_list("name", flat=True)),
            abbreviation=place.abbreviation,
        )
        for key, value in keys.items():
            setattr(place, key, value)
        fields += list(keys)
    return sorted(set(fields) | {"updated_at"})


# An officer's edit of the archive record: attributes and geometry, never the name fields.
# The values are applied by the naming rules (``_apply_values``); the scope is the name's
# footprint (its geometry and its division).
def _placename_delete_refused(place: PlaceName) -> None:
    """Place names are not deleted: an abolished name stays in the archive (销名)."""
    raise Conflict("地名档案不能删除：请提交销名申请（使用状态改为已废止）")


PLACENAME_WRITES = FeatureWrites(
    model=PlaceName,
    geometry_field=GEOMETRY_FIELD,
    rules=EDIT_RULES,
    refused_fields=dict.fromkeys(
        sorted(NAME_RULES), "标准名称、使用状态和废止时间只能通过命名/更名/销名申请修改（须经审批）"
    ),
    check=_placename_check,
    apply=_apply_values,
    # Whoever calls the skeleton, a delete is refused after the version and scope checks.
    before_delete=_placename_delete_refused,
    footprint=placename_footprint,
)


def placename_create(*, values: Mapping, comment: str, user: User | None, source: str) -> PlaceName:
    """Register a newly named place (called by the approval of a naming request)."""
    clean, comment = changes_clean({**values, COMMENT_FIELD: comment}, CREATE_RULES)
    geom = clean.pop("geometry", None)
    if geom is None:
        raise InvalidEdit("geometry", "新命名的地名须有位置（点、线或面）")
    category = PlaceCategory.objects.filter(code=clean.pop("category")).first()
    if category is None:
        raise InvalidEdit("category", "类别代码不存在（见地名类别代码表）")
    division_code = clean.pop("division")
    division = (
        AdministrativeArea.objects.filter(code=division_code, valid_to__isnull=True)
        .select_related("parent")
        .defer("geom_4490", "parent__geom_4490")
        .first()
    )
    if division is None:
        raise InvalidEdit("division", f"行政区 {division_code} 不存在")
    geometry_type_check(geom, category.code)
    new_geom = _to_geos(geom)
    scope_check(user, new_geom, divisions=[division.pk])
    city_check(new_geom)
    _division_check(division, representative_point(new_geom))
    with history_context(user=user, comment=comment, source=source), transaction.atomic():
        roman = rz.romanize(
            clean["standard_name"], settlement=rz.is_settlement_category(category.code)
        )
        pinyin = clean.pop("pinyin", "") or ""
        place = PlaceName(
            place_code=place_code_next(
                division_code=division_code_basis(division), category_code=category.code
            ),
            category=category,
            division=division,
            geom_4490=new_geom,
            point_4490=representative_point(new_geom),
            pinyin=pinyin or roman.pinyin,
            pinyin_needs_check=roman.needs_check and not pinyin,
            generic_pinyin=roman.generic_pinyin,
            named_on=clean.pop("named_on", None) or timezone.localdate(),
            status=PlaceNameStatus.IN_USE,
            registered_on=timezone.localdate(),
            registrar=(user.get_username() if user else "")[:50],
            **clean,
            **search_keys(
                standard_name=clean["standard_name"],
                alias_names=[],
                abbreviation=clean.get("abbreviation", ""),
            ),
        )
        place.save()
    return place


def placename_apply_approved(change: ApprovedChange) -> PlaceName:
    """Apply an approved naming/renaming/abolishing (name fields allowed here only)."""
    user, source = change.user, change.source
    if change.action == "create":
        return placename_create(
            values=change.proposed, comment=change.comment, user=user, source=source
        )
    kind = request_kind_of(action=change.action, proposed=change.proposed) or "renaming"
    values, comment = name_changes_clean(kind, {**change.proposed, COMMENT_FIELD: change.comment})

    def refuse(place: PlaceName) -> None:
        if kind == "abolishing" and place.status == PlaceNameStatus.ABOLISHED:
            raise Conflict(f"地名「{place.standard_name}」已废止")

    return PLACENAME_WRITES.write(
        pk=change.target_id,
        expected_version=change.expected_version,
        values=values,
        comment=comment,
        user=user,
        source=source,
        refuse=refuse,
    )


def announcement_fields(place: PlaceName) -> dict:
    """The announcement's standard fields of a place, as registered after the approval."""
    division = place.division
    chain = [division.name]
    if division.parent is not None and division.parent.level != "city":
        chain.insert(0, division.parent.name)
    point = place.point_4490
    where = place.description or ""
    if point is not None:
        where = f"{where}（东经 {point.x:.5f}°，北纬 {point.y:.5f}°）".lstrip()
    return {
        "standard_name": place.standard_name,
        "pinyin": place.pinyin,
        "division": "鹤岗市" + "".join(chain),
        "location": where or "见地名档案",
    }


# --- change-request hooks of the place-name layer (declared in placenames/layers.py) -------

# The kinds whose proposal carries a (new) standard name that must pass the naming review.
_REVIEWED_KINDS = (ChangeKind.NAMING, ChangeKind.RENAMING)


def placename_naming_review(*, kind: str, target: PlaceName | None, proposed: Mapping) -> None:
    """A new or changed name must pass the naming review (no duplicate in its scope)."""
    if kind not in _REVIEWED_KINDS or "standard_name" not in proposed:
        return
    if target is not None:
        category, division = target.category.code, target.division.code
    else:
        category, division = str(proposed.get("category")), str(proposed.get("division"))
    try:
        result = placename_review(
            name=str(proposed["standard_name"]), category_code=category, division_code=division
        )
    except NotFound as exc:
        raise InvalidEdit(exc.details.get("parameter") or "proposed", exc.message) from None
    errors = [f for f in result.findings if f.level == "error"]
    if errors:
        raise InvalidEdit("standard_name", "；".join(f.message for f in errors)[:300])


def placename_announcement(*, kind: str, target_id: int) -> dict:
    """Standard name, pinyin, division and location of the place as approved (and its former
    name for a renaming): the defaults of its announcement."""
    place = (
        PlaceName.objects.select_related("division__parent")
        .defer("division__geom_4490", "division__parent__geom_4490")
        .filter(pk=target_id)
        .first()
    )
    if place is None:
        return {}
    fields = announcement_fields(place)
    if kind == ChangeKind.RENAMING:
        former = place.aliases.filter(kind="former").order_by("-valid_to", "-pk").first()
        fields["former_name"] = former.name if former else ""
    return fields
