"""Creating door plates over the API: permissions, edit scope, and bad input that writes nothing."""

from __future__ import annotations

import pytest

from gis_portal.accounts import roles_sync, user_create_with_role
from placenames.addresses.models import DoorPlate, SignInspection, StreetSign
from placenames.addresses.services.signs import sign_create

from .conftest import EAST, LAT, NORTH_LAT, WEST

pytestmark = pytest.mark.django_db

URL = "/api/v1/addresses/plates"


@pytest.fixture
def street(hegang_areas, make_street):
    return make_street()


@pytest.fixture
def officer_client(client, hegang_areas):
    roles_sync()
    user = user_create_with_role(
        username="officer1", password="x-demo-pass", role="placename_officer"
    )
    client.force_login(user)
    return client


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_the_public_cannot_create_plates(client, street):
    response = post(client, {"street": street.pk, "plates": [{"lon": 130.285, "lat": NORTH_LAT}]})
    assert response.status_code in (401, 403)
    assert not DoorPlate.objects.exists()


def test_an_officer_creates_plates_with_proposed_numbers(officer_client, street):
    body = {
        "street": street.pk,
        "plates": [
            {"lon": EAST - 0.001, "lat": NORTH_LAT},
            {"lon": EAST - 0.002, "lat": NORTH_LAT},
        ],
    }
    response = post(officer_client, body)
    assert response.status_code == 201, response.content
    texts = [f["properties"]["text"] for f in response.json()["features"]]
    assert texts == ["新华路1号", "新华路3号"]


def test_the_proposal_endpoint_writes_nothing(client, street):
    response = client.get(
        f"/api/v1/addresses/streets/{street.pk}/propose", {"lon": EAST - 0.001, "lat": LAT - 0.0001}
    )
    assert response.json()["text"] == "2号" and response.json()["side"] == "left"
    assert not DoorPlate.objects.exists()
    on_line = client.get(
        f"/api/v1/addresses/streets/{street.pk}/propose", {"lon": (EAST + WEST) / 2, "lat": LAT}
    )
    assert on_line.status_code == 400 and "中线" in on_line.json()["error"]


@pytest.mark.parametrize(
    ("plates", "status", "parameter"),
    [
        (
            [
                {"lon": EAST - 0.001, "lat": NORTH_LAT, "number": 5},
                {"lon": EAST - 0.003, "lat": NORTH_LAT, "number": 5},
            ],
            409,
            None,
        ),
        ([{"lon": 200, "lat": NORTH_LAT}], 400, "plates[0].lon"),
        ([{"lon": EAST - 0.001, "lat": NORTH_LAT, "number": 0}], 400, "plates[0].number"),
        ([{"lon": EAST - 0.001, "lat": NORTH_LAT, "status": "retired"}], 400, "plates[0].status"),
        ([], 400, "plates"),
    ],
)
def test_bad_batches_write_nothing(officer_client, street, plates, status, parameter):
    response = post(officer_client, {"street": street.pk, "plates": plates})
    assert response.status_code == status, response.content
    if parameter:
        assert response.json()["parameter"] == parameter
    assert not DoorPlate.objects.exists()


def test_a_plate_on_a_street_that_does_not_exist_is_a_404(officer_client, street):
    response = post(
        officer_client, {"street": 999_999, "plates": [{"lon": EAST - 0.001, "lat": NORTH_LAT}]}
    )
    assert response.status_code == 404 and "不存在" in response.json()["error"]
    assert not DoorPlate.objects.exists()


def test_an_officer_limited_to_another_district_is_refused(client, street):
    roles_sync()
    user = user_create_with_role(
        username="officer_gn",
        password="x-demo-pass",
        role="placename_officer",
        area_codes=["230403"],
    )
    client.force_login(user)  # 工农区 only; the street is in 向阳区
    response = post(
        client, {"street": street.pk, "plates": [{"lon": EAST - 0.001, "lat": NORTH_LAT}]}
    )
    assert response.status_code == 403 and "编辑范围" in response.json()["error"]
    assert not DoorPlate.objects.exists()


def test_an_officer_records_a_sign_inspection(officer_client, street, client):
    sign = sign_create(street_id=street.pk, kind="single", lon=EAST - 0.001, lat=NORTH_LAT)
    url = f"/api/v1/addresses/signs/{sign.pk}/inspections"
    body = {"inspected_on": "2026-05-01", "condition": "damaged", "inspector": "李四"}
    response = officer_client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert StreetSign.objects.get(pk=sign.pk).condition == "damaged"
    bad = officer_client.post(url, {**body, "condition": "shiny"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["parameter"] == "condition"
    future = officer_client.post(
        url, {**body, "inspected_on": "2999-01-01"}, content_type="application/json"
    )
    assert future.status_code == 400 and future.json()["parameter"] == "inspected_on"
    missing = officer_client.post(
        "/api/v1/addresses/signs/999999/inspections", body, content_type="application/json"
    )
    assert missing.status_code == 404
    assert SignInspection.objects.filter(sign=sign).count() == 1
