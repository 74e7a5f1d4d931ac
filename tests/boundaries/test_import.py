"""Importing surveyors' files: shapefile zip (GBK, .prj), DXF, marker tables; bad files refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import ezdxf
import geopandas as gpd
import openpyxl
import pytest
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Point

from boundaries.demo_loader import boundary_demo_load
from boundaries.errors import ImportFileInvalid
from boundaries.geodesy import wgs84_to_gcj02
from boundaries.importers.surveys import (
    SurveyFileError,
    common_points_csv_from_table,
    parse_dxf,
    parse_marker_table,
    parse_shapefile_zip,
)
from boundaries.models import BoundaryLine, BoundaryMarker, TransformationParameterSet
from boundaries.services.conversion import boundaries_convert
from boundaries.services.imports import survey_import

# A stretch of line in Beijing 1954 3° GK CM 129E (EPSG:2440), near 向阳区/工农区.
LINE_2440 = [(595_300.0, 5_247_500.0), (595_900.0, 5_247_100.0), (596_400.0, 5_246_300.0)]


def _shapefile_zip(tmp_path: Path, gdf: gpd.GeoDataFrame, *, prj_epsg: int | None) -> bytes:
    path = tmp_path / "survey.shp"
    gdf.to_file(path, encoding="GBK")
    for p in tmp_path.glob("survey.*"):
        if p.suffix in {".prj", ".cpg"}:
            p.unlink()
    if prj_epsg:
        (tmp_path / "survey.prj").write_text(CRS.from_epsg(prj_epsg).to_wkt("WKT1_ESRI"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p in tmp_path.glob("survey.*"):
            z.write(p, arcname=f"成果/{p.name}")
    return buf.getvalue()


def test_shapefile_zip_with_gbk_attributes_and_prj(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"界线编号": ["04020403"], "协议书": ["鹤界协〔2002〕01号"]},
        geometry=[LineString(LINE_2440)],
    )
    survey = parse_shapefile_zip(_shapefile_zip(tmp_path, gdf, prj_epsg=2440))
    assert survey.crs.code == "EPSG:2440"
    assert survey.lines[0].code == "04020403"
    assert survey.lines[0].agreement_ref == "鹤界协〔2002〕01号"


def test_shapefile_without_prj_needs_a_declared_crs_and_must_match_it(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["X"]}, geometry=[LineString(LINE_2440)])
    data = _shapefile_zip(tmp_path, gdf, prj_epsg=None)
    with pytest.raises(SurveyFileError, match="请声明坐标系"):
        parse_shapefile_zip(data)
    assert parse_shapefile_zip(data, declared_crs="EPSG:2440").crs.epsg == 2440
    with pytest.raises(SurveyFileError, match="带号"):
        parse_shapefile_zip(data, declared_crs="EPSG:2419")


def test_shapefile_in_an_unsupported_crs_is_refused(tmp_path):
    gdf = gpd.GeoDataFrame({"code": ["X"]}, geometry=[LineString(LINE_2440)])
    with pytest.raises(SurveyFileError, match="不在支持范围内"):
        parse_shapefile_zip(_shapefile_zip(tmp_path, gdf, prj_epsg=32652))


def _dxf_bytes(points=None) -> bytes:
    doc = ezdxf.new()
    if points:
        doc.modelspace().add_lwpolyline(points)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode()


def test_dxf_line_with_declared_crs_and_empty_dxf_refused():
    survey = parse_dxf(_dxf_bytes(LINE_2440), declared_crs="EPSG:2440", line_code="04020403")
    assert survey.lines[0].geometry.length == pytest.approx(LineString(LINE_2440).length, rel=1e-9)
    with pytest.raises(SurveyFileError, match="没有线图元"):
        parse_dxf(_dxf_bytes(), declared_crs="EPSG:2440", line_code="04020403")
    with pytest.raises(SurveyFileError, match="声明坐标系"):
        parse_dxf(_dxf_bytes(LINE_2440), declared_crs="", line_code="04020403")
    swapped = [(y, x) for x, y in LINE_2440]
    with pytest.raises(SurveyFileError, match="互换"):
        parse_dxf(_dxf_bytes(swapped), declared_crs="EPSG:2440", line_code="04020403")


def test_marker_table_csv_gbk_and_excel():
    text = "界桩编号,东坐标,北坐标,材质\n04020403001Q,595368.79,5247553.36,花岗岩\n04020403002Q,595900.1,5247100.2,\n"
    survey = parse_marker_table(text.encode("gbk"), filename="m.csv", declared_crs="EPSG:2440")
    assert [m.sequence for m in survey.markers] == [1, 2]
    assert survey.markers[0].material == "花岗岩"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["number", "x", "y"])
    ws.append(["04020403001Q", 43_595_368.79, 5_247_553.36])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(SurveyFileError, match="EPSG:2419"):
        parse_marker_table(buf.getvalue(), filename="m.xlsx", declared_crs="EPSG:2440")
    ok = parse_marker_table(buf.getvalue(), filename="m.xlsx", declared_crs="EPSG:2419")
    assert ok.markers[0].x == 43_595_368.79
    bad = "界桩编号,东坐标,北坐标\nABC,1,2\n"
    with pytest.raises(SurveyFileError, match="不符合"):
        parse_marker_table(bad.encode(), filename="m.csv", declared_crs="EPSG:2440")


def test_common_point_table_from_excel():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "role", "x_src", "y_src", "h_src", "x_dst", "y_dst", "h_dst"])
    ws.append(["A", "common", 1.5, 2.5, None, 3.5, 4.5, None])
    buf = io.BytesIO()
    wb.save(buf)
    text = common_points_csv_from_table(buf.getvalue(), filename="cp.xlsx")
    assert text.splitlines()[1] == "A,common,1.5,2.5,,3.5,4.5,"


@pytest.mark.django_db
def test_import_updates_a_line_which_then_awaits_conversion(hegang_areas):
    boundary_demo_load()
    survey = parse_dxf(_dxf_bytes(LINE_2440), declared_crs="EPSG:2440", line_code="04020403")
    dry = survey_import(survey=survey, dry_run=True)
    assert dry["lines_updated"] == 1 and BoundaryLine.objects.get(code="04020403").geom_4490
    report = survey_import(survey=survey)
    assert report == dry | {"dry_run": False}
    line = BoundaryLine.objects.get(code="04020403")
    assert line.geom_4490 is None and line.converted_with is None
    assert line.original_wkt.startswith("MULTILINESTRING ((595300")


@pytest.mark.django_db
def test_import_of_markers_for_an_unknown_line_writes_nothing(hegang_areas):
    boundary_demo_load()
    before = BoundaryMarker.objects.count()
    text = "number,x,y\n04020403001Q,595368.79,5247553.36\n99999999001Q,595900.1,5247100.2\n"
    survey = parse_marker_table(text.encode(), filename="m.csv", declared_crs="EPSG:2440")
    with pytest.raises(ImportFileInvalid, match="99999999"):
        survey_import(survey=survey)
    assert BoundaryMarker.objects.count() == before
    assert BoundaryMarker.objects.get(number="04020403001Q").converted_with is not None


@pytest.mark.django_db
def test_import_of_cgcs2000_markers_is_stored_at_once(hegang_areas):
    boundary_demo_load()
    text = "number,x,y\n04020403099Q,595242.30,5247447.77\n"
    survey = parse_marker_table(text.encode(), filename="m.csv", declared_crs="EPSG:4552")
    survey_import(survey=survey)
    m = BoundaryMarker.objects.get(number="04020403099Q")
    assert m.geom_4490 is not None and m.cgcs_crs == "EPSG:4552"
    assert Point(m.geom_4490.x, m.geom_4490.y).distance(Point(130.26064, 47.35467)) < 1e-4


def test_marker_table_in_gcj02_is_converted_on_import():
    glon, glat = wgs84_to_gcj02(130.26064, 47.35467)
    text = f"number,x,y\n04020403001Q,{float(glon):.8f},{float(glat):.8f}\n"
    survey = parse_marker_table(text.encode(), filename="m.csv", declared_crs="GCJ-02")
    assert survey.crs.code == "EPSG:4490"
    assert survey.markers[0].x == pytest.approx(130.26064, abs=1e-8)
    assert "GCJ-02" in survey.warnings[0]


@pytest.mark.django_db
def test_shapefile_of_markers_in_beijing1954_geographic_converts_with_the_demo_set(
    tmp_path, hegang_areas
):
    boundary_demo_load()
    marker = BoundaryMarker.objects.get(number="04020403001Q")
    to_geo = Transformer.from_crs("EPSG:2440", "EPSG:4214", always_xy=True)
    lon, lat = to_geo.transform(marker.original_x, marker.original_y)  # same datum: exact
    gdf = gpd.GeoDataFrame({"界桩编号": ["04020403001Q"]}, geometry=[Point(lon, lat)])
    survey = parse_shapefile_zip(_shapefile_zip(tmp_path, gdf, prj_epsg=4214))
    assert survey.crs.code == "EPSG:4214" and len(survey.markers) == 1
    before = marker.geom_4490
    survey_import(survey=survey)
    marker.refresh_from_db()
    assert marker.geom_4490 is None and marker.original_crs == "EPSG:4214"
    ps = TransformationParameterSet.objects.get(is_demo=True)
    report = boundaries_convert(parameter_set_id=ps.pk)
    assert report["markers_converted"] == 1 and report["points_by_crs"] == {"EPSG:4214": 1}
    marker.refresh_from_db()
    assert marker.geom_4490.distance(before) < 1e-8  # same place via the geographic pipeline
    assert marker.cgcs_crs == "EPSG:4552"
