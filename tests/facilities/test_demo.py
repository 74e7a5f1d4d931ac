"""Demo demand and facilities: census totals exact per county, the plan's facilities present."""

from __future__ import annotations

import numpy as np
import pytest
from django.db.models import Sum

from boundaries.models import AreaPopulation
from facilities import demogen
from facilities.models import DemandUnit, Facility
from facilities.services.demo import facilities_demo_load


def test_largest_remainder_sums_exactly():
    parts = demogen.largest_remainder(100, np.array([1.0, 1.0, 1.0]))
    assert parts.sum() == 100 and sorted(parts) == [33, 33, 34]


def test_census_split_is_exact_and_nested():
    county = {
        "population": 1000,
        "age_0_14": 90,
        "age_60_plus": 300,
        "age_65_plus": 200,
        "age_80_plus": 45,
    }
    split = demogen.split_census(county, np.array([5.0, 1.0, 3.0, 0.5, 7.0]))
    for key, total in county.items():
        assert split[key].sum() == total
    assert np.all(split["age_80_plus"] <= split["age_65_plus"])
    assert np.all(split["age_65_plus"] <= split["age_60_plus"])
    assert np.all(split["age_60_plus"] + split["age_0_14"] <= split["population"])


@pytest.mark.django_db
def test_demo_keeps_every_county_total_and_names_the_plan_facilities(hegang_areas):
    summary = facilities_demo_load()
    for pop in AreaPopulation.objects.filter(census_year=2020, area__level="county"):
        sums = DemandUnit.objects.filter(county=pop.area).aggregate(
            p=Sum("population"), e=Sum("age_60_plus"), c=Sum("age_0_14"), o=Sum("age_80_plus")
        )
        assert (sums["p"], sums["e"], sums["c"], sums["o"]) == (
            pop.population,
            pop.age_60_plus,
            pop.age_0_14,
            pop.age_80_plus,
        ), pop.area.name
    # Without door plates every county falls back to the grid, and the summary says so.
    assert set(summary["demand_source"].values()) == {"grid"}
    names = set(Facility.objects.values_list("name", flat=True))
    for name in ["鹤岗市社会福利大院（五福园）", "鹤岗市失能半失能老人护养院", "鹤岗市殡仪馆",
                 "十里河公墓", "天逸园", "卧龙岗公墓", "鹤岗市博爱社工服务中心"]:  # fmt: skip
        assert name in names
    by_type = lambda slug: Facility.objects.filter(facility_type__slug=slug).count()  # noqa: E731
    assert by_type("daycare_centre") == 23
    assert by_type("municipal_complex") == 3
    assert by_type("district_centre") == 6
    assert by_type("rescue_point") >= 50
    assert Facility.objects.get(name="鹤岗市失能半失能老人护养院").capacity == 200
    # Linked to the place-name archive where a record of that name exists (none here).
    assert summary["linked_to_place_names"] == 0
    assert not Facility.objects.filter(is_demo=False).exists()
    # Every facility lies inside its own district.
    for f in Facility.objects.select_related("county"):
        assert f.county.geom_4490.contains(f.position_4490), f.name
    # Deterministic: a second load gives the same positions.
    before = sorted((f.name, f.position_4490.wkt) for f in Facility.objects.all())
    facilities_demo_load()
    assert sorted((f.name, f.position_4490.wkt) for f in Facility.objects.all()) == before
