"""The numbering module, without a database: sides, chainage and proposed numbers."""

from __future__ import annotations

import math

import pytest

from gis_portal.metric_crs import to_lonlat, to_metric
from placenames.addresses.numbering import (
    END,
    LEFT,
    PER_METRE,
    RIGHT,
    START,
    ExistingPlate,
    NumberingError,
    NumberingRule,
    format_number,
    locate,
    locate_many,
    propose_number,
    rule_beijing,
    rule_songbei,
    validate_line,
)

# An east–west street drawn west→east, 400 m long; and a north–south one drawn south→north.
EW_WEST_TO_EAST = [(0.0, 0.0), (400.0, 0.0)]
NS_SOUTH_TO_NORTH = [(0.0, 0.0), (0.0, 300.0)]


def test_side_and_chainage_on_a_straight_street():
    loc = locate(EW_WEST_TO_EAST, 100.0, 8.0)  # 8 m north of the line, 100 m from the start
    assert loc.side == LEFT  # facing east, north is on the left
    assert loc.chainage_m == pytest.approx(100.0)
    assert loc.offset_m == pytest.approx(8.0)
    loc = locate(EW_WEST_TO_EAST, 100.0, -8.0, base_end=END)  # numbered from the east end
    assert loc.side == LEFT  # facing west, south is on the left
    assert loc.chainage_m == pytest.approx(300.0)


def test_chainage_follows_a_bent_street():
    bent = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0)]
    loc = locate(bent, 110.0, 50.0)
    assert loc.chainage_m == pytest.approx(150.0)
    assert loc.side == RIGHT  # facing north on the second leg, east is on the right
    chainage, side, offset = locate_many(bent, [10, 90], [5, -5])
    assert chainage.tolist() == pytest.approx([10.0, 90.0])
    assert side.tolist() == [1, -1]
    assert offset.tolist() == pytest.approx([5.0, 5.0])


def test_a_door_on_the_centre_line_has_no_side():
    with pytest.raises(NumberingError, match="中线"):
        locate(EW_WEST_TO_EAST, 50.0, 0.0)


def test_beijing_rule_east_west_from_the_east_north_side_odd():
    rule = rule_beijing(EW_WEST_TO_EAST)
    assert rule.base_end == END  # the east end is the line's end
    north_door = locate(EW_WEST_TO_EAST, 390.0, 10.0, base_end=rule.base_end)
    assert north_door.side == rule.odd_side
    first = propose_number(rule=rule, location=north_door, existing=[])
    assert (first.number, first.sub_number) == (1, 0)
    south_door = locate(EW_WEST_TO_EAST, 390.0, -10.0, base_end=rule.base_end)
    assert propose_number(rule=rule, location=south_door, existing=[]).number == 2


def test_beijing_rule_north_south_from_the_north_west_side_odd():
    rule = rule_beijing(NS_SOUTH_TO_NORTH)
    assert rule.base_end == END  # the north end
    west_door = locate(NS_SOUTH_TO_NORTH, -10.0, 290.0, base_end=rule.base_end)
    assert propose_number(rule=rule, location=west_door, existing=[]).number % 2 == 1
    east_door = locate(NS_SOUTH_TO_NORTH, 10.0, 290.0, base_end=rule.base_end)
    assert propose_number(rule=rule, location=east_door, existing=[]).number % 2 == 0


def test_songbei_rule_one_number_per_two_metres_south_side_odd():
    line = [(400.0, 0.0), (0.0, 0.0)]  # drawn east→west: the base (east) is the start
    rule = rule_songbei(line)
    assert rule.base_end == START and rule.mode == PER_METRE
    # 37 m from the east end on the south side: slot 18 → 2*18+1 = 37.
    south = locate(line, 363.0, -6.0, base_end=rule.base_end)
    assert south.side == rule.odd_side
    assert propose_number(rule=rule, location=south, existing=[]).number == 37
    north = locate(line, 363.0, 6.0, base_end=rule.base_end)
    assert propose_number(rule=rule, location=north, existing=[]).number == 38


def test_songbei_rule_north_south_east_side_odd():
    rule = rule_songbei(NS_SOUTH_TO_NORTH)
    east = locate(NS_SOUTH_TO_NORTH, 5.0, 299.0, base_end=rule.base_end)  # 1 m from the north
    assert propose_number(rule=rule, location=east, existing=[]).number == 1


