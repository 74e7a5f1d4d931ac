"""The editor as an officer first meets it, in chromium: it opens on the officer's district
with an editable layer, a legend and labels; a district is picked from the scope; a plate
is nudged by a few pixels; a move that changes nothing says so; a place name is drawn as a
polygon with its category and district chosen from lists."""

from __future__ import annotations

import pytest

from gis_portal.editing.models import ChangeRequest
from placenames.services.names import categories_load
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_editor import sign_in
from tests.editing.factories import demo_boundaries, role_user
from tests.editing.placename_builders import district_centre, place_create, square_around
from tests.editing.test_layers_addresses_builders import NORTH_LAT, XIANGYANG, plate, street

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READY = "#map[data-ready='1']"


def _open(page, live_server, query=""):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/editor/{query}")
    page.wait_for_selector(READY, timeout=30_000)


def _pixel(page, lon, lat, zoom=None):
    """Page pixel of lon/lat (centring the map there first when a zoom is given)."""
    px = page.evaluate(
        """([lon, lat, zoom]) => {
            const m = window.editor.map, c = ol.proj.fromLonLat([lon, lat]);
            if (zoom !== null) { m.getView().setCenter(c); m.getView().setZoom(zoom); }
            m.renderSync();
            return m.getPixelFromCoordinate(c);
        }""",
        [lon, lat, zoom],
    )
    box = page.locator("#map").bounding_box()
    return box["x"] + px[0], box["y"] + px[1]


def _drag(page, start, end, steps=5):
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(
            start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps
        )
    page.mouse.up()


def test_the_editor_opens_on_the_officers_district_with_an_editable_layer_and_a_legend(
    live_server, hegang_areas, offline_page
):
    lon, lat = district_centre()  # 工农区
    place_create("向阳小区", geom=square_around(lon, lat, 0.002), serial=1)
    page = offline_page
    sign_in(page, live_server, role_user("pn-open", "placename_officer"))
    _open(page, live_server)
    assert page.is_checked("#layer-pick input[value='placenames']")
    assert page.input_value("#county-pick") == "230403"
    assert page.locator("#county-pick option").count() == 8
    # The map shows the district, not the whole city.
    inside = page.evaluate(
        """() => { const ed = window.editor;
                   const county = ed.counties.getSource().getFeatures().find(f => f.get("code") === "230403");
                   const view = ed.map.getView().calculateExtent(ed.map.getSize());
                   return ol.extent.containsExtent(ol.extent.buffer(view, 1), county.getGeometry().getExtent())
                       && ol.extent.getWidth(view) < 4 * ol.extent.getWidth(county.getGeometry().getExtent()); }"""
    )
    assert inside
    # The legend: a swatch in each layer's own colour beside its name.
    swatches = page.eval_on_selector_all(
        "#layer-pick .ed-swatch",
        "els => els.map(e => [e.dataset.layer, getComputedStyle(e).backgroundColor])",
    )
    assert len(swatches) == 7 and all(colour != "rgba(0, 0, 0, 0)" for _k, colour in swatches)
    # Place names are labelled on the map at street zoom.
    _pixel(page, lon, lat, zoom=16)
    label = page.evaluate(
        """() => { const ed = window.editor, f = ed.sources.placenames.getFeatures()[0];
                   const s = ed.layers.placenames.getStyle()(f, ed.map.getView().getResolution());
                   return s.getText() && s.getText().getText(); }"""
    )
    assert label == "向阳小区"
    page.screenshot(path=str(ARTIFACTS / "editor-opened-1440x900.png"))

    page.select_option("#county-pick", "230402")
    page.wait_for_url("**/editor/?county=230402")
    page.wait_for_selector(READY, timeout=30_000)
    assert page.input_value("#county-pick") == "230402"
    assert page.locator("#editor-status").inner_text().startswith("向阳区：已加载")
    page.recorder.assert_clean()


def test_an_officer_held_to_a_district_is_told_when_another_is_asked_for(
    live_server, hegang_areas, offline_page
):
    page = offline_page
    sign_in(page, live_server, role_user("pn-xy", "placename_officer", [XIANGYANG]))
    _open(page, live_server, "?county=230403")
    assert page.locator("#county-pick option").all_text_contents() == ["向阳区"]
    status = page.locator("#editor-status").inner_text()
    assert "不在您的编辑范围内" in status and "向阳区：已加载" in status
    page.recorder.assert_clean()


def test_a_door_plate_nudged_by_a_few_pixels_moves(live_server, hegang_areas, offline_page):
    s = street()
    p = plate(s, 130.2850, NORTH_LAT, number=1)
    page = offline_page
    sign_in(page, live_server, role_user("pn-nudge", "placename_officer", [XIANGYANG]))
    _open(page, live_server)
    page.check("#layer-pick input[value='door-plates']")
    x, y = _pixel(page, 130.2850, NORTH_LAT, zoom=19)
    _drag(page, (x, y), (x + 4, y - 3))  # 5 px: well inside its own snap range
    page.wait_for_function("() => Object.keys(window.editor.dirty()).length === 1")
    status = page.locator("#editor-status").inner_text()
    assert "未保存的修改：1 个要素" in status and "米）" in status
    moved_m = page.evaluate(
        """([id, lon, lat]) => { const f = window.editor.sources["door-plates"].getFeatureById(id);
               return ol.sphere.getDistance(ol.proj.toLonLat(f.getGeometry().getCoordinates()), [lon, lat]); }""",
        [p.pk, 130.2850, NORTH_LAT],
    )
    assert 0.3 < moved_m < 3  # a nudge of about a metre, not snapped back
    page.recorder.assert_clean()


