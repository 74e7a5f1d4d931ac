"""Naming review: the regulated duplicate/homophone scopes and the name rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from placenames import review

# --- rules on the name alone (no database) ---------------------------------------------


def test_stacked_generics_are_an_error():
    finding = review.stacked_generics("金鹤大厦广场")
    assert finding.level == "error" and "大厦" in finding.message
    assert review.stacked_generics("鹤岗市殡仪馆") is None  # a nested unit is not stacking
    assert review.stacked_generics("金鹤广场") is None


def test_name_without_generic_is_warned():
    assert review.stacked_generics("金鹤").code == "no_generic"


def test_enterprise_and_person_names():
    assert review.enterprise_words("万达广场").code == "enterprise_name"
    assert review.enterprise_words("鹤岗置业路").code == "enterprise_name"
    assert review.enterprise_words("光明路") is None
    assert review.person_name_hint("雷锋同志路").level == "error"
    assert review.person_name_hint("李明路").code == "maybe_person_name"
    assert review.person_name_hint("李家屯") is None


def test_rare_characters():
    assert "𠮷" in review.rare_characters("𠮷祥路").message
    assert review.rare_characters("吉祥路") is None


def test_scopes_follow_the_regulations():
    assert review.scope_for("23512")[0] == "urban"
    assert review.scope_counties("urban", "230405") == list(review.URBAN_DISTRICTS)
    assert review.scope_counties("urban", "230421") == ["230421"]  # 萝北县 has its own
    assert review.scope_for("21620")[0] == "county"
    assert review.scope_for("21500")[0] == "archive"
    assert review.scope_counties("archive", "230405") is None


# --- the endpoint -----------------------------------------------------------------------


@pytest.fixture
def officer(db):
    return User.objects.create_user("reviewer", password="x")


def _review(client, **body):
    return client.post("/api/v1/placenames/review", body, content_type="application/json")


@pytest.mark.django_db
def test_duplicate_street_in_another_urban_district_is_an_error(client, officer, make_place):
    make_place("五柏街", division="230403")  # 工农区, same urban area as 兴安区
    client.force_login(officer)
    data = _review(client, name="五柏街", category="23512", division="230405").json()
    assert data["acceptable"] is False
    duplicate = next(f for f in data["findings"] if f["code"] == "duplicate")
    assert duplicate["matches"][0]["division"] == "工农区"


@pytest.mark.django_db
def test_same_street_name_in_another_county_is_allowed(client, officer, make_place):
    make_place("五柏街", division="230403")
    client.force_login(officer)
    data = _review(client, name="五柏街", category="23512", division="230421").json()
    assert not any(f["code"] == "duplicate" for f in data["findings"])


@pytest.mark.django_db
def test_homophone_is_warned(client, officer, make_place):
    make_place("五柏街", division="230405")
    client.force_login(officer)
    data = _review(client, name="五百街", category="23512", division="230405").json()
    homophone = next(f for f in data["findings"] if f["code"] == "homophone")
    assert homophone["level"] == "warning"
    assert homophone["matches"][0]["standard_name"] == "五柏街"
    assert data["acceptable"] is True  # a homophone is a warning, not a refusal


@pytest.mark.django_db
def test_location_picks_the_division(client, officer, make_place):
    make_place("光明路", division="230405")
    client.force_login(officer)
    data = _review(client, name="光明路", category="23512", lon=130.29, lat=47.35).json()
    assert data["findings"][0]["code"] == "duplicate"


@pytest.mark.django_db
def test_review_needs_login_and_good_parameters(client, officer, hegang_areas):
    assert _review(client, name="光明路", category="23512", division="230405").status_code in (
        401,
        403,
    )
    client.force_login(officer)
    assert _review(client, category="23512", division="230405").json()["parameter"] == "name"
    assert (
        _review(client, name="光明路", category="2351", division="230405").json()["parameter"]
        == "category"
    )
    assert _review(client, name="光明路", category="23512").json()["parameter"] == "division"
    assert (
        _review(client, name="光明路", category="23512", lon=126.6, lat=45.75).json()["parameter"]
        == "lon"
    )
    assert (
        _review(client, name="光明路", category="23512", division="230405", x=1).json()["parameter"]
        == "x"
    )
