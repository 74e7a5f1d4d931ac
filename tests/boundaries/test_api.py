import pytest

pytestmark = pytest.mark.django_db


def test_county_areas_are_the_eight_with_coordinates_in_hegang(client, hegang_areas):
    response = client.get("/api/v1/areas", {"level": "county"})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"向阳区", "工农区", "南山区", "兴安区", "东山区", "兴山区", "萝北县", "绥滨县"}
    for feature in data["features"]:
        rings = feature["geometry"]["coordinates"]
        for polygon in rings:
            for lon, lat in polygon[0]:
                assert 129.4 <= lon <= 132.6 and 47.0 <= lat <= 48.5
        assert feature["properties"]["population"] > 20_000


def test_point_in_the_city_centre_names_the_city_and_a_district(client, hegang_areas):
    response = client.get("/api/v1/areas/at", {"lon": "130.29", "lat": "47.35"})
    assert response.status_code == 200
    areas = response.json()["areas"]
    assert areas[0]["name"] == "鹤岗市"
    assert areas[0]["population"] == 891_271
    assert areas[1]["level"] == "county"
    assert areas[1]["name"] in {"向阳区", "工农区", "南山区", "兴山区"}


def test_point_outside_the_city_finds_nothing(client, hegang_areas):
    response = client.get("/api/v1/areas/at", {"lon": "126.6", "lat": "45.75"})  # Harbin
    assert response.status_code == 200
    assert response.json()["areas"] == []


def test_parent_filter_lists_the_townships_of_a_district(client, hegang_areas):
    data = client.get("/api/v1/areas", {"parent": "230403", "level": "township"}).json()
    assert {f["properties"]["name"] for f in data["features"]} == {
        "育才路街道",
        "团结路街道",
        "湖滨街道",
        "解放路街道",
        "新南街道",
        "红旗路街道",
    }
    assert all(f["geometry"] is None for f in data["features"])  # no public township polygons


def test_bbox_filter_keeps_only_intersecting_areas(client, hegang_areas):
    data = client.get(
        "/api/v1/areas", {"bbox": "130.25,47.30,130.35,47.40", "level": "county"}
    ).json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert "绥滨县" not in names
    assert names & {"向阳区", "工农区"}


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/v1/areas/at", {"lon": "abc", "lat": "47"}, "lon"),
        ("/api/v1/areas/at", {"lon": "NaN", "lat": "47"}, "lon"),
        ("/api/v1/areas/at", {"lon": "130", "lat": "inf"}, "lat"),
        ("/api/v1/areas/at", {"lon": "130", "lat": "95"}, "lat"),
        ("/api/v1/areas/at", {"lat": "47"}, "lon"),
        ("/api/v1/areas", {"bbox": "131,48,130,47"}, "bbox"),
        ("/api/v1/areas", {"bbox": "130,47,131"}, "bbox"),
        ("/api/v1/areas", {"bbox": "130,47,131,nan"}, "bbox"),
        ("/api/v1/areas", {"level": "province"}, "level"),
        ("/api/v1/areas", {"ordering": "name"}, "ordering"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(client, path, params, parameter):
    response = client.get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert parameter in body["error"]
