"""来历 / 含义 / 沿革 imported from census forms: atomic, errors by row and column."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from placenames.services import culture as culture_services
from placenames.services.culture import CultureImportRefused, placename_culture_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_place):
    bridge = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    village = make_place("红旗村", category="21610", division="230405", lon=130.25, lat=47.20)
    return bridge, village


def _csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_table_import_writes_the_texts_and_a_dry_run_writes_nothing(two, tmp_path):
    bridge, village = two
    rows = [
        ["代码*", "标准名称*", "地名来历", "地名含义*", "历史沿革*"],
        [bridge.place_code, "松鹤桥", "因桥畔古松得名", "松鹤延年", "1958年建"],
        [village.place_code, "红旗村", "", "寓意红旗飘扬", ""],
    ]
    path = _csv(tmp_path / "culture.csv", rows)
    trial = placename_culture_import(path=path, file_name="culture.csv", user=None, dry_run=True)
    bridge.refresh_from_db()
    assert trial.ok and trial.updated == 2 and bridge.origin == ""
    real = placename_culture_import(path=path, file_name="culture.csv", user=None, dry_run=False)
    assert real.summary().replace("已更新", "将更新") == trial.summary()
    bridge.refresh_from_db()
    village.refresh_from_db()
    assert (bridge.origin, bridge.meaning, bridge.history) == (
        "因桥畔古松得名",
        "松鹤延年",
        "1958年建",
    )
    assert (village.meaning, village.origin) == ("寓意红旗飘扬", "")
    again = placename_culture_import(path=path, file_name="culture.csv", user=None, dry_run=False)
    assert (again.updated, again.unchanged) == (0, 2)


def test_the_registration_form_itself_imports_from_excel(two, tmp_path):
    bridge, _ = two
    rows = [
        ["地名普查登记表"],
        ["代码*", bridge.place_code, "标准名称*", "松鹤桥"],
        ["地名含义*", "松鹤延年"],
        ["历史沿革*", "1958年建，1986年重修"],
    ]
    path = _xlsx(tmp_path / "form.xlsx", rows)
    report = placename_culture_import(path=path, file_name="form.xlsx", user=None, dry_run=False)
    assert report.layout == "form" and report.ok
    bridge.refresh_from_db()
    assert bridge.history == "1958年建，1986年重修"


def test_one_bad_row_refuses_the_whole_file_naming_row_and_column(two, tmp_path):
    bridge, village = two
    rows = [
        ["代码", "标准名称", "地名含义"],
        [bridge.place_code, "松鹤桥", "松鹤延年"],
        [village.place_code, "红星村", "寓意红旗飘扬"],
        ["23040500023400999999", "无此桥", "x"],
    ]
    path = _csv(tmp_path / "bad.csv", rows)
    report = placename_culture_import(path=path, file_name="bad.csv", user=None, dry_run=False)
    assert report.errors == [
        f"第 3 行 B 列「标准名称」：“红星村”与档案中代码 {village.place_code} 的标准名称“红旗村”不符",
        "第 4 行 A 列「代码」：地名档案中没有代码 23040500023400999999",
    ]
    assert report.summary() == "发现 2 处错误，未写入任何记录"
    bridge.refresh_from_db()
    assert bridge.meaning == ""  # the good row was not written either


def test_a_file_that_is_not_a_table_is_refused_in_chinese(two, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(CultureImportRefused) as refused:
        placename_culture_import(path=path, file_name="photo.csv", user=None)
    assert "CSV" in refused.value.message or "文件" in refused.value.message


@pytest.mark.parametrize("write, suffix, what", [(_csv, "csv", "文件"), (_xlsx, "xlsx", "工作表")])
def test_a_form_longer_than_the_limit_is_refused_not_cut(
    two, tmp_path, monkeypatch, write, suffix, what
):
    bridge, _ = two
    monkeypatch.setattr(culture_services, "MAX_SHEET_ROWS", 3)
    rows = [["代码", "标准名称", "地名含义"]] + [[bridge.place_code, "松鹤桥", "松鹤延年"]] * 3
    path = write(tmp_path / f"long.{suffix}", rows)
    with pytest.raises(CultureImportRefused) as refused:
        placename_culture_import(path=path, file_name=path.name, user=None, dry_run=False)
    assert f"{what}超过 3 行，请分批导入" in refused.value.message
    bridge.refresh_from_db()
    assert bridge.meaning == ""
