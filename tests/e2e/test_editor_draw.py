"""The map editor in chromium: an officer draws a new door plate on a street, fills the
form (number proposed by the street's rule, errors next to the field), saves and sees it
in the history."""

from __future__ import annotations

import pytest
from django.test import Client

from placenames.addresses.models import DoorPlate
from tests.editing.factories import role_user
from tests.editing.test_layers_addresses_builders import NORTH_LAT, XIANGYANG, plate, street

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAVED = "() => document.querySelector('#editor-status').textContent.includes('已保存')"


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def pixel_of(page, lon: float, lat: float) -> tuple[float, float]:
    """Centre the map on lon/lat at street zoom; return the page pixel of that point."""
    px = page.evaluate(
        """([lon, lat]) => {
            const ed = window.editor;
            const c = ol.proj.fromLonLat([lon, lat]);
            ed.map.getView().setCenter(c);
            ed.map.getView().setZoom(19);
            ed.map.renderSync();
            return ed.map.getPixelFromCoordinate(c);
        }""",
        [lon, lat],
    )
    box = page.locator("#map").bounding_box()
    return box["x"] + px[0], box["y"] + px[1]


def test_officer_draws_a_door_plate_on_a_street_saves_and_sees_it_in_the_history(
    live_server, hegang_areas, offline_page
):
    s = street()
    plate(s, 130.2870, NORTH_LAT, number=1)  # numbers grow from the east end, odd on the north
    page = offline_page
    sign_in(page, live_server, role_user("zhang", "placename_officer", [XIANGYANG]))
    page.goto(f"{live_server.url}/editor/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    status = page.locator("#editor-status").inner_text()
    assert "1 条街路巷" in status and "1 块门牌" in status
    page.check("#layer-pick input[value='door-plates']")

    page.click("#btn-draw")
    assert page.get_attribute("#btn-draw", "aria-pressed") == "true"
    x, y = pixel_of(page, 130.2850, NORTH_LAT)
    page.mouse.click(x, y)
    page.wait_for_selector("#attr-panel:not([hidden])")
    page.wait_for_function(
        "() => document.querySelector('#plate-proposal').textContent.includes('建议')"
    )
    assert page.input_value("#f-door-plates-street_id") == str(s.pk)
    assert page.input_value("#f-door-plates-number") == "3"
    assert "新华路" in page.locator("#f-door-plates-street_id option:checked").inner_text()

    # Saving without the reason: the error is shown next to the field, nothing written.
    page.fill("#f-door-plates-building", "2号楼")
    page.click("#btn-save")
    page.wait_for_function(
        "() => document.querySelector('[data-error=comment]').textContent.includes('修改说明')"
    )
    assert DoorPlate.objects.count() == 1
    # An even number on the odd side: the number's own error line says why.
    page.fill("#f-door-plates-number", "4")
    page.fill("#f-comment", "外业新增门牌")
    page.click("#btn-save")
    page.wait_for_function(
        "() => document.querySelector('.ed-field:not([hidden]) [data-error=number]').textContent.includes('双号')"
    )
    page.fill("#f-door-plates-number", "3")
    page.click("#btn-save")
    page.wait_for_function(SAVED)

    new = DoorPlate.objects.exclude(number=1).get()
    assert (new.number, new.building, new.street_id, new.version) == (3, "2号楼", s.pk, 1)
    page.click("#btn-history")
    page.wait_for_selector("#history-list li")
    entry = page.locator("#history-list li").first.inner_text()
    assert "创建" in entry and "外业新增门牌" in entry and "zhang" in entry
    page.screenshot(path="test-artifacts/test_editor_draw_door_plate.png")
    # The only failed loads are the two refused saves above (400 with the field's error).
    errors = page.recorder.console_errors
    assert len(errors) == 2 and all("400" in e for e in errors), errors
    errors.clear()
    page.recorder.assert_clean()


def test_officer_draws_a_street_line_and_a_planner_a_facility(
    live_server, hegang_areas, offline_page
):
    from facilities.models import Facility
    from facilities.services.standards import programmes_seed
    from placenames.addresses.models import Street

    programmes_seed()  # a transactional test's flush also empties the migration's seed rows

    page = offline_page
    sign_in(page, live_server, role_user("zhang", "placename_officer", [XIANGYANG]))
    page.goto(f"{live_server.url}/editor/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    page.check("#layer-pick input[value='streets']")
    page.click("#btn-draw")
    # Centred on the line's middle, both ends stay clear of the legend at the map's right.
    pixel_of(page, 130.2856, 47.3400)
    box = page.locator("#map").bounding_box()
    a, b = (
        page.evaluate(
            """([lon, lat]) => window.editor.map.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat]))""",
            [lon, 47.3400],
        )
        for lon in (130.2850, 130.2862)
    )
    page.mouse.click(box["x"] + a[0], box["y"] + a[1])
    page.mouse.dblclick(box["x"] + b[0], box["y"] + b[1])
    page.wait_for_selector("#f-streets-name:visible")
    page.fill("#f-streets-name", "育才路")
    page.select_option("#f-streets-odd_side", "left")
    page.fill("#f-comment", "新建街路")
    page.click("#btn-save")
    page.wait_for_function(SAVED)
    s = Street.objects.get(name="育才路")
    assert s.odd_side == "left" and s.county.code == XIANGYANG
    assert 80 < s.line_4552.length < 100  # ~90 m drawn
    page.screenshot(path="test-artifacts/test_editor_draw_street.png")
    page.recorder.assert_clean()

    planner = page.context.browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    p2 = planner.new_page()
    try:
        sign_in(p2, live_server, role_user("zhao", "planner"))
        p2.goto(f"{live_server.url}/editor/")
        p2.wait_for_selector("#map[data-ready='1']", timeout=30_000)
        p2.check("#layer-pick input[value='facilities']")
        p2.click("#btn-draw")
        p2.mouse.click(*pixel_of(p2, 130.2855, 47.3420))
        p2.wait_for_selector("#f-facilities-facility_type:visible")
        p2.select_option("#f-facilities-facility_type", "daycare_centre")
        p2.fill("#f-facilities-name", "育才路日间照料中心")
        p2.fill("#f-facilities-capacity", "30")
        p2.fill("#f-comment", "规划新增")
        p2.click("#btn-save")
        p2.wait_for_function(SAVED)
        f = Facility.objects.get(name="育才路日间照料中心")
        assert (
            f.capacity == 30
            and f.programme.slug == "eldercare_daycare"
            and f.county.code == XIANGYANG
        )
        p2.screenshot(path="test-artifacts/test_editor_draw_facility.png")
    finally:
        planner.close()
