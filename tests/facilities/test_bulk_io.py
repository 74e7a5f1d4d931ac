"""The facility registry on the importing kernel: round trips in every format, dry runs and
refusals write nothing, the edit scope, bad coordinate systems named."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from facilities.errors import ImportRejected
from facilities.models import Facility
from facilities.services.facilities import facilities_export, facilities_import
from tests.editing.factories import role_user
from tests.facilities.factories import facility, lonlat_at

pytestmark = pytest.mark.django_db
HEADER = ["名称", "服务项目", "类型", "经度", "纬度", "容量"]


def _csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _state():
    return sorted(Facility.objects.values_list("pk", "version"))


@pytest.mark.parametrize("fmt", ["csv", "gpkg", "xlsx"])
def test_export_imports_back_unchanged(hegang_areas, tmp_path, fmt):
    facility("eldercare_daycare", "daycare_centre", "甲日间照料中心", 100, 200, capacity=30)
    facility("rescue", "rescue_point", "乙救助点", -300, 50, status="building")
    out = tmp_path / f"f.{fmt}"
    assert facilities_export(fmt=fmt, path=out) == 2
    before = _state()
    report = facilities_import(path=out)
    assert report.errors == [] and (report.created, report.updated) == (0, 0)
    assert _state() == before


def test_geojson_export_is_a_feature_collection_with_the_import_headings(hegang_areas, tmp_path):
    f = facility("rescue", "rescue_point", "乙救助点", -300, 50)
    out = tmp_path / "f.geojson"
    facilities_export(fmt="geojson", path=out)
    [feature] = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert feature["geometry"]["coordinates"] == pytest.approx(
        [f.position_4490.x, f.position_4490.y]
    )
    assert feature["properties"]["名称"] == "乙救助点" and feature["properties"]["状态"] == "运营"


def test_a_file_that_moves_one_and_adds_one_updates_and_creates(hegang_areas, tmp_path):
    facility("rescue", "rescue_point", "乙救助点", -300, 50)
    lon, lat = lonlat_at(0, 0)
    path = _csv(
        tmp_path / "f.csv",
        [
            ["乙救助点", "rescue", "rescue_point", lon, lat, 12],
            ["丙救助点", "rescue", "rescue_point", lon, lat, ""],
        ],
    )
    dry = facilities_import(path=path, dry_run=True)
    assert (dry.created, dry.updated) == (1, 1) and Facility.objects.count() == 1
    report = facilities_import(path=path)
    assert (report.created, report.updated) == (1, 1)
    moved = Facility.objects.get(name="乙救助点")
    assert moved.position_4490.x == pytest.approx(lon) and moved.capacity == 12
    assert Facility.objects.get(name="丙救助点").county.code == "230403"


def test_a_failed_import_writes_nothing_and_names_line_and_column(hegang_areas, tmp_path):
    lon, lat = lonlat_at(0, 0)
    path = _csv(
        tmp_path / "f.csv",
        [
            ["甲", "rescue", "rescue_point", lon, lat, ""],
            ["乙", "rescue", "rescue_point", lon, lat, "-3"],
            ["丙", "rescue", "rescue_point", 126.6, 45.7, ""],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        facilities_import(path=path)
    errors = caught.value.details["errors"]
    assert any(e.startswith("第 3 行 [容量]") for e in errors)
    assert any(e.startswith("第 4 行 [经度]") and "鹤岗市范围" in e for e in errors)
    assert not any(e.startswith("第 2 行") for e in errors)
    assert not Facility.objects.exists()


def test_bad_coordinate_systems_are_named(hegang_areas, tmp_path):
    lon, lat = lonlat_at(0, 0)
    path = _csv(
        tmp_path / "f.csv",
        [
            ["甲", "rescue", "rescue_point", lon, lat, "", "EPSG:32652"],
            ["乙", "rescue", "rescue_point", lon, lat, "", "北京54"],
        ],
        header=[*HEADER, "坐标系"],
    )
    with pytest.raises(ImportRejected) as caught:
        facilities_import(path=path)
    errors = caught.value.details["errors"]
    assert any(e.startswith("第 2 行 [坐标系]") and "未知坐标系" in e for e in errors)
    assert any(e.startswith("第 3 行 [坐标系]") and "已批准转换参数集" in e for e in errors)


def test_a_planner_outside_their_scope_is_refused(hegang_areas, tmp_path):
    planner = role_user("pl", "planner", area_codes=["230402"])  # 向阳区 only
    lon, lat = lonlat_at(0, 0)  # 工农区
    path = _csv(tmp_path / "f.csv", [["甲", "rescue", "rescue_point", lon, lat, ""]])
    with pytest.raises(ImportRejected) as caught:
        facilities_import(path=path, user=planner)
    assert "不在您的编辑范围" in caught.value.details["errors"][0]
    assert not Facility.objects.exists()
    boundary = role_user("bnd", "boundary_officer")
    with pytest.raises(ImportRejected, match="没有导入民政设施的权限"):
        facilities_import(path=path, user=boundary)


def test_commands_on_the_kernel(hegang_areas, tmp_path):
    facility("rescue", "rescue_point", "乙救助点", -300, 50)
    out = tmp_path / "f.gpkg"
    call_command("export_facilities", str(out), stdout=StringIO())
    stdout = StringIO()
    call_command("import_facilities", str(out), "--dry-run", stdout=stdout)
    assert json.loads(stdout.getvalue())["rows"] == 1
    with pytest.raises(CommandError, match="输出文件应为"):
        call_command("export_facilities", str(tmp_path / "f.txt"), stdout=StringIO())


def test_planners_download_the_registry_from_the_planner_page(hegang_areas, client):
    facility("rescue", "rescue_point", "乙救助点", -300, 50)
    client.force_login(role_user("pl2", "planner"))
    assert "/facilities/registry.gpkg" in client.get("/facilities/").content.decode()
    response = client.get("/facilities/registry.csv?programme=rescue")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("名称,服务项目,类型,经度,纬度") and "乙救助点" in text
    assert client.get("/facilities/registry.xlsx").status_code == 200
    assert client.get("/facilities/registry.csv?programme=nope").status_code == 404
    client.force_login(role_user("bnd3", "boundary_officer"))
    assert client.get("/facilities/registry.csv").status_code == 403
