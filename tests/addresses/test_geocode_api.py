"""The /api/v1/geocode parameters a client uses: structured fields, bias, formats, bad input."""

from __future__ import annotations

import pytest

from boundaries.models import AdministrativeArea
from placenames.addresses.models import DoorPlate, Street
from placenames.addresses.services.plates import PlateRequest, plates_create

from .conftest import EAST, NORTH_LAT, WEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(hegang_areas, make_street):
    county = AdministrativeArea.objects.get(code="230402")  # 向阳区
    township = AdministrativeArea.objects.get(code="230402001")  # 光明街道
    s = make_street(name="金谷路", county=county, township=township)
    plates_create(
        street_id=s.pk,
        requests=[PlateRequest(EAST - (EAST - WEST) * f, NORTH_LAT, number=n)
                  for f, n in ((0.1, 1), (0.2, 3), (0.6, 11))],
    )  # fmt: skip
    return s


def top(response):
    assert response.status_code == 200, response.content
    return response.json()["features"][0]


def test_structured_fields_find_the_plate(client, street):
    props = top(
        client.get(
            "/api/v1/geocode",
            {"street": "金谷路", "number": "3", "district": "向阳", "township": "光明街道"},
        )
    )["properties"]
    assert props["level"] == "plate" and props["address"].endswith("金谷路3号")
    assert props["warnings"] == []


def test_a_contradicting_district_lowers_the_score_and_warns_in_chinese(client, street):
    props = top(client.get("/api/v1/geocode", {"q": "工农区金谷路3号"}))["properties"]
    assert props["level"] == "plate" and props["score"] <= 80
    assert props["warnings"][0]["code"] == "area_conflict"
    assert "工农区" in props["warnings"][0]["message"]


def test_a_number_past_the_known_plates_is_a_street_answer(client, street):
    props = top(client.get("/api/v1/geocode", {"q": "金谷路9999号"}))["properties"]
    assert props["level"] == "street" and props["address"].endswith("金谷路")
    assert props["score"] <= 80 and not props["interpolated"]
    assert props["warnings"][-1]["code"] == "number_beyond_range"


def test_geocodejson_output_follows_the_spec(client, street):
    data = client.get("/api/v1/geocode", {"q": "JINGU LU 11 HAO", "format": "geocodejson"}).json()
    assert data["type"] == "FeatureCollection" and data["geocoding"]["version"] == "0.1.0"
    assert data["geocoding"]["query"] == "JINGU LU 11 HAO"
    g = data["features"][0]["properties"]["geocoding"]
    assert g["type"] == "house" and g["housenumber"] == "11号" and g["street"] == "金谷路"
    assert g["county"] == "向阳区" and g["admin"]["level8"] == "光明街道"
    assert g["label"].endswith("金谷路11号") and 0 < g["confidence"] <= 1
    assert data["features"][0]["geometry"]["type"] == "Point"


def test_a_location_bias_reports_the_distance(client, street):
    props = top(client.get("/api/v1/geocode", {"q": "金谷路", "lon": WEST, "lat": NORTH_LAT}))[
        "properties"
    ]
    assert props["street_id"] == street.pk and props["distance_m"] < 20


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"q": "路" * 10_000}, "q", "100"),
        ({"q": "金谷路\x07 3号"}, "q", "不可打印"),
        ({"street": "金谷路\x00"}, "street", "不可打印"),
        ({"street": "金谷路", "number": "x" * 10_000}, "number", "100"),
        ({"street": "金谷路", "district": "朝阳区"}, "district", "不是鹤岗市的县（区）"),
        ({"street": "金谷路", "number": "甲"}, "number", "门牌号"),
        ({"number": "3"}, "street", "街路名"),
        ({"q": "金谷路", "street": "金谷路"}, "q", "不能与"),
        ({"q": "金谷路", "format": "xml"}, "format", "geocodejson"),
        ({"q": "金谷路", "lon": "130.28"}, "lat", "缺少"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter_and_changes_nothing(
    client, street, params, parameter, message
):
    plates, streets = DoorPlate.objects.count(), Street.objects.count()
    response = client.get("/api/v1/geocode", params)
    assert response.status_code == 400, response.content
    body = response.content.decode()
    assert parameter in body and message in body
    assert (DoorPlate.objects.count(), Street.objects.count()) == (plates, streets)


def test_an_unpaired_surrogate_is_a_400_naming_q(client, street):
    # A UTF-16 surrogate on its own (U+D800) encoded as UTF-8 bytes: not valid UTF-8.
    response = client.get("/api/v1/geocode?q=%E9%87%91%ED%A0%80")
    assert response.status_code == 400 and "q" in response.json()["error"]
    response = client.get("/api/v1/geocode?street=%ED%A0%80&number=3")
    assert response.status_code == 400 and "street" in response.json()["error"]


def test_the_openapi_schema_states_the_new_parameters(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    names = {p["name"] for p in schema["paths"]["/api/v1/geocode"]["get"]["parameters"]}
    assert {"q", "street", "number", "district", "township", "lon", "lat", "format"} <= names


def test_reverse_as_geocodejson_gives_the_plate_with_its_distance(client, street):
    data = client.get(
        "/api/v1/reverse",
        {"lon": EAST - (EAST - WEST) * 0.2, "lat": NORTH_LAT, "format": "geocodejson"},
    ).json()
    assert data["geocoding"]["version"] == "0.1.0" and len(data["features"]) == 1
    g = data["features"][0]["properties"]["geocoding"]
    assert g["type"] == "house" and g["housenumber"] == "3号" and g["street"] == "金谷路"
    assert g["distance_m"] < 1 and g["id"].startswith("plate:")
