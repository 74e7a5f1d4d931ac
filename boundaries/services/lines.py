"""Boundary lines and their markers: every write of them, from the editor, the API, the admin
and approved change requests.

Edits (``LINE_WRITES``/``MARKER_WRITES``): validate, lock, check the version, write, record.
Every write runs inside ``pghistory.context`` so the row triggers attach who, from where
and why; the version trigger bumps ``version``. Validation that needs no database runs
first; a refused edit changes nothing.

New lines and markers, and approved changes that carry the surveyed original: a bulk import
files each new or changed line and marker as a change request; approving one comes here
(``Layer.apply_approved`` of the boundary layers). The proposal holds the editor's fields
(geometry in EPSG:4490 and the attributes) plus ``survey``: the geometry as surveyed, its
system and the approved parameter set that converted it, so the record keeps its original
exactly as the survey import and ``convert_boundaries`` keep it. The editor's own rules
(inside the city, a marker within 5 m of its line, a line keeping its markers) run on
every write.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils import timezone

from boundaries.lines import MARKER_NUMBER_RE
from boundaries.models import (
    MARKER_KIND_OF_TYPE,
    AdministrativeArea,
    BoundaryLine,
    BoundaryMarker,
    MarkerFinding,
    TransformationParameterSet,
)
from gis_portal.editing.attributes import (
    DateRule,
    GeometryRule,
    NumberRule,
    TextRule,
    comment_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.layers import ApprovedChange
from gis_portal.editing.models import ChangeKind
from gis_portal.editing.scope import Footprint, footprint_check
from gis_portal.editing.write_checks import city_check
from gis_portal.editing.writes import FeatureWrites
from gis_portal.errors import Conflict
from gis_portal.history import history_context

# Tolerance (metres) of the layer's topology rules; settings may override it.
MARKER_LINE_TOLERANCE_M = getattr(settings, "EDIT_MARKER_LINE_TOLERANCE_M", 5.0)

LINE_RULES = {
    "name": TextRule("界线名称", 100, required=True),
    "agreement_ref": TextRule("协议书编号", 100),
    "agreement_date": DateRule("协议书签订日期"),
    "geometry": GeometryRule("line", geometry_parse),
}
MARKER_RULES = {
    "material": TextRule("材质", 30),
    "description": TextRule("位置描述", 2000),
    "geometry": GeometryRule("point", geometry_parse),
}
GEOMETRY_FIELD = "geom_4490"


def _line_keeps_markers(line: BoundaryLine, geom: GEOSGeometry) -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT number FROM boundaries_boundarymarker
            WHERE line_id = %s AND geom_4490 IS NOT NULL
              AND NOT ST_DWithin(geom_4490::geography, ST_GeomFromEWKB(%s)::geography, %s)
            ORDER BY sequence LIMIT 10
            """,
            [line.pk, geom.ewkb, MARKER_LINE_TOLERANCE_M],
        )
        far = [row[0] for row in cur.fetchall()]
    if far:
        raise InvalidEdit(
            "geometry",
            f"修改后的界线离界桩 {'、'.join(far)} 超过 {MARKER_LINE_TOLERANCE_M:g} m："
            "界线由界桩确定，请同时调整界桩或界线",
        )


def marker_on_line_check(line: BoundaryLine, geom: GEOSGeometry) -> None:
    if line.geom_4490 is None:
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_Distance(%s::geography, ST_GeomFromEWKB(%s)::geography)",
            [line.geom_4490.ewkt, geom.ewkb],
        )
        distance_m = cur.fetchone()[0]
    if distance_m > MARKER_LINE_TOLERANCE_M:
        raise InvalidEdit(
            "geometry",
            f"界桩离界线 {line.code} {distance_m:.1f} m，超过容差 {MARKER_LINE_TOLERANCE_M:g} m",
        )


def line_footprint(line: BoundaryLine) -> Footprint:
    """Where a line is for the edit scope: its geometry, or — not yet converted — both of
    the areas it divides (so only an officer of both sides, or of the city, may edit it)."""
    if line.geom_4490 is not None:
        return Footprint.of(line.geom_4490)
    return Footprint.of(divisions=[line.area_a_id, line.area_b_id])


