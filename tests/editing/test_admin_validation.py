"""The admin change forms of streets, signs, door plates and facilities keep the editor's
rules (the layer's own edit service judges them); layers whose edits apply directly take no
change requests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from facilities.models import Facility
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import LAYERS
from gis_portal.editing.models import ChangeRequest
from placenames.addresses.models import DoorPlate, Street
from placenames.models import PlaceName
from tests.editing.factories import role_user
from tests.editing.helpers import request_submit
from tests.editing.placename_builders import district_centre, place_create, square_around
from tests.editing.test_admin_version import opened_change_form
from tests.editing.test_layers_addresses_builders import (
    EAST,
    LAT,
    NORTH_LAT,
    SOUTH_LAT,
    WEST,
    facility,
    plate,
    sign,
    street,
)

pytestmark = pytest.mark.django_db

DIRECT_LAYERS = ("streets", "street-signs", "door-plates", "facilities")


@pytest.fixture
def superuser_client(hegang_areas) -> Client:
    user = User.objects.create_superuser("sysadmin", "sysadmin@example.invalid", "unused-pass-9")
    client = Client()
    client.force_login(user)
    return client


def refused(response) -> str:
    """The page of a refused change form (not saved), as text."""
    assert response.status_code == 200, response.get("Location")
    assert response.context["adminform"].form.errors
    return response.content.decode()


def one_change_refused(client, url: str, field: str, value) -> str:
    """Open the change form at ``url``, change ``field`` alone and return the refused page."""
    data = opened_change_form(client, url)
    return refused(client.post(url, {**data, field: value}))


def assert_unchanged(obj, geometry_field: str) -> None:
    """Assert a refused change left ``obj``'s version and geometry as they were."""
    after = type(obj).objects.get(pk=obj.pk)
    assert after.version == obj.version and getattr(after, geometry_field).equals(
        getattr(obj, geometry_field)
    )


def accepted(response) -> None:
    """Assert a change form was saved (redirected), showing its errors if not."""
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )


def last_event(client, layer: str, pk: int) -> dict:
    """The latest entry of a feature's editor history."""
    return client.get(f"/api/v1/editing/{layer}/{pk}/history").json()["timeline"][-1]


# ---- 1. layers that apply directly take no change requests ---------------------------------


def test_layers_whose_edits_apply_directly_have_no_change_kind():
    assert all(LAYERS[key].change_kind is None for key in DIRECT_LAYERS)
    assert LAYERS["boundary-markers"].change_kind is not None


@pytest.mark.parametrize("layer_key", DIRECT_LAYERS)
def test_a_change_request_for_a_directly_edited_layer_is_refused(layer_key, hegang_areas):
    s = street()
    target = {
        "streets": s,
        "street-signs": sign(s, 130.2855, SOUTH_LAT),
        "door-plates": plate(s, 130.2850, NORTH_LAT, number=1),
        "facilities": facility(),
    }[layer_key]
    officer = role_user("officer", "administrator")
    with pytest.raises(InvalidEdit) as exc:
        request_submit(
            officer,
            layer_key,
            {"status": "planned"} if layer_key != "streets" else {"approved_by": "市政府"},
            target=target,
            reason="核对",
        )
    assert "直接保存" in exc.value.message and "不能提交变更申请" in exc.value.message
    assert not ChangeRequest.objects.exists()


