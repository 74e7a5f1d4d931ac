"""Bulk import and export of areas, boundary lines and markers (import_boundaries /
export_boundaries): round trips, dry runs and refusals write nothing, the edit scope, and
a boundary officer's file becoming one batch of change requests."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import geopandas as gpd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Transformer
from shapely.geometry import Point

from boundaries.bulk.staging import BoundaryImportRefused
from boundaries.models import (
    AdministrativeArea,
    BoundaryLine,
    BoundaryMarker,
    TransformationParameterSet,
)
from boundaries.services.bulk import boundaries_export, boundaries_import
from gis_portal.editing import change_services
from gis_portal.editing.models import ChangeRequest, ChangeStatus
from gis_portal.editing.selectors import change_request_detail
from tests.editing.factories import demo_boundaries, role_user

pytestmark = pytest.mark.django_db

TO_GK43 = Transformer.from_crs(4490, 4552, always_xy=True)


@pytest.fixture
def boundaries(hegang_areas):
    return demo_boundaries()


def _csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _marker_row_near(marker: BoundaryMarker, *, east_m: float = 0.0) -> list:
    """The marker moved ``east_m`` along the CGCS2000 GK zone-43 easting (EPSG:4552)."""
    x, y = TO_GK43.transform(marker.geom_4490.x, marker.geom_4490.y)
    return [marker.number, f"{x + east_m:.3f}", f"{y:.3f}", "EPSG:4552"]


def _state(model):
    return sorted(model.objects.values_list("pk", "version"))


def test_lines_round_trip_through_geopackage_changes_nothing(boundaries, tmp_path):
    out = tmp_path / "lines.gpkg"
    count = boundaries_export(layer="lines", fmt="gpkg", path=out)
    assert count == BoundaryLine.objects.count() > 0
    before = _state(BoundaryLine)
    report = boundaries_import(layer="lines", path=out, initial_load=True)
    assert report["rows"] == count and report["errors"] == []
    assert (report["created"], report["updated"]) == (0, 0)
    assert _state(BoundaryLine) == before


def test_markers_round_trip_through_csv_and_geopackage(boundaries, tmp_path):
    for fmt in ("csv", "gpkg"):
        out = tmp_path / f"markers.{fmt}"
        boundaries_export(layer="markers", fmt=fmt, path=out)
        before = _state(BoundaryMarker)
        report = boundaries_import(layer="markers", path=out, initial_load=True)
        assert report["errors"] == [], fmt
        assert (report["created"], report["updated"]) == (0, 0), fmt
        assert _state(BoundaryMarker) == before


def test_areas_export_as_csv_with_wkt_imports_back_unchanged(hegang_areas, tmp_path):
    out = tmp_path / "areas.csv"
    boundaries_export(layer="areas", fmt="csv", path=out)
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert header[:3] == ["区划代码", "名称", "级别"] and "几何" in header
    before = _state(AdministrativeArea)
    report = boundaries_import(layer="areas", path=out)
    assert report["errors"] == [] and (report["created"], report["updated"]) == (0, 0)
    assert _state(AdministrativeArea) == before


def test_initial_load_moves_and_creates_markers_keeping_the_survey(boundaries, tmp_path):
    line, marker = boundaries
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标", "坐标系"],
        [_marker_row_near(marker, east_m=1.0), [f"{line.code}999Q", *_marker_row_near(marker)[1:]]],
    )
    report = boundaries_import(layer="markers", path=path, initial_load=True)
    assert (report["created"], report["updated"]) == (1, 1)
    marker.refresh_from_db()
    assert marker.original_crs == "EPSG:4552" and marker.converted_with is None
    assert marker.cgcs_crs == "EPSG:4552"
    new = BoundaryMarker.objects.get(number=f"{line.code}999Q")
    assert new.line == line and new.sequence == 999 and new.kind == "single"


def test_dry_run_writes_nothing_and_reports_what_the_real_run_does(boundaries, tmp_path):
    _line, marker = boundaries
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标", "坐标系"],
        [_marker_row_near(marker, east_m=1.0)],
    )
    before = _state(BoundaryMarker)
    dry = boundaries_import(layer="markers", path=path, initial_load=True, dry_run=True)
    assert _state(BoundaryMarker) == before and not dry["written"]
    real = boundaries_import(layer="markers", path=path, initial_load=True)
    assert (dry["created"], dry["updated"]) == (real["created"], real["updated"]) == (0, 1)


def test_one_bad_row_refuses_the_file_naming_line_and_column(boundaries, tmp_path):
    line, marker = boundaries
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标", "坐标系"],
        [
            _marker_row_near(marker, east_m=1.0),
            ["ABC", "1", "2", "EPSG:4552"],
            [f"{line.code}998Q", *_marker_row_near(marker, east_m=80.0)[1:]],
        ],
    )
    before = _state(BoundaryMarker)
    report = boundaries_import(layer="markers", path=path, initial_load=True)
    assert report["refused"] and not report["written"]
    by_line = {(e["line"], e["column"]): e["reason"] for e in report["errors"]}
    assert "不符合" in by_line[(3, "界桩编号")]
    assert "超过容差 5 m" in by_line[(4, "几何")]
    assert 2 not in {e["line"] for e in report["errors"]}
    assert _state(BoundaryMarker) == before


def test_bad_crs_and_bad_geometry_are_named(boundaries, tmp_path):
    line, _marker = boundaries
    a, b = line.area_a.code, line.area_b.code
    path = _csv(
        tmp_path / "l.csv",
        ["界线编号", "区域甲代码", "区域乙代码", "几何", "坐标系"],
        [
            [line.code, a, b, "LINESTRING (130.30 47.30, 130.31 47.31)", "EPSG:32652"],
            [
                line.code + "X",
                a,
                b,
                "LINESTRING (130.30 47.30, 130.31 47.31, 130.30 47.31, 130.31 47.30)",
                "EPSG:4490",
            ],
            [line.code + "Y", a, b, "LINESTRING (595300 5247500, 595900 5247100)", "EPSG:2440"],
            [line.code + "Z", a, b, "POLYGON ((130 47, 130.1 47, 130 47.1, 130 47))", "EPSG:4490"],
        ],
    )
    TransformationParameterSet.objects.update(approved_at=None)
    report = boundaries_import(layer="lines", path=path, initial_load=True)
    errors = {e["line"]: (e["column"], e["reason"]) for e in report["errors"]}
    assert errors[2][0] == "坐标系" and "EPSG:32652" in errors[2][1]
    assert errors[3] == ("几何", "界线自相交")
    assert errors[4][0] == "坐标系" and "没有适用于 EPSG:2440 的已批准转换参数集" in errors[4][1]
    assert errors[5][0] == "几何" and "应为线" in errors[5][1]
    assert not BoundaryLine.objects.filter(code__startswith=line.code + "X").exists()


def test_beijing1954_markers_are_converted_with_the_approved_set(boundaries, tmp_path):
    _line, marker = boundaries
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标"],
        [[marker.number, marker.original_x, marker.original_y]],
    )
    before = marker.geom_4490
    report = boundaries_import(
        layer="markers", path=path, initial_load=True, declared_crs=marker.original_crs
    )
    assert report["conversions"][0]["source_crs"] == marker.original_crs
    assert report["conversions"][0]["parameter_set_id"] == marker.converted_with_id
    marker.refresh_from_db()
    assert marker.geom_4490.distance(before) < 1e-8  # the same set, the same place


def test_a_boundary_officers_file_becomes_one_batch_of_change_requests(boundaries, tmp_path):
    line, marker = boundaries
    officer = role_user("bnd", "boundary_officer")
    others = BoundaryMarker.objects.filter(line=line).exclude(pk=marker.pk).order_by("sequence")
    second = others.first()
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标", "坐标系", "材质"],
        [
            [*_marker_row_near(marker, east_m=1.0), ""],
            [*_marker_row_near(second), "花岗岩"],
            [f"{line.code}997Q", *_marker_row_near(marker, east_m=2.0)[1:], "混凝土"],
        ],
    )
    before = _state(BoundaryMarker)
    x_before = TO_GK43.transform(marker.geom_4490.x, marker.geom_4490.y)[0]
    dry = boundaries_import(layer="markers", path=path, user=officer, dry_run=True)
    assert len(dry["requests"]) == 3 and not ChangeRequest.objects.exists()
    report = boundaries_import(layer="markers", path=path, user=officer)
    assert [r["action"] for r in report["requests"]] == ["update", "update", "create"]
    assert _state(BoundaryMarker) == before  # nothing applied: waiting for approval
    requests = ChangeRequest.objects.order_by("pk")
    assert {r.batch for r in requests} == {requests[0].batch} and requests[0].batch
    assert all(r.status == ChangeStatus.PROPOSAL for r in requests)
    labels = {
        d["label"] for d in change_request_detail(request_id=requests[0].pk, user=officer).diff
    }
    assert "原始坐标系" in labels and "survey" not in labels  # staff see labels, not keys

    chief = role_user("chief", "administrator")
    change_services.change_request_review(request_id=requests[0].pk, user=chief)
    for r in requests:
        change_services.change_document_attach(
            request_id=r.pk,
            kind="survey",
            file=SimpleUploadedFile("s.pdf", b"%PDF-1.4"),
            title="测量成果",
            user=officer,
        )
    change_services.change_request_approve(request_id=requests[0].pk, user=chief)
    marker.refresh_from_db()
    second.refresh_from_db()
    assert marker.original_crs == "EPSG:4552" and marker.converted_with is None
    moved_x = TO_GK43.transform(marker.geom_4490.x, marker.geom_4490.y)[0]
    assert moved_x - x_before == pytest.approx(1.0, abs=1e-3)
    assert marker.cgcs_x_m == pytest.approx(moved_x, abs=1e-6)
    assert second.material == "花岗岩"
    assert BoundaryMarker.objects.get(number=f"{line.code}997Q").material == "混凝土"


def test_rows_outside_the_officers_scope_are_refused(boundaries, tmp_path):
    line, marker = boundaries
    outside = [c for c in ("230402", "230403", "230404", "230405", "230406", "230407", "230421", "230422") if c not in (line.area_a.code, line.area_b.code)]  # fmt: skip
    officer = role_user("bnd_scoped", "boundary_officer", area_codes=[outside[0]])
    path = _csv(
        tmp_path / "m.csv",
        ["界桩编号", "东坐标", "北坐标", "坐标系"],
        [_marker_row_near(marker, east_m=1.0)],
    )
    report = boundaries_import(layer="markers", path=path, user=officer)
    assert report["refused"] and report["errors"][0]["line"] == 2
    assert "不在您的编辑范围" in report["errors"][0]["reason"]
    assert not ChangeRequest.objects.exists()


def test_lines_and_markers_need_an_officer_or_an_initial_load(boundaries, tmp_path):
    out = tmp_path / "lines.gpkg"
    boundaries_export(layer="lines", fmt="gpkg", path=out)
    with pytest.raises(BoundaryImportRefused, match="法定记录"):
        boundaries_import(layer="lines", path=out)
    officer = role_user("bnd2", "boundary_officer")
    with pytest.raises(BoundaryImportRefused, match="只有系统管理员"):
        boundaries_import(layer="lines", path=out, user=officer, initial_load=True)
    planner = role_user("pl", "planner")
    with pytest.raises(Exception, match="没有导入界线数据的权限"):
        boundaries_import(layer="lines", path=out, user=planner)


def test_commands_export_and_dry_run_import(boundaries, tmp_path):
    out = tmp_path / "markers.geojson"
    stdout = StringIO()
    call_command("export_boundaries", "markers", str(out), stdout=stdout)
    assert "已导出" in stdout.getvalue()
    assert json.loads(out.read_text(encoding="utf-8"))["features"]
    out = tmp_path / "markers.csv"
    call_command("export_boundaries", "markers", str(out), stdout=StringIO())
    stdout = StringIO()
    call_command(
        "import_boundaries", "markers", str(out), "--initial-load", "--dry-run", "--json",
        stdout=stdout,
    )  # fmt: skip
    report = json.loads(stdout.getvalue())
    assert report["dry_run"] and report["errors"] == []
    bad = _csv(tmp_path / "bad.csv", ["界桩编号", "东坐标", "北坐标"], [["X", "1", "2"]])
    with pytest.raises(CommandError, match="未写入"):
        call_command(
            "import_boundaries", "markers", str(bad), "--initial-load", "--crs", "EPSG:4552",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip


def test_staff_download_exports_from_the_boundaries_page(boundaries, client):
    client.force_login(role_user("viewer", "planner"))
    page = client.get("/boundaries/")
    assert "/boundaries/export/markers.gpkg" in page.content.decode()
    response = client.get("/boundaries/export/markers.geojson")
    assert response.status_code == 200
    body = json.loads(b"".join(response.streaming_content))
    assert len(body["features"]) == BoundaryMarker.objects.count()
    gpkg = client.get("/boundaries/export/lines.gpkg")
    assert gpkg.status_code == 200 and b"".join(gpkg.streaming_content).startswith(
        b"SQLite format 3"
    )
    assert client.get("/boundaries/export/lines.shp").status_code == 404
    client.logout()
    assert client.get("/boundaries/export/markers.csv").status_code == 302  # to the login page


def test_a_beijing1954_geopackage_is_converted_and_keeps_its_original(boundaries, tmp_path):
    _line, marker = boundaries
    frame = gpd.GeoDataFrame(
        {"界桩编号": [marker.number], "材质": ["花岗岩"]},
        geometry=[Point(marker.original_x + 0.5, marker.original_y)],
        crs=marker.original_crs,
    )
    path = tmp_path / "m.gpkg"
    frame.to_file(path, driver="GPKG")
    report = boundaries_import(layer="markers", path=path, initial_load=True)
    assert report["errors"] == [] and report["updated"] == 1
    assert report["conversions"][0]["source_crs"] == marker.original_crs
    before = marker.geom_4490
    marker.refresh_from_db()
    assert (marker.original_x, marker.original_crs) == (
        pytest.approx(frame.geometry[0].x),
        frame.crs.to_string(),
    )
    assert marker.converted_with_id is not None and marker.material == "花岗岩"
    x0, _ = TO_GK43.transform(before.x, before.y)
    x1, _ = TO_GK43.transform(marker.geom_4490.x, marker.geom_4490.y)
    assert x1 - x0 == pytest.approx(0.5, abs=0.01)  # moved by the surveyed 0.5 m


def test_an_officers_new_line_is_created_only_on_approval(boundaries, tmp_path):
    line, _marker = boundaries
    townships = list(
        AdministrativeArea.objects.filter(level="township", valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    lon, lat = line.geom_4490.point_on_surface.x, line.geom_4490.point_on_surface.y
    wkt = f"LINESTRING ({lon} {lat}, {lon + 0.001} {lat + 0.001})"
    path = _csv(
        tmp_path / "l.csv",
        ["界线编号", "区域甲代码", "区域乙代码", "协议书编号", "几何", "坐标系"],
        [
            [line.code, "", "", "鹤界协〔2026〕1号", "", ""],
            ["T0001", *townships, "鹤界协〔2026〕2号", wkt, "EPSG:4490"],
        ],
    )
    officer = role_user("bnd4", "boundary_officer")
    report = boundaries_import(layer="lines", path=path, user=officer)
    assert report["errors"] == []
    assert [r["action"] for r in report["requests"]] == ["update", "create"]
    assert not BoundaryLine.objects.filter(code="T0001").exists()
    chief = role_user("chief2", "administrator")
    first = report["requests"][0]["request_id"]
    change_services.change_request_review(request_id=first, user=chief)
    for r in report["requests"]:
        change_services.change_document_attach(
            request_id=r["request_id"],
            kind="agreement",
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
            title="界线协议书",
            user=officer,
        )
    change_services.change_request_approve(request_id=first, user=chief)
    new = BoundaryLine.objects.get(code="T0001")
    assert new.agreement_ref == "鹤界协〔2026〕2号" and new.original_crs == "EPSG:4490"
    line.refresh_from_db()
    assert line.agreement_ref == "鹤界协〔2026〕1号"
