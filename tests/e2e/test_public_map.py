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


def test_a_visitor_who_moves_the_map_before_the_areas_arrive_keeps_their_view(
    live_server, hegang_areas, offline_page
):
    page = offline_page
    held = []
    # Hold the city outline's request until the visitor has moved the map.
    page.route(
        lambda url: "/api/v1/areas" in url and "level=city" in url,
        lambda route: held.append(route),
    )
    page.goto(live_server.url + "/")
    page.wait_for_function("() => window.portalMap !== undefined")
    page.evaluate(
        """() => { const v = window.portalMap.getView();
              v.setCenter(ol.proj.fromLonLat([130.3, 47.33])); v.setZoom(15); }"""
    )
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did not ask for the city outline"
    held[0].continue_()
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=20_000)
    view = page.evaluate(
        """() => { const v = window.portalMap.getView();
              return [ol.proj.toLonLat(v.getCenter()), v.getZoom()]; }"""
    )
    assert view[1] == 15, "the map zoomed away from where the visitor had moved it"
    assert abs(view[0][0] - 130.3) < 1e-6 and abs(view[0][1] - 47.33) < 1e-6
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
