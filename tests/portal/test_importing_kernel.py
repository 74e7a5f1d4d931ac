"""The import kernel's pure parts, without a database: headings, cells, report, CRS."""

from __future__ import annotations

import datetime as dt

import pytest

from gis_portal.importing import columns as cells
from gis_portal.importing.columns import Column, HeadingMap, required_missing
from gis_portal.importing.crs import FileRefused, crs_to_epsg, is_beijing1954
from gis_portal.importing.report import MAX_LISTED_ERRORS, ImportReport, RowError

COLUMNS = (
    Column("street", "街路巷", ("街路巷名称",), required=True),
    Column("division", "行政区划代码"),
    Column("number", "门牌号", required=True),
)


def test_headings_map_by_label_alias_and_a_dbf_truncated_prefix():
    headings = HeadingMap.of(COLUMNS)
    mapped, unknown = headings.map(
        {"街路巷名称": "新华路", "行政区划代": "230402", "备 注": "x", "门牌号": ""}
    )
    assert mapped == {"street": "新华路", "division": "230402"}
    assert unknown == ["备 注"]
    assert required_missing(mapped, COLUMNS) == [("门牌号", "必填项为空")]


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), (12, 12), (12.0, 12), (" 7 ", 7), ("+3", 3)]
)
def test_integers_read_as_spreadsheets_give_them(value, expected):
    assert cells.integer(value, low=1, high=99) == expected


@pytest.mark.parametrize("value", ["十二", "1.5", 1.5, "0", "100", "nan"])
def test_bad_integers_are_refused_in_chinese(value):
    with pytest.raises(ValueError, match=r"应为整数|应在"):
        cells.integer(value, low=1, high=99)


def test_decimals_refuse_nan_infinity_and_words():
    assert cells.decimal("130.285") == 130.285
    for bad in ("nan", "inf", "东经"):
        with pytest.raises(ValueError):
            cells.decimal(bad)


def test_dates_and_choices():
    assert cells.date("2024年5月1日") == dt.date(2024, 5, 1)
    assert cells.date("2020") == dt.date(2020, 1, 1)
    with pytest.raises(ValueError, match="不存在"):
        cells.date("2024-02-30")
    choices = {"installed": "在用", "retired": "已注销"}
    assert cells.choice("在用", choices, what="状态") == "installed"
    assert cells.choice("retired", choices, what="状态") == "retired"
    with pytest.raises(ValueError, match="状态应为 在用、已注销 之一"):
        cells.choice("丢了", choices, what="状态")


def test_optional_cells_give_the_default_when_empty_and_name_the_column_when_bad():
    choices = {"installed": "在用", "retired": "已注销"}
    problems: list[tuple[str, str]] = []
    mapped = {"status": "已注销", "on": "2024-02-30", "unit": "三单元", "building": "x" * 21}
    assert cells.optional_choice(mapped, "status", choices, "状态", problems) == "retired"
    assert (
        cells.optional_choice({}, "status", choices, "状态", problems, "installed") == "installed"
    )
    assert cells.optional(mapped, "on", cells.date, "安装时间", problems, "none") == "none"
    limits = {"unit": ("单元", 20), "building": ("楼栋", 20), "name": ("牌面街路名", 50)}
    texts = cells.limited_texts(mapped, limits, problems)
    assert texts == {"unit": "三单元", "building": "x" * 21, "name": ""}
    assert [label for label, _ in problems] == ["安装时间", "楼栋"]
    assert "不存在" in problems[0][1] and problems[1][1] == "超过 20 个字符"


def test_formula_text_is_a_problem_but_negative_numbers_are_not():
    assert cells.formula_problem("=HYPERLINK(1)")
    assert cells.formula_problem("@SUM(A1)")
    assert cells.formula_problem("-3") is None
    assert cells.formula_problem("新华路") is None


def test_the_report_lists_the_first_errors_and_counts_them_all():
    report = ImportReport(file_name="x.csv")
    report.add_errors([RowError(i, "门牌号", "坏") for i in range(2, MAX_LISTED_ERRORS + 12)])
    assert len(report.errors) == MAX_LISTED_ERRORS
    assert report.refused_rows == MAX_LISTED_ERRORS + 10
    assert str(report.errors[0]) == "第 2 行 [门牌号]：坏"


def test_crs_whitelist_and_beijing1954():
    assert crs_to_epsg("EPSG:4490", what="文件") == 4490
    assert crs_to_epsg("EPSG:4552", what="文件") == 4552
    assert is_beijing1954(2440) and is_beijing1954(4214) and not is_beijing1954(4490)
    assert crs_to_epsg("EPSG:2440", what="文件", beijing1954_ok=True) == 2440
    with pytest.raises(FileRefused, match="北京 1954 坐标须先经批准的转换参数转换"):
        crs_to_epsg("EPSG:2440", what="文件")
    with pytest.raises(FileRefused, match="不在允许范围"):
        crs_to_epsg("EPSG:3857", what="文件")
