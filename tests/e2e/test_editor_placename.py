"""The issue's scenario in chromium: an officer reshapes a place-name polygon with snapping,
saves, sees the history; the form spells and reviews a new name as it is typed, and the
renaming goes in as a change request."""

from __future__ import annotations

import pytest
import shapely

from gis_portal.editing.models import ChangeRequest
from placenames.models import PlaceName
from tests.e2e.test_editor import SAVED, SUBMITTED, open_editor, sign_in
from tests.editing.factories import role_user
from tests.editing.placename_builders import district_centre, place_create, square_around

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HALF_DEG = 0.002


@pytest.fixture
def two_places(hegang_areas):
    lon, lat = district_centre()
    a = place_create("向阳小区", geom=square_around(lon, lat, HALF_DEG), serial=1)
    b = place_create("红旗小区", geom=square_around(lon + 0.005, lat, HALF_DEG), serial=2)
    return a, b


def open_as_officer(page, live_server) -> None:
    """Sign in as a place-name officer and open the editor."""
    sign_in(page, live_server, role_user("pn", "placename_officer"))
    open_editor(page, live_server)


@pytest.fixture
def editor_page(live_server, two_places, offline_page):
    """The editor, opened by a place-name officer on the two places."""
    open_as_officer(offline_page, live_server)
    return offline_page


def pixel_of(page, lon: float, lat: float) -> dict:
    return page.evaluate(
        """([lon, lat]) => {
            const m = window.editor.map;
            const p = m.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat]));
            return {x: p[0], y: p[1]};
        }""",
        [lon, lat],
    )


def show_placenames_at(page, lon: float, lat: float) -> dict:
    """Show the place-name layer centred on (lon, lat) at zoom 16; return the map's box."""
    page.check("#layer-pick input[value='placenames']")
    page.evaluate(
        """([lon, lat]) => {
            const v = window.editor.map.getView();
            v.setCenter(ol.proj.fromLonLat([lon, lat])); v.setZoom(16);
            window.editor.map.renderSync();
        }""",
        [lon, lat],
    )
    return page.locator("#map").bounding_box()


def click_at(page, box: dict, lon: float, lat: float) -> None:
    spot = pixel_of(page, lon, lat)
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])


def select_at(page, box: dict, lon: float, lat: float) -> None:
    """Click the feature at (lon, lat) and wait for its form."""
    click_at(page, box, lon, lat)
    page.wait_for_selector("#attr-panel:not([hidden])")


def test_officer_reshapes_a_polygon_with_snapping_saves_and_sees_history(two_places, editor_page):
    a, _b = two_places
    lon, lat = district_centre()
    page = editor_page
    assert "2 个地名" in page.locator("#editor-status").inner_text()
    box = show_placenames_at(page, lon + 0.0025, lat)
    # Select the polygon (click inside it): its form opens.
    select_at(page, box, lon - 0.001, lat - 0.001)
    assert page.input_value("#f-standard_name") == "向阳小区"
    assert page.locator("#pn-demo").is_visible()  # generated records are marked
    # Drag its north-east corner to 4 px beside the neighbour's north-west corner: the
    # Snap interaction puts the vertex exactly on the neighbour's.
    start = pixel_of(page, lon + HALF_DEG, lat + HALF_DEG)
    goal = pixel_of(page, lon + 0.005 - HALF_DEG, lat + HALF_DEG)
    x0, y0 = box["x"] + start["x"], box["y"] + start["y"]
    x1, y1 = box["x"] + goal["x"] + 4, box["y"] + goal["y"] + 3
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10)
    page.mouse.up()
    page.wait_for_function("() => Object.keys(window.editor.dirty()).length > 0")
    page.fill("#f-comment", "外业实测，边界与红旗小区相接")
    page.click("#btn-save")
    page.wait_for_function(SAVED)
    a.refresh_from_db()
    assert a.version == 2
    corner = shapely.Point(lon + 0.005 - HALF_DEG, lat + HALF_DEG)
    vertices = shapely.points(shapely.get_coordinates(shapely.from_wkt(a.geom_4490.wkt)))
    assert min(shapely.distance(vertices, corner)) < 1e-7, "the vertex snapped onto the corner"
    assert a.geom_4490.covers(a.point_4490)
    page.click("#btn-history")
    page.wait_for_selector("#history-list li")
    assert "外业实测，边界与红旗小区相接" in page.locator("#history-list li").first.inner_text()
    assert "几何" in page.locator("#history-diff").inner_text()
    page.screenshot(path="test-artifacts/test_editor_placename_history.png")

    # Typing a name: the spelling and the naming review appear (debounced), in Chinese.
    page.fill("#f-standard_name", "红旗小区")
    page.wait_for_function(
        "() => document.querySelector('#pn-review').textContent.includes('不符合')"
    )
    assert "重名" in page.locator("#pn-review").inner_text()
    page.fill("#f-standard_name", "朝阳小区")
    page.wait_for_function(
        "() => document.querySelector('#pn-pinyin-suggest').textContent.includes('Chaoyang')"
    )
    page.wait_for_function(
        "() => document.querySelector('#pn-review').textContent.includes('未发现不符合')"
    )
    page.screenshot(path="test-artifacts/test_editor_placename_review.png")
    # Saving a new name is a renaming request, not a direct write.
    page.fill("#f-comment", "居民申请更名")
    page.click("#btn-save")
    page.wait_for_function(SUBMITTED)
    assert "地名更名" in page.locator("#editor-status").inner_text()
    assert PlaceName.objects.get(pk=a.pk).standard_name == "向阳小区"
    assert ChangeRequest.objects.get(kind="renaming").proposed_data["standard_name"] == "朝阳小区"
    page.wait_for_selector("#pending-requests a")
    page.recorder.assert_clean()


