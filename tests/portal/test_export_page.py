"""The 数据下载 section on the place-name page and its form's download."""

from __future__ import annotations

import io
import zipfile

import pyogrio
import pytest

from gis_portal.metric_crs import to_metric
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_create
from tests.editing.factories import role_user


@pytest.fixture
def street(hegang_areas):
    coords = ((130.280, 47.34), (130.290, 47.34))
    made = street_create(
        name="新华路", coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
    )
    plates_create(
        street_id=made.pk,
        requests=[PlateRequest(lon=130.282 + 0.002 * i, lat=47.3401) for i in range(3)],
    )
    return made


def test_the_section_lists_public_layers_with_labels_and_hides_staff_ones(client, hegang_areas):
    page = client.get("/placenames/").content.decode()
    assert 'id="data-downloads"' in page and "数据下载" in page
    assert ">门牌</option>" in page and ">行政区域</option>" in page
    assert "boundary-lines" not in page and "界桩" not in page
    assert "高斯-克吕格 43 带（129°E，EPSG:4552）" in page and ">向阳区</option>" in page


def test_a_staff_reader_sees_the_staff_layers_marked(client, hegang_areas):
    client.force_login(role_user("officer", "boundary_officer"))
    page = client.get("/placenames/").content.decode()
    assert 'value="boundary-lines"' in page and "（仅工作人员）" in page


def test_the_form_downloads_a_gbk_shapefile_and_drops_choices_the_format_ignores(client, street):
    response = client.get(
        "/data/export",
        {"layer": "door-plates", "format": "shp", "encoding": "gbk", "crs": "", "county": "",
         "geometry": "xy", "bbox": ""},
    )  # fmt: skip
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.read("door_plates.cpg") == b"GBK"
    response = client.get(
        "/data/export", {"layer": "door-plates", "format": "gpkg", "encoding": "gbk"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geopackage+sqlite3"


def test_the_form_refuses_in_chinese_on_a_page_and_hides_staff_layers(client, street, tmp_path):
    response = client.get(
        "/data/export", {"layer": "door-plates", "format": "gpkg", "bbox": "130.3,47.3,130.2,47.4"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "参数 bbox 无效" in text and "text/html" in response["Content-Type"]
    assert (
        client.get("/data/export", {"layer": "boundary-lines", "format": "gpkg"}).status_code == 404
    )
    response = client.get(
        "/data/export", {"layer": "streets", "format": "gpkg", "crs": "EPSG:4553"}
    )
    path = tmp_path / "s.gpkg"
    path.write_bytes(b"".join(response.streaming_content))
    assert pyogrio.read_dataframe(path).crs.to_epsg() == 4553
