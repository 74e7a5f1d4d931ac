"""Edits of boundary lines and markers: validate, lock, check the version, write, record.

Every write runs inside ``pghistory.context`` so the row triggers attach who, from where
and why; the version trigger bumps ``version``. Validation that needs no database runs
first; a refused edit changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from boundaries.models import BoundaryLine, BoundaryMarker, MarkerFinding
from gis_portal.editing.attributes import (
    DateRule,
    GeometryRule,
    TextRule,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.scope import Footprint
from gis_portal.editing.write_checks import city_check
from gis_portal.editing.writes import FeatureWrites
from gis_portal.errors import Conflict

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
# boundary goes in as a change request (boundaries/services/records.py).
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
