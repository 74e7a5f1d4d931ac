"""Spreadsheet cells: text a spreadsheet would run as a formula is quoted; numbers are not."""

from __future__ import annotations

import csv
import io

import pytest

from gis_portal.spreadsheet import cell_safe, csv_for_excel, is_formula_text


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_text_starting_a_formula_gets_a_quote(text):
    assert is_formula_text(text)
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["新华路", "", " =1", "1-2", "'=x", -3, -2.5, 0, None])
def test_other_values_are_left_alone(value):
    assert cell_safe(value) == value
    assert not is_formula_text(value)


def test_csv_for_excel_has_a_bom_and_quotes_every_cell():
    body = csv_for_excel(["=名称", "经度"], [["=1+1", -130.5], [None, "-1"]])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["'=名称", "经度"], ["'=1+1", "-130.5"], ["", "'-1"]]