def test_the_request_api_refuses_it_with_a_400_naming_the_reason(hegang_areas, client_as):
    p = plate(street(), 130.2850, NORTH_LAT, number=1)
    client = client_as("officer", "placename_officer")
    r = client.post(
        "/api/v1/editing/requests",
        {
            "layer": "door-plates",
            "target_id": p.pk,
            "action": "update",
            "proposed": {"building": "3"},
            "reason": "核对",
        },
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert "不能提交变更申请" in r.content.decode()
    assert not ChangeRequest.objects.exists()


# ---- 2. the admin write path: the same rules as the editor ----------------------------------


def test_admin_refuses_a_self_intersecting_street_line(superuser_client):
    s = street()
    url = f"/admin/addresses/street/{s.pk}/change/"
    bowtie = f"SRID=4490;LINESTRING({WEST} {LAT}, {EAST} {LAT + 0.003}, {EAST} {LAT}, {WEST} {LAT + 0.003})"
    page = one_change_refused(superuser_client, url, "geom_4490", bowtie)
    assert "自相交" in page
    after = Street.objects.get(pk=s.pk)
    assert after.version == s.version and after.geom_4490.equals_exact(s.geom_4490, 1e-9)


def test_admin_refuses_a_street_line_leaving_its_plates_behind(superuser_client):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    url = f"/admin/addresses/street/{s.pk}/change/"
    moved = f"SRID=4490;LINESTRING({WEST} {LAT + 0.01}, {EAST} {LAT + 0.01})"  # ~1.1 km north
    page = one_change_refused(superuser_client, url, "geom_4490", moved)
    assert f"门牌 {p.number}" in page and "超过 50 米" in page
    assert Street.objects.get(pk=s.pk).version == s.version


def test_admin_refuses_a_facility_moved_out_of_the_city(superuser_client):
    f = facility()
    url = f"/admin/facilities/facility/{f.pk}/change/"
    harbin = "SRID=4490;POINT(126.63 45.75)"
    page = one_change_refused(superuser_client, url, "position_4490", harbin)
    assert "几何超出鹤岗市范围" in page
    assert_unchanged(f, "position_4490")


def test_admin_refuses_a_facility_name_taken_in_its_programme(superuser_client):
    facility("向阳区养老服务中心")
    f = facility("红旗镇养老服务站", lon=130.286)
    url = f"/admin/facilities/facility/{f.pk}/change/"
    page = one_change_refused(superuser_client, url, "name", "向阳区养老服务中心")
    assert "已有名为「向阳区养老服务中心」的设施" in page
    assert Facility.objects.get(pk=f.pk).name == "红旗镇养老服务站"


def test_admin_refuses_a_door_number_on_the_wrong_side(superuser_client):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)  # odd numbers are on the north side
    url = f"/admin/addresses/doorplate/{p.pk}/change/"
    page = one_change_refused(superuser_client, url, "number", "2")
    assert "为双号，按该街编号规则应在" in page
    after = DoorPlate.objects.get(pk=p.pk)
    assert (after.number, after.version) == (1, p.version)


def test_admin_refuses_a_plate_moved_to_a_street_far_away(superuser_client):
    s = street()
    far = street("富力路", coords=((WEST, LAT + 0.02), (EAST, LAT + 0.02)))
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    url = f"/admin/addresses/doorplate/{p.pk}/change/"
    page = one_change_refused(superuser_client, url, "street", str(far.pk))
    assert "门牌距富力路" in page and "超过 50 米" in page
    assert DoorPlate.objects.get(pk=p.pk).street_id == s.pk


def test_admin_refuses_a_sign_moved_away_from_its_street(superuser_client):
    sg = sign(street(), 130.2855, SOUTH_LAT)
    url = f"/admin/addresses/streetsign/{sg.pk}/change/"
    away = f"SRID=4490;POINT(130.2855 {LAT - 0.01})"
    page = one_change_refused(superuser_client, url, "point_4490", away)
    assert "路牌距新华路" in page
    assert_unchanged(sg, "point_4490")


def test_a_good_admin_edit_saves_and_is_in_the_history(superuser_client):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    url = f"/admin/addresses/doorplate/{p.pk}/change/"
    data = opened_change_form(superuser_client, url)
    moved = f"SRID=4490;POINT(130.2852 {NORTH_LAT})"  # a few metres along, same side
    accepted(superuser_client.post(url, {**data, "point_4490": moved, "building": "2栋"}))
    after = DoorPlate.objects.get(pk=p.pk)
    assert after.building == "2栋" and after.version == p.version + 1
    assert abs(after.point_4490.x - 130.2852) < 1e-9
    last = last_event(superuser_client, "door-plates", p.pk)
    assert last["username"] == "sysadmin" and last["source"] == "admin"
    assert last["changed"]["building"]["after"] == "2栋"