def test_a_move_that_snaps_back_says_so_and_ctrl_moves_it(live_server, hegang_areas, offline_page):
    _line, marker = demo_boundaries()
    page = offline_page
    sign_in(page, live_server, role_user("bd-nudge", "boundary_officer"))
    _open(page, live_server)
    page.check("#layer-pick input[value='boundary-markers']")
    lon, lat = marker.geom_4490.x, marker.geom_4490.y
    x, y = _pixel(page, lon, lat, zoom=18)
    # The marker stands on its line: released 4 px off it, square to the line, the snap
    # puts it back where it was.
    aside = page.evaluate(
        """(id) => {
            const ed = window.editor, m = ed.sources["boundary-markers"].getFeatureById(id);
            const line = ed.sources["boundary-lines"].getFeatures().find(l => l.get("code") === m.get("line_code"));
            const c = m.getGeometry().getCoordinates(), r = ed.map.getView().getResolution();
            const q = line.getGeometry().getClosestPoint([c[0] + r, c[1] + r]);
            const p = line.getGeometry().getClosestPoint([c[0] - r, c[1] - r]);
            let dx = q[0] - p[0], dy = q[1] - p[1];
            const n = Math.hypot(dx, dy); dx /= n; dy /= n;
            return ed.map.getPixelFromCoordinate([c[0] - dy * 4 * r, c[1] + dx * 4 * r]);
        }""",
        marker.pk,
    )
    box = page.locator("#map").bounding_box()
    target = (box["x"] + aside[0], box["y"] + aside[1])
    _drag(page, (x, y), target)
    page.wait_for_function(
        "() => document.querySelector('#editor-status').textContent.includes('位置未改变')"
    )
    assert page.evaluate("() => Object.keys(window.editor.dirty()).length") == 0
    assert page.is_disabled("#btn-undo")  # nothing happened, nothing to undo
    # Ctrl held: no snapping, the nudge stays.
    page.keyboard.down("Control")
    _drag(page, (x, y), target)
    page.keyboard.up("Control")
    page.wait_for_function("() => Object.keys(window.editor.dirty()).length === 1")
    assert "米）" in page.locator("#editor-status").inner_text()
    page.recorder.assert_clean()


def test_a_place_name_is_drawn_as_a_polygon_with_its_category_and_district_from_lists(
    live_server, hegang_areas, offline_page
):
    categories_load()  # the code table (a transactional test starts with empty tables)
    lon, lat = district_centre()
    page = offline_page
    sign_in(page, live_server, role_user("pn-draw", "placename_officer"))
    _open(page, live_server)
    assert page.is_visible("#draw-shape")  # place names take points, lines and polygons
    page.select_option("#draw-shape", "polygon")
    page.click("#btn-draw")
    assert "（面），双击结束" in page.locator("#editor-status").inner_text()
    corners = [
        _pixel(page, lon, lat, zoom=16),
        _pixel(page, lon + 0.002, lat),
        _pixel(page, lon + 0.002, lat + 0.0015),
    ]
    for corner in corners[:-1]:
        page.mouse.click(*corner)
    page.mouse.dblclick(*corners[-1])
    page.wait_for_selector("#f-pn-category:visible")
    drawn = page.evaluate(
        "() => window.editor.selected().getGeometry().getType() + ':' + "
        "window.editor.selected().getGeometry().getCoordinates()[0].length"
    )
    assert drawn == "Polygon:4"  # three corners, closed
    page.wait_for_selector("#f-pn-division[data-loaded]", state="attached")
    # Only the districts of the county being edited, by name.
    codes = page.eval_on_selector_all("#f-pn-division option", "os => os.map(o => o.value)")[1:]
    assert codes[0] == "230403" and all(c.startswith("230403") for c in codes)
    assert page.locator("#f-pn-division option").nth(1).inner_text() == "工农区"
    page.select_option("#f-pn-category", label="区片（21770）")
    page.select_option("#f-pn-division", label="工农区")
    page.fill("#f-standard_name", "丰收广场")
    page.fill("#f-comment", "新建广场命名")
    page.screenshot(path=str(ARTIFACTS / "editor-draw-polygon-1440x900.png"))
    page.click("#btn-save")
    page.wait_for_function(
        "() => document.querySelector('#editor-status').textContent.includes('地名命名')"
    )
    naming = ChangeRequest.objects.get(kind="naming")
    assert naming.proposed_data["geometry"]["type"] == "Polygon"
    assert (naming.proposed_data["category"], naming.proposed_data["division"]) == (
        "21770",
        "230403",
    )
    page.recorder.assert_clean()
