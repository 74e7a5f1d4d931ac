"""CQL2 to SQL and the served CRSs: pure modules, no database."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gis_portal.catalogue.spec import Field
from gis_portal.error_types import InvalidParameter
from gis_portal.ogc.cql import cql_parse, cql_to_sql
from gis_portal.ogc.crs import CRS84, bbox_to_lonlat, crs_parse

FIELDS = {
    f.name: f
    for f in (
        Field("street", "所在街路巷", "s.name"),
        Field("number", "号", "t.number", kind="integer"),
        Field("status", "状态", "t.status", choices={"installed": "在用", "retired": "已注销"}),
        Field("installed_on", "安装时间", "t.installed_on", kind="date"),
    )
}


def translate(text: str, lang: str = "cql2-text"):
    return cql_to_sql(cql_parse(text, lang=lang), fields=FIELDS, geometry_sql="t.point_4490")


def test_values_travel_as_parameters_never_in_the_sql():
    hostile = "x'); DROP TABLE addresses_doorplate; --"
    out = translate(f"street = '{hostile.replace(chr(39), chr(39) * 2)}'")
    assert out.sql == "((s.name) = %s)"
    assert out.params == [hostile]


def test_text_and_json_encodings_give_the_same_sql():
    text = translate("number BETWEEN 3 AND 9 AND status IN ('在用', 'retired')")
    tree = {
        "op": "and",
        "args": [
            {"op": "between", "args": [{"property": "number"}, 3, 9]},
            {"op": "in", "args": [{"property": "status"}, ["在用", "retired"]]},
        ],
    }
    as_json = translate(json.dumps(tree), "cql2-json")
    assert text.sql == as_json.sql
    assert text.params == as_json.params == [3, 9, "installed", "retired"]


def test_casei_like_spatial_and_temporal():
    out = translate("CASEI(street) LIKE CASEI('新华%')")
    assert out.sql == "(lower((s.name)) LIKE lower(%s) ESCAPE '\\')" and out.params == ["新华%"]
    out = translate("S_INTERSECTS(geometry, BBOX(130.2, 47.3, 130.4, 47.4))")
    assert out.sql.startswith("ST_Intersects(t.point_4490, ST_SetSRID(ST_GeomFromGeoJSON(%s)")
    assert json.loads(out.params[0])["coordinates"][0][2] == [130.4, 47.4]
    out = translate("T_AFTER(installed_on, DATE('2020-01-01'))")
    assert out.sql == "((t.installed_on) > %s::date)" and out.params == [date(2020, 1, 1)]


def test_temporal_functions_are_allen_relations_with_open_ends_infinite():
    out = translate("T_DURING(installed_on, INTERVAL('2020-01-01', '..'))")
    assert out.sql == "((t.installed_on) > %s::date AND (t.installed_on) < 'infinity'::date)"
    assert out.params == [date(2020, 1, 1)]
    # A constant written first: the converse relation of the property.
    first = translate("T_BEFORE(DATE('2020-01-01'), installed_on)")
    assert first.sql == translate("T_AFTER(installed_on, DATE('2020-01-01'))").sql
    for name in ("T_MEETS", "T_METBY", "T_OVERLAPS", "T_STARTS", "T_FINISHEDBY", "T_CONTAINS"):
        assert translate(f"{name}(installed_on, INTERVAL('2020-01-01', '2021-01-01'))").params


def _refusal(text: str) -> InvalidParameter:
    """The error a filter that cannot be translated is refused with."""
    with pytest.raises(InvalidParameter) as caught:
        translate(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("T_AFTER(street, DATE('2020-01-01'))", "只能用于日期属性"),
        ("T_AFTER(installed_on, 'soon')", "不是有效的日期"),
        ("T_AFTER(INTERVAL(installed_on, street), DATE('2020-01-01'))", "INTERVAL"),
        ("T_SOMETIME(installed_on, DATE('2020-01-01'))", "不支持的运算或函数 't_sometime'"),
    ],
)
def test_bad_temporal_filters_are_refused_naming_the_problem(text, words):
    assert words in _refusal(text).message


def test_a_cql2_json_bbox_keeps_its_corners():
    tree = {
        "op": "s_within",
        "args": [{"property": "geometry"}, {"bbox": [130.2, 47.3, 130.4, 47.4]}],
    }
    out = translate(json.dumps(tree), "cql2-json")
    ring = json.loads(out.params[0])["coordinates"][0]
    assert ring[0] == [130.2, 47.3] and ring[2] == [130.4, 47.4]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("remarks = 'x'", "未知属性"),
        ("number = 'ten'", "类型"),
        ("number = 1.5", "类型"),
        ("status = '待定'", "取值应为"),
        ("status LIKE '在%'", "LIKE 只能用于文本属性"),
        ("street = number", "不能与另一属性比较"),
        ("abs(number) = 1", "不允许的函数"),
        ("number = 1 + 1", "不允许的函数"),
        ("installed_on > '2020-01-01'", "DATE("),
        ("S_INTERSECTS(street, POINT(130 47))", "geometry"),
        ("street = 'x' AND", "语法错误"),
        ("ACCENTI(street) = 'x'", "不允许的函数"),
    ],
)
def test_what_cannot_be_translated_is_refused_naming_it(text, words):
    refused = _refusal(text)
    assert refused.parameter == "filter"
    assert words in refused.message


def test_crs_uris_and_short_forms_and_axis_order():
    assert crs_parse("crs", None).uri == CRS84
    assert crs_parse("crs", "EPSG:4552").srid == 4552
    with pytest.raises(InvalidParameter, match="不支持的坐标参照系"):
        crs_parse("crs", "EPSG:3857")
    lat_first = crs_parse("bbox-crs", "http://www.opengis.net/def/crs/EPSG/0/4490")
    assert bbox_to_lonlat((47.3, 130.2, 47.4, 130.4), lat_first) == (130.2, 47.3, 130.4, 47.4)


def test_a_projected_bbox_becomes_the_lonlat_envelope_of_its_corners():
    gk = crs_parse("bbox-crs", "EPSG:4552")
    # northing, easting (EPSG's axis order for the Gauss-Krüger zones)
    w, s, e, n = bbox_to_lonlat((5_240_000, 520_000, 5_250_000, 530_000), gk)
    assert 129.2 < w < e < 129.5 and 47.2 < s < n < 47.5
    with pytest.raises(InvalidParameter, match="适用区域"):
        bbox_to_lonlat((10, 10, 20, 20), gk)
    with pytest.raises(InvalidParameter, match="颠倒"):
        bbox_to_lonlat((130.4, 47.3, 130.2, 47.4), crs_parse("bbox", None))
