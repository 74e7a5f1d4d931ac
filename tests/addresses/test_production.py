"""Production lists: what to make for a street, as a printable page and an Excel workbook."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from placenames.addresses.exporters import production_workbook
from placenames.addresses.selectors.addresses import ProductionItem
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.signs import sign_create
from placenames.addresses.services.streets import street_rename

from .conftest import EAST, NORTH_LAT, WEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed_street(make_street):
    street = make_street()
    plates_create(
        street_id=street.pk,
        requests=[
            PlateRequest(EAST - 0.001, NORTH_LAT, status="installed"),
            PlateRequest(EAST - 0.002, NORTH_LAT, status="planned"),
        ],
    )
    sign_create(
        street_id=street.pk, kind="lightbox", lon=WEST + 0.0005, lat=NORTH_LAT, status="installed"
    )
    street_rename(street_id=street.pk, new_name="兴安路", on=date(2025, 3, 1))
    return street


def test_the_list_holds_new_plates_and_what_still_carries_the_old_name(client, renamed_street):
    response = client.get("/addresses/production", {"street": renamed_street.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "兴安路门牌与路牌制作清单" in html
    assert "Xing&#x27;an Lu" in html  # GB 17733 pinyin with the apostrophe, HTML-escaped
    assert html.count("更名待换") == 2  # plate 1 and the lightbox sign still say 新华路
    assert "待制作" in html


def test_the_excel_workbook_has_one_row_per_item(client, renamed_street):
    response = client.get("/addresses/production.xlsx", {"street": renamed_street.pk})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("门牌", "兴安路", "Xing'an Lu", "1号"),
        ("门牌", "兴安路", "Xing'an Lu", "3号"),
        ("灯箱路牌", "兴安路", "Xing'an Lu", None),
    ]


def test_bad_filters_get_a_clear_error(client, db):
    response = client.get("/addresses/production", {"street": "abc"})
    assert response.status_code == 400 and "street" in response.content.decode()
    response = client.get("/addresses/production.xlsx", {"street": 999_999})
    assert response.status_code == 404 and "不存在" in response.content.decode()


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_the_workbook_never_holds_a_formula_from_a_street_or_title():
    items = [
        ProductionItem(kind="门牌", street=text, text_zh=text, text_pinyin="X", number="1号",
                       township="", county="", status="待制作", lon=130.3, lat=-47.3)
        for text in FORMULAS
    ]  # fmt: skip
    sheet = load_workbook(
        BytesIO(production_workbook(items, title=FORMULAS[0], is_demo=False))
    ).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert sheet["A1"].value == "'" + FORMULAS[0]
    streets = [r[2] for r in sheet.iter_rows(min_row=3, values_only=True)]
    # An .xlsx is XML: depending on the reader a stored CR comes back as CR or as LF; the
    # quote in front is what matters.
    assert [s.replace("\r", "\n") for s in streets] == [
        "'" + text.replace("\r", "\n") for text in FORMULAS
    ]
    assert sheet["K3"].value == -47.3  # a negative number stays a number
