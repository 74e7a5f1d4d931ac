"""Drawing new features: POST a feature for a layer, or send it in the batch save."""

from __future__ import annotations

import pytest

from facilities.models import Facility
from placenames.addresses.models import DoorPlate, Street
from tests.editing.test_layers_addresses_builders import (
    EAST,
    LAT,
    NORTH_LAT,
    SOUTH_LAT,
    WEST,
    XIANGYANG,
    plate,
    point,
    post,
    street,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(hegang_areas, client_as):
    return client_as("zhang", "placename_officer", [XIANGYANG])


def test_a_new_door_plate_gets_the_number_the_street_rule_proposes(officer):
    s = street()
    plate(s, 130.2870, NORTH_LAT, number=1)  # numbers grow from the east end
    body = {"street_id": s.pk, "geometry": point(130.2850, NORTH_LAT), "comment": "新建门牌"}
    r = post(officer, "/api/v1/editing/door-plates", body)
    assert r.status_code == 201, r.content
    new = DoorPlate.objects.get(pk=r.json()["id"])
    assert (new.number, new.sub_number, new.side) == (3, 0, "right")
    assert r["ETag"] == f'"door-plates-{new.pk}-v1"'
    assert r.json()["feature"]["properties"]["label"] == "新华路3号"
    timeline = officer.get(f"/api/v1/editing/door-plates/{new.pk}/history").json()["timeline"]
    assert timeline[0]["action"] == "insert" and timeline[0]["comment"] == "新建门牌"
    assert timeline[0]["username"] == "zhang"


def test_a_new_door_plate_is_checked_like_an_edit(officer):
    s = street()
    plate(s, 130.2870, NORTH_LAT, number=1)
    base = {"street_id": s.pk, "comment": "新建门牌"}
    cases = [
        ({"geometry": point(130.2850, SOUTH_LAT), "number": 5}, "number", "单号"),
        ({"geometry": point(130.2850, NORTH_LAT), "number": 1}, "number", "占用"),
        ({"geometry": point(130.2850, LAT + 0.003)}, "geometry", "米"),
        ({"geometry": point(126.6, 45.75)}, "geometry", "超出鹤岗市范围"),
        ({}, "geometry", "请在地图上点出门牌位置"),
        ({"geometry": point(130.2850, NORTH_LAT), "street_id": 999999}, "street_id", "不存在"),
    ]
    for extra, field, words in cases:
        r = post(officer, "/api/v1/editing/door-plates", {**base, **extra})
        assert r.status_code == 400, (extra, r.content)
        assert r.json()["field"] == field and words in r.json()["error"], r.json()
    r = post(
        officer,
        "/api/v1/editing/door-plates",
        {"street_id": s.pk, "geometry": point(130.285, NORTH_LAT)},
    )
    assert r.status_code == 400 and r.json()["field"] == "comment"
    assert DoorPlate.objects.count() == 1


def test_a_new_street_and_sign(officer):
    line = {"type": "LineString", "coordinates": [[WEST, LAT + 0.004], [EAST, LAT + 0.004]]}
    r = post(
        officer, "/api/v1/editing/streets", {"name": "育才路", "geometry": line, "comment": "新建"}
    )
    assert r.status_code == 201, r.content
    s = Street.objects.get(pk=r.json()["id"])
    assert s.county.code == XIANGYANG and s.name_pinyin == "Yucai Lu"
    r = post(
        officer, "/api/v1/editing/streets", {"name": "育才路", "geometry": line, "comment": "新建"}
    )
    assert r.status_code == 400 and r.json()["field"] == "name" and "已存在" in r.json()["error"]
    sign = {
        "street_id": s.pk,
        "kind": "灯箱路牌",
        "geometry": point(130.285, LAT + 0.0041),
        "comment": "新建",
    }
    r = post(officer, "/api/v1/editing/street-signs", sign)
    assert r.status_code == 201 and r.json()["feature"]["properties"]["label"] == "育才路"


def test_a_new_facility(hegang_areas, client_as):
    planner = client_as("zhao", "planner")
    body = {
        "programme": "eldercare_daycare",
        "facility_type": "daycare_centre",
        "name": "新建日间照料中心",
        "geometry": point(130.285, 47.345),
        "capacity": 30,
        "comment": "规划新增",
    }
    r = post(planner, "/api/v1/editing/facilities", body)
    assert r.status_code == 201, r.content
    f = Facility.objects.get(pk=r.json()["id"])
    assert f.county.code == XIANGYANG and f.capacity == 30 and f.version == 1
    r = post(planner, "/api/v1/editing/facilities", {**body, "facility_type": "无此类型"})
    assert r.status_code == 400 and r.json()["field"] == "facility_type"
    officer = client_as("zhang", "placename_officer")
    assert post(officer, "/api/v1/editing/facilities", body).status_code == 403


def test_batch_save_creates_new_features_with_the_others(officer):
    s = street()
    p = plate(s, 130.2870, NORTH_LAT, number=1)
    etag = officer.get(f"/api/v1/editing/door-plates/{p.pk}")["ETag"]
    edits = [
        {"layer": "door-plates", "id": p.pk, "if_match": etag, "changes": {"building": "1号楼"}},
        {
            "layer": "door-plates",
            "changes": {"street_id": s.pk, "geometry": point(130.2850, NORTH_LAT)},
        },
    ]
    r = post(officer, "/api/v1/editing/save", {"edits": edits, "comment": "外业核查"})
    assert r.status_code == 200, r.content
    saved = r.json()["saved"]
    created = [x for x in saved if x["created"]]
    assert len(created) == 1 and created[0]["version"] == 1
    assert DoorPlate.objects.get(pk=created[0]["id"]).number == 3
    # A refused new feature rolls the whole batch back.
    edits[0]["if_match"] = f'"door-plates-{p.pk}-v2"'
    edits[1]["changes"]["geometry"] = point(126.6, 45.75)
    r = post(officer, "/api/v1/editing/save", {"edits": edits, "comment": "外业核查"})
    assert r.status_code == 400
    assert DoorPlate.objects.count() == 2 and DoorPlate.objects.get(pk=p.pk).version == 2


def test_a_layer_can_refuse_direct_creation(hegang_areas, client_as):
    admin = client_as("chief", "administrator")
    r = post(admin, "/api/v1/editing/boundary-lines", {"name": "x", "comment": "x"})
    assert r.status_code == 403 and r.json()["error"]
    r = post(
        admin,
        "/api/v1/editing/save",
        {"edits": [{"layer": "boundary-markers", "changes": {"material": "x"}}], "comment": "x"},
    )
    # Refused (boundary edits by officers go through change requests; none creates one).
    assert r.status_code in (400, 403) and "新建" in r.json()["error"]


def test_the_form_of_a_layer_names_its_fields_and_choices(officer):
    form = officer.get("/api/v1/editing/door-plates/form").json()
    assert form["can_create"] and form["geometry"] == "point"
    by_name = {f["name"]: f for f in form["fields"]}
    assert (
        by_name["status"]["type"] == "choice"
        and ["installed", "在用"] in by_name["status"]["choices"]
    )
    assert by_name["street_id"]["create_only"] and not by_name["number"]["create_only"]
    types = {f["name"]: f for f in officer.get("/api/v1/editing/facilities/form").json()["fields"]}
    assert ["daycare_centre", "社区居家养老服务 · 日间照料中心"] in types["facility_type"][
        "choices"
    ] or types["facility_type"]["choices"]
    refused = officer.get("/api/v1/editing/boundary-lines/form").json()
    assert refused["can_create"] is False and refused["create_refusal"]
