"""Spreadsheet and CSV cells that cannot run as formulas (OWASP "CSV injection"); no Django.

Excel, WPS and LibreOffice read a cell whose text begins with ``= + - @`` as a formula
(``=HYPERLINK(...)`` is a live link, DDE formulas can start programs), and a leading tab or
carriage return hides such a start from some of them. Every export of the portal passes its
cells through ``cell_safe``, which prefixes such text with a single quote, the rule OWASP
recommends: the quote shows in the cell and the rest reads as plain text. Only text is
prefixed: a number stays a number (``-3`` as an int is a value, never a formula), so
coordinates and counts keep their type.

The same test, ``is_formula_text``, tells an importer that a cell it reads is a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_text(value: object) -> bool:
    """Return True for text a spreadsheet would run as a formula (it starts with = + - @ tab CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def cell_safe(value: object) -> object:
    """Return ``value``, text that would run as a formula prefixed with ``'``; others as they are."""
    if is_formula_text(value):
        return "'" + value  # type: ignore[operator]  # is_formula_text checked it is str
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """Return one row of cells, each through ``cell_safe`` (for ``sheet.append`` or CSV)."""
    return [cell_safe(v) for v in values]


def csv_text(header: Sequence[object], rows: Iterable[Iterable[object]]) -> str:
    """Return CSV text (header first) whose every cell went through ``cell_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return buffer.getvalue()


def csv_for_excel(header: Sequence[object], rows: Iterable[Iterable[object]]) -> bytes:
    """Return ``csv_text`` as UTF-8 with a byte-order mark, so Excel opens it as UTF-8."""
    return ("\ufeff" + csv_text(header, rows)).encode("utf-8")
