"""The small tables of the plan (indicators, standards, demand, cost matrices) are read by the
importing kernel's readers, as text: formulas as their text, dates in ISO, refusals in Chinese."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from gis_portal.importing.readers import (
    FileRefused,
    read_text_grid,
    read_text_lines,
    read_xlsx_sheets,
)


def _book(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_workbook_cells_are_read_as_text(tmp_path):
    path = _book(
        tmp_path / "t.xlsx",
        {
            "指标": [
                ["名称", "日期", "数值"],
                ["甲", dt.date(2026, 3, 1), 92.5],
                [],
                ["乙", None, "=1+2"],
            ]
        },
    )
    assert read_text_lines(path) == [
        (2, {"名称": "甲", "日期": "2026-03-01", "数值": "92.5"}),
        (4, {"名称": "乙", "日期": "", "数值": "=1+2"}),  # a formula is never evaluated
    ]


def test_every_sheet_by_title_and_an_empty_sheet_has_no_rows(tmp_path):
    path = _book(tmp_path / "s.xlsx", {"服务项目与标准": [["代码"], ["eldercare"]], "空": []})
    assert read_xlsx_sheets(path) == {"服务项目与标准": [(2, {"代码": "eldercare"})], "空": []}


def test_a_grid_keeps_a_repeated_header_cell(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("需求点,S1,S1\nD1,10,20\n\n", encoding="utf-8")
    assert read_text_grid(path) == [["需求点", "S1", "S1"], ["D1", "10", "20"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.txt", b"a,b\n", "不支持的文件类型 .txt（应为 .csv 或 .xlsx）"),
        ("t.xlsx", b"not a zip", "已损坏或被截断"),
        ("t.csv", b"\xff\xfe\x00\x00broken", "无法识别文件编码"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_in_chinese(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused, match=message) as refused:
        read_text_lines(path)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))
