"""Search ranking, capped counts and typo tolerance with real Hegang names."""

from __future__ import annotations

import pytest

from placenames.selectors import names as selectors

pytestmark = pytest.mark.django_db


def _search(client, **params):
    response = client.get("/api/v1/placenames", params)
    assert response.status_code == 200, response.content
    data = response.json()
    return [f["properties"]["standard_name"] for f in data["features"]], data


@pytest.mark.parametrize(
    ("typo", "kind"),
    [
        ("罗北县", "homophone"),  # 萝 luó picked as 罗 from the pinyin keyboard
        ("萝县", "missing character"),
        ("萝北北县", "extra character"),
        ("luobeixain", "pinyin, two letters swapped"),
        ("luobaixian", "pinyin, one wrong letter"),
    ],
)
def test_one_typo_in_a_real_county_name_still_finds_it(client, make_place, typo, kind):
    make_place("萝北县", category="21400", division="230421")
    make_place("绥滨县", category="21400", division="230422")
    make_place("北山路")
    names, _ = _search(client, q=typo)
    assert names[:1] == ["萝北县"], kind


@pytest.mark.parametrize(
    ("typo", "intended"),
    [
        ("松贺路", "松鹤路"),  # homophone
        ("宝泉农场", "宝泉岭农场"),  # missing character
        ("鹤立立湖", "鹤立湖"),  # extra character
        ("baoquanlingnongcgang", "宝泉岭农场"),  # extra letter in typed pinyin
    ],
)
def test_typos_of_real_hegang_names(client, make_place, typo, intended):
    make_place("松鹤路", division="230406")
    make_place("宝泉岭农场", category="22100", division="230422")
    make_place("鹤立湖", category="22100", division="230402")
    make_place("松花江路", division="230402")
    names, _ = _search(client, q=typo)
    assert intended in names[:3], names


def test_exact_name_first_then_prefix_then_substring_across_pages(client, make_place):
    for name in ("东向阳路", "向阳", "向阳路", "向阳区", "新向阳小区", "向阳东路"):
        make_place(name)
    names, data = _search(client, q="向阳")
    assert names[0] == "向阳"
    assert set(names[1:4]) == {"向阳路", "向阳区", "向阳东路"}
    assert set(names[4:]) == {"东向阳路", "新向阳小区"}
    assert data["count"] == 6 and data["count_exact"] is True
    pages = [_search(client, q="向阳", page_size=2, page=k)[0] for k in (1, 2, 3)]
    assert [n for page in pages for n in page] == names


def test_broad_query_states_its_count_as_a_lower_bound(client, make_place, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    for k in range(6):
        make_place(f"新村{k}号路")
    make_place("新村")
    names, data = _search(client, q="新村", page_size=2)
    assert names[0] == "新村"  # the exact name is fetched by its own branch, never cut
    assert data["count_exact"] is False and data["count"] >= 3


def test_listing_without_query_counts_the_filtered_archive(client, make_place):
    make_place("红军路", division="230402")
    make_place("解放路", division="230403")
    _, data = _search(client, division="230402")
    assert data["count"] == 1 and data["count_exact"] is True


def test_a_query_of_apostrophes_only_matches_nothing(client, make_place):
    make_place("兴安路")
    names, data = _search(client, q="' '")
    assert names == [] and data["count"] == 0