def marker_footprint(marker: BoundaryMarker) -> Footprint:
    """Where a marker is for the edit scope: its position, or else its line's footprint."""
    if marker.geom_4490 is not None:
        return Footprint.of(marker.geom_4490)
    return line_footprint(marker.line)


def _line_check(line: BoundaryLine, values: dict, *, topology_check: bool) -> None:
    new_geom = values.get(GEOMETRY_FIELD)
    if new_geom is not None and topology_check:
        _line_keeps_markers(line, new_geom)


def _line_in_use(line: BoundaryLine) -> None:
    if line.markers.exists() or line.inspections.exists():
        raise Conflict(f"界线 {line.code} 仍有界桩或联检记录，不能删除")


def _marker_check(marker: BoundaryMarker, values: dict, *, topology_check: bool) -> None:
    new_geom = values.get(GEOMETRY_FIELD)
    if new_geom is not None and topology_check:
        marker_on_line_check(marker.line, new_geom)


def _marker_in_use(marker: BoundaryMarker) -> None:
    if MarkerFinding.objects.filter(marker=marker).exists():
        raise Conflict(f"界桩 {marker.number} 已有联检记录，不能删除（可在联检中标为丢失）")


# Attributes, geometry and comment of one line (it keeps its markers within tolerance); a
# line with markers or inspections is not deleted. Applied by approvals: every change of a
# boundary goes in as a change request (``line_create``/``marker_create`` below).
LINE_WRITES = FeatureWrites(
    model=BoundaryLine,
    geometry_field=GEOMETRY_FIELD,
    rules=LINE_RULES,
    check=_line_check,
    before_delete=_line_in_use,
    footprint=line_footprint,
)
# One marker: it must stay on its line; one with inspection findings is not deleted.
MARKER_WRITES = FeatureWrites(
    model=BoundaryMarker,
    geometry_field=GEOMETRY_FIELD,
    rules=MARKER_RULES,
    check=_marker_check,
    before_delete=_marker_in_use,
    footprint=marker_footprint,
)


def topology_recheck(*, line_ids: list[int], marker_ids: list[int]) -> None:
    """Check the line/marker rules on the current rows: after a batch that moved both a line
    and the markers on it (shared vertices), where neither edit alone would pass."""
    for line in BoundaryLine.objects.filter(pk__in=line_ids, geom_4490__isnull=False):
        _line_keeps_markers(line, line.geom_4490)
    for marker in BoundaryMarker.objects.filter(
        pk__in=marker_ids, geom_4490__isnull=False
    ).select_related("line"):
        marker_on_line_check(marker.line, marker.geom_4490)


def line_geometry_check(*, line: BoundaryLine, geom: GEOSGeometry) -> None:
    """Run the editor's rules on a line geometry written elsewhere (the admin form)."""
    geometry_parse(geom.ewkt, kind="line")
    city_check(geom)
    if line.pk:
        _line_keeps_markers(line, geom)


def marker_geometry_check(*, line: BoundaryLine | None, geom: GEOSGeometry) -> None:
    """Run the editor's rules on a marker position written elsewhere (the admin form)."""
    geometry_parse(geom.ewkt, kind="point")
    city_check(geom)
    if line is not None:
        marker_on_line_check(line, geom)


# ---- new lines and markers, approved changes ----------------------------------------------

SURVEY_FIELD = "survey"
LINE_SURVEY_RULES = {
    "original_wkt": TextRule("原始几何 (WKT)", 20_000_000, required=True),
    "original_crs": TextRule("原始坐标系", 20, required=True),
}
MARKER_SURVEY_RULES = {
    "original_x": NumberRule("原始东坐标/经度", -1e9, 1e9, integer=False, required=True),
    "original_y": NumberRule("原始北坐标/纬度", -1e9, 1e9, integer=False, required=True),
    "original_h": NumberRule("原始高程 (m)", -1e5, 1e5, integer=False),
    "original_crs": TextRule("原始坐标系", 20, required=True),
    "cgcs_x_m": NumberRule("CGCS2000 东坐标 (m)", -1e9, 1e9, integer=False),
    "cgcs_y_m": NumberRule("CGCS2000 北坐标 (m)", -1e9, 1e9, integer=False),
    "cgcs_crs": TextRule("CGCS2000 平面坐标系", 20),
}
LINE_CREATE_RULES = {
    "code": TextRule("界线编号", 20, required=True),
    "area_a": TextRule("区域甲代码", 12, required=True),
    "area_b": TextRule("区域乙代码", 12, required=True),
}
MARKER_CREATE_RULES = {"number": TextRule("界桩编号", 30, required=True)}


