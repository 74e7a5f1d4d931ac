import json

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_map_draws_the_eight_counties_offline(live_server, hegang_areas, offline_page):
    page = offline_page
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=20_000)
    loaded = json.loads(page.get_attribute("#map", "data-loaded"))
    assert loaded == {"county": 8, "city": 1}
    assert "8 个县（区）" in page.text_content("#map-status")
    # The map really drew them: features are in the layer and the canvas has content.
    drawn = page.evaluate(
        """() => window.portalMap.getLayers().getArray()
              .filter(l => l.get('level') === 'county')[0].getSource().getFeatures()
              .map(f => f.get('name')).sort()"""
    )
    assert drawn == sorted(
        ["向阳区", "工农区", "南山区", "兴安区", "东山区", "兴山区", "萝北县", "绥滨县"]
    )
    page.recorder.assert_clean()


def test_clicking_a_county_shows_its_name_code_level_and_population(
    live_server, hegang_areas, offline_page
):
    page = offline_page
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=20_000)
    # Click the pixel of a point inside 绥滨县 (the large county in the north-east).
    pixel = page.evaluate(
        "() => window.portalMap.getPixelFromCoordinate(ol.proj.fromLonLat([131.86, 47.55]))"
    )
    page.mouse.click(
        pixel[0] + page.locator("#map").bounding_box()["x"],
        pixel[1] + page.locator("#map").bounding_box()["y"],
    )
    page.wait_for_selector("#area-info-details:not([hidden])")
    assert page.text_content("[data-field=name]") == "绥滨县"
    assert page.text_content("[data-field=code]") == "230422"
    assert page.text_content("[data-field=level_display]") == "县级"
    assert "139,795" in page.text_content("[data-field=population]")
    page.recorder.assert_clean()


def test_api_docs_page_renders_without_the_internet(live_server, offline_page):
    page = offline_page
    page.goto(live_server.url + "/api/docs/")
    page.get_by_text("/api/v1/areas/at").first.wait_for(timeout=20_000)
    page.recorder.assert_clean()
