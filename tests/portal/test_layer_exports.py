"""GET /api/v1/layers/<key>/export and ``manage.py export_layer``, read back by real readers.

Every file is opened as a department would open it: GDAL's ogrinfo (Debian gdal-bin) and
pyogrio/geopandas for GeoPackage, shapefile and GeoJSON, ezdxf and ogrinfo for DXF, the
csv module for CSV. Each checks the feature count, the CRS and the Chinese text.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import ezdxf
import pyogrio
import pytest
import shapely
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import StreamingHttpResponse
from drf_spectacular.generators import SchemaGenerator

from boundaries.models import AdministrativeArea
from gis_portal.catalogue.registry import CATALOGUE, catalogue_layer_for
from gis_portal.exports import services
from gis_portal.exports.api import export_response
from gis_portal.metric_crs import to_metric
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_create
from tests.editing.factories import demo_boundaries, role_user

URL = "/api/v1/layers/{}/export"
# 𠀀 (U+20000) and 한 are not in GBK.
BUILDINGS = ["龍苑1号楼", "丽景2号楼", "한𠀀楼", "", "4号楼"]


@pytest.fixture
def plates(hegang_areas):
    coords = ((130.280, 47.34), (130.290, 47.34))
    county = AdministrativeArea.objects.get(
        level="county", valid_to__isnull=True, geom_4490__covers=f"SRID=4490;POINT({130.285} 47.34)"
    )
    street = street_create(
        name="新华路",
        coords_4490=coords,
        rule=rule_beijing([to_metric(*c) for c in coords]),
        county=county,
    )
    made = plates_create(
        street_id=street.pk,
        requests=[
            PlateRequest(lon=130.281 + 0.0015 * i, lat=47.3401, building=b, status="installed")
            for i, b in enumerate(BUILDINGS)
        ],
    )
    return {"county": county, "street": street, "plates": made}


def _download(client, tmp_path: Path, key: str, name: str, **params) -> Path:
    response = client.get(URL.format(key), params)
    assert response.status_code == 200, response.content[:400]
    path = tmp_path / name
    path.write_bytes(b"".join(response.streaming_content))
    return path


# Debian's gdal-bin (scripts/provision.sh installs it).
OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"


def _ogrinfo(path: Path | str, *, summary: bool = True) -> str:
    """What GDAL's ogrinfo tells of every layer (``-so``: counts, CRS, fields only)."""
    args = [OGRINFO, "-ro", "-al", *(["-so"] if summary else []), str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_geopackage_opens_in_gdal_with_chinese_columns_labels_and_cgcs2000(
    client, plates, tmp_path
):
    path = _download(client, tmp_path, "door-plates", "plates.gpkg", format="gpkg")
    info = _ogrinfo(path)
    assert "Feature Count: 5" in info
    assert 'ID["EPSG",4490]' in info
    assert "门牌地址" in info and "所在街路巷" in info
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4490
    assert len(frame) == 5
    assert set(frame["状态"]) == {"在用"}  # the choice's label, not the stored code
    assert set(frame["楼栋"]) >= {"龍苑1号楼", "한𠀀楼"}
    assert "所在侧" not in frame.columns  # a staff-only field, the caller is the public
    assert frame.geometry.x.min() == pytest.approx(130.281, abs=1e-6)


def test_geopackage_in_gauss_kruger_metres(client, plates, tmp_path):
    path = _download(client, tmp_path, "door-plates", "plates.gpkg", format="gpkg", crs="EPSG:4552")
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4552
    x, y = to_metric(130.281, 47.3401, epsg=4552)
    first = frame.sort_values("门牌号").geometry.iloc[0]
    assert min(abs(p.x - x) + abs(p.y - y) for p in frame.geometry) < 0.01
    assert 400_000 < first.x < 700_000


def _shapefile(client, tmp_path, encoding: str) -> tuple[zipfile.ZipFile, Path]:
    path = _download(client, tmp_path, "door-plates", f"plates-{encoding}.zip",
                     format="shp", encoding=encoding)  # fmt: skip
    archive = zipfile.ZipFile(path)
    out = tmp_path / encoding
    archive.extractall(out)
    return archive, out


def test_utf8_shapefile_zip_has_every_part_a_cpg_and_the_field_table(client, plates, tmp_path):
    archive, out = _shapefile(client, tmp_path, "utf-8")
    names = set(archive.namelist())
    assert {f"door_plates{s}" for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")} <= names
    assert "字段对照表.csv" in names
    assert (out / "door_plates.cpg").read_text() == "UTF-8"
    info = _ogrinfo(out / "door_plates.shp")
    assert "Feature Count: 5" in info and "4490" in info
    frame = pyogrio.read_dataframe(out / "door_plates.shp")
    assert all(len(c) <= 10 for c in frame.columns if c != "geometry")
    assert "한𠀀楼" in set(frame["building"])
    table = list(csv.reader(io.StringIO(archive.read("字段对照表.csv").decode("utf-8-sig"))))
    assert table[0] == ["字段名（DBF）", "中文名称", "原字段名", "类型"]
    assert ["building", "楼栋", "building", "文本"] in table
    assert [r[0] for r in table[1:]] == [c for c in frame.columns if c != "geometry"]


def test_gbk_shapefile_keeps_chinese_and_refuses_a_character_gbk_lacks(client, plates, tmp_path):
    response = client.get(URL.format("door-plates"), {"format": "shp", "encoding": "gbk"})
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "encoding" and "GBK" in body["error"] and "UTF-8" in body["error"]
    plates["plates"][2].building = "三号楼"
    plates["plates"][2].save()
    _archive, out = _shapefile(client, tmp_path, "gbk")
    assert (out / "door_plates.cpg").read_text() == "GBK"
    raw_dbf = (out / "door_plates.dbf").read_bytes()
    assert "新华路".encode("gbk") in raw_dbf and "新华路".encode() not in raw_dbf
    frame = pyogrio.read_dataframe(out / "door_plates.shp")  # the .cpg tells GDAL the codec
    assert set(frame["street"]) == {"新华路"}
    assert "龍苑1号楼" in set(frame["building"])


def test_csv_has_a_bom_chinese_header_and_wkt_or_coordinate_columns(client, plates):
    response = client.get(URL.format("door-plates"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["门牌地址", "门牌号", "所在街路巷"]
    assert rows[0][-1] == "几何（WKT，EPSG:4490）"
    assert len(rows) == 6
    assert shapely.from_wkt(rows[1][-1]).geom_type == "Point"
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]

    response = client.get(
        URL.format("door-plates"), {"format": "csv", "geometry": "xy", "crs": "EPSG:4552"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["东坐标E（米）", "北坐标N（米）"]
    assert 400_000 < float(rows[1][-2]) < 700_000


def test_geojson_is_streamed_and_read_by_gdal(client, plates, tmp_path):
    response = client.get(URL.format("door-plates"), {"format": "geojson", "crs": "CRS84"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    path = tmp_path / "plates.geojson"
    path.write_bytes(b"".join(response.streaming_content))
    body = json.loads(path.read_text(encoding="utf-8"))
    assert len(body["features"]) == 5
    assert body["field_labels"]["address"] == "门牌地址"
    assert "Feature Count: 5" in _ogrinfo(path)
    # The portal's process registers only the Shapefile and GPKG drivers (gdal_safety):
    # GeoJSON is read back by Debian's GDAL in its own process.
    full = _ogrinfo(path, summary=False)
    assert full.count("street (String) = 新华路") == 5
    assert "楼栋" not in full and "building (String) = 龍苑1号楼" in full


def test_gauss_kruger_geojson_names_its_crs_for_gdal(client, plates, tmp_path):
    path = _download(
        client, tmp_path, "door-plates", "p.geojson", format="geojson", crs="EPSG:4553"
    )
    info = _ogrinfo(path)
    assert 'ID["EPSG",4553]' in info and "Feature Count: 5" in info


def test_dxf_is_in_gauss_kruger_metres_with_one_layer_per_class_for_ezdxf_and_gdal(
    client, plates, tmp_path
):
    path = _download(client, tmp_path, "door-plates", "plates.dxf", format="dxf")
    doc = ezdxf.readfile(path)
    points = [e for e in doc.modelspace() if e.dxftype() == "POINT"]
    texts = [e for e in doc.modelspace() if e.dxftype() == "TEXT"]
    assert len(points) == 5 and len(texts) == 5
    x, y = to_metric(130.281, 47.3401, epsg=4552)
    assert min(abs(p.dxf.location.x - x) + abs(p.dxf.location.y - y) for p in points) < 0.01
    layer_names = {layer.dxf.name for layer in doc.layers}
    assert {p.dxf.layer for p in points} <= layer_names
    assert all(p.dxf.layer.startswith("门牌") for p in points)
    info = _ogrinfo(path, summary=False)
    assert "Feature Count: 10" in info  # 5 points, 5 labels
    assert "Layer (String) = 门牌" in info  # GDAL decodes the GBK code page


def test_bbox_and_county_choose_the_features(client, plates, tmp_path):
    path = _download(client, tmp_path, "door-plates", "a.gpkg", format="gpkg",
                     bbox="130.2805,47.33,130.2835,47.35")  # fmt: skip
    assert len(pyogrio.read_dataframe(path)) == 2
    x0, y0 = (float(v) for v in to_metric(130.2805, 47.33, epsg=4552))
    x1, y1 = (float(v) for v in to_metric(130.2835, 47.35, epsg=4552))
    path = _download(client, tmp_path, "door-plates", "b.gpkg", format="gpkg", crs="EPSG:4552",
                     bbox=f"{x0:.1f},{y0:.1f},{x1:.1f},{y1:.1f}")  # fmt: skip
    assert len(pyogrio.read_dataframe(path)) == 2
    path = _download(client, tmp_path, "door-plates", "c.gpkg", format="gpkg",
                     county=plates["county"].code)  # fmt: skip
    assert len(pyogrio.read_dataframe(path)) == 5
    other = AdministrativeArea.objects.filter(level="county", valid_to__isnull=True).exclude(
        pk=plates["county"].pk
    )[0]
    path = _download(client, tmp_path, "door-plates", "d.gpkg", format="gpkg", county=other.code)
    assert len(pyogrio.read_dataframe(path)) == 0


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"format": "kml"}, "format"),
        ({}, "format"),
        ({"format": "gpkg", "crs": "EPSG:3857"}, "crs"),
        ({"format": "dxf", "crs": "EPSG:4490"}, "crs"),
        ({"format": "shp", "encoding": "big5"}, "encoding"),
        ({"format": "gpkg", "encoding": "gbk"}, "encoding"),
        ({"format": "gpkg", "geometry": "xy"}, "geometry"),
        ({"format": "gpkg", "bbox": "130.4,47.3,130.2,47.4"}, "bbox"),
        ({"format": "gpkg", "bbox": "10,47,11,48"}, "bbox"),
        ({"format": "gpkg", "crs": "EPSG:4552", "bbox": "900000,5200000,950000,5250000"}, "bbox"),
        ({"format": "gpkg", "bbox": "1;DROP TABLE x"}, "bbox"),
        ({"format": "gpkg", "county": "999999"}, "county"),
        ({"format": "gpkg", "county": "23'--"}, "county"),
        ({"format": "gpkg", "page": "2"}, "page"),
    ],
)
def test_every_bad_parameter_is_a_400_in_chinese_naming_it(client, plates, params, parameter):
    response = client.get(URL.format("door-plates"), params)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["parameter"] == parameter
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])


def test_county_on_a_layer_without_counties_and_xy_on_lines_are_refused(client, hegang_areas):
    demo_boundaries()
    officer = role_user("officer", "boundary_officer")
    client.force_login(officer)
    response = client.get(URL.format("boundary-lines"), {"format": "gpkg", "county": "230402"})
    assert response.status_code == 400 and response.json()["parameter"] == "county"
    response = client.get(URL.format("streets"), {"format": "csv", "geometry": "xy"})
    assert response.status_code == 400 and response.json()["parameter"] == "geometry"


def test_a_staff_layer_is_the_same_404_as_an_unknown_one_for_the_public(
    client, hegang_areas, tmp_path
):
    demo_boundaries()
    hidden = client.get(URL.format("boundary-lines"), {"format": "gpkg"})
    unknown = client.get(URL.format("no-such-layer"), {"format": "gpkg"})
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"].replace("boundary-lines", "X") == unknown.json()["error"].replace(
        "no-such-layer", "X"
    )
    client.force_login(role_user("officer", "boundary_officer"))
    path = _download(client, tmp_path, "boundary-lines", "lines.gpkg", format="gpkg")
    frame = pyogrio.read_dataframe(path)
    assert len(frame) > 0 and "界线编号" in frame.columns


