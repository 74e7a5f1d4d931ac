"""Demo demand and facilities: census totals exact per county, the plan's facilities present."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Sum
from django.utils import timezone

from boundaries.models import AdministrativeArea, AreaPopulation
from facilities import demogen
from facilities.models import DemandUnit, Facility, Indicator, IndicatorValue
from facilities.selectors.targets import plan_targets
from facilities.services.demo import facilities_demo_load
from facilities.services.indicator_demo import indicators_demo_load


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
    # 农村社区综合服务设施覆盖率 100% (二.(五)1): one in every administrative village, and the
    # plan target reads the same one-per-village rule.
    villages = AdministrativeArea.objects.filter(level="village", kind="村", valid_to__isnull=True)
    assert villages.count() > 200
    assert by_type("rural_community_service") == villages.count()
    assert set(
        Facility.objects.filter(facility_type__slug="rural_community_service").values_list(
            "community__code", flat=True
        )
    ) == set(villages.values_list("code", flat=True))
    rural = next(t for t in plan_targets() if t["key"] == "rural_community_service_coverage")
    assert rural["met"] is True and rural["figure"].startswith(f"{villages.count()}/")
    # Villages of the same name in different townships are told apart by their township.
    labels = Facility.objects.filter(facility_type__slug="rural_community_service")
    assert labels.values("name").distinct().count() == villages.count()
    # The plan counts no mutual-aid points: the target says so rather than inventing a goal.
    aid = next(t for t in plan_targets() if t["key"] == "rural_mutual_aid_points")
    assert aid["met"] is None and aid["goal"] == "规划未给出数量"
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


def test_urban_rural_weights_split_by_the_urban_share():
    w = demogen.urban_rural_weights(np.array([1.0, 3.0]), 2, 0.6)
    assert w.tolist() == pytest.approx([0.15, 0.45, 0.2, 0.2])
    assert demogen.urban_rural_weights(np.array([1.0, 3.0]), 0, 0.6).tolist() == [1.0, 3.0]
    assert demogen.urban_rural_weights(np.array([1.0]), 4, 1.0).tolist() == [1.0]


@pytest.mark.django_db
def test_rural_share_goes_to_located_settlements(hegang_areas):
    """萝北县 (urban share 70.4%): its rural 29.6% sits on the located 农村居民点 records,
    the urban part on a grid round the county seat (GeoNames), totals exact."""
    from django.contrib.gis.geos import Point

    from boundaries.models import AdministrativeArea
    from gis_portal.metric_crs import to_metric
    from placenames.models import GeoNamesPlace, PlaceCategory, PlaceName

    luobei = AdministrativeArea.objects.get(code="230421", valid_to__isnull=True)
    seat = GeoNamesPlace.objects.create(
        geonames_id=2035715,
        name="Luobei",
        feature_code="PPLA3",
        population=1,
        geom_4490=Point(130.81311, 47.57602, srid=4490),
        source="test",
    )
    rng = np.random.default_rng(1)
    lo_x, lo_y, hi_x, hi_y = luobei.geom_4490.extent
    spots = []
    while len(spots) < 6:
        p = Point(rng.uniform(lo_x, hi_x), rng.uniform(lo_y, hi_y), srid=4490)
        if luobei.geom_4490.contains(p):
            spots.append(p)
    category = PlaceCategory.objects.get(code="22200")
    spots, village_spot = spots[:5], spots[5]
    for k, p in enumerate(spots):
        PlaceName.objects.create(
            place_code=f"T{k}",
            standard_name=f"测试屯{k}",
            category=category,
            division=luobei,
            geom_4490=p,
            is_demo=True,
        )
    # One village of 萝北县 has its own located record in the archive (a 村民委员会 entry).
    village = (
        AdministrativeArea.objects.filter(
            level="village", kind="村", valid_to__isnull=True, parent__parent=luobei
        )
        .order_by("code")
        .first()
    )
    short = village.name.removesuffix("村委会")
    assert not AdministrativeArea.objects.filter(name=village.name).exclude(pk=village.pk).exists()
    named = PlaceName.objects.create(
        place_code="TV",
        standard_name=short,
        category=category,
        division=village,
        geom_4490=village_spot,
        is_demo=True,
    )
    summary = facilities_demo_load()
    assert summary["demand_source"]["萝北县"].startswith("grid + 6 settlements (demo positions")
    pop = AreaPopulation.objects.get(census_year=2020, area=luobei)
    units = DemandUnit.objects.filter(county=luobei)
    assert units.aggregate(p=Sum("population"))["p"] == pop.population
    rural = units.filter(source="settlements")
    assert rural.count() == 6 and not rural.filter(is_urban=True).exists()
    rural_pop = rural.aggregate(p=Sum("population"))["p"]
    # Five age groups, each rounded per location: under one person per group and location.
    assert abs(rural_pop - pop.population * (1 - pop.urban_share)) < 6 * 5
    assert {(round(u.position_4490.x, 6), round(u.position_4490.y, 6)) for u in rural} == {
        (round(p.x, 6), round(p.y, 6)) for p in [*spots, named.geom_4490]
    }
    seat_xy = np.array(to_metric(seat.geom_4490.x, seat.geom_4490.y), dtype=float).ravel()
    urban = units.filter(source="grid")
    xy = np.column_stack(
        to_metric([u.position_4490.x for u in urban], [u.position_4490.y for u in urban])
    )
    assert np.linalg.norm(xy.mean(axis=0) - seat_xy) < 1500
    # The plan's facilities stand in town, not at a village.
    centre = Facility.objects.get(name="萝北县未成年人救助保护中心").position_4490
    c_xy = np.array(to_metric(centre.x, centre.y), dtype=float).ravel()
    assert np.linalg.norm(c_xy - seat_xy) < 4000
    # Village facilities stand at the villages: the one whose name the archive locates at
    # its record, the others on the located settlements (a few metres aside when shared).
    village_xy = np.array(to_metric(named.geom_4490.x, named.geom_4490.y), dtype=float).ravel()
    own = Facility.objects.get(community__code=village.code)
    o_xy = np.array(to_metric(own.position_4490.x, own.position_4490.y), dtype=float).ravel()
    assert np.linalg.norm(o_xy - village_xy) < 1 and own.place_name == named
    located = [*spots, village_spot]
    spot_xy = np.column_stack(to_metric([p.x for p in located], [p.y for p in located]))
    others = Facility.objects.filter(
        facility_type__slug="rural_community_service", county=luobei
    ).exclude(pk=own.pk)
    assert (
        others.count()
        == AdministrativeArea.objects.filter(
            level="village", kind="村", valid_to__isnull=True, parent__parent=luobei
        ).count()
        - 1
    )
    for f in others:
        xy = np.array(to_metric(f.position_4490.x, f.position_4490.y), dtype=float).ravel()
        assert np.linalg.norm(spot_xy - xy, axis=1).min() < 1000, f.name
        assert luobei.geom_4490.contains(f.position_4490)
    # The rural programmes count the rural residents only (the census split's settlements).
    from facilities.models import Programme
    from facilities.selectors.coverage import demand_arrays, programme_coverage

    rural_people = DemandUnit.objects.filter(is_urban=False).aggregate(p=Sum("population"))["p"]
    rural_elders = DemandUnit.objects.filter(is_urban=False).aggregate(p=Sum("age_60_plus"))["p"]
    assert 0 < rural_people < DemandUnit.objects.aggregate(p=Sum("population"))["p"]
    demand = demand_arrays()
    village_programme = Programme.objects.get(slug="rural_community_service")
    assert demand.target(village_programme).sum() == rural_people
    assert demand.target(Programme.objects.get(slug="rural_mutual_aid")).sum() == rural_elders
    report = programme_coverage(village_programme)
    assert report["target_label"] == "乡村常住人口"
    assert report["target_population"] == rural_people
    # Other counties without settlements keep the grid alone.
    assert summary["demand_source"]["向阳区"] == "grid"


def test_demo_indicators_are_deterministic_in_range_and_marked():
    a = demogen.indicator_demo_values("cremation_rate", "230402", [2021, 2022, 2023, 2024])
    assert a == demogen.indicator_demo_values("cremation_rate", "230402", [2024, 2023, 2021, 2022])
    assert [y for y, _ in a] == [2021, 2022, 2023, 2024]
    assert all(0 <= v <= 100 for _, v in a)
    assert a != demogen.indicator_demo_values("cremation_rate", "230403", [2021, 2022, 2023, 2024])


@pytest.mark.django_db
def test_demo_indicator_step_marks_every_figure_and_keeps_real_ones(hegang_areas):
    real = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(slug="cremation_rate"),
        county=AdministrativeArea.objects.get(code="230402", valid_to__isnull=True),
        year=2024,
        value_percent=Decimal("93.10"),
        entered_at=timezone.now(),
    )
    summary = indicators_demo_load()
    again = indicators_demo_load()
    assert summary == again and summary["years"] == [2021, 2024]
    demo = IndicatorValue.objects.filter(is_demo=True)
    assert demo.count() == summary["indicator_values"] > 0
    assert not demo.exclude(source__startswith="演示数据").exists()
    real.refresh_from_db()
    assert real.value_percent == Decimal("93.10") and not real.is_demo
    cremation = next(t for t in plan_targets() if t["key"] == "cremation_rate")
    assert cremation["year"] == 2024 and cremation["is_demo"] is True
