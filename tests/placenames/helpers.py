"""Helpers shared by the place-name tests: census workbooks, as files and as uploads."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile


def census_xlsx(header: list[str], rows) -> bytes:
    """Return a one-sheet workbook of ``header`` and ``rows``."""
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def census_upload(header: list[str], rows) -> SimpleUploadedFile:
    """The workbook as an officer uploads it on the officers' page."""
    return SimpleUploadedFile("档案.xlsx", census_xlsx(header, rows))
