"""Exporting a search result in every format; spreadsheets never run a cell as a formula."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from django.contrib.gis.geos import LineString, Point

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(make_place):
    make_place("导出甲路", geom=LineString((130.23, 47.25), (130.24, 47.25), srid=4490))
    make_place(
        "导出乙小区", category="22100", lon=130.235, lat=47.255, meaning='=HYPERLINK("http://x")'
    )
    make_place("无关路", lon=130.3, lat=47.3)


def _get(client, **params):
    response = client.get("/api/v1/placenames/export", {"q": "导出", **params})
    assert response.status_code == 200, response.content
    return response


def test_csv_has_bom_chinese_headings_and_neutralised_formulas(client, exported):
    body = _get(client, format="csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["标准名称"] for r in rows} == {"导出甲路", "导出乙小区"}
    meaning = next(r["地名含义"] for r in rows if r["标准名称"] == "导出乙小区")
    assert meaning.startswith("'=")


def test_xlsx_stores_formula_text_as_quoted_text(client, exported):
    book = openpyxl.load_workbook(io.BytesIO(_get(client, format="xlsx").content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["地名代码", "标准名称"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert '\'=HYPERLINK("http://x")' in [c.value for c in cells]


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def formula_places(make_place):
    for i, text in enumerate(FORMULAS):
        make_place(f"导出公式{i}路", lon=130.23 + i / 1000, lat=47.25, meaning=text, origin=text)


def test_every_formula_start_is_quoted_in_csv_and_xlsx(client, formula_places):
    rows = list(csv.reader(io.StringIO(_get(client, format="csv").content.decode("utf-8-sig"))))
    values = [v for row in rows for v in row]
    book = openpyxl.load_workbook(io.BytesIO(_get(client, format="xlsx").content))
    cells = [c for row in book.active.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    # An .xlsx is XML: depending on the reader a stored CR comes back as CR or LF; the
    # quote in front is what matters.
    workbook = [
        v.replace("\r", "\n") if isinstance(v, str) else v for v in (c.value for c in cells)
    ]
    for found, newline in ((values, "\r"), (workbook, "\n")):
        for text in FORMULAS:
            assert found.count("'" + text.replace("\r", newline)) == 2, (text, found)
    # Coordinates stay numbers in the workbook (a negative number is not a formula).
    lon_column = [c.value for c in cells if c.column == 15]
    assert all(isinstance(v, float) for v in lon_column)


def test_geojson_has_the_geometries(client, exported):
    data = json.loads(_get(client, format="geojson").content)
    types = {f["properties"]["standard_name"]: f["geometry"]["type"] for f in data["features"]}
    assert types == {"导出甲路": "LineString", "导出乙小区": "Point"}


def test_geopackage_round_trips(client, exported, tmp_path):
    path = tmp_path / "x.gpkg"
    path.write_bytes(_get(client, format="gpkg").content)
    frame = pyogrio.read_dataframe(path)
    assert set(frame["标准名称"]) == {"导出甲路", "导出乙小区"}


@pytest.mark.parametrize(("encoding", "codec"), [("utf-8", "UTF-8"), ("gbk", "GBK")])
def test_shapefile_zip_per_geometry_kind_with_cpg(client, exported, encoding, codec):
    content = _get(client, format="shp", encoding=encoding).content
    with zipfile.ZipFile(io.BytesIO(content)) as z, tempfile.TemporaryDirectory() as tmp:
        names = set(z.namelist())
        assert {"placenames_points.shp", "placenames_lines.shp", "placenames_lines.cpg"} <= names
        assert z.read("placenames_points.cpg").decode() == codec
        z.extractall(tmp)
        frame = pyogrio.read_dataframe(Path(tmp) / "placenames_lines.shp")
        assert list(frame["name"]) == ["导出甲路"]


def test_gbk_export_of_a_name_gbk_cannot_hold_is_refused(client, make_place):
    make_place("导出𠮷路", lon=130.23, lat=47.25)  # 𠮷 is outside GBK
    response = client.get(
        "/api/v1/placenames/export", {"q": "导出", "format": "shp", "encoding": "gbk"}
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]


def test_bad_export_parameters(client):
    assert client.get("/api/v1/placenames/export").json()["parameter"] == "format"
    assert (
        client.get("/api/v1/placenames/export", {"format": "pdf"}).json()["parameter"] == "format"
    )
    assert (
        client.get("/api/v1/placenames/export", {"format": "shp", "encoding": "big5"}).json()[
            "parameter"
        ]
        == "encoding"
    )


def test_export_respects_the_filters(client, exported):
    data = json.loads(
        client.get("/api/v1/placenames/export", {"format": "geojson", "category": "22100"}).content
    )
    assert [f["properties"]["standard_name"] for f in data["features"]] == ["导出乙小区"]


def test_point_only_place_exports_its_point(client, make_place):
    make_place("导出丙桥", category="23400", geom=Point(130.2, 47.3, srid=4490))
    data = json.loads(_get(client, format="geojson").content)
    assert data["features"][0]["geometry"]["coordinates"] == [130.2, 47.3]
