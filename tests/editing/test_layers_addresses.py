"""Streets, street signs and door plates as editor layers: edit, version, rules, history."""

from __future__ import annotations

import pytest

from placenames.addresses.models import DoorPlate, PlateStatus, Street, StreetSign
from placenames.addresses.services.plates import PLATE_RULES
from tests.editing.helpers import stored, url
from tests.editing.test_layers_addresses_builders import (
    EAST,
    GONGNONG,
    LAT,
    NORTH_LAT,
    SOUTH_LAT,
    WEST,
    XIANGYANG,
    patch,
    plate,
    point,
    sign,
    street,
)

pytestmark = pytest.mark.django_db


def test_officer_moves_a_door_plate_and_sees_it_in_the_history(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    r = officer.get(url("door-plates", p.pk))
    assert r.status_code == 200
    assert r.json()["properties"]["label"] == "新华路1号"
    new = point(130.2851, NORTH_LAT + 0.00002)
    r = patch(
        officer, url("door-plates", p.pk), {"geometry": new, "comment": "按实测校正"}, r["ETag"]
    )
    assert r.status_code == 200, r.content
    assert r["ETag"] == f'"door-plates-{p.pk}-v2"'
    assert r.json()["geometry"]["coordinates"] == pytest.approx(new["coordinates"])
    timeline = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"]
    assert [e["action"] for e in timeline] == ["insert", "update"]
    assert timeline[-1]["comment"] == "按实测校正" and timeline[-1]["username"] == "zhang"
    assert timeline[-1]["geometry"]["max_shift_m"] > 1


def test_a_stale_or_missing_if_match_is_refused_before_the_body(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    etag = officer.get(url("door-plates", p.pk))["ETag"]
    DoorPlate.objects.filter(pk=p.pk).update(building="3号楼")  # someone else
    r = patch(officer, url("door-plates", p.pk), {"geometry": "garbage"}, etag)
    assert r.status_code == 412
    assert r.json()["current_version"] == 2
    r = patch(officer, url("door-plates", p.pk), {"geometry": "garbage"}, None)
    assert r.status_code == 428


def test_door_plate_numbering_rules_are_enforced(officer):
    s = street()
    plate(s, 130.2850, NORTH_LAT, number=1)
    p = plate(s, 130.2860, NORTH_LAT, number=3)
    etag = officer.get(url("door-plates", p.pk))["ETag"]
    # Odd numbers belong on the north side under this street's rule.
    r = patch(officer, url("door-plates", p.pk), {"number": 4, "comment": "改号"}, etag)
    assert r.status_code == 400
    assert r.json()["field"] == "number" and "双号" in r.json()["error"]
    # A number held by another plate of the street.
    r = patch(officer, url("door-plates", p.pk), {"number": 1, "comment": "改号"}, etag)
    assert r.status_code == 400 and "占用" in r.json()["error"]
    # Numbers grow from the east end: 3 west of 1 is in order, 3 east of 1 is not.
    far_east = point(130.2840 + 0.0055, NORTH_LAT)
    r = patch(officer, url("door-plates", p.pk), {"geometry": far_east, "comment": "移位"}, etag)
    assert r.status_code == 400 and "编号" in r.json()["error"]
    # Too far from its street.
    r = patch(
        officer,
        url("door-plates", p.pk),
        {"geometry": point(130.2860, LAT + 0.002), "comment": "移位"},
        etag,
    )
    assert r.status_code == 400 and "米" in r.json()["error"] and r.json()["field"] == "geometry"
    assert DoorPlate.objects.get(pk=p.pk).version == 1  # nothing written


def test_invalid_geometry_is_refused_in_chinese(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    etag = officer.get(url("door-plates", p.pk))["ETag"]
    line = {"type": "LineString", "coordinates": [[130.285, NORTH_LAT], [130.286, NORTH_LAT]]}
    r = patch(officer, url("door-plates", p.pk), {"geometry": line, "comment": "x"}, etag)
    assert r.status_code == 400 and "几何类型应为点" in r.json()["error"]
    r = patch(
        officer, url("door-plates", p.pk), {"geometry": point(126.6, 45.75), "comment": "x"}, etag
    )
    assert r.status_code == 400 and "超出鹤岗市范围" in r.json()["error"]
    s_etag = officer.get(url("streets", s.pk))["ETag"]
    bowtie = {
        "type": "LineString",
        "coordinates": [[WEST, LAT], [EAST, LAT + 0.001], [EAST, LAT], [WEST, LAT + 0.001]],
    }
    r = patch(officer, url("streets", s.pk), {"geometry": bowtie, "comment": "x"}, s_etag)
    assert r.status_code == 400 and r.json()["field"] == "geometry"
    two = {
        "type": "MultiLineString",
        "coordinates": [[[WEST, LAT], [130.285, LAT]], [[130.286, LAT], [EAST, LAT]]],
    }
    r = patch(officer, url("streets", s.pk), {"geometry": two, "comment": "x"}, s_etag)
    assert r.status_code == 400 and "一条连续的线" in r.json()["error"]


def test_street_edit_keeps_its_plates_within_reach(officer):
    s = street()
    plate(s, 130.2850, NORTH_LAT, number=1)
    etag = officer.get(url("streets", s.pk))["ETag"]
    moved = {"type": "LineString", "coordinates": [[WEST, LAT + 0.002], [EAST, LAT + 0.002]]}
    r = patch(officer, url("streets", s.pk), {"geometry": moved, "comment": "调整走向"}, etag)
    assert r.status_code == 400 and "门牌 1" in r.json()["error"]
    nudged = {"type": "LineString", "coordinates": [[WEST, LAT - 0.00005], [EAST, LAT - 0.00005]]}
    r = patch(
        officer,
        url("streets", s.pk),
        {"geometry": nudged, "end_description": "北山路口", "comment": "调整走向"},
        etag,
    )
    assert r.status_code == 200, r.content
    assert r.json()["properties"]["end_description"] == "北山路口"
    r = patch(officer, url("streets", s.pk), {"name": "新名", "comment": "更名"}, r["ETag"])
    assert r.status_code == 400 and "更名" in r.json()["error"]


def test_a_sign_stays_by_its_street(officer):
    s = street()
    g = sign(s, 130.2855, SOUTH_LAT)
    etag = officer.get(url("street-signs", g.pk))["ETag"]
    r = patch(
        officer,
        url("street-signs", g.pk),
        {"geometry": point(130.2855, LAT - 0.003), "comment": "x"},
        etag,
    )
    assert r.status_code == 400 and "路牌" in r.json()["error"]
    r = patch(officer, url("street-signs", g.pk), {"condition": "灯箱损坏", "comment": "x"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "condition"
    r = patch(
        officer, url("street-signs", g.pk), {"kind": "单立柱路牌", "comment": "更换为单立柱"}, etag
    )
    assert r.status_code == 200
    assert StreetSign.objects.get(pk=g.pk).kind == "single"


def test_an_officer_cannot_edit_outside_the_county(hegang_areas, client_as):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    elsewhere = client_as("li", "placename_officer", [GONGNONG])
    etag = elsewhere.get(url("door-plates", p.pk))["ETag"]
    r = patch(elsewhere, url("door-plates", p.pk), {"building": "1号楼", "comment": "x"}, etag)
    assert r.status_code == 403 and "编辑范围" in r.json()["error"]
    planner = client_as("wang", "planner")
    r = patch(planner, url("door-plates", p.pk), {"building": "1号楼", "comment": "x"}, etag)
    assert r.status_code == 403
    assert DoorPlate.objects.get(pk=p.pk).building == ""


def test_bulk_and_raw_writes_are_in_the_history(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    DoorPlate.objects.filter(street=s).update(status="damaged")
    Street.objects.filter(pk=s.pk).update(approved_by="鹤岗市人民政府")
    timeline = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"]
    assert stored(timeline[-1]["changed"]["status"]) == {"before": "installed", "after": "damaged"}
    assert timeline[-1]["version"] == 2 and timeline[-1]["source"] == "database"
    street_timeline = officer.get(f"/api/v1/editing/streets/{s.pk}/history").json()["timeline"]
    assert street_timeline[-1]["changed"]["approved_by"]["after"] == "鹤岗市人民政府"


def test_restore_brings_back_an_earlier_plate_position(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    r = officer.get(url("door-plates", p.pk))
    first = r.json()["geometry"]["coordinates"]
    r = patch(
        officer,
        url("door-plates", p.pk),
        {"geometry": point(130.2852, NORTH_LAT), "comment": "移位"},
        r["ETag"],
    )
    timeline = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"]
    r = officer.post(
        f"/api/v1/editing/door-plates/{p.pk}/restore",
        {"event_id": timeline[0]["event_id"], "comment": "移错了"},
        content_type="application/json",
        HTTP_IF_MATCH=r["ETag"],
    )
    assert r.status_code == 200, r.content
    assert officer.get(url("door-plates", p.pk)).json()["geometry"]["coordinates"] == pytest.approx(
        first
    )
    last = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"][-1]
    assert last["comment"].startswith("恢复到版本 1") and last["source"] == "restore"


def test_the_editor_loads_one_county(officer):
    s = street()
    plate(s, 130.2850, NORTH_LAT, number=1)
    sign(s, 130.2855, SOUTH_LAT)
    for layer, count in (("streets", 1), ("door-plates", 1), ("street-signs", 1)):
        r = officer.get(f"/api/v1/editing/{layer}?county={XIANGYANG}")
        assert r.status_code == 200
        body = r.json()
        assert body["type"] == "FeatureCollection" and len(body["features"]) == count
        assert body["features"][0]["properties"]["version"] == 1
        assert officer.get(f"/api/v1/editing/{layer}?county={GONGNONG}").json()["features"] == []
    r = officer.get("/api/v1/editing/door-plates?county=12")
    assert r.status_code == 400 and r.json()["parameter"] == "county"
    r = officer.get(f"/api/v1/editing/door-plates?county={XIANGYANG}&bbox=1")
    assert r.status_code == 400


def _feature(layer: str):
    s = street()
    if layer == "streets":
        return s, {"start_description": "一马路口"}, Street
    if layer == "street-signs":
        return sign(s, 130.2855, SOUTH_LAT), {"kind": "single"}, StreetSign
    return plate(s, 130.2850, NORTH_LAT, number=1), {"building": "5号楼"}, DoorPlate


@pytest.mark.parametrize("layer", ["streets", "street-signs", "door-plates"])
def test_every_address_layer_is_versioned_scoped_and_recorded(layer, hegang_areas, client_as):
    obj, change, model = _feature(layer)
    officer = client_as("zhang", "placename_officer", [XIANGYANG])
    elsewhere = client_as("li", "placename_officer", [GONGNONG])
    etag = officer.get(url(layer, obj.pk))["ETag"]
    # Outside the officer's county: 403, nothing written.
    r = patch(elsewhere, url(layer, obj.pk), {**change, "comment": "x"}, etag)
    assert r.status_code == 403
    # A bulk update elsewhere bumps the version and is in the history…
    model.objects.filter(pk=obj.pk).update(is_demo=True)
    timeline = officer.get(f"/api/v1/editing/{layer}/{obj.pk}/history").json()["timeline"]
    assert stored(timeline[-1]["changed"]["is_demo"]) == {"before": False, "after": True}
    # …so the page's ETag is stale: 412 with the current version, then a fresh one saves.
    r = patch(officer, url(layer, obj.pk), {**change, "comment": "x"}, etag)
    assert r.status_code == 412 and r.json()["current_version"] == 2
    r = patch(
        officer,
        url(layer, obj.pk),
        {**change, "comment": "核对"},
        officer.get(url(layer, obj.pk))["ETag"],
    )
    assert r.status_code == 200 and r.json()["properties"]["version"] == 3


def test_delete_needs_if_match_and_keeps_plates_in_use(officer):
    s = street()
    in_use = plate(s, 130.2850, NORTH_LAT, number=1)
    etag = officer.get(url("door-plates", in_use.pk))["ETag"]
    body = '{"comment": "删除"}'
    assert (
        officer.delete(
            url("door-plates", in_use.pk), body, content_type="application/json"
        ).status_code
        == 428
    )
    r = officer.delete(
        url("door-plates", in_use.pk), body, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert r.status_code == 409 and "注销" in r.json()["error"]
    r = officer.delete(
        url("streets", s.pk),
        body,
        content_type="application/json",
        HTTP_IF_MATCH=f'"streets-{s.pk}-v1"',
    )
    assert r.status_code == 409 and "仍有门牌" in r.json()["error"]
    DoorPlate.objects.filter(pk=in_use.pk).update(status="planned")
    r = officer.delete(
        url("door-plates", in_use.pk),
        body,
        content_type="application/json",
        HTTP_IF_MATCH=f'"door-plates-{in_use.pk}-v2"',
    )
    assert r.status_code == 204 and not DoorPlate.objects.filter(pk=in_use.pk).exists()
    last = officer.get(f"/api/v1/editing/door-plates/{in_use.pk}/history").json()["timeline"][-1]
    assert last["action"] == "delete" and last["comment"] == "删除"


def test_raw_sql_writes_bump_the_version_and_are_in_the_history(officer):
    from django.db import connection

    p = plate(street(), 130.2850, NORTH_LAT, number=1)
    with connection.cursor() as cur:
        cur.execute("UPDATE addresses_doorplate SET unit = '2单元' WHERE id = %s", [p.pk])
    p.refresh_from_db()
    assert p.version == 2
    last = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"][-1]
    assert stored(last["changed"]["unit"]) == {"before": "", "after": "2单元"}


def test_the_history_names_fields_and_values_as_the_form_does(officer):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    etag = officer.get(url("door-plates", p.pk))["ETag"]
    body = {"building": "2号楼", "status": "planned", "comment": "门牌待装"}
    r = patch(officer, url("door-plates", p.pk), body, etag)
    assert r.status_code == 200, r.content
    timeline = officer.get(f"/api/v1/editing/door-plates/{p.pk}/history").json()["timeline"]
    changed = timeline[-1]["changed"]
    assert changed["status"]["label"] == "状态"
    # The stored code as stored, and as staff read it.
    assert (changed["status"]["before"], changed["status"]["after"]) == ("installed", "planned")
    assert changed["status"]["after_shown"] == dict(PlateStatus.choices)["planned"]
    assert changed["building"]["label"] == PLATE_RULES["building"].label
