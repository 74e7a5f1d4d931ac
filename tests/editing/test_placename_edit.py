"""Place names as an editor layer: ETag/If-Match, validation, history and restore."""

from __future__ import annotations

import json

import pytest
import shapely
from django.contrib.gis.geos import Point
from shapely.geometry import mapping

from gis_portal.editing.models import ChangeRequest
from placenames.models import PlaceName
from placenames.services.edit import placename_geometry_parse
from tests.editing.placename_builders import district_centre, place_create, square_around

pytestmark = pytest.mark.django_db


def url(place) -> str:
    return f"/api/v1/editing/placenames/{place.pk}"


def patch(client, place, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url(place), json.dumps(body), content_type="application/json", **headers)


def moved_square(dx: float = 0.001) -> dict:
    lon, lat = district_centre()
    return mapping(shapely.from_wkt(square_around(lon + dx, lat).wkt))


def test_officer_reshapes_a_polygon_point_is_recomputed_and_history_says_who(
    hegang_areas, client_as
):
    place = place_create()
    officer = client_as("pn", "placename_officer")
    r = officer.get(url(place))
    assert r.status_code == 200
    assert r.json()["geometry"]["type"] == "Polygon"
    etag = r["ETag"]
    assert etag == f'"placenames-{place.pk}-v1"'
    r = patch(
        officer, place, {"geometry": moved_square(), "remarks": "实测", "comment": "外业复核"}, etag
    )
    assert r.status_code == 200, r.json()
    assert r["ETag"] == f'"placenames-{place.pk}-v2"'
    place.refresh_from_db()
    assert place.remarks == "实测" and place.version == 2
    assert place.geom_4490.covers(place.point_4490)
    assert place.point_4490.x > district_centre()[0] - 0.001
    timeline = officer.get(f"/api/v1/editing/placenames/{place.pk}/history").json()["timeline"]
    last = timeline[-1]
    assert last["username"] == "pn" and last["comment"] == "外业复核"
    assert last["changed"]["remarks"]["after"] == "实测"
    assert last["geometry"]["max_shift_m"] > 50


def test_missing_if_match_is_428_and_stale_is_412_before_the_body(hegang_areas, client_as):
    place = place_create()
    officer = client_as("pn", "placename_officer")
    assert patch(officer, place, {"bogus": 1}).status_code == 428
    stale = f'"placenames-{place.pk}-v0"'
    r = patch(officer, place, {"bogus": 1}, stale)
    assert r.status_code == 412 and r.json()["current_version"] == 1


def test_geometry_of_the_wrong_type_for_the_category_is_refused(hegang_areas, client_as):
    street = place_create("幸福街", category="23515", geom=Point(*district_centre()))
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(street))["ETag"]
    r = patch(officer, street, {"geometry": moved_square(), "comment": "改为面"}, etag)
    assert r.status_code == 400
    assert r.json()["field"] == "geometry" and "不能是面" in r.json()["error"]
    street.refresh_from_db()
    assert street.geom_4490.geom_type == "Point" and street.version == 1


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[130, 47], [131, 48], [131, 47], [130, 48], [130, 47]]],
            },
            "无效",
        ),
        ({"type": "Point", "coordinates": [116.4, 39.9]}, "超出鹤岗市"),
        ({"type": "Point", "coordinates": [500000, 5200000]}, "不是经纬度"),
        ({"type": "Point", "coordinates": [130.3, 47.3], "crs": {"type": "name"}}, "crs"),
        ("SRID=4326;POINT(130.3 47.3)", "SRID=4326"),
    ],
)
def test_bad_geometries_are_refused_and_nothing_changes(hegang_areas, client_as, geometry, message):
    place = place_create()
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(place))["ETag"]
    r = patch(officer, place, {"geometry": geometry, "comment": "试"}, etag)
    assert r.status_code == 400 and message in r.json()["error"], r.json()
    assert PlaceName.objects.get(pk=place.pk).version == 1


