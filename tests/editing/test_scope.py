"""One edit scope for every write and every change-request read.

officer_xiangyang is a 地名管理员 whose scope is 向阳区 (230402). Outside it every write is
refused with 403 and changes nothing; inside it the same write succeeds. A change request
(and its documents) outside the scope is not found (404) for an officer who neither
submitted it nor decides requests.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point

from boundaries.models import AdministrativeArea, BoundaryMarker, JointInspection
from facilities.services.standards import programmes_seed
from gis_portal.accounts import OutsideEditScope
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.models import ChangeRequest
from gis_portal.editing.scope import scope_check
from placenames.addresses.models import DoorPlate, SignInspection, Street, StreetSign
from placenames.models import PlaceName
from tests.editing import test_layers_addresses_builders as xinhua  # the builders' 新华路
from tests.editing.helpers import request_submit, url
from tests.editing.scope_builders import box, place, square
from tests.editing.test_layers_addresses_builders import (
    GONGNONG,
    XIANGYANG,
    facility,
    patch,
    plate,
    point,
    post,
    sign,
    street,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("place_categories")]

# Points inside 向阳区 (the street builders' street) and inside 工农区.
XY_LON, XY_LAT = 130.285, 47.345


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def etag_of(obj, layer: str) -> str:
    obj.refresh_from_db(fields=["version"])
    return f'"{layer}-{obj.pk}-v{obj.version}"'


def edit(client, layer: str, obj, changes: dict):
    """PATCH ``changes`` (with a comment) to ``obj`` on ``layer`` at its current version."""
    return patch(client, url(layer, obj.pk), {**changes, "comment": "x"}, etag_of(obj, layer))


# --- the rule itself ------------------------------------------------------------------------


def test_the_rule_covers_geometries_and_divisions_and_fails_closed(make_user, hegang_areas):
    user = make_user("xy", "placename_officer", [XIANGYANG])
    xiangyang_id = AdministrativeArea.objects.get(code=XIANGYANG, valid_to__isnull=True).pk
    township = AdministrativeArea.objects.filter(parent_id=xiangyang_id).first()
    scope_check(user, Point(130.2967, 47.3443, srid=4490))  # in 向阳区
    scope_check(user, divisions=[xiangyang_id, township.pk])  # the district and under it
    with pytest.raises(OutsideEditScope, match="向阳区"):
        scope_check(user, Point(131.86, 47.55, srid=4490))  # 绥滨县
    gongnong_id = AdministrativeArea.objects.get(code=GONGNONG, valid_to__isnull=True).pk
    with pytest.raises(OutsideEditScope):
        scope_check(user, Point(130.2967, 47.3443, srid=4490), divisions=[gongnong_id])
    # Scoped to a township without a polygon: no geometry is inside it (not the whole city).
    in_township = make_user("tw", "placename_officer", [township.code])
    assert township.geom_4490 is None
    with pytest.raises(OutsideEditScope):
        scope_check(in_township, Point(130.2967, 47.3443, srid=4490))
    scope_check(in_township, divisions=[township.pk])
    citywide = make_user("pn", "placename_officer")
    scope_check(citywide, Point(131.86, 47.55, srid=4490), divisions=[gongnong_id])
    with pytest.raises(OutsideEditScope):
        scope_check(AnonymousUser(), Point(130.2967, 47.3443, srid=4490))


# --- (a) sign inspections -------------------------------------------------------------------


def test_a_sign_outside_the_officers_district_cannot_be_inspected(xiangyang, gn_centre):
    lon, lat = gn_centre
    gn_street = street("工农路", coords=((lon - 0.004, lat), (lon + 0.004, lat)))
    gn_sign = sign(gn_street, lon, lat + 0.0001)
    body = {"inspected_on": "2026-05-01", "condition": "damaged", "inspector": "王五"}
    r = xiangyang.post(
        f"/api/v1/addresses/signs/{gn_sign.pk}/inspections", body, content_type="application/json"
    )
    assert r.status_code == 403 and "编辑范围" in r.json()["error"]
    assert not SignInspection.objects.filter(sign=gn_sign).exists()
    assert StreetSign.objects.get(pk=gn_sign.pk).condition != "damaged"

    xy_sign = sign(street(), 130.2855, xinhua.SOUTH_LAT)
    r = xiangyang.post(
        f"/api/v1/addresses/signs/{xy_sign.pk}/inspections", body, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert StreetSign.objects.get(pk=xy_sign.pk).condition == "damaged"


# --- place names --------------------------------------------------------------------------


def test_place_names_with_geometry_are_edited_only_inside_the_district(xiangyang, gn_centre):
    outside = place("工农小区", division=GONGNONG, geom=box(*gn_centre))
    r = edit(xiangyang, "placenames", outside, {"description": "改"})
    assert r.status_code == 403
    assert PlaceName.objects.get(pk=outside.pk).description == ""
    inside = place("向阳一区", division=XIANGYANG, geom=box(XY_LON, XY_LAT))
    r = edit(xiangyang, "placenames", inside, {"description": "改"})
    assert r.status_code == 200, r.content
    assert PlaceName.objects.get(pk=inside.pk).description == "改"


def test_a_place_name_with_no_location_is_scoped_by_its_division(xiangyang, hegang_areas):
    outside = place("工农旧区", division=GONGNONG)
    r = edit(xiangyang, "placenames", outside, {"remarks": "越权"})
    assert r.status_code == 403 and "编辑范围" in r.json()["error"]
    assert PlaceName.objects.get(pk=outside.pk).remarks == ""
    # Nor can a location be given to it from inside the officer's district.
    r = edit(xiangyang, "placenames", outside, {"geometry": square(XY_LON, XY_LAT)})
    assert r.status_code == 403
    assert PlaceName.objects.get(pk=outside.pk).geom_4490 is None

    inside = place("向阳旧区", division=XIANGYANG)
    r = edit(xiangyang, "placenames", inside, {"remarks": "核对"})
    assert r.status_code == 200, r.content


def test_a_point_only_place_name_outside_cannot_be_given_a_polygon_inside(xiangyang, gn_centre):
    outside = place("工农村", division=GONGNONG, point_only=gn_centre)
    r = edit(xiangyang, "placenames", outside, {"geometry": square(XY_LON, XY_LAT)})
    assert r.status_code == 403
    fresh = PlaceName.objects.get(pk=outside.pk)
    assert fresh.geom_4490 is None and fresh.point_4490.x == pytest.approx(gn_centre[0])

    inside = place("向阳村", division=XIANGYANG, point_only=(XY_LON, XY_LAT))
    r = edit(xiangyang, "placenames", inside, {"geometry": square(XY_LON, XY_LAT)})
    assert r.status_code == 200, r.content
    assert PlaceName.objects.get(pk=inside.pk).geom_4490 is not None


# --- streets, signs, door plates, facilities ---------------------------------------------------


@pytest.fixture
def gn_features(gn_centre):
    lon, lat = gn_centre
    s = street("工农路", coords=((lon - 0.004, lat), (lon + 0.004, lat)))
    return {
        "streets": (s, {"start_description": "越权"}),
        "street-signs": (sign(s, lon, lat + 0.0001), {"kind": "single"}),
        "door-plates": (plate(s, lon + 0.001, lat + 0.0001, number=1), {"building": "9号楼"}),
    }


@pytest.fixture
def xy_features(hegang_areas):
    s = street()
    return {
        "streets": (s, {"start_description": "一马路口"}),
        "street-signs": (sign(s, 130.2855, xinhua.SOUTH_LAT), {"kind": "single"}),
        "door-plates": (plate(s, 130.2850, xinhua.NORTH_LAT, number=1), {"building": "9号楼"}),
    }


@pytest.mark.parametrize("layer", ["streets", "street-signs", "door-plates"])
def test_address_layers_are_edited_only_inside_the_district(
    layer, xiangyang, gn_features, xy_features
):
    obj, change = gn_features[layer]
    before = type(obj).objects.get(pk=obj.pk).version
    r = edit(xiangyang, layer, obj, change)
    assert r.status_code == 403
    r = xiangyang.delete(
        url(layer, obj.pk),
        json.dumps({"comment": "x"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag_of(obj, layer),
    )
    assert r.status_code == 403
    assert type(obj).objects.get(pk=obj.pk).version == before

    obj, change = xy_features[layer]
    r = edit(xiangyang, layer, obj, change)
    assert r.status_code == 200, r.content


def test_new_streets_signs_and_plates_are_drawn_only_inside_the_district(
    xiangyang, gn_features, gn_centre
):
    lon, lat = gn_centre
    gn_street = gn_features["streets"][0]
    line = {"type": "LineString", "coordinates": [[lon - 0.004, lat + 0.003], [lon, lat + 0.003]]}
    r = post(
        xiangyang, "/api/v1/editing/streets", {"name": "越权路", "geometry": line, "comment": "x"}
    )
    assert r.status_code == 403
    r = post(
        xiangyang,
        "/api/v1/editing/street-signs",
        {
            "street_id": gn_street.pk,
            "kind": "single",
            "geometry": point(lon + 0.002, lat + 1e-4),
            "comment": "x",
        },
    )
    assert r.status_code == 403
    r = post(
        xiangyang,
        "/api/v1/editing/door-plates",
        {"street_id": gn_street.pk, "geometry": point(lon + 0.002, lat + 1e-4), "comment": "x"},
    )
    assert r.status_code == 403
    r = post(
        xiangyang,
        "/api/v1/addresses/plates",
        {"street": gn_street.pk, "plates": [{"lon": lon + 0.002, "lat": lat + 1e-4}]},
    )
    assert r.status_code == 403
    assert not Street.objects.filter(name="越权路").exists()
    assert StreetSign.objects.filter(street=gn_street).count() == 1
    assert DoorPlate.objects.filter(street=gn_street).count() == 1

    line = {
        "type": "LineString",
        "coordinates": [[130.280, xinhua.LAT + 0.003], [130.288, xinhua.LAT + 0.003]],
    }
    r = post(
        xiangyang, "/api/v1/editing/streets", {"name": "向阳新路", "geometry": line, "comment": "x"}
    )
    assert r.status_code == 201, r.content


def test_facilities_are_edited_only_inside_the_planners_district(gn_centre, client_as):
    programmes_seed()  # a transactional test elsewhere may have flushed the seeded rows
    planner = client_as("qian", "planner", [XIANGYANG])
    outside = facility("工农区日间照料中心", *gn_centre)
    r = edit(planner, "facilities", outside, {"address": "越权"})
    assert r.status_code == 403
    outside.refresh_from_db()
    assert outside.address == ""
    inside = facility("向阳区日间照料中心", XY_LON, XY_LAT)
    r = edit(planner, "facilities", inside, {"address": "向阳区"})
    assert r.status_code == 200, r.content


# --- change requests -----------------------------------------------------------------------


def naming_proposal(at: tuple[float, float], division: str, name: str = "丰收小区") -> dict:
    """A new 区片 drawn as a small square at ``at`` and declared in ``division``."""
    return {
        "standard_name": name,
        "category": "21770",
        "division": division,
        "geometry": square(*at),
    }


def naming(user, *, at: tuple[float, float], division: str):
    return request_submit(
        user, "placenames", naming_proposal(at, division), reason="新建住宅区命名"
    )


def request_post(client, **body):
    """POST a change request through the API."""
    return post(client, "/api/v1/editing/requests", body)


def test_a_naming_request_is_in_scope_by_its_place_and_its_declared_district(xiangyang, gn_centre):
    def submit(at, division):
        return request_post(
            xiangyang,
            layer="placenames",
            action="create",
            proposed=naming_proposal(at, division),
            reason="命名",
        )

    # Drawn in 向阳区 but declared in 工农区, drawn in 工农区 but declared in 向阳区, or
    # both in 工农区: each is outside the officer's district.
    assert submit((XY_LON, XY_LAT), GONGNONG).status_code == 403
    assert submit(gn_centre, XIANGYANG).status_code == 403
    assert submit(gn_centre, GONGNONG).status_code == 403
    assert not ChangeRequest.objects.exists()
    r = submit((XY_LON, XY_LAT), XIANGYANG)
    assert r.status_code == 201, r.content


def test_a_naming_requests_district_must_contain_its_place(gn_centre, make_user):
    citywide = make_user("pn", "placename_officer")  # no scope: the whole city
    with pytest.raises(InvalidEdit, match="不在所填行政区") as refused:
        naming(citywide, at=(XY_LON, XY_LAT), division=GONGNONG)
    assert refused.value.field == "division"
    assert not ChangeRequest.objects.exists()
    assert naming(citywide, at=gn_centre, division=GONGNONG).pk


@pytest.mark.parametrize(
    "proposed",
    [{"standard_name": "越权小区"}, {"status": "abolished", "abolished_on": "2024-01-01"}],
)
def test_renaming_and_abolishing_are_requested_only_inside_the_district(
    xiangyang, gn_centre, proposed
):
    for outside in (
        place("工农小区", division=GONGNONG, geom=box(*gn_centre)),
        place("工农老村", division=GONGNONG),
    ):
        r = request_post(
            xiangyang, layer="placenames", target_id=outside.pk, proposed=proposed, reason="x"
        )
        assert r.status_code == 403, r.content
    assert not ChangeRequest.objects.exists()
    inside = place("向阳小区", division=XIANGYANG, geom=box(XY_LON, XY_LAT))
    r = request_post(
        xiangyang, layer="placenames", target_id=inside.pk, proposed=proposed, reason="x"
    )
    assert r.status_code == 201, r.content


def test_boundary_requests_are_made_only_inside_the_officers_counties(boundary_demo, client_as):
    line, marker = boundary_demo
    codes = {line.area_a.code, line.area_b.code}
    other = "230422" if "230422" not in codes else "230421"
    elsewhere = client_as("scoped", "boundary_officer", [other])
    for layer, obj, change in (
        ("boundary-markers", marker, {"material": "混凝土预制"}),
        ("boundary-lines", line, {"name": "越权界线"}),
    ):
        r = request_post(elsewhere, layer=layer, target_id=obj.pk, proposed=change, reason="x")
        assert r.status_code == 403, r.content
    assert not ChangeRequest.objects.exists()
    here = client_as("here", "boundary_officer", sorted(codes))
    r = request_post(
        here,
        layer="boundary-markers",
        target_id=marker.pk,
        proposed={"material": "混凝土预制"},
        reason="联检更正",
    )
    assert r.status_code == 201, r.content
    assert BoundaryMarker.objects.get(pk=marker.pk).material != "混凝土预制"


def test_joint_inspections_are_recorded_only_inside_the_officers_counties(boundary_demo, client_as):
    line, _marker = boundary_demo
    codes = {line.area_a.code, line.area_b.code}
    other = "230422" if "230422" not in codes else "230421"
    data = {"inspected_on": "2026-05-01", "participants": "向阳区民政局"}
    for m in line.markers.all():
        data[f"state_{m.pk}"] = "intact"
    elsewhere = client_as("scoped", "boundary_officer", [other])
    r = elsewhere.post(f"/boundaries/lines/{line.code}/inspect/", data)
    assert r.status_code == 403
    assert not JointInspection.objects.filter(line=line, is_demo=False).exists()
    here = client_as("here", "boundary_officer", [line.area_a.code])  # one side is enough
    r = here.post(f"/boundaries/lines/{line.code}/inspect/", data)
    assert r.status_code == 302
    assert JointInspection.objects.filter(line=line, is_demo=False).exists()


# --- the admin ---------------------------------------------------------------------------


def test_the_admin_keeps_an_officer_to_their_district(xiangyang, gn_centre):
    outside = place("工农旧区", division=GONGNONG)
    change = f"/admin/placenames/placename/{outside.pk}/change/"
    page = xiangyang.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert xiangyang.post(change, {"remarks": "越权"}).status_code == 403
    # A registered name is abolished only by an approved request: no officer deletes one.
    assert xiangyang.get(f"/admin/placenames/placename/{outside.pk}/delete/").status_code == 403
    xiangyang.post(
        "/admin/placenames/placename/",
        {"action": "delete_selected", "_selected_action": [outside.pk], "post": "yes"},
    )
    assert PlaceName.objects.get(pk=outside.pk).remarks == ""
    # Door plates the officer may delete: outside the district neither one by one nor in bulk.
    lon, lat = gn_centre
    gn_street = street("工农路", coords=((lon - 0.004, lat), (lon + 0.004, lat)))
    gn_plate = plate(gn_street, lon, lat + 0.0005)
    assert xiangyang.get(f"/admin/addresses/doorplate/{gn_plate.pk}/delete/").status_code == 403
    r = xiangyang.post(
        "/admin/addresses/doorplate/",
        {"action": "delete_selected", "_selected_action": [gn_plate.pk], "post": "yes"},
    )
    assert r.status_code == 403
    assert DoorPlate.objects.filter(pk=gn_plate.pk).exists()
    # A sign's inspections are saved with the sign: outside, the sign's form is read-only.
    gn_sign = sign(gn_street, lon, lat - 0.0005)
    sign_change = f"/admin/addresses/streetsign/{gn_sign.pk}/change/"
    assert xiangyang.post(sign_change, {"inspections-TOTAL_FORMS": "1"}).status_code == 403
    assert not SignInspection.objects.filter(sign=gn_sign).exists()

    inside = place("向阳旧区", division=XIANGYANG)
    page = xiangyang.get(f"/admin/placenames/placename/{inside.pk}/change/")
    assert 'name="_save"' in page.content.decode()
    xy_plate = plate(street("向阳旧路"), (xinhua.WEST + xinhua.EAST) / 2, xinhua.LAT + 0.0005)
    assert xiangyang.get(f"/admin/addresses/doorplate/{xy_plate.pk}/delete/").status_code == 200
