"""The declared parameters (gis_portal.params), without a database: one declaration parses
a request and states the schema, and refused characters are named."""

from __future__ import annotations

import re

import pytest

from gis_portal.errors import InvalidParameter
from gis_portal.params import (
    NONBLANK_PATTERN,
    TEXT_PATTERN,
    BBox,
    Bool,
    Choice,
    Date,
    Float,
    Int,
    IntList,
    ParamSet,
    Text,
    reject_unsafe_data,
    unsafe_character,
)

REFUSED = {
    "NUL": "a\x00b",
    "control": "新华路\x07",
    "DEL": "\x7f",
    "C1 control": "\x85",
    "lone surrogate": "\ud800",
    "invalid UTF-8 (replacement character)": "新\ufffd路",
}


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_refused_characters_are_named_in_chinese(value):
    reason = unsafe_character(value)
    assert reason is not None and re.search(r"U\+[0-9A-F]{4}", reason)


def test_ordinary_chinese_and_pinyin_pass():
    assert unsafe_character("兴安桥 Xing'an Qiao（东）") is None


def test_a_body_keeps_line_breaks_and_tabs_but_not_nul():
    assert unsafe_character("第一段\n第二段\r\n\t缩进", in_body=True) is None
    assert unsafe_character("第一段\x00", in_body=True) is not None
    # In a query string a line break is a control character like any other.
    assert unsafe_character("第一段\n第二段") is not None


def test_a_body_error_names_the_field_by_its_path():
    body = {"street": 1, "plates": [{"building": "3"}, {"building": "4\x00"}]}
    with pytest.raises(InvalidParameter) as caught:
        reject_unsafe_data(body)
    assert caught.value.parameter == "plates[1].building"
    assert "NUL" in caught.value.message


def test_a_refused_key_is_named_by_its_parent():
    with pytest.raises(InvalidParameter) as caught:
        reject_unsafe_data({"edits": [{"na\x01me": "x"}]})
    assert caught.value.parameter == "edits[0]"


SET = ParamSet(
    Text("q", max_length=10),
    Int("page", 1, 100, default=1),
    Float("lon", 129.4, 132.6, required=True, range_message="不在鹤岗市范围内"),
    Choice("status", ["open", "closed"]),
    Bool("fuzzy"),
    BBox(),
    Date("as_of"),
    IntList("ids", max_items=3),
)


def test_a_param_set_parses_every_declared_parameter_with_defaults():
    q = SET.parse({"lon": "130.3", "ids": "4,5", "as_of": "2025-01-31", "fuzzy": "false"})
    assert q["lon"] == 130.3 and q["page"] == 1 and q["ids"] == [4, 5]
    assert q["q"] is None and q["status"] is None and str(q["as_of"]) == "2025-01-31"
    assert q["fuzzy"] is False


@pytest.mark.parametrize(
    ("query", "parameter", "phrase"),
    [
        ({"lon": "130", "typo": "1"}, "typo", "不支持的参数"),
        ({}, "lon", "缺少此参数"),
        ({"lon": "47.3"}, "lon", "不在鹤岗市范围内"),
        ({"lon": "130", "page": "0"}, "page", "不能小于 1"),
        ({"lon": "130", "q": "长" * 11}, "q", "长度超过 10"),
        ({"lon": "130", "status": "gone"}, "status", "open, closed"),
        ({"lon": "130", "fuzzy": "yes"}, "fuzzy", "true, false"),
        ({"lon": "130", "ids": "1,2,3,4"}, "ids", "最多 3 个"),
        ({"lon": "130", "as_of": "31/01/2025"}, "as_of", "YYYY-MM-DD"),
        ({"lon": "130", "q": "a\x00"}, "q", "NUL"),
    ],
)
def test_a_bad_value_is_a_400_naming_its_parameter(query, parameter, phrase):
    with pytest.raises(InvalidParameter) as caught:
        SET.parse(query)
    assert caught.value.parameter == parameter
    assert phrase in caught.value.message


def test_the_schema_states_what_parse_enforces():
    by_name = {p.name: p.json_schema() for p in SET.params}
    assert by_name["page"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 1}
    assert by_name["lon"]["minimum"] == 129.4 and by_name["lon"]["maximum"] == 132.6
    assert by_name["q"]["maxLength"] == 10 and by_name["q"]["pattern"] == TEXT_PATTERN
    assert by_name["status"]["enum"] == ["open", "closed"]
    assert by_name["fuzzy"] == {"type": "boolean"}
    assert by_name["as_of"]["format"] == "date"
    assert re.fullmatch(by_name["ids"]["pattern"].strip("^$"), "1,22,333")
    assert not re.fullmatch(by_name["ids"]["pattern"].strip("^$"), "1,2,3,4")
    assert re.fullmatch(by_name["bbox"]["pattern"].strip("^$"), "130.1,47.2,130.5,47.6")


def test_the_text_patterns_refuse_what_parse_refuses():
    text = TEXT_PATTERN.strip("^$")
    for value in REFUSED.values():
        assert not re.fullmatch(text, value), value
    assert re.fullmatch(text, "兴安桥")
    assert not re.fullmatch(NONBLANK_PATTERN.strip("^$"), "   ")
    assert re.fullmatch(NONBLANK_PATTERN.strip("^$"), " 新 ")
