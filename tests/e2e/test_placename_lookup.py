"""The public place-name lookup page, offline, at desktop, phone and kiosk sizes."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from placenames.services.names import PlaceNameInput, categories_load, placename_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archive(hegang_areas):
    categories_load()
    for name, geom, attrs in [
        (
            "五柏街",
            LineString((130.23, 47.25), (130.24, 47.251), srid=4490),
            {"origin": "因街旁五棵柏树得名", "meaning": "五棵柏树", "history": "1958 年命名"},
        ),
        ("五柏小区", LineString((130.231, 47.2505), (130.232, 47.2506), srid=4490), {}),
        ("光明路", LineString((130.30, 47.33), (130.31, 47.33), srid=4490), {}),
    ]:
        placename_register(
            record=PlaceNameInput(
                standard_name=name,
                category_code="23512",
                division_code="230405001",
                geom_4490=geom,
                attrs=attrs,
            ),
            is_demo=name == "五柏小区",
        )


def _open(page, live_server):
    page.goto(live_server.url + "/placenames/")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)


def test_search_with_autocomplete_then_detail_on_the_map(live_server, archive, offline_page):
    page = offline_page
    _open(page, live_server)
    page.fill("#pn-q", "五柏")
    page.wait_for_selector("#pn-suggest li", timeout=10_000)
    suggestions = page.locator("#pn-suggest li").all_text_contents()
    assert any(s.startswith("五柏街") for s in suggestions)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-results li", timeout=10_000)
    page.locator("#pn-results li", has_text="五柏街").first.click()
    page.wait_for_selector("#pn-detail:not([hidden])")
    assert page.text_content("#pn-detail [data-field=standard_name]") == "五柏街"
    assert page.text_content("#pn-detail [data-field=pinyin]") == "Wubai Jie"
    assert page.text_content("#pn-detail [data-field=origin]") == "因街旁五棵柏树得名"
    assert "兴安区" in page.text_content("#pn-detail [data-field=division_path]")
    assert not page.locator("#pn-demo").is_visible()  # a real record: no 演示数据 badge
    zoom = page.evaluate("() => window.placenameMap.getView().getZoom()")
    assert zoom > 13  # the map went to the street
    drawn = page.evaluate(
        """() => window.placenameMap.getLayers().getArray()
              .find(l => l.get('name') === 'selected').getSource().getFeatures()
              .map(f => f.getGeometry().getType())"""
    )
    assert drawn == ["LineString"]
    page.recorder.assert_clean()


def test_typo_search_and_demo_badge(live_server, archive, offline_page):
    page = offline_page
    _open(page, live_server)
    page.fill("#pn-q", "五百街")
    page.click(".pn-box button[type=submit]")
    page.wait_for_selector("#pn-results li", timeout=10_000)
    first = page.locator("#pn-results li").first
    assert first.locator(".pn-name").text_content() == "五柏街"
    assert first.locator(".demo-badge").count() == 0
    page.fill("#pn-q", "五柏")
    page.keyboard.press("Enter")
    demo = page.locator("#pn-results li", has_text="五柏小区")
    assert demo.locator(".demo-badge").text_content() == "演示数据"
    page.recorder.assert_clean()


def test_what_is_here_on_a_phone(live_server, archive, offline_page):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, live_server)
    page.evaluate(
        """() => { const v = window.placenameMap.getView();
                   v.setCenter(ol.proj.fromLonLat([130.2305, 47.2502])); v.setZoom(16); }"""
    )
    page.wait_for_timeout(300)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#pn-here-section:not([hidden])", timeout=10_000)
    names = page.locator("#pn-here li .pn-name").all_text_contents()
    # The street passes 50 m from the tap, the estate's point is 50 m away too.
    assert set(names[:2]) == {"五柏街", "五柏小区"}
    assert "光明路" not in names
    # Nothing wider than the phone screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.recorder.assert_clean()


def test_kiosk_size_has_large_touch_targets(live_server, archive, offline_page):
    page = offline_page
    page.set_viewport_size({"width": 1080, "height": 1920})  # the portrait kiosk screen
    _open(page, live_server)
    page.fill("#pn-q", "光明")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-results li", timeout=10_000)
    height = page.locator("#pn-results li").first.bounding_box()["height"]
    assert height >= 48  # a finger-sized row on the touch-screen kiosk
    page.recorder.assert_clean()


def test_officer_reviews_a_name_in_the_browser(live_server, archive, offline_page, client):
    from django.contrib.auth.models import User

    user = User.objects.create_user("officer_e2e", password="x")
    client.force_login(user)
    page = offline_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/placenames/officer/")
    page.fill("#id_name", "五百街")
    page.select_option("#id_category", "23512")
    page.select_option("#id_division", "230405")
    page.click("#review button[type=submit]")
    page.wait_for_selector("#review-result")
    assert page.locator("[data-code=homophone]").count() == 1
    assert "五柏街" in page.text_content("[data-code=homophone]")
    page.recorder.assert_clean()
