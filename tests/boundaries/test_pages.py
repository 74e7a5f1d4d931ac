"""The boundary officers' pages: sign-in, fitting from a CSV, approval, conversion report,
inspections and marker history."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from boundaries.demo_loader import boundary_demo_load
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    ConversionRun,
    JointInspection,
    TransformationParameterSet,
)
from gis_portal.accounts import roles_sync, user_create_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(hegang_areas):
    return boundary_demo_load()


@pytest.fixture
def officer(client):
    roles_sync()
    user = user_create_with_role(username="bd", password="pw-boundary-1", role="boundary_officer")
    client.force_login(user)
    return user


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader", password="pw-reader-12")
    client.force_login(user)
    return user


def test_pages_need_a_signed_in_user(client):
    r = client.get("/boundaries/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_index_lists_the_demo_lines_marked_as_demo(client, demo, officer):
    r = client.get("/boundaries/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "演示数据" in html
    assert html.count("记录联检") == 12
    assert "向阳区—工农区线" in html


def test_fit_page_saves_an_unapproved_set_and_approval_enables_conversion(client, demo, officer):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    csv_text = client.get(f"/boundaries/parameters/{ps.pk}/points.csv").content
    upload = SimpleUploadedFile("points.csv", csv_text, content_type="text/csv")
    r = client.post(
        "/boundaries/parameters/",
        {
            "name": "复核拟合",
            "points_file": upload,
            "model": "7p",
            "source_crs": "EPSG:2440",
            "target_crs": "EPSG:4552",
        },
    )
    assert r.status_code == 302
    new = TransformationParameterSet.objects.get(name="复核拟合")
    assert new.approved_at is None and new.rejected == ["GP07"]
    page = client.get(f"/boundaries/parameters/{new.pk}/").content.decode()
    assert "未审批" not in page or "审批通过" in page
    assert "GP07" in page and "已剔除" in page
    r = client.post(f"/boundaries/parameters/{new.pk}/", {"action": "convert"})
    assert "尚未审批" in r.content.decode()
    client.post(f"/boundaries/parameters/{new.pk}/", {"action": "approve", "approved_by": "李处长"})
    new.refresh_from_db()
    assert new.approved_by == "李处长"
    r = client.post(f"/boundaries/parameters/{new.pk}/", {"action": "dry_run"})
    assert "试运行结果" in r.content.decode()
    r = client.post(f"/boundaries/parameters/{new.pk}/", {"action": "convert"})
    run = ConversionRun.objects.get(parameter_set=new)
    assert r.status_code == 302 and r["Location"] == f"/boundaries/conversions/{run.pk}/"
    report = client.get(r["Location"]).content.decode()
    assert "转换报告" in report and "最大位移" in report and "检查点" in report
    assert str(run.report["vertices_converted"]) in report


def test_fit_page_shows_a_clear_error_for_swapped_axes(client, demo, officer):
    text = "id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst\n" + "".join(
        f"P{i},common,{5250000 + i * 900},{520000 + (i * i) * 300},,{520100 + (i * i) * 300},{5250100 + i * 900},\n"
        for i in range(6)
    )
    r = client.post(
        "/boundaries/parameters/",
        {
            "name": "错误",
            "points_file": SimpleUploadedFile("p.csv", text.encode()),
            "model": "4p",
            "source_crs": "EPSG:2440",
            "target_crs": "EPSG:4552",
        },
    )
    assert r.status_code == 200
    assert "互换" in r.content.decode()
    assert not TransformationParameterSet.objects.filter(name="错误").exists()


def test_a_reader_cannot_fit_or_convert(client, demo, reader):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    assert client.get("/boundaries/").status_code == 200
    r = client.post(f"/boundaries/parameters/{ps.pk}/", {"action": "convert"})
    assert r.status_code == 403


def test_recording_an_inspection_moves_the_line_off_the_overdue_list(client, demo, officer):
    due = client.get("/boundaries/inspections/").content.decode()
    assert "已逾期" in due
    line = BoundaryLine.objects.order_by("code").first()
    markers = list(line.markers.order_by("sequence", "type_code"))
    data = {
        "inspected_on": dt.date.today().isoformat(),
        "participants": "向阳区民政局、工农区民政局",
        "summary": "界桩一处丢失",
    }
    for m in markers:
        data[f"state_{m.pk}"] = "intact"
        data[f"note_{m.pk}"] = ""
    data[f"state_{markers[0].pk}"] = "missing"
    data[f"note_{markers[0].pk}"] = "修路时被挖走"
    r = client.post(f"/boundaries/lines/{line.code}/inspect/", data)
    assert r.status_code == 302
    inspection = JointInspection.objects.get(line=line, is_demo=False)
    assert inspection.next_due == dt.date.today().replace(year=dt.date.today().year + 5)
    history = client.get(f"/boundaries/markers/{markers[0].number}/").content.decode()
    assert "丢失" in history and "修路时被挖走" in history
    # A second inspection the same day is refused and nothing is written.
    r = client.post(f"/boundaries/lines/{line.code}/inspect/", data)
    assert "已有联检记录" in r.content.decode()
    assert JointInspection.objects.filter(line=line, is_demo=False).count() == 1


def test_inspection_in_the_future_is_refused(client, demo, officer):
    line = BoundaryLine.objects.order_by("code").first()
    data = {
        "inspected_on": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        "participants": "x",
    }
    for m in line.markers.all():
        data[f"state_{m.pk}"] = "intact"
    r = client.post(f"/boundaries/lines/{line.code}/inspect/", data)
    assert "不能晚于今天" in r.content.decode()


def test_topology_page_and_marker_page(client, demo, officer):
    r = client.get("/boundaries/topology/")
    assert r.status_code == 200 and "拓扑检查" in r.content.decode()
    r = client.get("/boundaries/topology/", {"line_tol_m": "x"})
    assert "界线与公共边容差 (m) 无效：不是数字" in r.content.decode()  # the label, not the name
    marker = BoundaryMarker.objects.first()
    page = client.get(f"/boundaries/markers/{marker.number}/").content.decode()
    assert "EPSG:244" in page and "CGCS2000" in page


def test_import_page_checks_then_imports_a_marker_table(client, demo, officer):
    text = "界桩编号,东坐标,北坐标\n04020403001Q,595368.79,5247553.36\n"
    upload = SimpleUploadedFile("m.csv", text.encode("gbk"))
    r = client.post(
        "/boundaries/import/",
        {"kind": "markers", "survey_file": upload, "declared_crs": "EPSG:2440", "dry_run": "on"},
    )
    page = r.content.decode()
    assert "检查结果（未写入）" in page and "更新 1" in page
    assert BoundaryMarker.objects.get(number="04020403001Q").converted_with is not None
    upload = SimpleUploadedFile("m.csv", text.encode("gbk"))
    r = client.post(
        "/boundaries/import/",
        {"kind": "markers", "survey_file": upload, "declared_crs": "EPSG:4552"},
    )
    assert "已导入" in r.content.decode()
    upload = SimpleUploadedFile("e.dxf", b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF\n")
    r = client.post(
        "/boundaries/import/",
        {
            "kind": "dxf",
            "survey_file": upload,
            "declared_crs": "EPSG:2440",
            "line_code": "04020403",
        },
    )
    assert "没有线图元" in r.content.decode()


def test_parameter_page_shows_residuals_in_centimetres(client, demo, officer):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    page = client.get(f"/boundaries/parameters/{ps.pk}/").content.decode()
    blunder_cm = f"{ps.residuals_m['GP07'] * 100:.2f}"
    assert blunder_cm.startswith("2") and f">{blunder_cm}<" in page


def test_the_common_point_download_quotes_formula_ids(client, officer):
    ids = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    ps = TransformationParameterSet.objects.create(
        name="公式点",
        model="4p",
        parameters={},
        source_crs="EPSG:2440",
        target_crs="EPSG:4552",
        pipeline="",
        rms_m=0.0,
        common_points=[
            {"id": i, "role": "common", "x_src": -1.5, "y_src": 2.0, "h_src": None,
             "x_dst": 1.0, "y_dst": 2.0, "h_dst": None}
            for i in ids
        ],
    )  # fmt: skip
    body = client.get(f"/boundaries/parameters/{ps.pk}/points.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert [r[0] for r in rows] == ["'" + i for i in ids]
    assert {r[2] for r in rows} == {"-1.5"}  # a number is written as a number
