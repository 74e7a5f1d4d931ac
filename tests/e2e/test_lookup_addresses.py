"""The public lookup page also finds addresses and says what address is at a tapped point."""

from __future__ import annotations

import pytest

from placenames.addresses.demo_loader import demo_addresses_load
from placenames.addresses.models import DoorPlate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lookup_page_finds_an_address_and_the_address_at_a_tap(
    live_server, hegang_areas, offline_page
):
    demo_addresses_load()
    plate = DoorPlate.objects.get(street__name="新华街", number=12, sub_number=0)
    page = offline_page
    page.goto(live_server.url + "/placenames/")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)

    page.fill("#pn-q", "新华街１２号")
    page.click("#pn-search button[type=submit]")
    first = page.locator("#pn-addresses li").first
    first.wait_for(timeout=20_000)
    assert "新华街12号" in first.text_content()
    assert "演示数据" in first.text_content()
    # The address was found: the page does not also say nothing was found.
    page.wait_for_function(
        "() => !document.getElementById('pn-status-line').textContent.includes('正在查询')"
    )
    status = page.text_content("#pn-status-line")
    assert "门牌地址" in status and "没有找到" not in status
    assert not page.locator("text=（共 0 条）").is_visible()
    first.click()

    page.wait_for_timeout(300)
    pixel = page.evaluate(
        "([lon, lat]) => window.placenameMap.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat]))",
        [plate.point_4490.x, plate.point_4490.y],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pixel[0] + 1, box["y"] + pixel[1] + 1)
    page.wait_for_selector("#pn-here-section:not([hidden])", timeout=20_000)
    page.wait_for_function(
        "() => !document.getElementById('pn-here-address').textContent.startsWith('…')"
    )
    here = page.text_content("#pn-here-address")
    assert "新华街12号" in here and "米" in here
    page.recorder.assert_clean()


def test_a_name_that_is_nowhere_is_reported_once(live_server, hegang_areas, offline_page):
    page = offline_page
    page.goto(live_server.url + "/placenames/")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    page.fill("#pn-q", "不存在的地方")
    page.click("#pn-search button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('pn-status-line').textContent.includes('没有找到')"
    )
    assert page.locator("#pn-results-section").is_hidden()
    assert page.locator("#pn-address-section").is_hidden()
    page.recorder.assert_clean()