def test_a_staff_reader_gets_the_staff_only_fields(client, plates, tmp_path):
    client.force_login(role_user("clerk", "placename_officer"))
    path = _download(client, tmp_path, "door-plates", "staff.gpkg", format="gpkg")
    assert "所在侧" in pyogrio.read_dataframe(path).columns


def test_every_public_layer_exports_in_every_format(client, plates, tmp_path, settings):
    # 40 downloads by one anonymous client: more than its hourly export allowance.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "export": {"anon": "", "user": ""}}
    public = [layer for layer in CATALOGUE.values() if layer.is_public]
    assert {"placenames", "door-plates", "areas", "streets"} <= {layer.key for layer in public}
    for layer in public:
        for fmt, suffix in (("gpkg", "gpkg"), ("shp", "zip"), ("csv", "csv"),
                            ("geojson", "geojson"), ("dxf", "dxf")):  # fmt: skip
            _download(client, tmp_path, layer.key, f"{layer.key}.{suffix}", format=fmt)
    areas = pyogrio.read_dataframe(tmp_path / "areas.gpkg")
    # As many as the catalogue's items query counts (areas with a shape, in force today).
    matched = client.get("/api/v1/layers/areas/features", {"limit": 1})["X-Total-Count"]
    assert len(areas) == int(matched) > 1
    assert "区划代码" in areas.columns and areas["区划代码"].str.len().min() >= 6


