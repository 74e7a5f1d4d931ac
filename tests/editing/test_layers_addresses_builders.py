"""Builders shared by the street/sign/door-plate/facility editor tests (no tests here)."""

from __future__ import annotations

import json

from django.contrib.gis.geos import Point

from facilities.models import Facility, FacilityType, Programme
from facilities.services.facilities import county_of
from gis_portal.metric_crs import to_metric
from placenames.addresses.models import DoorPlate, SignKind, Street, StreetSign
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services import plates as plate_services
from placenames.addresses.services import signs as sign_services
from placenames.addresses.services import streets as street_services

# An east–west street in 向阳区 (230402), drawn west → east (~750 m). Under the Beijing rule
# numbers grow from the east end and odd numbers are on the north side.
WEST, EAST, LAT = 130.280, 130.290, 47.3400
NORTH_LAT, SOUTH_LAT = LAT + 0.0001, LAT - 0.0001  # ~11 m either side
XIANGYANG, GONGNONG = "230402", "230403"


def street(name: str = "新华路", coords=((WEST, LAT), (EAST, LAT))) -> Street:
    metric = [to_metric(*c) for c in coords]
    county = county_of(*coords[0])
    return street_services.street_create(
        name=name, coords_4490=coords, rule=rule_beijing(metric), county=county
    )


def plate(on: Street, lon: float, lat: float, number: int | None = None) -> DoorPlate:
    return plate_services.plate_create(
        street_id=on.pk,
        request=plate_services.PlateRequest(lon=lon, lat=lat, number=number, status="installed"),
    )


def sign(on: Street, lon: float, lat: float) -> StreetSign:
    return sign_services.sign_create(street_id=on.pk, kind=SignKind.LIGHTBOX, lon=lon, lat=lat)


def facility(
    name: str = "向阳区养老服务中心", lon: float = 130.285, lat: float = 47.345
) -> Facility:
    programme = Programme.objects.get(slug="eldercare_daycare")
    return Facility.objects.create(
        programme=programme,
        facility_type=FacilityType.objects.get(slug="daycare_centre"),
        name=name,
        position_4490=Point(lon, lat, srid=4490),
        county=county_of(lon, lat),
    )


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def patch(client, url: str, body: dict, etag: str | None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")
