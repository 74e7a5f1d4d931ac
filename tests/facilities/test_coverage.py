"""Coverage: what a planner reads — served, overflow by capacity, missing units, distances."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.apps import apps
from django.contrib.gis.geos import LineString
from django.core.management import CommandError, call_command

from facilities.coverage import Pairs, assign, straight_pairs
from facilities.models import Programme
from facilities.network import StreetNetwork
from facilities.selectors.coverage import programme_coverage
from tests.facilities.factories import county, demand, facility, lonlat_at


def test_capacity_limits_assignment_and_reports_overflow():
    target = np.array([60.0, 50.0, 10.0])
    pairs = Pairs(np.array([0, 1, 2]), np.array([0, 0, 0]), np.array([100.0, 200.0, 900.0]))
    result = assign(target, np.array([80.0]), pairs)
    assert result.served.tolist() == [60.0, 20.0, 0.0]  # nearest first, until full
    assert result.covered.sum() == 120 and result.overflow == 40


def test_straight_pairs_keep_coincident_points():
    pairs = straight_pairs(np.array([[0.0, 0.0], [500.0, 0.0]]), np.array([[0.0, 0.0]]), 300)
    assert pairs.demand.tolist() == [0] and pairs.distance_m.tolist() == [0.0]


def test_network_distance_goes_round_the_block():
    # Two parallel streets joined at one end: 200 m apart in a line, 1,200 m by street.
    import shapely

    lines = [
        shapely.LineString([(0, 0), (500, 0)]),
        shapely.LineString([(0, 200), (500, 200)]),
        shapely.LineString([(500, 0), (500, 200)]),
    ]
    net = StreetNetwork.from_lines(lines)
    pairs = net.pairs(np.array([[0.0, 200.0]]), np.array([[0.0, 0.0]]), 1500)
    assert pairs.distance_m[0] == pytest.approx(1200.0)
    assert len(net.pairs(np.array([[0.0, 200.0]]), np.array([[0.0, 0.0]]), 1000).demand) == 0


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_programme_coverage_by_area_with_capacity(hegang_areas):
    p = Programme.objects.get(slug="eldercare_institution")
    p.distance_kind = "straight"
    p.save()
    demand("u1", 0, 0, elders=1000)
    demand("u2", 300, 0, elders=1000)
    demand("far", 5000, 0, elders=500)
    facility(
        "eldercare_institution", "nursing_home", "甲养老院", 100, 0, capacity=60, status="open"
    )
    facility(
        "eldercare_institution", "nursing_home", "在建院", 5000, 0, capacity=500, status="building"
    )
    report = programme_coverage(p)
    # 60 beds at 40 per 1,000 elders serve 1,500 elders; 2,000 are within 1 km.
    assert report["target_population"] == 2500
    assert report["covered"] == 2000
    assert report["served"] == 1500 and report["overflow"] == 500
    assert report["served_share"] == pytest.approx(0.6)
    assert report["distance_kind"] == "straight"
    rows = {r["code"]: r for r in report["by_area"]}
    assert rows["230403"]["target"] == 2500 and rows["230403"]["served"] == 1500
    assert rows["230400"]["level"] == "city"
    assert report["facilities"][0]["full"] is True


@pytestmark_db
def test_one_per_unit_rule_lists_counties_without_a_facility(hegang_areas):
    demand("u1", 0, 0, children=10)
    facility("child_protection", "minor_protection_centre", "工农区中心", 0, 0, status="open")
    report = programme_coverage(Programme.objects.get(slug="child_protection"))
    rule = report["unit_rule"]
    assert rule["units"] == 8 and rule["with_facility"] == 1
    assert "萝北县" in [u["name"] for u in rule["lacking"]]
    assert "工农区" not in [u["name"] for u in rule["lacking"]]


@pytestmark_db
def test_programme_without_facilities_or_demand_is_a_clear_error(hegang_areas):
    with pytest.raises(CommandError, match="没有需求数据"):
        call_command("compute_coverage", "--programme", "rescue", stdout=StringIO())
    demand("u1", 0, 0)
    with pytest.raises(CommandError, match="没有运营中的设施"):
        call_command("compute_coverage", "--programme", "rescue", stdout=StringIO())
    with pytest.raises(CommandError, match="未知服务项目"):
        call_command("compute_coverage", "--programme", "nope", stdout=StringIO())


@pytestmark_db
def test_compute_coverage_json_and_network_when_streets_exist(hegang_areas):
    demand("u1", 0, 200, children=30)
    facility("children_home", "children_home", "甲儿童之家", 0, 0, status="open")
    out = StringIO()
    call_command("compute_coverage", "--all", "--json", stdout=out)
    reports = {r["programme"]: r for r in json.loads(out.getvalue())}
    home = reports["children_home"]
    assert {
        "programme",
        "target_population",
        "served",
        "served_share",
        "distance_kind",
        "by_area",
    } <= set(home)
    assert set(home["by_area"][0]) >= {"code", "name", "target", "served"}
    assert home["served"] == 30
    assert home["distance_kind"] == "straight"  # no streets yet: says so
    assert "error" in reports["rescue"]
    street = apps.get_model("addresses", "Street")
    # A street along the block edge only: 200 m straight, 1.2 km by street (> 500 m).
    pts = [lonlat_at(*xy) for xy in [(0, 0), (500, 0), (500, 200), (0, 200)]]
    street.objects.create(name="测试街", geom_4490=LineString(pts, srid=4490), county=county())
    report = programme_coverage(Programme.objects.get(slug="children_home"))
    assert report["distance_kind"] == "network"
    assert report["served"] == 0
