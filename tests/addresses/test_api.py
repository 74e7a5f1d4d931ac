"""The address API as a client sees it: geocode, reverse, checks and vector tiles."""

from __future__ import annotations

import gzip
from datetime import date

import mapbox_vector_tile
import pytest

from boundaries.models import AdministrativeArea
from placenames.addresses.models import AddressTile
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_rename
from placenames.addresses.tiles import lonlat_to_tile

from .conftest import EAST, NORTH_LAT, SOUTH_LAT, WEST

pytestmark = pytest.mark.django_db


def lon_at(fraction_from_east: float) -> float:
    return EAST - (EAST - WEST) * fraction_from_east


@pytest.fixture
def street(hegang_areas, make_street):
    county = AdministrativeArea.objects.get(code="230402")
    township = AdministrativeArea.objects.get(code="230402001")  # 光明街道
    s = make_street(name="新华路", county=county, township=township)
    north = [
        PlateRequest(lon_at(f), NORTH_LAT, number=n) for f, n in ((0.1, 1), (0.2, 3), (0.6, 11))
    ]
    south = [PlateRequest(lon_at(f), SOUTH_LAT, number=n) for f, n in ((0.1, 2), (0.2, 4))]
    plates_create(street_id=s.pk, requests=north + south)
    return s


def features(response):
    assert response.status_code == 200, response.content
    return response.json()["features"]


@pytest.mark.parametrize(
    "q",
    [
        "新华路3号",
        "鹤岗市向阳区新华路3号",
        "向阳区光明街道新华路３号",
        "新华路三号",
        "xinhua lu 3",
        "新化路3号",
    ],
)
def test_geocode_finds_the_plate_however_it_is_typed(client, street, q):
    best = features(client.get("/api/v1/geocode", {"q": q}))[0]
    props = best["properties"]
    assert props["level"] == "plate"
    assert props["address"] == "黑龙江省鹤岗市向阳区光明街道新华路3号"
    assert props["interpolated"] is False
    assert props["score"] >= 80
    assert props["matched"]["street"] == "新华路"
    assert best["geometry"]["coordinates"] == pytest.approx([lon_at(0.2), NORTH_LAT], abs=1e-6)


def test_a_missing_number_is_interpolated_between_known_plates_and_says_so(client, street):
    best = features(client.get("/api/v1/geocode", {"q": "新华路7号"}))[0]
    props = best["properties"]
    assert props["level"] == "interpolated" and props["interpolated"] is True
    assert "3号 与 11号 之间" in props["note"]
    lon = best["geometry"]["coordinates"][0]
    # 7 is halfway between 3 (0.2) and 11 (0.6): at ~0.4 of the street from the east end.
    assert lon == pytest.approx(lon_at(0.4), abs=0.0003)


def test_a_sub_number_and_a_courtyard_parse(client, street):
    data = client.get("/api/v1/geocode", {"q": "新华路3号之一"}).json()
    assert data["parsed"]["number"] == 3 and data["parsed"]["sub_number"] == 1
    assert data["features"][0]["properties"]["level"] == "interpolated"
    data = client.get("/api/v1/geocode", {"q": "新华路1号院"}).json()
    assert data["parsed"]["courtyard"] is True
    assert data["features"][0]["properties"]["level"] == "plate"


def test_street_only_area_only_and_former_names(client, street):
    props = features(client.get("/api/v1/geocode", {"q": "新华路"}))[0]["properties"]
    assert props["level"] == "street"
    props = features(client.get("/api/v1/geocode", {"q": "向阳区"}))[0]["properties"]
    assert props["level"] == "area" and props["address"] == "黑龙江省鹤岗市向阳区"
    street_rename(street_id=street.pk, new_name="新华大街", on=date(2025, 1, 1))
    props = features(client.get("/api/v1/geocode", {"q": "新华路3号"}))[0]["properties"]
    assert props["matched"] == {
        "street": "新华大街",
        "via": "former",
        "areas": [],
        "former_name": "新华路",
        "number": "3号",
    }


@pytest.mark.parametrize(
    ("q", "message"),
    [("", "缺少"), ("新" * 5000, "长度超过"), ("\x00\x01\x02", "不可打印"), ("   ", "缺少")],
)
def test_geocode_bad_input_is_a_400_naming_q(client, q, message):
    response = client.get("/api/v1/geocode", {"q": q})
    assert response.status_code == 400
    assert response.json()["parameter"] == "q"
    assert message in response.json()["error"]


def test_geocode_refuses_unknown_parameters(client):
    response = client.get("/api/v1/geocode", {"q": "新华路", "qq": "1"})
    assert response.status_code == 400 and response.json()["parameter"] == "qq"


