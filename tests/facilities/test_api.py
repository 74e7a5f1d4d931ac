"""The facilities API: GeoJSON, coverage, bad parameters named, runs for planners only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from facilities.models import SitingRun
from tests.facilities.factories import demand, facility, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(hegang_areas):
    demand("u1", 0, 0, elders=100, children=20)
    demand("u2", 3000, 0, elders=50)
    facility("eldercare_daycare", "daycare_centre", "甲中心", 10, 0, status="open", is_demo=True)


def test_facilities_are_geojson(client, data):
    body = client.get("/api/v1/facilities?programme=eldercare_daycare").json()
    assert body["type"] == "FeatureCollection"
    props = body["features"][0]["properties"]
    assert props["name"] == "甲中心" and props["is_demo"] is True
    lon, lat = body["features"][0]["geometry"]["coordinates"]
    assert 130 < lon < 131 and 47 < lat < 48


def test_coverage_report_with_points_and_gaps(client, data):
    body = client.get("/api/v1/coverage?programme=eldercare_daycare&distance_kind=straight").json()
    assert body["target_population"] == 150 and body["served"] == 100
    assert body["served_share"] == pytest.approx(100 / 150, abs=1e-4)
    assert len(body["demand_points"]) == 2
    assert body["gaps_4490"] is None  # demand units without cells have no gap polygon


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("programme=nope", "programme"),
        ("", "programme"),
        ("programme=rescue&distance_kind=flying", "distance_kind"),
        ("programme=rescue&colour=red", "colour"),
    ],
)
def test_bad_parameters_get_400_naming_them(client, data, query, parameter):
    response = client.get(f"/api/v1/coverage?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_programme_without_facilities_is_400_with_a_message(client, data):
    response = client.get("/api/v1/coverage?programme=rescue")
    assert response.status_code == 400 and "没有运营中的设施" in response.json()["error"]


def test_runs_need_a_login_and_check_their_parameters(data):
    api = APIClient()
    payload = {"programme": "eldercare_daycare", "name": "方案", "model": "mclp", "p": 2}
    assert api.post("/api/v1/siting/runs", payload, format="json").status_code in (401, 403)
    api.force_authenticate(user_with_role("planner", "planner", password="x"))
    bad = api.post("/api/v1/siting/runs", {**payload, "p": 0}, format="json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "p"
    bad = api.post(
        "/api/v1/siting/runs", {**payload, "model": "pmedian", "radius_m": -1}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["parameter"] == "radius_m"
    assert not SitingRun.objects.exists()
    ok = api.post("/api/v1/siting/runs", payload, format="json")
    assert ok.status_code == 201 and ok.json()["status"] == "queued"
    run_id = ok.json()["id"]
    assert api.post(f"/api/v1/siting/runs/{run_id}/cancel").json()["status"] == "queued"
    assert SitingRun.objects.get(pk=run_id).cancel_requested
    assert api.get("/api/v1/siting/runs/999999").status_code == 404


def test_plan_targets_say_met_or_not(client, data):
    targets = {t["key"]: t for t in client.get("/api/v1/plan-targets").json()}
    assert targets["daycare_centre"]["met"] is False  # 1 of 23
    assert targets["minor_protection_counties"]["met"] is False
    assert "0/8" in targets["minor_protection_counties"]["figure"]


def test_runs_with_candidate_points_are_checked_first(data):
    api = APIClient()
    api.force_authenticate(user_with_role("planner2", "planner", password="x"))
    base = {"programme": "eldercare_daycare", "name": "方案", "model": "mclp", "p": 1}
    outside = api.post(
        "/api/v1/siting/runs",
        {**base, "candidates": [[130.3, 47.34], [126.6, 45.7]]},
        format="json",
    )
    assert outside.status_code == 400 and "不在鹤岗市范围内" in outside.json()["error"]
    dup = api.post(
        "/api/v1/siting/runs",
        {**base, "candidates": [[130.3, 47.34], [130.3, 47.34]]},
        format="json",
    )
    assert dup.status_code == 400 and "重复" in dup.json()["error"]
    bad = api.post("/api/v1/siting/runs", {**base, "candidates": "here"}, format="json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "candidates"
    assert not SitingRun.objects.exists()
    ok = api.post(
        "/api/v1/siting/runs",
        {**base, "candidates": [[130.3, 47.34], [130.31, 47.35]]},
        format="json",
    )
    assert ok.status_code == 201 and len(ok.json()["parameters"]["candidates"]) == 2
