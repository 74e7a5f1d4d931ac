"""Validation of bulk boundary rows without a database: CRS checks, geometry, tolerances."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Transformer

from boundaries.bulk.geometry import Located, Vocabulary, crs_of_text, plane_of
from boundaries.bulk.rows import CleanMarker, area_row, line_row, marker_row
from boundaries.geodesy import wgs84_to_gcj02
from gis_portal.metric_crs import geometry_to_metric

TO_LONLAT = Transformer.from_crs(4552, 4490, always_xy=True)
VOCAB = Vocabulary(area_codes={"230402": "county", "230403": "county"}, conversions={})


def test_gk_marker_in_cgcs2000_is_located_and_keeps_its_plane_coordinates():
    row = {"number": "04020403001Q", "x": "595368.79", "y": "5247553.36", "crs": "EPSG:4552"}
    clean = marker_row(2, row, None, declared=None, vocab=VOCAB)
    assert isinstance(clean, CleanMarker) and clean.sequence == 1 and clean.type_code == "Q"
    lon, lat = TO_LONLAT.transform(595368.79, 5247553.36)
    assert clean.located.geom_4490.distance(shapely.Point(lon, lat)) < 1e-9
    assert clean.located.original_crs == "EPSG:4552" and clean.located.original.x == 595368.79


def test_swapped_axes_and_a_bad_number_are_both_named():
    row = {"number": "bad", "x": "5247553.36", "y": "595368.79"}
    problems = marker_row(3, row, None, declared=crs_of_text("EPSG:4552"), vocab=VOCAB)
    assert ("界桩编号", "'bad' 不符合“界线编号+3位序号+类型字母”") in problems
    assert any(c == "几何" and "互换" in r for c, r in problems)


def test_beijing1954_without_an_approved_set_is_refused_naming_the_system():
    row = {"number": "04020403001Q", "x": "595368.79", "y": "5247553.36", "crs": "EPSG:2440"}
    [(column, reason)] = marker_row(2, row, None, declared=None, vocab=VOCAB)
    assert column == "坐标系" and "EPSG:2440" in reason and "已批准转换参数集" in reason


def test_gcj02_marker_is_converted_and_not_kept():
    glon, glat = wgs84_to_gcj02(130.26064, 47.35467)
    row = {"number": "04020403001Q", "x": f"{float(glon):.9f}", "y": f"{float(glat):.9f}"}
    clean = marker_row(2, row, None, declared=crs_of_text("GCJ-02"), vocab=VOCAB)
    assert clean.located.original_crs == "EPSG:4490"
    assert abs(clean.located.geom_4490.x - 130.26064) < 1e-7


def test_a_marker_far_from_its_line_is_refused_with_the_distance():
    lon, lat = TO_LONLAT.transform(595368.79, 5247553.36)
    far_lon, _ = TO_LONLAT.transform(595368.79 + 12.0, 5247553.36)
    line = shapely.LineString([(lon, lat - 0.01), (lon, lat + 0.01)])
    vocab = Vocabulary(
        area_codes={}, conversions={}, line_geoms_m={"04020403": geometry_to_metric(line)}
    )
    row = {"number": "04020403001Q", "x": far_lon, "y": lat, "crs": "EPSG:4490"}
    [(column, reason)] = marker_row(2, row, None, declared=None, vocab=vocab)
    assert column == "几何" and "超过容差 5 m" in reason


def test_self_intersecting_line_and_polygon_are_named():
    line = "LINESTRING (130.30 47.30, 130.31 47.31, 130.30 47.31, 130.31 47.30)"
    assert line_row(2, {"code": "0402", "wkt": line}, None, declared=crs_of_text("CGCS2000"), vocab=VOCAB) == [("几何", "界线自相交")]  # fmt: skip
    bowtie = "POLYGON ((130 47, 130.1 47, 130 47.1, 130.1 47.1, 130 47))"
    [(column, reason)] = area_row(
        2, {"code": "230402", "name": "向阳区", "wkt": bowtie}, None,
        declared=crs_of_text("EPSG:4490"), vocab=VOCAB,
    )  # fmt: skip
    assert column == "几何" and reason.startswith("几何无效")


def test_an_unknown_crs_column_is_named():
    row = {"code": "0402", "wkt": "LINESTRING (130.3 47.3, 130.31 47.31)", "crs": "EPSG:32652"}
    [(column, reason)] = line_row(2, row, None, declared=None, vocab=VOCAB)
    assert column == "坐标系" and "EPSG:32652" in reason


def test_plane_coordinates_are_given_for_points_only():
    line = shapely.LineString([(130.28, 47.33), (130.29, 47.34)])
    with pytest.raises(TypeError, match="LineString"):
        plane_of(Located(line, line, "EPSG:4490"))
    point = shapely.Point(130.28, 47.33)
    x, y, plane = plane_of(Located(point, point, "EPSG:4490"))
    # The 3° zone with central meridian 129°E (CGCS2000 / 3-degree GK CM 129E) holds 130.28°E:
    # 1.28° of longitude at 47.33°N is about 96.6 km east of it, with 500 km false easting.
    assert plane == "EPSG:4552"
    assert abs(x - 596_600) < 500 and abs(y - 5_244_700) < 1_000
