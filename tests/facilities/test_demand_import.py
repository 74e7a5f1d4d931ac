"""Demand import: by point or by division code, all rows or none."""

from __future__ import annotations

import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from facilities.models import DemandUnit

pytestmark = pytest.mark.django_db


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_points_and_division_codes_are_imported_with_extra_fields(tmp_path, hegang_areas):
    path = _write(
        tmp_path / "d.csv",
        "code,lon,lat,division_code,population,age_0_14,age_60_plus,age_65_plus,age_80_plus,disabled\n"
        "A1,130.30,47.34,,1000,100,300,200,50,12\n"
        "B1,,,230422,500,40,120,90,20,\n",
    )
    out = StringIO()
    call_command("import_demand", str(path), "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["created"] == 2 and not DemandUnit.objects.exists()
    call_command("import_demand", str(path), stdout=StringIO())
    a = DemandUnit.objects.get(code="A1")
    assert a.age_60_plus == 300 and a.extra == {"disabled": "12"}
    b = DemandUnit.objects.get(code="B1")
    assert b.county.name == "绥滨县" and b.source == "import"


def test_bad_rows_reject_the_whole_file(tmp_path, hegang_areas):
    path = _write(
        tmp_path / "d.csv",
        "code,lon,lat,population,age_0_14,age_60_plus,age_65_plus,age_80_plus\n"
        "A1,130.30,47.34,1000,100,300,200,50\n"
        "A2,130.30,47.34,100,10,30,40,5\n"  # 65+ > 60+
        "A3,126.6,45.7,100,10,30,20,5\n",  # Harbin
    )
    with pytest.raises(CommandError) as err:
        call_command("import_demand", str(path), stdout=StringIO())
    assert "第 3 行" in str(err.value) and "第 4 行" in str(err.value)
    assert not DemandUnit.objects.exists()


def test_polygons_are_imported_as_the_units_area(tmp_path, hegang_areas):
    square = "POLYGON((130.29 47.33, 130.31 47.33, 130.31 47.35, 130.29 47.35, 130.29 47.33))"
    path = _write(
        tmp_path / "p.csv",
        f'code,wkt,population,age_60_plus\nP1,"{square}",800,200\n',
    )
    call_command("import_demand", str(path), stdout=StringIO())
    unit = DemandUnit.objects.get(code="P1")
    assert unit.area_4490.geom_type == "MultiPolygon"
    assert unit.area_4490.contains(unit.position_4490)
    assert unit.age_60_plus == 200


def test_bad_polygons_are_named_and_nothing_is_written(tmp_path, hegang_areas):
    path = _write(
        tmp_path / "p.csv",
        "code,wkt,population\n"
        'L1,"LINESTRING(130.29 47.33, 130.31 47.35)",10\n'
        'X1,"POLYGON((130.29 47.33, 130.31",10\n'
        'B1,"POLYGON((130.29 47.33, 130.31 47.35, 130.31 47.33, 130.29 47.35, 130.29 47.33))",10\n'
        'F1,"POLYGON((126.6 45.7, 126.7 45.7, 126.7 45.8, 126.6 45.7))",10\n',
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_demand", str(path), stdout=StringIO())
    text = str(exc.value)
    assert "第 2 行：wkt 应为面" in text
    assert "第 3 行：wkt 无法解析" in text
    assert "第 4 行：wkt 面无效" in text
    assert "第 5 行：位置不在鹤岗市范围内" in text
    assert not DemandUnit.objects.exists()


def test_a_formula_cell_is_refused_not_evaluated(tmp_path, hegang_areas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "lon", "lat", "population", "age_60_plus", "age_65_plus"])
    sheet.append(["A1", 130.30, 47.34, "=SUM(1,2)", 1, 1])  # Excel would cache 3
    path = tmp_path / "d.xlsx"
    book.save(path)
    with pytest.raises(CommandError) as err:
        call_command("import_demand", str(path), stdout=StringIO())
    assert "第 2 行：population是公式" in str(err.value)
    assert "不是数字" not in str(err.value)
    assert not DemandUnit.objects.exists()


def test_a_blank_row_keeps_the_line_numbers_a_user_sees(tmp_path, hegang_areas):
    # The table is read as every import reads it: a blank row is skipped but still counted,
    # and a GBK file (as Excel saves CSV on a Chinese Windows) is read too.
    path = tmp_path / "d.csv"
    path.write_bytes(
        ("code,lon,lat,population\nA1,130.30,47.34,1000\n,,,\nA2,130.30,47.34,很多\n").encode("gbk")
    )
    with pytest.raises(CommandError) as err:
        call_command("import_demand", str(path), stdout=StringIO())
    assert "第 4 行：population 不是数字（'很多'）" in str(err.value)
    assert not DemandUnit.objects.exists()