def _survey_values(survey, rules: Mapping) -> dict:
    """Return the model values of a proposal's ``survey`` (original + conversion)."""
    if not isinstance(survey, Mapping):
        raise InvalidEdit(SURVEY_FIELD, "原始测量数据应为对象")
    unknown = sorted(set(survey) - set(rules) - {"converted_with"})
    if unknown:
        raise InvalidEdit(SURVEY_FIELD, f"原始测量数据含未知字段：{'、'.join(unknown)[:80]}")
    values = {name: rule.clean(name, survey.get(name)) for name, rule in rules.items()}
    set_id = survey.get("converted_with")
    values["converted_with"] = None
    values["converted_at"] = None
    if set_id is not None:
        ps = TransformationParameterSet.objects.filter(pk=set_id, approved_at__isnull=False).first()
        if ps is None:
            raise InvalidEdit(SURVEY_FIELD, f"转换参数集 {set_id} 不存在或未审批")
        values["converted_with"] = ps
        values["converted_at"] = timezone.now()
    return values


def _split(proposed: Mapping, create_rules: Mapping) -> tuple[dict, dict, object]:
    """Split a proposal into the editor's fields, the create-only fields and the survey."""
    edit = {k: v for k, v in proposed.items() if k not in create_rules and k != SURVEY_FIELD}
    create = {k: proposed.get(k) for k in create_rules}
    return edit, create, proposed.get(SURVEY_FIELD)


def _geometry(value, kind: str) -> GEOSGeometry:
    geom = GeometryRule(kind, geometry_parse).clean("geometry", value)
    return GEOSGeometry(memoryview(geom.wkb), srid=4490)


def _save_survey(obj, survey, rules: Mapping) -> None:
    if survey is None:
        return
    values = _survey_values(survey, rules)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))


def line_create(*, proposed: Mapping, comment: str, user: User | None, source: str) -> BoundaryLine:
    """Create a line between two current areas from an approved (or trial) proposal."""
    edit, create, survey = _split(proposed, LINE_CREATE_RULES)
    fields = {name: rule.clean(name, create[name]) for name, rule in LINE_CREATE_RULES.items()}
    if "geometry" not in edit:
        raise InvalidEdit("geometry", "新建界线需要几何")
    # A new line without a name is named after its two areas (as the survey import does).
    attrs = {
        name: LINE_RULES[name].clean(name, edit.get(name))
        for name in ("name", "agreement_ref", "agreement_date")
        if name != "name" or edit.get("name")
    }
    geom = _geometry(edit["geometry"], "line")
    unknown = sorted(set(edit) - set(LINE_RULES))
    if unknown:
        raise InvalidEdit(unknown[0], f"未知字段：{'、'.join(unknown)[:100]}")
    a_code, b_code = sorted([fields["area_a"], fields["area_b"]])
    areas = {
        a.code: a
        for a in AdministrativeArea.objects.filter(code__in=[a_code, b_code], valid_to__isnull=True)
    }
    missing = [c for c in (a_code, b_code) if c not in areas]
    if missing or a_code == b_code:
        raise InvalidEdit("area_a", f"区划代码无效：{'、'.join(missing) or a_code}")
    with (
        history_context(user=user, comment=comment, source=source),
        transaction.atomic(),
    ):
        footprint_check(user, Footprint.of(geom))
        city_check(geom)
        if BoundaryLine.objects.filter(code=fields["code"]).exists():
            raise Conflict(f"界线编号 {fields['code']} 已存在")
        if BoundaryLine.objects.filter(area_a=areas[a_code], area_b=areas[b_code]).exists():
            raise Conflict(f"{areas[a_code].name}与{areas[b_code].name}之间已有界线")
        line = BoundaryLine.objects.create(
            code=fields["code"],
            name=attrs.get("name") or f"{areas[a_code].name}—{areas[b_code].name}线",
            area_a=areas[a_code],
            area_b=areas[b_code],
            level=areas[a_code].level,
            agreement_ref=attrs["agreement_ref"],
            agreement_date=attrs["agreement_date"],
            geom_4490=geom,
        )
        _save_survey(line, survey, LINE_SURVEY_RULES)
        line.refresh_from_db(fields=["version"])
    return line


