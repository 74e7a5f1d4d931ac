"""Reads of boundary lines, markers, inspections, parameter sets and the topology report."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import shapely
from django.db.models import Count, Max, OuterRef, Prefetch, QuerySet, Subquery

from boundaries import topology
from boundaries.models import (
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
    BoundaryVersion,
    JointInspection,
    LineParty,
    MarkerFinding,
    VersionedAreaGeometry,
)
from gis_portal.metric_crs import geometry_to_lonlat, geometry_to_metric, to_metric

# Checks measure in CGCS2000 3° GK CM 129E (EPSG:4552). Hegang reaches 132.6°E, 3.6° from
# the central meridian, where lengths are ~0.1% long: irrelevant for metre tolerances.
DUE_SOON_DAYS = 180


def line_list() -> QuerySet[BoundaryLine]:
    """Return the lines with their areas, marker count and latest inspection."""
    latest = JointInspection.objects.filter(line=OuterRef("pk")).order_by("-inspected_on")
    return (
        BoundaryLine.objects.select_related("area_a", "area_b", "converted_with")
        .prefetch_related(Prefetch("parties", queryset=LineParty.objects.select_related("area")))
        .annotate(
            marker_count=Count("markers", distinct=True),
            last_inspected=Max("inspections__inspected_on"),
            next_due=Subquery(latest.values("next_due")[:1]),
        )
        .order_by("code")
    )


def marker_list(*, line_code: str | None = None) -> QuerySet[BoundaryMarker]:
    qs = BoundaryMarker.objects.select_related("line")
    if line_code:
        qs = qs.filter(line__code=line_code)
    return qs.order_by("line__code", "sequence", "type_code")


@dataclass
class DueLine:
    line: BoundaryLine
    status: str  # overdue | due_soon | never | ok
    days_left: int | None

    @property
    def overdue_days(self) -> int:
        """Return how many days the inspection is overdue (0 when it is not)."""
        return max(0, -(self.days_left or 0))


DUE_STATUS_LABELS = {
    "overdue": "已逾期",
    "never": "从未联检",
    "due_soon": f"{DUE_SOON_DAYS} 天内到期",
    "ok": "未到期",
}


def inspections_due(*, today: dt.date) -> list[DueLine]:
    """Return every line with its joint-inspection status, most urgent first."""
    out = []
    for line in line_list():
        if line.next_due is None:
            out.append(DueLine(line, "never", None))
            continue
        days = (line.next_due - today).days
        status = "overdue" if days < 0 else "due_soon" if days <= DUE_SOON_DAYS else "ok"
        out.append(DueLine(line, status, days))
    rank = {"overdue": 0, "never": 1, "due_soon": 2, "ok": 3}
    return sorted(out, key=lambda d: (rank[d.status], d.days_left or 0, d.line.code))


def marker_history(*, marker: BoundaryMarker) -> QuerySet[MarkerFinding]:
    """Return the marker's inspection findings, newest first."""
    return (
        MarkerFinding.objects.filter(marker=marker)
        .select_related("inspection")
        .order_by("-inspection__inspected_on")
    )


def marker_latest_states() -> dict[int, str]:
    """Return marker id → state at its latest inspection."""
    latest: dict[int, tuple[dt.date, str]] = {}
    for marker_id, day, state in MarkerFinding.objects.values_list(
        "marker_id", "inspection__inspected_on", "state"
    ):
        if marker_id not in latest or day > latest[marker_id][0]:
            latest[marker_id] = (day, state)
    return {k: v[1] for k, v in latest.items()}


# --- topology ------------------------------------------------------------------------


def _shape(geos_geom):
    return shapely.from_wkb(bytes(geos_geom.wkb))


@dataclass(frozen=True)
class TopologyTolerances:
    area_m: float = 5.0
    line_m: float = 5.0
    marker_m: float = 1.0
    version_m: float = 100.0