def test_a_good_facility_move_saves_with_the_county_of_its_new_position(superuser_client):
    f = facility()  # 向阳区
    url = f"/admin/facilities/facility/{f.pk}/change/"
    data = opened_change_form(superuser_client, url)
    accepted(
        superuser_client.post(url, {**data, "position_4490": "SRID=4490;POINT(130.295 47.33)"})
    )
    after = Facility.objects.get(pk=f.pk)
    assert after.version == f.version + 1
    assert after.county is not None
    assert last_event(superuser_client, "facilities", f.pk)["source"] == "admin"


# ---- the place-name admin ------------------------------------------------------------------


def test_admin_refuses_a_place_geometry_its_category_does_not_allow(superuser_client):
    place = place_create("向阳小区")  # 区片: a point or an area, never a line
    url = f"/admin/placenames/placename/{place.pk}/change/"
    x, y = place.point_4490.x, place.point_4490.y
    line = f"SRID=4490;LINESTRING({x} {y}, {x + 0.002} {y})"
    page = one_change_refused(superuser_client, url, "geom_4490", line)
    assert "此类别（21770）的地名不能是线" in page
    assert_unchanged(place, "geom_4490")


def test_admin_refuses_a_place_moved_out_of_the_city(superuser_client):
    place = place_create("向阳小区")
    url = f"/admin/placenames/placename/{place.pk}/change/"
    harbin = square_around(126.63, 45.75)
    page = one_change_refused(superuser_client, url, "geom_4490", f"SRID=4490;{harbin.wkt}")
    assert "超出鹤岗市范围" in page
    assert PlaceName.objects.get(pk=place.pk).version == place.version


def test_a_good_place_move_saves_with_its_label_point_in_the_history(superuser_client):
    place = place_create("向阳小区")
    lon, lat = district_centre()
    moved = square_around(lon + 0.001, lat)
    url = f"/admin/placenames/placename/{place.pk}/change/"
    data = opened_change_form(superuser_client, url)
    accepted(superuser_client.post(url, {**data, "geom_4490": f"SRID=4490;{moved.wkt}"}))
    after = PlaceName.objects.get(pk=place.pk)
    assert after.version > place.version  # (the search keys are refreshed after the save)
    assert abs(after.point_4490.x - (lon + 0.001)) < 0.0021
    assert last_event(superuser_client, "placenames", place.pk)["source"] == "admin"


# ---- add forms: tried through the layer's create service -----------------------------------


def plate_add_form(on: Street, lon: float, lat: float, number: int) -> dict:
    return {
        "street": str(on.pk),
        "number": str(number),
        "sub_number": "0",
        "point_4490": f"SRID=4490;POINT({lon} {lat})",
        "status": "installed",
        "name_on_plate": on.name,
    }


def test_admin_add_form_refuses_a_new_plate_on_the_wrong_side(superuser_client):
    s = street()
    r = superuser_client.post(
        "/admin/addresses/doorplate/add/", plate_add_form(s, 130.2850, SOUTH_LAT, number=1)
    )
    assert "为单号，按该街编号规则应在" in refused(r)
    assert not DoorPlate.objects.exists()


def test_admin_add_form_saves_a_good_new_plate(superuser_client):
    s = street()
    r = superuser_client.post(
        "/admin/addresses/doorplate/add/", plate_add_form(s, 130.2850, NORTH_LAT, number=1)
    )
    accepted(r)
    saved = DoorPlate.objects.get()
    assert (saved.street_id, saved.number) == (s.pk, 1)