def test_pinyin_is_romanised_when_blank_and_must_be_latin_when_typed(hegang_areas, client_as):
    place = place_create("向阳小区")
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(place))["ETag"]
    r = patch(officer, place, {"pinyin": "向阳", "comment": "拼写"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "pinyin"
    r = patch(officer, place, {"pinyin": "", "comment": "自动拼写"}, etag)
    assert r.status_code == 200, r.json()
    assert r.json()["properties"]["pinyin"].startswith("Xiangyang")
    r = patch(officer, place, {"pinyin": "Xiàngyáng Xiǎoqū", "comment": "标调"}, r["ETag"])
    assert r.status_code == 200 and r.json()["properties"]["pinyin"] == "Xiàngyáng Xiǎoqū"


def test_renaming_through_the_api_becomes_a_change_request(hegang_areas, client_as):
    place = place_create("向阳小区")
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(place))["ETag"]
    r = patch(officer, place, {"standard_name": "朝阳小区", "comment": "居民申请更名"}, etag)
    assert r.status_code == 202, r.json()
    request = ChangeRequest.objects.get(pk=r.json()["request"]["id"])
    assert request.kind == "renaming" and request.base_version == 1
    assert "已提交审批" in r.json()["request"]["message"]
    assert PlaceName.objects.get(pk=place.pk).standard_name == "向阳小区"
    # A second edit of the name while the first waits is told which request is pending.
    r = patch(officer, place, {"standard_name": "东风小区", "comment": "另一方案"}, etag)
    assert r.status_code == 409 and f"#{request.pk}" in r.json()["error"]


def test_delete_is_refused_abolish_instead(hegang_areas, client_as):
    place = place_create()
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(place))["ETag"]
    r = officer.delete(
        url(place),
        json.dumps({"comment": "删"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 409 and "销名" in r.json()["error"]
    assert PlaceName.objects.filter(pk=place.pk).exists()


@pytest.mark.parametrize(("role", "expected"), [("boundary_officer", 403), ("planner", 403)])
def test_only_placename_officers_and_administrators_write(hegang_areas, client_as, role, expected):
    place = place_create()
    client = client_as("x", role)
    etag = client.get(url(place))["ETag"]
    assert patch(client, place, {"remarks": "x", "comment": "x"}, etag).status_code == expected


def test_edit_outside_the_officers_county_is_refused(hegang_areas, client_as):
    place = place_create()
    officer = client_as("pn", "placename_officer", ["230404"])  # 南山区, not 工农区
    etag = officer.get(url(place))["ETag"]
    r = patch(officer, place, {"remarks": "越界", "comment": "试"}, etag)
    assert r.status_code == 403
    assert PlaceName.objects.get(pk=place.pk).remarks == ""


def test_restore_brings_back_the_earlier_polygon_as_a_new_change(hegang_areas, client_as):
    place = place_create()
    original = place.geom_4490.wkt
    officer = client_as("pn", "placename_officer")
    etag = officer.get(url(place))["ETag"]
    etag = patch(officer, place, {"geometry": moved_square(), "comment": "误移"}, etag)["ETag"]
    first = officer.get(f"/api/v1/editing/placenames/{place.pk}/history").json()["timeline"][0]
    r = officer.post(
        f"/api/v1/editing/placenames/{place.pk}/restore",
        json.dumps({"event_id": first["event_id"], "comment": "撤回误移"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 200, r.json()
    place.refresh_from_db()
    assert shapely.from_wkt(place.geom_4490.wkt).equals(shapely.from_wkt(original))
    assert place.version == 3


def test_editor_loads_the_county_with_the_polygon(hegang_areas, client_as):
    place_create()
    officer = client_as("pn", "placename_officer")
    r = officer.get("/api/v1/editing/placenames", {"county": "230403"})
    assert r.status_code == 200
    features = r.json()["features"]
    assert [f["geometry"]["type"] for f in features] == ["Polygon"]
    assert features[0]["properties"]["standard_name"] == "向阳小区"
    assert officer.get("/api/v1/editing/placenames", {"order": "x"}).status_code == 400


def test_geometry_parse_accepts_every_census_type_without_a_database():
    for wkt in (
        "POINT(130.3 47.3)",
        "LINESTRING(130.3 47.3, 130.4 47.3)",
        "MULTIPOLYGON(((130 47, 130.1 47, 130.1 47.1, 130 47)))",
    ):
        assert placename_geometry_parse(wkt).wkt.split(" ")[0] in wkt
