"""The attribute rules of the new layers' forms (no database)."""

from __future__ import annotations

import pytest

from gis_portal.editing.attributes import ChoiceRule, NumberRule
from gis_portal.editing.errors import InvalidEdit

STATUS = ChoiceRule("状态", (("planned", "待制作"), ("installed", "在用")))


def test_a_choice_is_its_value_or_its_chinese_label():
    assert STATUS.clean("status", "installed") == "installed"
    assert STATUS.clean("status", " 在用 ") == "installed"
    with pytest.raises(InvalidEdit) as exc:
        STATUS.clean("status", "损坏")
    assert exc.value.field == "status" and "待制作、在用" in exc.value.message


def test_choices_may_come_from_rows():
    rule = ChoiceRule("设施类型", lambda: (("daycare_centre", "日间照料中心"),))
    assert rule.clean("facility_type", "日间照料中心") == "daycare_centre"
    assert rule.options() == (("daycare_centre", "日间照料中心"),)


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), (12, 12), (12.0, 12), ("", None), (None, None)]
)
def test_whole_numbers(value, expected):
    assert NumberRule("门牌号", 1, 99_999).clean("number", value) == expected


@pytest.mark.parametrize("value", ["12.5", 0, 100_000, "十二", True, float("nan"), "inf"])
def test_bad_numbers_name_the_field(value):
    with pytest.raises(InvalidEdit) as exc:
        NumberRule("门牌号", 1, 99_999).clean("number", value)
    assert exc.value.field == "number" and "门牌号" in exc.value.message


def test_a_required_number_and_a_real_one():
    with pytest.raises(InvalidEdit, match="不能为空"):
        NumberRule("门牌号", 1, 9, required=True).clean("number", "")
    assert NumberRule("每号米数", 0.1, 1000, integer=False).clean("m", "2.5") == 2.5
