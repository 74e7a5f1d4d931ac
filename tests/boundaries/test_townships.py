"""Township level: outlines from survey lines, the county rule, demo polygons, the
township/county line rule — pure functions, then the import that refuses bad files."""

from __future__ import annotations

import csv

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, box

from boundaries import topology
from boundaries.models import AdministrativeArea, BoundaryMarker
from boundaries.polygons import read_amap_county_polygon
from boundaries.services.bulk import boundaries_import
from boundaries.townships import (
    RingNotClosed,
    demo_township_polygons_m,
    outside_parent_m,
    polygon_from_rings,
)
from gis_portal.datasets import HEGANG_DATA_DIR
from gis_portal.metric_crs import geometry_to_lonlat, geometry_to_metric


def test_closed_survey_lines_become_the_polygon_with_an_enclave_as_a_hole():
    outer = LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])
    enclave = LineString([(40, 40), (60, 40), (60, 60), (40, 60), (40, 40)])
    polygon = polygon_from_rings(MultiLineString([outer, enclave]))
    assert polygon.area == pytest.approx(100 * 100 - 20 * 20)


def test_a_survey_line_that_does_not_close_is_refused_naming_both_ends():
    open_ring = LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 2.5)])
    with pytest.raises(
        RingNotClosed, match=r"第 1 段界线不闭合：起点 \(0.000, 0.000\).*\(0.000, 2.500\)"
    ):
        polygon_from_rings(open_ring)


def test_outside_the_parent_counts_only_beyond_the_tolerance():
    county = box(0, 0, 1000, 1000)
    assert outside_parent_m(box(0, 0, 1002, 500), county, tol_m=5.0) is None  # 2 m sliver
    outside = outside_parent_m(box(0, 0, 1100, 500), county, tol_m=5.0)
    assert outside == pytest.approx(100 * 500)


@pytest.fixture(scope="module")
def county_m():
    _, polygon = read_amap_county_polygon(HEGANG_DATA_DIR / "amap_gcj02" / "230421.geojson")
    return geometry_to_metric(polygon)


def test_demo_townships_tile_their_real_county_and_are_the_same_every_time(county_m):
    codes = [f"230421{n:03d}" for n in range(100, 118)]
    cells = demo_township_polygons_m("230421", county_m, codes)
    assert sorted(cells) == codes
    union = shapely.union_all(list(cells.values()))
    assert union.symmetric_difference(county_m).area / county_m.area < 1e-6
    total = sum(c.area for c in cells.values())
    assert total == pytest.approx(county_m.area, rel=1e-6)  # no overlaps
    again = demo_township_polygons_m("230421", county_m, codes)
    assert all(again[c].equals_exact(cells[c], 1e-6) for c in codes)


def test_a_township_line_off_the_county_line_it_should_follow_is_listed():
    county_line = LineString([(0, 0), (10_000, 0)])
    on_it = LineString([(0, 1), (5_000, 2)])
    assert (
        topology.check_line_follows("L1", on_it, county_line, reference_label="县级界线", tol_m=5)
        == []
    )
    off = LineString([(0, 0), (2_000, 0), (3_000, 300), (5_000, 0)])
    [issue] = topology.check_line_follows(
        "L2", off, county_line, reference_label="县级界线", tol_m=5
    )
    assert issue.check == "line_follow" and "偏离县级界线" in issue.message
    assert issue.value_m == pytest.approx(300, abs=1)
    assert issue.as_dict()["check_label"] == "界线与应沿的上级界线不一致"


# --- the import --------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _township_file(tmp_path, geom_4490, *, code="230402001", name="光明街道", parent="230402"):
    frame = gpd.GeoDataFrame(
        {"区划代码": [code], "名称": [name], "级别": ["乡级"], "上级代码": [parent]},
        geometry=[geom_4490],
        crs="EPSG:4490",
    )
    path = tmp_path / "townships.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


def _county(code: str):
    area = AdministrativeArea.objects.get(code=code, valid_to__isnull=True)
    return shapely.from_wkb(bytes(area.geom_4490.wkb))


