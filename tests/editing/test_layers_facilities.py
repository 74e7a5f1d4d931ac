"""Facilities as an editor layer: planners edit them with versions, rules and history."""

from __future__ import annotations

import pytest

from facilities.models import Facility
from tests.editing.helpers import stored
from tests.editing.test_layers_addresses_builders import GONGNONG, XIANGYANG, facility, patch, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(hegang_areas, client_as):
    return client_as("zhao", "planner")


def url(pk: int) -> str:
    return f"/api/v1/editing/facilities/{pk}"


def test_planner_moves_a_facility_and_its_county_follows(planner):
    f = facility()
    r = planner.get(url(f.pk))
    assert r.status_code == 200 and r.json()["properties"]["name"] == "向阳区养老服务中心"
    assert f.county.code == XIANGYANG
    # 工农区 lies south of 向阳区; a point well inside it.
    r = patch(
        planner,
        url(f.pk),
        {"geometry": point(130.262, 47.318), "capacity": "40", "comment": "迁址"},
        r["ETag"],
    )
    assert r.status_code == 200, r.content
    f.refresh_from_db()
    assert f.county.code == GONGNONG and f.capacity == 40 and f.version == 2
    last = planner.get(f"/api/v1/editing/facilities/{f.pk}/history").json()["timeline"][-1]
    assert last["comment"] == "迁址" and stored(last["changed"]["capacity"]) == {
        "before": None,
        "after": 40,
    }


def test_facility_rules_match_the_import(planner):
    facility(name="甲中心")
    f = facility(name="乙中心", lon=130.286)
    etag = planner.get(url(f.pk))["ETag"]
    r = patch(planner, url(f.pk), {"name": "甲中心", "comment": "x"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "name" and "已有" in r.json()["error"]
    r = patch(
        planner,
        url(f.pk),
        {"opened_on": "2024-05-01", "closed_on": "2023-01-01", "comment": "x"},
        etag,
    )
    assert r.status_code == 400 and r.json()["field"] == "closed_on"
    r = patch(planner, url(f.pk), {"status": "demolished", "comment": "x"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "status" and "运营" in r.json()["error"]
    r = patch(planner, url(f.pk), {"capacity": -3, "comment": "x"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "capacity"
    r = patch(planner, url(f.pk), {"geometry": point(126.6, 45.75), "comment": "x"}, etag)
    assert r.status_code == 400 and "超出鹤岗市范围" in r.json()["error"]
    r = patch(planner, url(f.pk), {"geometry": "POINT(1 2", "comment": "x"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "geometry"
    assert Facility.objects.get(pk=f.pk).version == 1


def test_stale_and_missing_if_match(planner):
    f = facility()
    etag = planner.get(url(f.pk))["ETag"]
    Facility.objects.filter(pk=f.pk).update(address="新兴路 1 号")
    assert patch(planner, url(f.pk), {"name": "x", "comment": "x"}, etag).status_code == 412
    assert patch(planner, url(f.pk), {"bogus": 1}, None).status_code == 428


def test_only_planners_in_scope_edit_facilities(hegang_areas, client_as):
    f = facility()
    etag = client_as("chief", "administrator").get(url(f.pk))["ETag"]
    officer = client_as("zhang", "placename_officer")
    r = patch(officer, url(f.pk), {"address": "x", "comment": "x"}, etag)
    assert r.status_code == 403
    scoped = client_as("qian", "planner", [GONGNONG])
    r = patch(scoped, url(f.pk), {"address": "x", "comment": "x"}, etag)
    assert r.status_code == 403 and "编辑范围" in r.json()["error"]
    assert Facility.objects.get(pk=f.pk).address == ""


def test_bulk_updates_are_in_the_history(planner):
    f = facility()
    Facility.objects.filter(pk=f.pk).update(status="closed")
    timeline = planner.get(f"/api/v1/editing/facilities/{f.pk}/history").json()["timeline"]
    assert [e["version"] for e in timeline] == [1, 2]
    assert stored(timeline[-1]["changed"]["status"]) == {"before": "open", "after": "closed"}
    assert planner.get(url(f.pk))["ETag"] == f'"facilities-{f.pk}-v2"'


def test_restore_an_earlier_facility_version(planner):
    f = facility()
    r = planner.get(url(f.pk))
    r = patch(
        planner, url(f.pk), {"name": "改名后的中心", "capacity": 20, "comment": "更名"}, r["ETag"]
    )
    assert r.status_code == 200
    first = planner.get(f"/api/v1/editing/facilities/{f.pk}/history").json()["timeline"][0]
    r = planner.post(
        f"/api/v1/editing/facilities/{f.pk}/restore",
        {"event_id": first["event_id"]},
        content_type="application/json",
        HTTP_IF_MATCH=r["ETag"],
    )
    assert r.status_code == 200, r.content
    f.refresh_from_db()
    assert (f.name, f.capacity, f.version) == ("向阳区养老服务中心", None, 3)