def test_songbei_gives_a_sub_number_when_the_two_metre_slot_is_taken():
    rule = NumberingRule(base_end=START, odd_side=LEFT, mode=PER_METRE, metres_per_number=2.0)
    loc = locate(EW_WEST_TO_EAST, 37.5, 5.0)  # left, slot 18 → 37
    existing = [ExistingPlate(37, 0, 36.4), ExistingPlate(37, 1, 36.9)]
    proposal = propose_number(rule=rule, location=loc, existing=existing)
    assert (proposal.number, proposal.sub_number) == (37, 2)
    assert proposal.text == "37号之二"


def test_per_door_takes_the_next_number_of_the_same_parity():
    rule = NumberingRule(base_end=START, odd_side=RIGHT)
    existing = [ExistingPlate(1, 0, 10.0), ExistingPlate(3, 0, 30.0), ExistingPlate(2, 0, 60.0)]
    loc = locate(EW_WEST_TO_EAST, 50.0, -5.0)  # right side, after 3
    proposal = propose_number(rule=rule, location=loc, existing=existing)
    assert (proposal.number, proposal.sub_number) == (5, 0)


def test_per_door_between_two_consecutive_numbers_gets_a_sub_number():
    rule = NumberingRule(base_end=START, odd_side=RIGHT)
    existing = [
        ExistingPlate(1, 0, 10.0),
        ExistingPlate(3, 0, 30.0),
        ExistingPlate(3, 1, 35.0),
        ExistingPlate(5, 0, 50.0),
    ]
    loc = locate(EW_WEST_TO_EAST, 40.0, -5.0)  # between 3之一 and 5
    proposal = propose_number(rule=rule, location=loc, existing=existing)
    assert (proposal.number, proposal.sub_number) == (3, 2)
    assert "无空号" in proposal.reason


def test_per_door_uses_a_free_number_in_a_gap():
    rule = NumberingRule(base_end=START, odd_side=RIGHT)
    existing = [ExistingPlate(1, 0, 10.0), ExistingPlate(9, 0, 90.0)]
    loc = locate(EW_WEST_TO_EAST, 40.0, -5.0)
    assert propose_number(rule=rule, location=loc, existing=existing).number == 3


def test_per_door_after_the_last_plate_whose_next_number_is_taken_gets_a_sub_number():
    # Plates out of order along the street: 5 stands before 3. A door past 3 (the last
    # plate) would take 5, which is taken; with no plate after it, it is 3之一.
    rule = NumberingRule(base_end=START, odd_side=RIGHT)
    existing = [ExistingPlate(1, 0, 5.0), ExistingPlate(5, 0, 10.0), ExistingPlate(3, 0, 20.0)]
    loc = locate(EW_WEST_TO_EAST, 30.0, -5.0)
    proposal = propose_number(rule=rule, location=loc, existing=existing)
    assert (proposal.number, proposal.sub_number) == (3, 1)
    assert proposal.text == "3号之一"
    assert "5号已有门牌" in proposal.reason


def test_a_door_before_number_one_gets_a_sub_number_of_one():
    rule = NumberingRule(base_end=START, odd_side=RIGHT)
    loc = locate(EW_WEST_TO_EAST, 2.0, -5.0)
    proposal = propose_number(rule=rule, location=loc, existing=[ExistingPlate(1, 0, 10.0)])
    assert (proposal.number, proposal.sub_number) == (1, 1)


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        ([(0.0, 0.0), (0.0, 0.0)], "零长度"),
        ([(0.0, 0.0)], "两个点"),
        ([(0.0, 0.0), (100.0, 0.0), (50.0, 50.0), (50.0, -50.0)], "自相交"),
        ([(0.0, 0.0), (math.nan, 1.0)], "无效坐标"),
    ],
)
def test_bad_street_lines_are_refused(coords, message):
    with pytest.raises(NumberingError, match=message):
        validate_line(coords)


def test_bad_rules_are_refused():
    with pytest.raises(NumberingError, match="每号米数"):
        NumberingRule(mode=PER_METRE, metres_per_number=0)
    with pytest.raises(NumberingError, match="单号一侧"):
        NumberingRule(odd_side="north")


def test_metric_round_trip_in_hegang():
    x, y = to_metric(130.3, 47.33)
    assert 500_000 < x < 600_000  # east of the central meridian 129°E
    lon, lat = to_lonlat(x, y)
    assert (lon, lat) == pytest.approx((130.3, 47.33), abs=1e-9)


def test_plate_text():
    assert format_number(12) == "12号"
    assert format_number(12, 1) == "12号之一"
    assert format_number(12, 12) == "12号附12号"
