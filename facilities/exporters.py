"""Facility and coverage tables as CSV or Excel (openpyxl); no cell runs as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from facilities.models import Facility
from gis_portal.spreadsheet import csv_for_excel, safe_row

FACILITY_COLUMNS = [
    ("名称", lambda f: f.name),
    ("服务项目", lambda f: f.programme.slug),
    ("类型", lambda f: f.facility_type.slug),
    ("经度", lambda f: round(f.position_4490.x, 7)),
    ("纬度", lambda f: round(f.position_4490.y, 7)),
    ("坐标系", lambda f: "CGCS2000"),
    ("地址", lambda f: f.address),
    ("状态", lambda f: f.status),
    ("容量", lambda f: "" if f.capacity is None else f.capacity),
    ("运营方式", lambda f: f.operator),
    ("启用日期", lambda f: f.opened_on.isoformat() if f.opened_on else ""),
    ("所在县（区）", lambda f: f.county.name if f.county else ""),
    ("演示数据", lambda f: "是" if f.is_demo else "否"),
]


def facility_rows(facilities: Iterable[Facility]) -> tuple[list[str], list[list]]:
    header = [name for name, _ in FACILITY_COLUMNS]
    return header, [[get(f) for _, get in FACILITY_COLUMNS] for f in facilities]


def as_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Return UTF-8 CSV with a BOM (Excel opens it as UTF-8), formula text quoted."""
    return csv_for_excel(header, rows)


def as_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Return a workbook with one sheet per entry (title → (header, rows)), formula text quoted."""
    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(safe_row(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(safe_row(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
