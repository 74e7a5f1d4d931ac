"""Production lists as Excel workbooks (openpyxl); no cell runs as a formula."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gis_portal.spreadsheet import cell_safe, safe_row
from placenames.addresses.selectors.addresses import ProductionItem

HEADERS = ("序号", "类型", "街路巷", "牌面中文", "牌面拼音（GB 17733）", "门牌号", "所在街道/乡镇", "所在县（区）", "制作原因", "经度", "纬度")  # fmt: skip


def production_workbook(items: Sequence[ProductionItem], *, title: str, is_demo: bool) -> bytes:
    """Return an .xlsx of the plates and signs to make, one row each."""
    wb = Workbook()
    ws = wb.active
    ws.title = "制作清单"
    heading = f"{title}（演示数据）" if is_demo else title
    ws.append([cell_safe(heading)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, it in enumerate(items, start=1):
        ws.append(safe_row(
            [i, it.kind, it.street, it.text_zh, it.text_pinyin, it.number, it.township,
             it.county, it.status, round(it.lon, 7), round(it.lat, 7)]
        ))  # fmt: skip
    for col, width in zip("ABCDEFGHIJK", (6, 12, 14, 14, 24, 12, 14, 12, 10, 13, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