def test_export_layer_command_writes_any_format(plates, tmp_path, capsys):
    out = tmp_path / "plates.zip"
    call_command(
        "export_layer", "door-plates", str(out), "--encoding", "utf-8", "--crs", "EPSG:4552"
    )
    assert "已导出“门牌” 5 条（EPSG:4552）" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "x")
    frame = pyogrio.read_dataframe(tmp_path / "x" / "door_plates.shp")
    assert len(frame) == 5 and frame.crs.to_epsg() == 4552
    assert "side" in frame.columns  # the command exports as staff unless --public
    with pytest.raises(CommandError, match="超出"):
        call_command("export_layer", "door-plates", str(tmp_path / "y.gpkg"), "--bbox", "1,1,2,2")
    assert not (tmp_path / "y.gpkg").exists()


def test_the_export_is_in_the_openapi_schema_with_its_choices():
    schema = json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )
    operation = schema["paths"]["/api/v1/layers/{layer}/export"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["format"]["required"] is True
    assert set(params["format"]["schema"]["enum"]) == {"gpkg", "shp", "csv", "geojson", "dxf"}
    assert {"EPSG:4490", "CRS84", "EPSG:4552", "EPSG:4553"} <= set(params["crs"]["schema"]["enum"])
    assert set(params["encoding"]["schema"]["enum"]) == {"utf-8", "gbk"}
    assert {"bbox", "county", "geometry", "layer"} <= set(params)
    assert {"200", "400", "404"} <= set(operation["responses"])
    assert "application/geopackage+sqlite3" in operation["responses"]["200"]["content"]


def test_a_large_csv_export_starts_before_its_rows_are_all_read(client, plates, monkeypatch):
    """The rows come from the server-side cursor chunk by chunk as the response is sent:
    the first bytes leave with only the first chunk read (memory stays one chunk)."""
    fetched: list[int] = []
    original = services.export_rows

    def small_chunks(select, chunk=services.CHUNK_ROWS):
        for rows in original(select, chunk=2):
            fetched.append(len(rows))
            yield rows

    monkeypatch.setattr(services, "export_rows", small_chunks)
    response = client.get(URL.format("door-plates"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    parts = iter(response.streaming_content)
    header = next(parts)
    assert "门牌地址" in header.decode("utf-8-sig") and fetched == []
    first = next(parts)
    assert first.count(b"\r\n") == 2 and fetched == [2]
    rest = b"".join(parts)
    assert fetched == [2, 2, 1]
    assert (first + rest).count(b"\r\n") == 5


def test_a_file_export_that_fails_leaves_no_temp_file(plates, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(rows, path, **kwargs):
        path.write_bytes(b"half a geopackage")
        next(iter(rows))
        raise OSError("disk full")

    monkeypatch.setattr(services, "write_gpkg", broken)
    layer = catalogue_layer_for("door-plates", AnonymousUser())
    plan = services.export_plan(layer, staff=False, fmt="gpkg")
    with pytest.raises(OSError, match="disk full"):
        export_response(plan)
    assert list(tmp_path.iterdir()) == []
