"""Search, suggest, detail, what-is-here and romanise endpoints, as a user calls them."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.gis.geos import LineString
from django.core.management import call_command

from placenames.models import AliasKind
from placenames.services.names import AliasInput

pytestmark = pytest.mark.django_db


def _names(response):
    assert response.status_code == 200, response.content
    return [f["properties"]["standard_name"] for f in response.json()["features"]]


def test_new_record_gets_a_20_digit_code_and_pinyin(make_place):
    place = make_place("兴安路", category="23512", division="230405001")
    assert place.place_code.startswith("230405" + "001" + "23512")
    assert place.place_code.endswith("000001")
    assert place.pinyin == "Xing'an Lu"
    second = make_place("兴华路", category="23512", division="230405001")
    assert second.place_code.endswith("000002")


def test_two_character_chinese_query_finds_substring_and_exact_first(client, make_place):
    make_place("新华路")
    make_place("新华")
    make_place("东新华街")
    make_place("光明路")
    names = _names(client.get("/api/v1/placenames", {"q": "新华"}))
    assert names[0] == "新华"
    assert set(names) == {"新华", "新华路", "东新华街"}


def test_one_character_query_works(client, make_place):
    make_place("鹤翔路")
    assert "鹤翔路" in _names(client.get("/api/v1/placenames", {"q": "翔"}))


def test_full_pinyin_and_initials(client, make_place):
    make_place("鹤岗大街")
    assert "鹤岗大街" in _names(client.get("/api/v1/placenames", {"q": "hegang"}))
    assert "鹤岗大街" in _names(client.get("/api/v1/placenames", {"q": "hgdj"}))
    assert "鹤岗大街" in _names(client.get("/api/v1/placenames", {"q": "HeGang DaJie"}))


def test_homophone_and_missing_or_extra_character_typos_are_found(client, make_place):
    make_place("五柏街")
    make_place("光明路")
    for typo in ("五百街", "五柏", "五柏大街", "伍柏街"):
        names = _names(client.get("/api/v1/placenames", {"q": typo}))
        assert names[:1] == ["五柏街"], typo
    assert _names(client.get("/api/v1/placenames", {"q": "五百街", "fuzzy": "false"})) == []


def test_former_name_finds_the_current_record(client, make_place):
    make_place(
        "胜利路",
        aliases=[
            AliasInput(
                name="斯大林路",
                kind=AliasKind.FORMER,
                valid_from=date(1950, 1, 1),
                valid_to=date(1966, 12, 31),
            )
        ],
    )
    response = client.get("/api/v1/placenames", {"q": "斯大林"})
    assert _names(response) == ["胜利路"]


def test_filters_division_with_children_category_status_and_distance(client, make_place):
    make_place("兴安甲路", division="230405001", lon=130.23, lat=47.25)  # a street of 兴安区
    make_place("工农甲路", division="230403", lon=130.27, lat=47.33)
    make_place("老甲路", division="230405", status="historical", lon=130.231, lat=47.251)
    assert set(_names(client.get("/api/v1/placenames", {"q": "甲路", "division": "230405"}))) == {
        "兴安甲路",
        "老甲路",
    }
    assert _names(client.get("/api/v1/placenames", {"q": "甲路", "status": "historical"})) == [
        "老甲路"
    ]
    near = {"q": "甲路", "lon": "130.23", "lat": "47.25", "radius_m": "500"}
    assert set(_names(client.get("/api/v1/placenames", near))) == {"兴安甲路", "老甲路"}
    box = {"bbox": "130.26,47.32,130.28,47.34"}
    assert _names(client.get("/api/v1/placenames", box)) == ["工农甲路"]
    # 23510 街路巷 contains 23512 主干路.
    assert len(_names(client.get("/api/v1/placenames", {"q": "甲路", "category": "23510"}))) == 3


def test_pagination_counts_all_matches(client, make_place):
    for k in range(5):
        make_place(f"和平{k}号路")
    first = client.get("/api/v1/placenames", {"q": "和平", "page_size": 2}).json()
    third = client.get("/api/v1/placenames", {"q": "和平", "page_size": 2, "page": 3}).json()
    assert first["count"] == 5 and len(first["features"]) == 2
    assert len(third["features"]) == 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"q": "x" * 201}, "q"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"status": "gone"}, "status"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"radius_m": "500"}, "lon"),
        ({"lon": "130"}, "lat"),
        ({"radius_m": "NaN", "lon": "130", "lat": "47"}, "radius_m"),
        ({"division": "23'; drop table x"}, "division"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_bad_parameters_get_400_naming_them(client, params, parameter):
    response = client.get("/api/v1/placenames", params)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert "参数" in response.json()["error"]


@pytest.mark.parametrize("q", ["%", "_", "\\", ".*", "[a-z]+", "'; DROP TABLE x; --", "(((", "  "])
def test_metacharacter_queries_match_literally(client, make_place, q):
    make_place("光明路")
    response = client.get("/api/v1/placenames", {"q": q})
    assert response.status_code == 200
    names = _names(response)
    assert names == ([] if q.strip() else ["光明路"])


def test_percent_in_a_name_is_found_only_literally(client, make_place):
    make_place("百分%路")
    make_place("百分号路")
    assert _names(client.get("/api/v1/placenames", {"q": "分%"})) == ["百分%路"]


def test_suggest_gives_prefix_matches(client, make_place):
    make_place("兴安区", category="21400", division="230405")
    make_place("兴安路街道", category="21500", division="230405001")
    make_place("新兴安路")
    data = client.get("/api/v1/placenames/suggest", {"q": "兴安"}).json()
    names = [s["standard_name"] for s in data["suggestions"]]
    assert names[:2] == ["兴安区", "兴安路街道"]
    first = data["suggestions"][0]
    assert first["division"] == "兴安区" and first["category"]  # names, not codes
    assert first["place_code"] and first["pinyin"] == "Xing'an Qu"
    assert client.get("/api/v1/placenames/suggest", {"q": ""}).status_code == 400


def test_detail_has_full_record_and_geometry(client, make_place):
    make_place(
        "五柏街",
        division="230405001",
        geom=LineString((130.23, 47.25), (130.24, 47.25), srid=4490),
        origin="因街旁五棵柏树得名",
        meaning="五棵柏树",
        history="1958 年命名",
        aliases=[AliasInput(name="柏树街", kind=AliasKind.FORMER)],
    )
    code = client.get("/api/v1/placenames", {"q": "五柏街"}).json()["features"][0]["id"]
    data = client.get(f"/api/v1/placenames/{code}").json()
    assert data["geometry"]["type"] == "LineString"
    props = data["properties"]
    assert props["pinyin"] == "Wubai Jie" and props["pinyin_needs_check"] is True
    assert props["origin"] == "因街旁五棵柏树得名"
    assert props["division_path"] == "兴安区 / " + props["division"]
    assert props["aliases"][0]["kind_display"] == "曾用名"
    assert props["representative_point"]["type"] == "Point"
    assert client.get("/api/v1/placenames/00000000000000000000").status_code == 404


def test_what_is_here_lists_nearest_first(client, make_place):
    make_place("近处路", lon=130.2300, lat=47.2500)
    make_place("远处路", lon=130.2400, lat=47.2500)
    make_place("天边路", lon=130.5, lat=47.5)
    data = client.get(
        "/api/v1/placenames/near", {"lon": "130.2301", "lat": "47.25", "radius_m": "1000"}
    ).json()
    names = [f["properties"]["standard_name"] for f in data["features"]]
    assert names == ["近处路", "远处路"]
    assert data["features"][0]["properties"]["distance_m"] < 20


def test_romanize_endpoint(client):
    data = client.get("/api/v1/romanize", {"name": "兴安区"}).json()
    # (The spelling also says which settlement rule it used; not part of this check.)
    data = {k: v for k, v in data.items() if k not in ("category", "settlement")}
    assert data == {
        "name": "兴安区",
        "pinyin": "Xing'an Qu",
        "generic_pinyin": "Qu",
        "needs_check": False,
        "unsettled": [],
        "reason": "",
    }
    assert client.get("/api/v1/romanize", {"name": "五柏街"}).json()["needs_check"] is True
    assert client.get("/api/v1/romanize").json()["parameter"] == "name"


def test_romanize_endpoint_flags_and_refuses(client):
    harbin = client.get("/api/v1/romanize", {"name": "哈尔滨市"}).json()
    assert harbin["pinyin"] == "Harbin Shi" and harbin["needs_check"] is False
    unknown = client.get("/api/v1/romanize", {"name": "香格里拉市"}).json()
    assert unknown["needs_check"] is True and "音译" in unknown["reason"]
    for bad, words in [
        ("鹤" * 10_000, "200"),
        ("鹤岗Shi", "混用"),
        ("鹤岗\ue000市", "私用区"),
        ("鹤岗\x07市", "控制字符"),
    ]:
        response = client.get("/api/v1/romanize", {"name": bad})
        assert response.status_code == 400
        assert response.json()["parameter"] == "name"
        assert words in str(response.json())
    # A lone surrogate encoded as UTF-8 (ED A0 80) arrives decoded as U+FFFD: refused by the
    # portal's input check before the romaniser, naming the parameter and the broken encoding.
    broken = client.get("/api/v1/romanize?name=%E9%B9%A4%ED%A0%80")
    assert broken.status_code == 400 and broken.json()["parameter"] == "name"
    assert "UTF-8" in broken.json()["error"]


def test_romanize_command(capsys):
    call_command("romanize", "鹤岗市", "兴安区")
    assert capsys.readouterr().out == "鹤岗市\tHegang Shi\n兴安区\tXing'an Qu\n"


def test_admin_edit_keeps_search_keys_current(admin_client, make_place):
    # The standard name of a registered place changes only by an approved request
    # (read-only in the admin); an alias added here must be searchable at once.
    place = make_place("新名路", pinyin="Xin Ming Lu")
    response = admin_client.post(
        f"/admin/placenames/placename/{place.pk}/change/",
        {
            "seen_version": place.version,
            "place_code": place.place_code,
            "pinyin": "",
            "category": place.category_id,
            "division": place.division_id,
            "status": "in_use",
            "coordinate_system": "CGCS2000",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "曾名街",
            "aliases-0-kind": "former",
        },
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    )
    place.refresh_from_db()
    assert place.pinyin == "Xinming Lu"
    names = [
        f["properties"]["standard_name"]
        for f in admin_client.get("/api/v1/placenames", {"q": "曾名"}).json()["features"]
    ]
    assert names == ["新名路"]
