"""Search and autocomplete rank alike: by kind of query, as the public types them.

A small gazetteer of real Hegang names of every level (the city, counties, townships,
villages, streets) is registered; each category of query (initials, full pinyin in any
case, homophones, typos, exact names, near misses) is asked of both endpoints. The
suggestions must be the search's first results, and the intended name must be first.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# name, category, division, lon, lat
GAZETTEER = [
    ("鹤岗市", "21300", "230400", 130.298, 47.350),
    ("萝北县", "21400", "230421", 130.829, 47.578),
    ("绥滨县", "21400", "230422", 131.853, 47.289),
    ("兴安区", "21400", "230405", 130.239, 47.252),
    ("向阳区", "21400", "230402", 130.294, 47.342),
    ("鹤立镇", "21500", "230422", 131.700, 47.300),
    ("红光屯", "22200", "230421", 130.900, 47.600),
    ("黄沟屯", "22200", "230422", 131.500, 47.400),
    ("鹤岗路", "23512", "230403", 130.280, 47.330),
    ("向阳路", "23512", "230402", 130.290, 47.340),
    ("兴安路", "23512", "230405", 130.240, 47.250),
    ("绥化街", "23513", "230404", 130.310, 47.320),
    ("萝卜沟", "22200", "230421", 130.700, 47.500),
]

CATEGORIES = {
    "initials": [("hg", "鹤岗市"), ("lbx", "萝北县"), ("sbx", "绥滨县"), ("xaq", "兴安区")],
    "pinyin any case": [
        ("hegang", "鹤岗市"),
        ("HEGANG", "鹤岗市"),
        ("He Gang Shi", "鹤岗市"),
        ("LuoBei", "萝北县"),
        ("XING'AN QU", "兴安区"),
        ("suibinxian", "绥滨县"),
    ],
    "homophones": [("鹤刚", "鹤岗市"), ("罗北县", "萝北县"), ("穗滨县", "绥滨县"), ("兴按区", "兴安区")],
    "typos": [("萝县", "萝北县"), ("鹤岗岗市", "鹤岗市"), ("绥宾县", "绥滨县"), ("luobaixian", "萝北县")],
    "exact names": [("向阳路", "向阳路"), ("鹤立镇", "鹤立镇"), ("兴安路", "兴安路"), ("黄沟屯", "黄沟屯")],
    "prefixes": [("鹤岗", "鹤岗市"), ("萝北", "萝北县"), ("向阳", "向阳区"), ("绥", "绥滨县")],
}  # fmt: skip
CASES = [(kind, q, want) for kind, pairs in CATEGORIES.items() for q, want in pairs]


@pytest.fixture
def gazetteer(make_place):
    return {
        name: make_place(name, category=category, division=division, lon=lon, lat=lat)
        for name, category, division, lon, lat in GAZETTEER
    }


def search_names(client, q, **params) -> list[str]:
    response = client.get("/api/v1/placenames", {"q": q, "page_size": 5, **params})
    assert response.status_code == 200, response.content
    return [f["properties"]["standard_name"] for f in response.json()["features"]]


def suggest_names(client, q, **params) -> list[str]:
    response = client.get("/api/v1/placenames/suggest", {"q": q, "limit": 5, **params})
    assert response.status_code == 200, response.content
    return [s["standard_name"] for s in response.json()["suggestions"]]


@pytest.mark.parametrize(("kind", "q", "want"), CASES, ids=[f"{k}:{q}" for k, q, _ in CASES])
def test_the_intended_name_is_first_in_search_and_in_suggest(client, gazetteer, kind, q, want):
    found = search_names(client, q)
    assert found[:1] == [want], (kind, found)
    assert suggest_names(client, q)[:1] == [want], kind


@pytest.mark.parametrize(("kind", "q", "want"), CASES, ids=[f"{k}:{q}" for k, q, _ in CASES])
def test_suggestions_are_the_first_search_results(client, gazetteer, kind, q, want):
    suggested = suggest_names(client, q)
    searched = search_names(client, q)
    # Autocomplete stops asking once it has enough names of the kinds that complete the
    # query; those outrank every later kind, so its list is the search's first page.
    assert suggested == searched[: len(suggested)], kind
    assert suggested, kind


def test_a_division_comes_before_a_street_matched_the_same_way(client, gazetteer):
    # 向阳区 and 向阳路 both begin with 向阳, one edit from the query each.
    assert search_names(client, "向阳")[:2] == ["向阳区", "向阳路"]
    assert suggest_names(client, "xiangyang")[:2] == ["向阳区", "向阳路"]


def test_the_kind_of_match_outranks_prominence(client, gazetteer):
    # The street's exact name before the city that merely begins with its letters.
    assert search_names(client, "heganglu")[:1] == ["鹤岗路"]
    assert suggest_names(client, "鹤岗路")[:1] == ["鹤岗路"]


def test_each_suggestion_says_how_it_matched(client, gazetteer):
    response = client.get("/api/v1/placenames/suggest", {"q": "鹤刚"}).json()
    first = response["suggestions"][0]
    assert first["standard_name"] == "鹤岗市" and first["match"] in {"sound_prefix", "fuzzy"}
    hit = client.get("/api/v1/placenames", {"q": "鹤岗市"}).json()["features"][0]["properties"]
    assert hit["standard_name"] == "鹤岗市" and hit["match"] == "exact"


def _two_villages(make_place):
    # The same name in two counties: a location bias decides which one a user near it sees.
    west = make_place("团结村", category="21610", division="230421", lon=130.30, lat=47.35)
    east = make_place("团结村", category="21610", division="230422", lon=131.80, lat=47.30)
    make_place("团结路", division="230402", lon=130.31, lat=47.35)
    return west, east


@pytest.mark.parametrize("endpoint", ["search", "suggest"])
def test_a_location_bias_puts_the_nearer_of_equal_names_first(client, make_place, endpoint):
    west, east = _two_villages(make_place)
    ask = search_names if endpoint == "search" else suggest_names

    def codes(**params):
        path = "/api/v1/placenames" + ("" if endpoint == "search" else "/suggest")
        data = client.get(path, {"q": "团结村", **params}).json()
        items = data.get("features") or data.get("suggestions")
        return [i.get("properties", i)["place_code"] for i in items][:2]

    assert codes(lon="131.79", lat="47.30") == [east.place_code, west.place_code]
    assert codes(lon="130.31", lat="47.35") == [west.place_code, east.place_code]
    # The bias orders equal matches only: an exact name far away before a nearby prefix.
    assert ask(client, "团结", lon="130.31", lat="47.35")[:1] == ["团结路"]
    assert ask(client, "团结村", lon="130.31", lat="47.35")[:2] == ["团结村", "团结村"]


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/api/v1/placenames/suggest", {"q": "鹤", "lon": "130.3"}, "lat"),
        ("/api/v1/placenames/suggest", {"q": "鹤", "lat": "47.3"}, "lon"),
        ("/api/v1/placenames/suggest", {"q": "鹤", "lon": "200", "lat": "47"}, "lon"),
        ("/api/v1/placenames", {"q": "鹤", "lat": "47.3"}, "lon"),
        ("/api/v1/placenames", {"q": "鹤", "lon": "abc", "lat": "47.3"}, "lon"),
    ],
)
def test_a_half_or_bad_location_bias_is_a_400_naming_the_parameter(
    client, db, path, params, parameter
):
    response = client.get(path, params)
    assert response.status_code == 400
    assert parameter in response.json()["error"]


def test_the_schema_states_the_bias_of_search_and_suggest(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/placenames", "/api/v1/placenames/suggest"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert {"lon", "lat"} <= set(params)
        assert "位置偏好" in params["lon"]["description"]
