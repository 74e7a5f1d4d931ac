"""Sign coverage of every kind of place, per county, category and year; the plan indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import LineString, Point

from placenames import sign_coverage as rules
from placenames.addresses.models import SignStatus, Street, StreetSign
from placenames.addresses.selectors.addresses import address_checks
from placenames.models import PlaceSign, PlaceSignStatus
from placenames.selectors.signs import (
    coverage_cells,
    place_sign_states,
    sign_coverage,
    sign_coverage_naive,
    sign_coverage_rate,
    signs_missing,
)

XINGAN, DONGSHAN = "230405", "230406"


# ---- the rules, without the database ------------------------------------------------------


def test_each_category_maps_to_the_sign_of_its_kind():
    assert rules.sign_rule_of("21610")[1] == "village"
    assert rules.sign_rule_of("22200")[1] == "village"
    assert rules.sign_rule_of("22100")[1] == "residential"
    assert rules.sign_rule_of("23400")[1] == "bridge"
    assert rules.sign_rule_of("23512")[1] == "street"
    assert rules.sign_rule_of("27100") is None  # a government office carries no place sign


@pytest.mark.parametrize(
    ("installed", "removed", "status", "year", "stands"),
    [
        (dt.date(2020, 5, 1), None, "installed", 2020, True),
        (dt.date(2021, 1, 1), None, "installed", 2020, False),  # put up after the year's end
        (None, None, "installed", 2018, True),  # no date: counted (stated on the page)
        (dt.date(2019, 1, 1), dt.date(2021, 3, 1), "removed", 2020, True),
        (dt.date(2019, 1, 1), dt.date(2020, 3, 1), "removed", 2020, False),
        (dt.date(2019, 1, 1), None, "removed", 2020, False),  # removed, date unknown
        (None, None, "planned", 2030, False),
    ],
)
def test_a_sign_counts_in_a_year_only_while_it_stands(installed, removed, status, year, stands):
    assert (
        rules.sign_counts_in(installed_on=installed, removed_on=removed, status=status, year=year)
        is stands
    )


def test_rate_of_nothing_to_cover_is_none_not_zero():
    assert rules.coverage_total([]) == (0, 0, None)
    assert rules.rate_text(None) == "—"
    assert rules.rate_text(2 / 3) == "66.7%"


# ---- the selectors --------------------------------------------------------------------------


@pytest.fixture
def places(make_place):
    village = make_place("红旗村", category="21610", division=XINGAN, lon=130.25, lat=47.20)
    bridge = make_place("松鹤桥", category="23400", division=XINGAN, lon=130.26, lat=47.21)
    estate = make_place("松鹤小区", category="22100", division=DONGSHAN, lon=130.30, lat=47.36)
    road = make_place("育才路", category="23512", division=XINGAN, lon=130.27, lat=47.22)
    office = make_place("民政局", category="27100", division=XINGAN, lon=130.28, lat=47.23)
    return {"village": village, "bridge": bridge, "estate": estate, "road": road, "office": office}


def sign(place, kind, *, installed_on=dt.date(2021, 6, 1), **kw):
    return PlaceSign.objects.create(
        place=place, kind=kind, text_zh=place.standard_name, installed_on=installed_on,
        point_4490=place.point_4490, **kw,
    )  # fmt: skip


def street_sign(place, *, installed_on=dt.date(2020, 6, 1)):
    street = Street.objects.create(
        name=place.standard_name,
        place_name=place,
        geom_4490=LineString((130.27, 47.22), (130.275, 47.22), srid=4490),
    )
    return StreetSign.objects.create(
        street=street, kind="single", text_zh=street.name,
        point_4490=Point(130.271, 47.2201, srid=4490), installed_on=installed_on,
        status=SignStatus.INSTALLED,
    )  # fmt: skip


@pytest.mark.django_db
def test_coverage_counts_only_the_sign_of_the_places_own_kind(places):
    sign(places["village"], "village")
    sign(places["bridge"], "village")  # a village sign on a bridge does not make it covered
    cells = {(c.county_code, c.group): c for c in sign_coverage(year=2022)}
    assert (cells[(XINGAN, "2161")].places, cells[(XINGAN, "2161")].covered) == (1, 1)
    assert (cells[(XINGAN, "234")].places, cells[(XINGAN, "234")].covered) == (1, 0)
    assert all(c.group != "271" for c in cells.values())  # offices need no place sign
    missing = {s.name for s in signs_missing(year=2022, county_code=XINGAN)}
    assert missing == {"松鹤桥", "育才路"}


@pytest.mark.django_db
def test_a_street_record_is_covered_by_a_street_sign_on_its_street(places):
    street_sign(places["road"])
    assert "育才路" not in {s.name for s in signs_missing(year=2021)}
    assert "育才路" in {s.name for s in signs_missing(year=2019)}  # before it went up


@pytest.mark.django_db
def test_the_plan_indicator_per_county_and_year(places):
    sign(places["village"], "village", installed_on=dt.date(2021, 6, 1))
    sign(places["bridge"], "bridge", installed_on=dt.date(2023, 6, 1))
    sign(places["estate"], "residential", installed_on=dt.date(2019, 1, 1))
    # 兴安区: village, bridge, road need signs.
    assert sign_coverage_rate(XINGAN, 2020) == 0
    assert sign_coverage_rate(XINGAN, 2021) == pytest.approx(1 / 3)
    assert sign_coverage_rate(XINGAN, 2023) == pytest.approx(2 / 3)
    assert sign_coverage_rate(DONGSHAN, 2019) == 1
    assert sign_coverage_rate(None, 2023) == pytest.approx(3 / 4)  # the whole city
    assert sign_coverage_rate("230422", 2023) is None  # 绥滨县: nothing registered here


@pytest.mark.django_db
def test_a_removed_or_planned_sign_leaves_the_place_uncovered(places):
    sign(places["village"], "village", installed_on=dt.date(2015, 1, 1),
         status=PlaceSignStatus.REMOVED, removed_on=dt.date(2020, 8, 1))  # fmt: skip
    sign(places["bridge"], "bridge", status=PlaceSignStatus.PLANNED, installed_on=None)
    assert "红旗村" not in {s.name for s in signs_missing(year=2019)}
    assert {"红旗村", "松鹤桥"} <= {s.name for s in signs_missing(year=2020)}


@pytest.mark.django_db
def test_one_statement_agrees_with_the_per_object_baseline(places):
    sign(places["village"], "village")
    sign(places["estate"], "residential", status=PlaceSignStatus.REMOVED,
         removed_on=dt.date(2022, 1, 1))  # fmt: skip
    street_sign(places["road"])
    for year in (2019, 2021, 2022):
        assert sign_coverage(year=year) == sign_coverage_naive(year=year)
        # The per-place rows (the missing list, the checks) agree with the grouped figure.
        assert coverage_cells(place_sign_states(year=year)) == sign_coverage(year=year)


@pytest.mark.django_db
def test_address_checks_report_a_street_and_a_place_without_a_sign(places):
    road = Street.objects.create(
        name="育才路",
        place_name=places["road"],
        geom_4490=LineString((130.27, 47.22), (130.275, 47.22), srid=4490),
    )
    report = address_checks(as_of=dt.date(2026, 11, 29))
    streets = [f for f in report.findings if f.rule == "street_without_sign"]
    assert [(f.object_id, f.message) for f in streets] == [(road.pk, "育才路没有在用路牌")]
    places_unsigned = {f.object_id for f in report.findings if f.rule == "place_without_sign"}
    assert places_unsigned == {places["village"].pk, places["bridge"].pk, places["estate"].pk}
    sign(places["bridge"], "bridge")
    report = address_checks(as_of=dt.date(2026, 11, 29))
    assert places["bridge"].pk not in {
        f.object_id for f in report.findings if f.rule == "place_without_sign"
    }
