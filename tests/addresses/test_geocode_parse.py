"""Readings of a typed address and the district check, without a database."""

from __future__ import annotations

import pytest

from placenames.addresses.address_parse import (
    AreaRef,
    StreetEntry,
    StreetIndex,
    area_conflicts,
    area_short_names,
    entry_pinyin,
    match_best,
    parse,
    parse_alternatives,
)

REFS = {
    "鹤岗市": AreaRef("鹤岗市", "city"),
    "向阳区": AreaRef("向阳区", "county", "向阳区"),
    "兴山区": AreaRef("兴山区", "county", "兴山区"),
    "工农区": AreaRef("工农区", "county", "工农区"),
    "光明街道": AreaRef("光明街道", "township", "向阳区"),
    "育才路街道": AreaRef("育才路街道", "township", "工农区"),
    "东明朝鲜族乡": AreaRef("东明朝鲜族乡", "township", "萝北县"),
}
AREAS = list(REFS)


def street(sid, name, county, township=""):
    return StreetEntry(sid, name, name, entry_pinyin(name), county=county, township=township)


INDEX = StreetIndex(
    [
        street(1, "金谷路", "兴山区"),
        street(2, "光明街", "向阳区", "光明街道"),
        street(3, "育才路", "工农区", "育才路街道"),
        street(4, "红旗街", "向阳区"),
    ]
)


@pytest.mark.parametrize(
    ("name", "shorts"),
    [
        ("兴山区", ["兴山"]),
        ("鹤岗市", ["鹤岗"]),
        ("光明街道", ["光明"]),
        ("育才路街道", ["育才路"]),
        ("东明朝鲜族乡", ["东明朝鲜族", "东明"]),
        ("东区", []),  # a one-character stub would strip the head of street names
    ],
)
def test_area_names_are_also_written_without_their_generic(name, shorts):
    assert area_short_names(name) == shorts


@pytest.mark.parametrize(
    ("q", "street_id", "areas", "number"),
    [
        ("鹤岗兴山金谷路269号", 1, ["鹤岗市", "兴山区"], 269),
        ("鹤岗向阳光明街64号", 2, ["鹤岗市", "向阳区"], 64),
        ("光明街12号", 2, [], 12),  # 光明 of 光明街道 leaves a bare 街: not a reading
        ("育才路12号", 3, [], 12),  # 育才路 of 育才路街道 is the street
        ("JINGU LU 269 HAO", 1, [], 269),
        ("Jingu Lu 269 Hao", 1, [], 269),
    ],
)
def test_the_reading_that_names_a_street_wins(q, street_id, areas, number):
    parsed, matches = match_best(parse_alternatives(q, area_names=AREAS), INDEX)
    assert matches[0].entry.street_id == street_id and matches[0].score >= 97
    assert (parsed.areas, parsed.number) == (areas, number)


def test_the_first_reading_is_the_old_greedy_parse():
    parsed = parse("鹤岗市向阳区光明街道新华路１２号", area_names=AREAS)
    assert (parsed.areas, parsed.street_text) == (["鹤岗市", "向阳区", "光明街道"], "新华路")


def test_a_query_of_area_names_only_is_the_area():
    parsed, matches = match_best(parse_alternatives("鹤岗兴山", area_names=AREAS), INDEX)
    assert matches == [] and parsed.areas == ["鹤岗市", "兴山区"]


@pytest.mark.parametrize(
    ("named", "county", "township", "conflicts"),
    [
        (["工农区"], "向阳区", "", ["工农区"]),
        (["向阳区"], "向阳区", "光明街道", []),
        (["鹤岗市"], "向阳区", "", []),
        (["育才路街道"], "向阳区", "光明街道", ["育才路街道"]),  # a township of another county
        (["光明街道"], "向阳区", "红军街道", ["光明街道"]),  # same county, other township
        (["光明街道"], "向阳区", "", []),  # the street's township unknown: no claim
    ],
)
def test_an_area_named_that_the_street_is_not_in_is_reported(named, county, township, conflicts):
    found = area_conflicts(named, REFS, county=county, township=township)
    assert len(found) == len(conflicts)
    for message, name in zip(found, conflicts, strict=True):
        assert name in message and "不符" in message