def test_officer_names_a_new_place_and_abolishes_one_from_the_editor(two_places, editor_page):
    _a, b = two_places
    lon, lat = district_centre()
    page = editor_page
    box = show_placenames_at(page, lon + 0.0025, lat)
    # Abolish 红旗小区: status 已废止 with the date → a 销名 request.
    select_at(page, box, lon + 0.005, lat)
    assert page.input_value("#f-standard_name") == "红旗小区"
    assert not page.locator("#f-pn-category").is_visible()  # create-only
    page.select_option("#f-pn-status", "abolished")
    page.fill("#f-pn-abolished_on", "2026-10-01")
    page.fill("#f-comment", "小区已拆除")
    page.click("#btn-save")
    page.wait_for_function(SUBMITTED)
    assert "地名销名" in page.locator("#editor-status").inner_text()
    assert PlaceName.objects.get(pk=b.pk).status == "in_use"
    request = ChangeRequest.objects.get(kind="abolishing")
    assert request.proposed_data == {"status": "abolished", "abolished_on": "2026-10-01"}

    # Draw a new place (a point south of the two) and name it → a 命名 request.
    page.click("#btn-draw")
    click_at(page, box, lon + 0.0025, lat - 0.004)
    page.wait_for_selector("#f-pn-category:visible")
    assert not page.locator("#pn-demo").is_visible()  # a new name is no demo record
    # Chosen from lists: the names are shown, the codes stored.
    page.wait_for_selector("#f-pn-division[data-loaded]", state="attached")
    page.select_option("#f-pn-category", label="区片（21770）")
    page.select_option("#f-pn-division", label="工农区")
    page.fill("#f-standard_name", "丰收广场")
    page.wait_for_function(
        "() => document.querySelector('#pn-pinyin-suggest').textContent.includes('Fengshou')"
    )
    page.wait_for_function(
        "() => document.querySelector('#pn-review').textContent.includes('命名审核')"
    )
    page.fill("#f-comment", "新建广场命名")
    page.click("#btn-save")
    page.wait_for_function(
        "() => document.querySelector('#editor-status').textContent.includes('地名命名')"
    )
    naming = ChangeRequest.objects.get(kind="naming")
    assert naming.proposed_data["standard_name"] == "丰收广场"
    assert naming.proposed_data["category"] == "21770"
    assert naming.proposed_data["division"] == "230403"
    assert naming.proposed_data["geometry"]["type"] == "Point"
    assert not PlaceName.objects.filter(standard_name="丰收广场").exists()
    page.screenshot(path="test-artifacts/test_editor_placename_naming.png")
    page.recorder.assert_clean()


def test_the_rename_form_spells_a_natural_village_joined_and_offers_the_choice(
    live_server, hegang_areas, offline_page
):
    lon, lat = district_centre()
    place_create("李家屯", category="22200", geom=square_around(lon, lat, HALF_DEG), serial=3)
    page = offline_page
    open_as_officer(page, live_server)
    box = show_placenames_at(page, lon, lat)
    select_at(page, box, lon - 0.001, lat - 0.001)
    page.fill("#f-standard_name", "王家村")
    suggested = "() => document.querySelector('#pn-pinyin-suggest').textContent.includes('{}')"
    page.wait_for_function(suggested.format("Wangjiacun"))
    assert page.is_checked("#f-pn-settlement")  # a 农村居民点: the category's choice
    assert "按自然村、集镇拼写" in page.locator("label.pn-settlement").inner_text()
    for width, height in ((1440, 900), (390, 844), (1080, 1920)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#f-pn-settlement").scroll_into_view_if_needed()
        page.screenshot(path=f"test-artifacts/test_editor_settlement_{width}x{height}.png")
    # Cleared by the officer: the name is spelt with its generic apart, and taken by a click.
    page.uncheck("#f-pn-settlement")
    page.wait_for_function(suggested.format("Wangjia Cun"))
    assert "已手动选择" in page.locator("#pn-settlement-note").inner_text()
    page.click("#pn-pinyin-suggest")
    assert page.input_value("#f-pinyin") == "Wangjia Cun"
    page.recorder.assert_clean()
