"""Facility import/export: conversion of declared systems, all-or-nothing, dry run."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from boundaries.geodesy import wgs84_to_bd09, wgs84_to_gcj02
from facilities.models import Facility

pytestmark = pytest.mark.django_db

HEADER = ["名称", "服务项目", "类型", "经度", "纬度", "地址", "状态", "容量", "运营方式"]


def _csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_gcj02_and_bd09_points_are_stored_in_cgcs2000(tmp_path, hegang_areas):
    lon, lat = 130.2981, 47.3499
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    b_lon, b_lat = wgs84_to_bd09(lon + 0.01, lat)
    path = _csv(
        tmp_path / "f.csv",
        [
            [
                "甲日间照料中心",
                "eldercare_daycare",
                "daycare_centre",
                g_lon,
                g_lat,
                "新华路1号",
                "运营",
                30,
                "公办",
            ],
            [
                "乙日间照料中心",
                "eldercare_daycare",
                "daycare_centre",
                b_lon,
                b_lat,
                "",
                "open",
                "",
                "pbpr",
            ],
        ],
        header=HEADER,
    )
    # Per-row systems: the second row declares BD-09 in its own column.
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[0].append("坐标系")
    rows[1].append("GCJ-02")
    rows[2].append("BD-09")
    _csv(path, rows[1:], header=rows[0])
    out = StringIO()
    call_command("import_facilities", str(path), stdout=out)
    assert '"created": 2' in out.getvalue()
    a = Facility.objects.get(name="甲日间照料中心")
    assert a.position_4490.x == pytest.approx(lon, abs=1e-7)
    assert a.position_4490.y == pytest.approx(lat, abs=1e-7)
    assert a.county is not None and a.county.level == "county"
    assert a.capacity == 30
    b = Facility.objects.get(name="乙日间照料中心")
    assert b.position_4490.x == pytest.approx(lon + 0.01, abs=1e-7)
    assert b.operator == "pbpr"


def test_one_bad_row_rejects_the_file_and_dry_run_reports_the_same(tmp_path, hegang_areas):
    good = ["甲", "rescue", "rescue_point", 130.30, 47.34, "", "", "", ""]
    bad = [
        ["乙", "rescue", "no_such_type", 130.30, 47.35, "", "", "", ""],
        ["丙", "rescue", "rescue_point", 126.6, 45.7, "", "", "", ""],  # Harbin
        ["丁", "rescue", "rescue_point", 130.31, 47.35, "", "", "-3", ""],
    ]
    path = _csv(tmp_path / "bad.csv", [good, *bad])
    with pytest.raises(CommandError) as err:
        call_command("import_facilities", str(path), stdout=StringIO())
    msg = str(err.value)
    assert "第 3 行" in msg and "第 4 行" in msg and "第 5 行" in msg and "未写入" in msg
    assert not Facility.objects.exists()
    with pytest.raises(CommandError) as dry:
        call_command("import_facilities", str(path), "--dry-run", stdout=StringIO())
    assert str(dry.value) == msg


def test_export_then_import_updates_instead_of_duplicating(tmp_path, hegang_areas):
    path = _csv(
        tmp_path / "f.csv",
        [["鹤岗市殡仪馆", "funeral", "funeral_home", 130.25, 47.30, "", "运营", "", "公办"]],
    )
    call_command("import_facilities", str(path), "--dry-run", stdout=StringIO())
    assert not Facility.objects.exists()
    call_command("import_facilities", str(path), stdout=StringIO())
    out = tmp_path / "out.xlsx"
    call_command("export_facilities", str(out), stdout=StringIO())
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["名称"] == "鹤岗市殡仪馆" and row["坐标系"] == "CGCS2000"
    csv_out = tmp_path / "out.csv"
    call_command("export_facilities", str(csv_out), stdout=StringIO())
    report = StringIO()
    call_command("import_facilities", str(csv_out), stdout=report)
    # Read back unchanged, the record is matched (not duplicated) and left as it was.
    assert '"updated": 0' in report.getvalue() and '"created": 0' in report.getvalue()
    assert Facility.objects.count() == 1
