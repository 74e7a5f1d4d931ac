"""The base map in chromium: at street zoom the public map draws street names and place
labels from the project's own tiles, offline, with a legend listing the layers it draws."""

from __future__ import annotations

import contextlib
import math

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gis_portal.metric_crs import to_metric
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.streets import street_create
from tests.e2e.conftest import ARTIFACTS
from tests.editing.placename_builders import place_create
from tests.maps.test_basemap import LAT, MID, _street

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(1440, 900), (390, 844), (1080, 1920)]
STREET_LABEL_RGB = (0x5A, 0x43, 0x10)  # the style's street-name colour (gis_portal/maps/style.py)
PLACE_LABEL_RGB = (0x1D, 0x27, 0x33)

# Centre the map on the street at street zoom, once the page has fitted its own data.
GO_TO_STREET = """([lon, lat]) => {
    const map = HegangMap.maps[0];
    map.getView().setCenter(ol.proj.fromLonLat([lon, lat]));
    map.getView().setZoom(17);
}"""

# What the base map's canvas shows: how many pixels of the street-name colour, and how
# many colours at all (an undrawn canvas is blank).
CANVAS = """(street) => {
    const canvas = document.querySelector('#map .basemap canvas');
    if (!canvas) { return null; }
    const ctx = canvas.getContext('2d');
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let streetPx = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 250) { continue; }
        const near = (c) => Math.abs(data[i] - c[0]) + Math.abs(data[i + 1] - c[1]) + Math.abs(data[i + 2] - c[2]) < 12;
        if (near(street)) { streetPx++; }
        if (colours.size < 500) { colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]); }
    }
    return {streetPx, colours: colours.size};
}"""

# The ink of a label set under a point: the pixels close to the label colour in a box
# below the point's symbol (canvas pixels; a glyph's anti-aliased edges are counted, so a
# small label is not judged by its few pixels of the exact colour).
INK_BELOW = """([rgb, lonlat]) => {
    const map = HegangMap.maps[0];
    const canvas = document.querySelector('#map .basemap canvas');
    if (!canvas) { return null; }
    const ratio = canvas.width / map.getSize()[0];
    const [px, py] = map.getPixelFromCoordinate(ol.proj.fromLonLat(lonlat)).map(v => v * ratio);
    const x0 = Math.max(0, Math.round(px - 60 * ratio)), x1 = Math.min(canvas.width, Math.round(px + 60 * ratio));
    const y0 = Math.max(0, Math.round(py + 6 * ratio)), y1 = Math.min(canvas.height, Math.round(py + 34 * ratio));
    if (x1 <= x0 || y1 <= y0) { return 0; }
    const data = canvas.getContext('2d').getImageData(x0, y0, x1 - x0, y1 - y0).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
        const d = Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]);
        if (data[i + 3] >= 250 && d < 150) { ink++; }
    }
    return ink;
}"""

