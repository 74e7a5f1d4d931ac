"""Read demand tables (CSV or Excel) before anything touches the database.

The facility registry is imported through the importing kernel (``facilities.bulk_io``);
this reader serves ``import_demand``. Formulas are never evaluated: an Excel formula cell
is read as its formula text, and a value starting with ``=`` is refused, naming the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from gis_portal.archives import ArchiveRefused, ZipLimits, zip_open, zip_verify

# openpyxl unzips trusting the parts' declared sizes: they are inflated once, counted.
XLSX_LIMITS = ZipLimits(max_members=1000, max_total_bytes=200 * 1024 * 1024)


def read_table(path: Path) -> list[dict[str, str]]:
    """Return the rows of a .csv or .xlsx file as dicts of strings keyed by header.

    An Excel formula cell gives its formula text (``=…``), never its cached result.
    Raises ``ValueError`` with a Chinese message (never the parser's own text) for a file
    that is not what its extension says; ``UnicodeDecodeError`` for a non-UTF-8 CSV.
    """
    return [row for _line, row in read_table_lines(path)]


def read_table_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return (line number in the file, row) pairs, as ``read_table`` reads them.

    Line 1 is the header; blank rows are skipped but keep their numbers counted, so an
    error names the row a user sees in Excel.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        text = Path(path).read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        return [(reader.line_num, dict(r)) for r in reader]
    if suffix == ".xlsx":
        return _read_xlsx(Path(path))
    raise ValueError(f"不支持的文件类型 {suffix}（应为 .csv 或 .xlsx）")


def read_grid(path: Path) -> list[list[str]]:
    """Return the cells of a .csv or .xlsx file as rows of strings, the header row first.

    For tables whose header matters column by column (a cost matrix's site ids): nothing is
    keyed by header, so a repeated header cell is still there to be refused. The same
    guards as ``read_table``: formula text never evaluated, archives checked, Chinese errors.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        text = Path(path).read_text(encoding="utf-8-sig")
        return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text)) if any(r)]
    if suffix == ".xlsx":
        return [
            ["" if v is None else _cell(v) for v in r]
            for r in _xlsx_rows(Path(path))
            if any(v not in (None, "") for v in r)
        ]
    raise ValueError(f"不支持的文件类型 {suffix}（应为 .csv 或 .xlsx）")


def _xlsx_rows(path: Path) -> list[tuple]:
    try:
        with zip_open(path, limits=XLSX_LIMITS) as archive:
            zip_verify(archive, limits=XLSX_LIMITS)
    except ArchiveRefused as exc:
        raise ValueError(f"Excel 文件被拒绝：{exc}") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            return list(book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
    except Exception:  # openpyxl raises zip/XML/key errors of several kinds
        raise ValueError("文件内容不是有效的 Excel 工作簿") from None


def _read_xlsx(path: Path) -> list[tuple[int, dict[str, str]]]:
    rows = _xlsx_rows(path)
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    return [
        (line, {h: "" if v is None else _cell(v) for h, v in zip(header, r, strict=False)})
        for line, r in enumerate(rows[1:], start=2)
        if any(v not in (None, "") for v in r)
    ]


def read_xlsx_sheets(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Return every sheet of a workbook as (line, row) pairs keyed by the sheet's title."""
    if Path(path).suffix.lower() != ".xlsx":
        raise ValueError(f"不支持的文件类型 {Path(path).suffix.lower()}（应为 .xlsx）")
    try:
        with zip_open(path, limits=XLSX_LIMITS) as archive:
            zip_verify(archive, limits=XLSX_LIMITS)
    except ArchiveRefused as exc:
        raise ValueError(f"Excel 文件被拒绝：{exc}") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
        finally:
            book.close()
    except Exception:  # openpyxl raises zip/XML/key errors of several kinds
        raise ValueError("文件内容不是有效的 Excel 工作簿") from None
    out = {}
    for title, rows in sheets.items():
        if not rows:
            out[title] = []
            continue
        header = [str(h or "").strip() for h in rows[0]]
        out[title] = [
            (line, {h: "" if v is None else _cell(v) for h, v in zip(header, r, strict=False)})
            for line, r in enumerate(rows[1:], start=2)
            if any(v not in (None, "") for v in r)
        ]
    return out


def _cell(value) -> str:
    if isinstance(value, ArrayFormula | DataTableFormula):
        text = getattr(value, "text", None) or ""
        return text if text.startswith("=") else "=" + text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def formula_problems(values: dict[str, str]) -> list[str]:
    """Return one problem per column (keyed by its label) whose value is a formula."""
    return [
        f"{label}是公式（{value[:20]!r}）：不执行公式，请改为文字或数值后再导入"
        for label, value in values.items()
        if isinstance(value, str) and value.startswith("=")
    ]