def test_reverse_gives_the_nearest_plate_with_its_full_address(client, street):
    response = client.get("/api/v1/reverse", {"lon": lon_at(0.2), "lat": NORTH_LAT + 0.00005})
    props = response.json()["properties"]
    assert props["number"] == "3号"
    assert props["address"] == "黑龙江省鹤岗市向阳区光明街道新华路3号"
    assert props["street"]["name"] == "新华路"
    assert props["township"] == {"code": "230402001", "name": "光明街道"}
    assert props["county"] == {"code": "230402", "name": "向阳区"}
    assert props["city"] == {"code": "230400", "name": "鹤岗市"}
    assert 4.5 < props["distance_m"] < 6.5  # 0.00005° of latitude ≈ 5.6 m


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"lon": "nan", "lat": "47.3"}, "lon"),
        ({"lon": "130.3", "lat": "inf"}, "lat"),
        ({"lon": "47.34", "lat": "130.29"}, "lat"),  # swapped
        ({"lon": "47.34", "lat": "47.3"}, "lon"),  # a latitude given as longitude
        ({"lon": "200", "lat": "47.3"}, "lon"),
        ({"lon": "116.4", "lat": "39.9"}, "lon"),  # Beijing: not in Hegang
        ({"lat": "47.3"}, "lon"),
        ({"lon": "x" * 10_000, "lat": "47.3"}, "lon"),
    ],
)
def test_reverse_bad_input_is_a_400_naming_the_parameter(client, params, parameter):
    response = client.get("/api/v1/reverse", params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_checks_api_reports_a_duplicate(client, street):
    from placenames.addresses.models import DoorPlate

    DoorPlate.objects.filter(number=11).update(number=3)  # a surveyed legacy duplicate
    data = client.get("/api/v1/addresses/checks", {"street": street.pk}).json()
    counts = {r["rule"]: r["count"] for r in data["rules"]}
    assert counts["duplicate_number"] == 2
    assert {f["street"] for f in data["findings"]} == {"新华路"}
    bad = client.get("/api/v1/addresses/checks", {"rule": "nonsense"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "rule"
    missing = client.get("/api/v1/addresses/checks", {"street": 999_999})
    assert missing.status_code == 404


def test_tiles_carry_the_plates_and_an_edit_invalidates_the_cache(client, street):
    z = 16
    x, y = lonlat_to_tile(lon_at(0.2), NORTH_LAT, z)
    url = f"/tiles/doorplates/{z}/{x}/{y}.pbf"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    labels = {
        f["properties"]["label"]
        for f in mapbox_vector_tile.decode(response.content)["doorplates"]["features"]
    }
    assert "3号" in labels
    assert AddressTile.objects.filter(layer="doorplates", z=z, x=x, y=y).exists()
    # A new door between 1 and 3 (east of 3) shows up at once: the cached tile was deleted.
    plates_create(street_id=street.pk, requests=[PlateRequest(lon_at(0.2) + 0.00003, NORTH_LAT)])
    labels = {
        f["properties"]["label"]
        for f in mapbox_vector_tile.decode(client.get(url).content)["doorplates"]["features"]
    }
    assert "1号之一" in labels


def test_tiles_are_sent_gzipped_to_clients_that_accept_it(client, street):
    x, y = lonlat_to_tile(lon_at(0.2), NORTH_LAT, 16)
    response = client.get(f"/tiles/doorplates/16/{x}/{y}.pbf", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    tile = mapbox_vector_tile.decode(gzip.decompress(response.content))
    assert "3号" in {f["properties"]["label"] for f in tile["doorplates"]["features"]}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/tiles/doorplates/21/0/0.pbf", "z"),
        ("/tiles/doorplates/14/16384/0.pbf", "x"),
        ("/tiles/doorplates/14/0/99999.pbf", "y"),
        ("/tiles/doorplates/-1/0/0.pbf", "z"),
        ("/tiles/doorplates/a/0/0.pbf", "z"),
        ("/tiles/houses/14/0/0.pbf", "layer"),
    ],
)
def test_tile_addresses_out_of_range_are_a_400(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_plates_are_not_sent_below_street_zoom(client, street):
    x, y = lonlat_to_tile(lon_at(0.2), NORTH_LAT, 10)
    response = client.get(f"/tiles/doorplates/10/{x}/{y}.pbf")
    assert response.status_code == 200 and response.content == b""


def test_geocode_refuses_bytes_that_are_not_utf8(client, db):
    response = client.get("/api/v1/geocode?q=%FF%FE%00%01")
    assert response.status_code == 400
    assert response.json()["parameter"] == "q"


def test_street_list_names_renamed_streets_with_their_former_names(client, street):
    street_rename(street_id=street.pk, new_name="新华大街", on=date(2025, 1, 1))
    features = client.get("/api/v1/addresses/streets", {"named": "true"}).json()["features"]
    assert len(features) == 1
    props = features[0]["properties"]
    assert props["name"] == "新华大街" and props["former_names"][0]["name"] == "新华路"
    assert props["plate_count"] == 5 and props["county"] == "向阳区"
    assert features[0]["geometry"]["type"] == "LineString"
    bad = client.get("/api/v1/addresses/streets", {"bbox": "131,48,130,47"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "bbox"


def test_a_tile_served_again_costs_one_query_and_another_process_rebuild_is_seen(
    client, street, django_assert_num_queries
):
    x, y = lonlat_to_tile(lon_at(0.2), NORTH_LAT, 16)
    url = f"/tiles/doorplates/16/{x}/{y}.pbf"
    first = client.get(url).content
    with django_assert_num_queries(1):
        assert client.get(url).content == first
    # Another worker rebuilt the tile after an edit: a new cache row, other bytes.
    AddressTile.objects.filter(layer="doorplates", z=16, x=x, y=y).delete()
    rebuilt = gzip.compress(b"rebuilt elsewhere")
    AddressTile.objects.create(layer="doorplates", z=16, x=x, y=y, data=rebuilt)
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.content == rebuilt