LOADED_NAMES = """() => {
    const layer = HegangMap.basemap(HegangMap.maps[0]);
    const extent = HegangMap.maps[0].getView().calculateExtent();
    const names = {};
    layer.getFeaturesInExtent(extent).forEach(f => {
        const key = f.get('mvt:layer');
        (names[key] = names[key] || []).push(f.get('name') || f.get('standard_name') || f.get('plate'));
    });
    return names;
}"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_public_map_at_street_zoom_draws_street_names_and_place_labels(
    live_server, hegang_areas, offline_page, width, height
):
    _street()
    place = [MID + 0.0008, LAT + 0.0006]
    place_create("幸福小区", category="21770", geom=Point(*place), serial=7)
    page = offline_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=30_000)
    page.wait_for_selector("#map[data-basemap=ready]", state="attached", timeout=30_000)
    page.evaluate(GO_TO_STREET, [MID, LAT + 0.0003])
    page.wait_for_function(
        "() => { const n = (" + LOADED_NAMES + ")(); return n.streets && n.placenames; }",
        timeout=30_000,
    )
    # The web font's subsets arrive and the labels are redrawn: wait for the drawn pixels
    # (on a loaded machine this takes seconds), then check them below.
    with contextlib.suppress(PlaywrightTimeout):  # the assertions below say what is missing
        page.wait_for_function(
            "([street, label, place]) => { const d = (" + CANVAS + ")(street);"
            " return d && d.streetPx > 20 && (" + INK_BELOW + ")([label, place]) > 40; }",
            arg=[STREET_LABEL_RGB, PLACE_LABEL_RGB, place],
            timeout=20_000,
        )

    names = page.evaluate(LOADED_NAMES)
    assert "新华路" in names["streets"]
    assert "幸福小区" in names["placenames"]
    drawn = page.evaluate(CANVAS, STREET_LABEL_RGB)
    ink = page.evaluate(INK_BELOW, [PLACE_LABEL_RGB, place])
    assert drawn is not None, "the base map has no canvas of its own"
    assert drawn["colours"] > 20, "the base map's canvas is blank"
    assert drawn["streetPx"] > 20, "no street name is drawn"
    assert ink > 40, f"no place label is drawn under the place ({ink} pixels of ink)"

    legend = page.locator(".map-legend")
    if width < 640 or height > width:  # folded on a phone and on the portrait kiosk
        assert legend.get_attribute("open") is None
        legend.locator("summary").click()
    else:
        assert legend.get_attribute("open") is not None
    layers = page.eval_on_selector_all(
        ".map-legend li[data-layer]", "els => els.map(e => e.dataset.layer)"
    )
    assert {"areas", "streets", "placenames", "door-plates", "facilities"} <= set(layers)
    assert "boundary-lines" not in layers  # a staff layer, not for the public
    assert page.locator(".ol-scale-line-inner").inner_text().endswith("m")
    assert page.locator(".map-pointer-coords").count() == 0  # coordinates are for staff
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"basemap_street_zoom_{width}x{height}.png"))
    page.recorder.assert_clean()


def test_staff_see_the_pointer_coordinates(live_server, hegang_areas, offline_page):
    from tests.e2e.test_editor import sign_in
    from tests.editing.factories import role_user

    page = offline_page
    sign_in(page, live_server, role_user("bo", "boundary_officer"))
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-basemap=ready]", state="attached", timeout=30_000)
    page.mouse.move(700, 400)
    text = page.locator(".map-pointer-coords").inner_text()
    assert "经度 1" in text and "CGCS2000" in text
    legend = page.eval_on_selector_all(
        ".map-legend li[data-layer]", "els => els.map(e => e.dataset.layer)"
    )
    assert "boundary-lines" in legend
    page.recorder.assert_clean()


# The street's name on the base map's canvas: where the label pixels are, and how far
# each is from the street's line drawn through the given coordinates (canvas pixels).
LABEL_ALONG = """([rgb, coords]) => {
    const map = HegangMap.maps[0];
    const canvas = document.querySelector('#map .basemap canvas');
    const ratio = canvas.width / map.getSize()[0];
    const line = coords.map(c => map.getPixelFromCoordinate(ol.proj.fromLonLat(c)).map(v => v * ratio));
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const near = (i) => Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 12;
    const distance = (x, y) => {
        let best = Infinity;
        for (let k = 1; k < line.length; k++) {
            const [ax, ay] = line[k - 1], [bx, by] = line[k];
            const dx = bx - ax, dy = by - ay;
            const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
            best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
        }
        return best;
    };
    let count = 0, onLine = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let y = 0; y < canvas.height; y++) {
        for (let x = 0; x < canvas.width; x++) {
            const i = (y * canvas.width + x) * 4;
            if (data[i + 3] < 250 || !near(i)) { continue; }
            count++;
            if (distance(x, y) < 12 * ratio) { onLine++; }
            minX = Math.min(minX, x); maxX = Math.max(maxX, x);
            minY = Math.min(minY, y); maxY = Math.max(maxY, y);
        }
    }
    return {count, onLine, width: (maxX - minX) / ratio, height: (maxY - minY) / ratio};
}"""

STREET_TEXT_PLACEMENT = """(name) => {
    const map = HegangMap.maps[0];
    const layer = HegangMap.basemap(map);
    const feature = layer.getFeaturesInExtent(map.getView().calculateExtent())
        .find(f => f.get('mvt:layer') === 'streets' && f.get('name') === name);
    if (!feature) { return null; }
    const styles = [].concat(layer.getStyleFunction()(feature, map.getView().getResolution()) || []);
    const text = styles.map(s => s.getText()).find(t => t && t.getText());
    return text ? text.getPlacement() : 'none';
}"""


def test_a_curved_street_is_named_along_its_curve(live_server, hegang_areas, offline_page):
    # A half circle of 80 m radius bulging north: a label set straight at one point
    # would sit on the line only where it is level.
    radius_lat = 0.00072
    radius_lon = radius_lat / math.cos(math.radians(LAT))
    arc = [
        (MID + radius_lon * math.cos(a), LAT + radius_lat * math.sin(a))
        for a in (math.pi * (1 - i / 24) for i in range(25))
    ]
    street_create(name="曲水路", coords_4490=arc, rule=rule_beijing([to_metric(*c) for c in arc]))
    page = offline_page
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=30_000)
    page.wait_for_selector("#map[data-basemap=ready]", state="attached", timeout=30_000)
    page.evaluate(GO_TO_STREET, [MID, LAT + radius_lat * 0.6])
    page.wait_for_function(
        "() => { const n = (" + LOADED_NAMES + ")(); return n.streets; }", timeout=30_000
    )
    assert page.evaluate(STREET_TEXT_PLACEMENT, "曲水路") == "line"
    # The web font and every tile arrive and the labels are redrawn; asserted below.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "([rgb, coords]) => (" + LABEL_ALONG + ")([rgb, coords]).count > 40",
            arg=[STREET_LABEL_RGB, arc],
            timeout=30_000,
        )
    drawn = page.evaluate(LABEL_ALONG, [STREET_LABEL_RGB, arc])
    page.screenshot(path=str(ARTIFACTS / "basemap_curved_street.png"))
    # Under load the web font may still be on its way: the fallback face draws fewer pixels
    # of the exact label colour, so the bar for "drawn" is the other tests' 20 pixels.
    assert drawn["count"] > 20, f"the street's name is not drawn: {drawn}"
    # Most of the name lies on the street (at a tile edge the last few characters may run
    # past the street's end: seen at one end of this arc, left open).
    assert drawn["onLine"] / drawn["count"] > 0.7, f"the name leaves the street: {drawn}"
    # Along a curve, the name turns: it spreads both across and down the map.
    assert drawn["width"] > 25 and drawn["height"] > 25, f"the name is set straight: {drawn}"
    page.recorder.assert_clean()
