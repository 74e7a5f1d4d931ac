"""The editor page offers the districts of the officer's scope, honours ?county= within it,
refuses any other in Chinese, and opens with an editable layer picked."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gis_portal.editing.districts import editor_district_choice
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db

URBAN_AND_COUNTIES = 8


def _page(user, query: str = "") -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/editor/" + query)
    assert response.status_code == 200
    return response.content.decode()


def _options(page: str) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select id="county-pick".*?</select>', page, re.S).group(0)
    return [
        (code, name, bool(sel))
        for code, sel, name in re.findall(
            r'<option value="(\d+)"( selected)?>([^<]+)</option>', select
        )
    ]


def _checked_layer(page: str) -> str:
    return re.search(r'<input type="radio" name="layer" value="([^"]+)"[^>]*checked>', page).group(
        1
    )


def test_a_city_wide_officer_picks_any_district_and_opens_on_an_editable_layer(hegang_areas):
    officer = role_user("city-officer", "placename_officer")
    page = _page(officer)
    options = _options(page)
    assert len(options) == URBAN_AND_COUNTIES
    assert [name for _c, name, sel in options if sel] == ["工农区"]
    assert 'data-county="230403"' in page
    # Not the read-only boundary lines: the first layer this officer may edit.
    assert _checked_layer(page) == "placenames"
    page = _page(officer, "?county=230402")
    assert 'data-county="230402"' in page
    assert [name for _c, name, sel in _options(page) if sel] == ["向阳区"]


def test_an_officer_held_to_one_district_gets_only_that_one(hegang_areas):
    officer = role_user("xy-officer", "placename_officer", ["230402"])
    page = _page(officer)
    assert [(c, n) for c, n, _s in _options(page)] == [("230402", "向阳区")]
    assert 'data-county="230402"' in page
    page = _page(officer, "?county=230403")
    assert 'data-county="230402"' in page  # nothing outside the scope opens
    assert "区县 230403 不在您的编辑范围内（可编辑：向阳区），已打开向阳区" in page


def test_a_bad_county_is_named_in_the_refusal(hegang_areas):
    officer = role_user("any-officer", "placename_officer")
    assert "应为 6 位县级区划代码" in editor_district_choice(officer, "abc<").refusal
    assert "abc&lt;" in _page(officer, "?county=abc<")  # shown as text
    assert editor_district_choice(officer, "239999").refusal.startswith("没有代码为 239999")
    assert editor_district_choice(officer, "230404").refusal == ""


def test_a_boundary_officer_opens_on_the_boundary_lines(hegang_areas):
    page = _page(role_user("bd-officer", "boundary_officer"))
    assert _checked_layer(page) == "boundary-lines"


def test_an_officer_held_to_a_township_edits_in_its_district(hegang_areas):
    officer = role_user("tw-officer", "placename_officer", ["230405001"])
    assert [(c, n) for c, n, _s in _options(_page(officer))] == [("230405", "兴安区")]
