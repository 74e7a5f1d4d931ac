"""Submitted geometries are parsed and refused without a database."""

from __future__ import annotations

import pytest

from gis_portal.editing.diff import snapshot_diff
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import MAX_VERTICES, geometry_parse


def test_a_linestring_becomes_a_multilinestring():
    g = geometry_parse({"type": "LineString", "coordinates": [[130, 47], [130.1, 47]]}, kind="line")
    assert g.geom_type == "MultiLineString"


def test_ewkt_in_cgcs2000_is_accepted():
    assert geometry_parse("SRID=4490;POINT(130.3 47.3)", kind="point").x == 130.3


@pytest.mark.parametrize(
    "raw, kind, message",
    [
        ({"type": "Point", "coordinates": [130, 47], "crs": {}}, "point", "crs"),
        ("SRID=2441;POINT(597000 5240000)", "point", "SRID=2441"),
        ({"type": "Point", "coordinates": [597000, 5240000]}, "point", "不是经纬度"),
        ("LINESTRING EMPTY", "line", "为空"),
        (
            {"type": "Polygon", "coordinates": [[[130, 47], [131, 47], [131, 48], [130, 47]]]},
            "line",
            "几何类型",
        ),
        (
            {"type": "LineString", "coordinates": [[130, 47], [131, 48], [131, 47], [130, 48]]},
            "line",
            "自相交",
        ),
        ({"type": "Point", "coordinates": [130, 47], "extra": 1}, "point", "未知成员"),
        ({"type": "Point", "coordinates": "130,47"}, "point", "格式错误"),
        (42, "point", "GeoJSON"),
    ],
)
def test_bad_geometries_are_named(raw, kind, message):
    with pytest.raises(InvalidEdit) as exc:
        geometry_parse(raw, kind=kind)
    assert message in exc.value.message and exc.value.field == "geometry"


def test_a_million_vertices_are_refused_before_geos_sees_them():
    huge = {"type": "LineString", "coordinates": [[130 + i * 1e-7, 47.0] for i in range(10**6)]}
    with pytest.raises(InvalidEdit, match="顶点数超过上限"):
        geometry_parse(huge, kind="line")
    wkt = "LINESTRING(" + ",".join("130 47" for _ in range(MAX_VERTICES + 1)) + ")"
    with pytest.raises(InvalidEdit, match="顶点数超过上限"):
        geometry_parse(wkt, kind="line")


def test_diff_names_changed_attributes_and_the_geometry_shift():
    a = geometry_parse("POINT(130.3 47.3)", kind="point")
    b = geometry_parse("POINT(130.3 47.3001)", kind="point")
    diff = snapshot_diff(
        {"material": "石", "geom_4490": a},
        {"material": "砼", "geom_4490": b},
        geometry_field="geom_4490",
    )
    assert diff.changed == {"material": ("石", "砼")}
    assert 10 < diff.geometry.max_shift_m < 12  # 0.0001° of latitude ≈ 11.1 m