def topology_report(*, tol: TopologyTolerances, versions: tuple[str, str] | None = None) -> dict:
    """Run every topology check over the current data; return summary, counts and issues.

    Issue geometries are returned in CGCS2000 lon/lat (simplified to 1 m for display).
    """
    issues: list[topology.Issue] = []
    checked = {"parents": 0, "lines": 0, "markers": 0, "version_areas": 0}

    areas = list(
        AdministrativeArea.objects.filter(
            valid_to__isnull=True, geom_4490__isnull=False
        ).select_related("parent")
    )
    area_m = {a.code: geometry_to_metric(_shape(a.geom_4490)) for a in areas}
    children: dict[str, dict[str, object]] = {}
    for a in areas:
        if a.parent is not None and a.parent.code in area_m:
            children.setdefault(a.parent.code, {})[a.code] = area_m[a.code]
    for parent_code, kids in sorted(children.items()):
        issues += topology.check_tiling(parent_code, area_m[parent_code], kids, tol_m=tol.area_m)
        checked["parents"] += 1

    markers_by_line: dict[int, list[BoundaryMarker]] = {}
    for m in BoundaryMarker.objects.all().order_by("sequence", "type_code"):
        markers_by_line.setdefault(m.line_id, []).append(m)
    all_lines = list(BoundaryLine.objects.select_related("area_a", "area_b").order_by("code"))
    county_lines_m = {
        frozenset((ln.area_a_id, ln.area_b_id)): geometry_to_metric(_shape(ln.geom_4490))
        for ln in all_lines
        if ln.level == AreaLevel.COUNTY and ln.geom_4490 is not None
    }
    for line in all_lines:
        line_markers = markers_by_line.get(line.pk, [])
        issues += topology.check_numbering(
            line.code, [(m.number, m.sequence, m.type_code) for m in line_markers]
        )
        checked["markers"] += len(line_markers)
        if line.geom_4490 is None:
            issues.append(
                topology.Issue("line_edge", line.code, f"界线 {line.code} 尚未转换为 CGCS2000")
            )
            continue
        checked["lines"] += 1
        line_m = geometry_to_metric(_shape(line.geom_4490))
        a, b = area_m.get(line.area_a.code), area_m.get(line.area_b.code)
        if a is not None and b is not None:
            issues += topology.check_line_on_edge(line.code, line_m, a, b, tol_m=tol.line_m)
        issues += _follow_issues(line, line_m, area_m, county_lines_m, tol_m=tol.line_m)
        points = [
            (m.number, shapely.Point(to_metric(m.geom_4490.x, m.geom_4490.y)))
            for m in line_markers
            if m.geom_4490 is not None
        ]
        issues += topology.check_markers_on_line(line.code, line_m, points, tol_m=tol.marker_m)

    version_names = versions or tuple(
        BoundaryVersion.objects.order_by("name").values_list("name", flat=True)[:2]
    )
    compared = None
    if len(version_names) == 2:
        geoms = {name: {} for name in version_names}
        names = {}
        for vg in VersionedAreaGeometry.objects.filter(
            version__name__in=version_names
        ).select_related("version", "area"):
            geoms[vg.version.name][vg.area.code] = geometry_to_metric(_shape(vg.geom_4490))
            names[vg.area.code] = vg.area.name
        issues += topology.compare_versions(
            geoms[version_names[0]], geoms[version_names[1]], names=names, tol_m=tol.version_m
        )
        checked["version_areas"] = len(names)
        compared = list(version_names)

    features = []
    for issue in issues:
        geom = None
        if issue.geom_m is not None and not issue.geom_m.is_empty:
            # to_geojson builds the text in GEOS; mapping() walks every vertex in Python.
            geom = json.loads(shapely.to_geojson(geometry_to_lonlat(issue.geom_m.simplify(1.0))))
        features.append({"type": "Feature", "geometry": geom, "properties": issue.as_dict()})
    summary: dict[str, int] = {}
    for issue in issues:
        summary[issue.check] = summary.get(issue.check, 0) + 1
    return {
        "type": "FeatureCollection",
        "tolerances_m": tol.__dict__,
        "versions_compared": compared,
        "checked": checked,
        "summary": summary,
        "township_note": _township_note(),
        "features": features,
    }


def _follow_issues(line, line_m, area_m, county_lines_m, *, tol_m: float) -> list:
    """A township line across two counties follows their county line; a line with a
    neighbouring city follows the city outline."""
    a, b = line.area_a, line.area_b
    if line.level == AreaLevel.TOWNSHIP and a.parent_id != b.parent_id:
        county_line = county_lines_m.get(frozenset((a.parent_id, b.parent_id)))
        if county_line is None:
            return [
                topology.Issue(
                    "line_follow",
                    line.code,
                    f"界线 {line.code} 跨两个县级区域，但两县之间没有县级界线可对照",
                )
            ]
        return topology.check_line_follows(
            line.code, line_m, county_line, reference_label="县级界线", tol_m=tol_m
        )
    if line.level == AreaLevel.CITY and (a.is_neighbour or b.is_neighbour):
        city = b if a.is_neighbour else a
        if city.code in area_m:
            return topology.check_line_follows(
                line.code, line_m, area_m[city.code].boundary, reference_label="市界", tol_m=tol_m
            )
    return []


def _township_note() -> str:
    n = AdministrativeArea.objects.filter(
        level=AreaLevel.TOWNSHIP, valid_to__isnull=True, geom_4490__isnull=True
    ).count()
    return f"{n} 个乡级区域没有面数据，未参与拼接检查" if n else ""
