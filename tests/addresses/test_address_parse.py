"""Parsing typed addresses and matching street names, without a database."""

from __future__ import annotations

import pytest

from placenames.addresses.address_parse import (
    AddressQueryError,
    StreetEntry,
    StreetIndex,
    entry_pinyin,
    match_streets,
    parse,
)

AREAS = ["鹤岗市", "向阳区", "光明街道", "工农区"]


@pytest.mark.parametrize(
    ("q", "street", "number", "sub"),
    [
        ("鹤岗市向阳区光明街道新华路１２号", "新华路", 12, 0),
        ("黑龙江省鹤岗市新华路12号之一", "新华路", 12, 1),
        ("新华路12-1号", "新华路", 12, 1),
        ("新华路12号附3号", "新华路", 12, 3),
        ("新华路十二号", "新华路", 12, 0),
        ("新华路 12 号", "新华路", 12, 0),
        ("新华路", "新华路", None, 0),
    ],
)
def test_parse_typed_variants(q, street, number, sub):
    parsed = parse(q, area_names=AREAS)
    assert (parsed.street_text, parsed.number, parsed.sub_number) == (street, number, sub)


def test_parse_courtyard_building_unit_and_areas():
    parsed = parse("向阳区新华路12号院3栋2单元", area_names=AREAS)
    assert parsed.courtyard and (parsed.building, parsed.unit) == ("3", "2")
    assert parsed.areas == ["向阳区"]


def test_parse_pinyin():
    parsed = parse("Xinhua Lu 12-1", area_names=AREAS)
    assert parsed.is_pinyin and (parsed.street_text, parsed.number, parsed.sub_number) == (
        "xinhualu",
        12,
        1,
    )


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "为空"),
        ("   ", "为空"),
        ("\x00abc", "不可打印"),
        ("路" * 101, "超过"),
        ("\ufffd\ufffd", "不可打印"),
    ],
)
def test_bad_queries(q, message):
    with pytest.raises(AddressQueryError, match=message):
        parse(q)


def entry(sid, name, *, former=False, current=None, county=""):
    return StreetEntry(
        sid, name, current or name, entry_pinyin(name), county=county, is_former=former
    )


INDEX = StreetIndex(
    [
        entry(1, "新华路", county="向阳区"),
        entry(2, "新华街", county="工农区"),
        entry(3, "胜利路"),
        entry(3, "红卫路", former=True, current="胜利路"),
        entry(5, "幸福路"),
    ]
)


@pytest.mark.parametrize(
    ("q", "street_id", "how"),
    [
        ("新华路1号", 1, "exact"),
        ("新化路1号", 1, "fuzzy"),  # homophone typo
        ("xinhua lu 1", 1, "pinyin"),
        ("工农区新华街", 2, "exact"),
        ("红卫路3号", 3, "former"),
    ],
)
def test_match_streets(q, street_id, how):
    best = match_streets(parse(q, area_names=AREAS), INDEX)[0]
    assert (best.entry.street_id, best.how) == (street_id, how)


def test_the_district_breaks_a_tie():
    best = match_streets(parse("工农区新华", area_names=AREAS), INDEX)
    assert best[0].entry.street_id == 2