@pytest.mark.django_db
def test_a_surveyed_township_polygon_inside_its_county_replaces_the_demo_one(
    hegang_areas, tmp_path
):
    county_m = geometry_to_metric(_county("230402"))
    inside = geometry_to_lonlat(county_m.buffer(-200).intersection(county_m.centroid.buffer(1500)))
    AdministrativeArea.objects.filter(code="230402001").update(geom_is_demo=True)
    report = boundaries_import(layer="areas", path=_township_file(tmp_path, inside))
    assert report["errors"] == [] and report["updated"] == 1
    township = AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True)
    assert township.geom_4490 is not None and township.geom_is_demo is False


@pytest.mark.django_db
def test_a_township_polygon_reaching_outside_its_county_is_refused_and_nothing_written(
    hegang_areas, tmp_path
):
    county_m = geometry_to_metric(_county("230402"))
    # A square around a point of the county's outline: half of it lies outside.
    corner = shapely.Point(
        county_m.exterior.coords[0]
        if hasattr(county_m, "exterior")
        else county_m.geoms[0].exterior.coords[0]
    )
    poly = geometry_to_lonlat(corner.buffer(800, cap_style="square"))
    before = AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True).version
    report = boundaries_import(layer="areas", path=_township_file(tmp_path, poly))
    assert report["refused"] is True
    [error] = report["errors"]
    assert error["column"] == "几何" and "在上级区域 230402 之外" in error["reason"]
    area = AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True)
    assert area.version == before and area.geom_4490 is None


@pytest.mark.django_db
def test_an_outline_delivered_as_lines_that_do_not_close_is_refused(hegang_areas, tmp_path):
    county_m = geometry_to_metric(_county("230402"))
    c = county_m.centroid
    ring = LineString([(c.x, c.y), (c.x + 500, c.y), (c.x + 500, c.y + 500), (c.x, c.y + 480)])
    path = tmp_path / "rings.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["区划代码", "名称", "级别", "上级代码", "几何", "坐标系"])
        w.writerow(["230402001", "光明街道", "乡级", "230402", ring.wkt, "EPSG:4552"])
    report = boundaries_import(layer="areas", path=path)
    assert report["refused"] is True
    [error] = report["errors"]
    assert "不闭合" in error["reason"]
    assert AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True).geom_4490 is None


@pytest.mark.django_db
def test_a_wkt_polygon_whose_ring_does_not_close_is_named_as_such(hegang_areas, tmp_path):
    path = tmp_path / "open.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["区划代码", "名称", "级别", "上级代码", "几何", "坐标系"])
        w.writerow(
            [
                "230402001",
                "光明街道",
                "乡级",
                "230402",
                "POLYGON((130.3 47.3, 130.31 47.3, 130.31 47.31, 130.3 47.311))",
                "EPSG:4490",
            ]
        )
    report = boundaries_import(layer="areas", path=path)
    assert report["refused"] is True
    assert "面的边界不闭合" in report["errors"][0]["reason"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("04020403000Q", "序号为 000"),
        ("04020403001X", "不符合"),
        ("0402040301Q", "所属界线 0402040 不存在"),
    ],
)
def test_marker_numbers_out_of_the_scheme_are_refused_and_nothing_written(
    hegang_areas, tmp_path, number, reason
):
    from tests.editing.factories import demo_boundaries

    _line, marker = demo_boundaries()
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["界桩编号", "经度", "纬度", "坐标系"])
        w.writerow([marker.number, marker.geom_4490.x, marker.geom_4490.y, "EPSG:4490"])
        w.writerow([number, marker.geom_4490.x, marker.geom_4490.y, "EPSG:4490"])
    before = sorted(BoundaryMarker.objects.values_list("number", "version"))
    report = boundaries_import(layer="markers", path=path, initial_load=True)
    assert report["refused"] is True
    assert any(reason in e["reason"] and e["line"] == 3 for e in report["errors"])
    assert sorted(BoundaryMarker.objects.values_list("number", "version")) == before


@pytest.mark.django_db
def test_a_marker_number_twice_in_one_file_is_refused(hegang_areas, tmp_path):
    from tests.editing.factories import demo_boundaries

    _line, marker = demo_boundaries()
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["界桩编号", "经度", "纬度", "坐标系"])
        for _ in range(2):
            w.writerow([marker.number, marker.geom_4490.x, marker.geom_4490.y, "EPSG:4490"])
    report = boundaries_import(layer="markers", path=path, initial_load=True)
    assert report["refused"] is True
    assert "与第 2 行重复" in report["errors"][0]["reason"]