def marker_create(
    *, proposed: Mapping, comment: str, user: User | None, source: str
) -> BoundaryMarker:
    """Create a marker on an existing line from an approved (or trial) proposal."""
    edit, create, survey = _split(proposed, MARKER_CREATE_RULES)
    number = MARKER_CREATE_RULES["number"].clean("number", create["number"])
    match = MARKER_NUMBER_RE.match(number)
    if not match:
        raise InvalidEdit("number", f"界桩编号 {number!r} 不符合“界线编号+3位序号+类型字母”")
    if "geometry" not in edit:
        raise InvalidEdit("geometry", "新建界桩需要位置")
    unknown = sorted(set(edit) - set(MARKER_RULES))
    if unknown:
        raise InvalidEdit(unknown[0], f"未知字段：{'、'.join(unknown)[:100]}")
    geom = _geometry(edit["geometry"], "point")
    attrs = {
        name: MARKER_RULES[name].clean(name, edit.get(name)) for name in ("material", "description")
    }
    with (
        history_context(user=user, comment=comment, source=source),
        transaction.atomic(),
    ):
        line = BoundaryLine.objects.filter(code=match["line"]).first()
        if line is None:
            raise InvalidEdit("number", f"界桩 {number} 所属界线 {match['line']} 不存在")
        footprint_check(user, Footprint.of(geom))
        city_check(geom)
        marker_on_line_check(line, geom)
        if BoundaryMarker.objects.filter(number=number).exists():
            raise Conflict(f"界桩编号 {number} 已存在")
        marker = BoundaryMarker.objects.create(
            line=line,
            number=number,
            sequence=int(match["seq"]),
            type_code=match["type"],
            kind=MARKER_KIND_OF_TYPE[match["type"]],
            geom_4490=geom,
            **attrs,
        )
        _save_survey(marker, survey, MARKER_SURVEY_RULES)
        marker.refresh_from_db(fields=["version"])
    return marker


def _apply(model_update, model_delete, create, survey_rules, create_rules):
    def apply(change: ApprovedChange):
        user, source = change.user, change.source
        if change.action == "create":
            return create(
                proposed=change.proposed, comment=change.comment, user=user, source=source
            )
        if change.action == "delete":
            model_delete(
                pk=change.target_id,
                expected_version=change.expected_version,
                comment=change.comment,
                user=user,
                source=source,
            )
            return None
        edit, create_only, survey = _split(change.proposed, create_rules)
        if any(v is not None for v in create_only.values()):
            raise InvalidEdit(next(iter(create_only)), "编号与区域只在新建时填写，不能修改")
        comment = comment_clean(change.comment)
        if not edit:
            raise InvalidEdit("proposed", "没有要修改的字段")
        with transaction.atomic():
            obj = model_update(
                pk=change.target_id,
                expected_version=change.expected_version,
                changes={**edit, "comment": comment},
                user=user,
                source=source,
            )
            with history_context(user=user, comment=comment, source=source):
                _save_survey(obj, survey, survey_rules)
            obj.refresh_from_db(fields=["version"])
        return obj

    return apply


line_apply_approved = _apply(
    LINE_WRITES.update,
    LINE_WRITES.delete,
    line_create,
    LINE_SURVEY_RULES,
    LINE_CREATE_RULES,
)
marker_apply_approved = _apply(
    MARKER_WRITES.update,
    MARKER_WRITES.delete,
    marker_create,
    MARKER_SURVEY_RULES,
    MARKER_CREATE_RULES,
)


def line_request_kind(*, action: str, proposed: Mapping, **_kw) -> str | None:
    """Every change of a line is a request; a new one only with its code and areas (a bulk
    import; the editor cannot draw a line, see ``Layer.create_refusal``)."""
    if action == "create" and "code" not in proposed:
        return None
    return ChangeKind.BOUNDARY_LINE


def marker_request_kind(*, action: str, proposed: Mapping, **_kw) -> str | None:
    """Every change of a marker is a request; a new one only with its number."""
    if action == "create" and "number" not in proposed:
        return None
    return ChangeKind.BOUNDARY_MARKER
