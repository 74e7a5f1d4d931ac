"""Coverage tables as CSV or Excel (openpyxl); no cell runs as a formula.

The facility registry is exported by the importing kernel (``facilities.bulk_io``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from gis_portal.spreadsheet import csv_for_excel, safe_row


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
