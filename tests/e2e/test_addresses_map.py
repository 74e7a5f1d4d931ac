"""The address map in a real (offline) browser: vector tiles, search and "what is here"."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from placenames.addresses.demo_loader import demo_addresses_load
from placenames.addresses.models import DoorPlate
from tests.editing.factories import role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_plates(hegang_areas):
    demo_addresses_load()
    return DoorPlate.objects.select_related("street")


def test_address_map_search_and_click_offline(live_server, demo_plates, offline_page):
    plate = demo_plates.get(street__name="新华街", number=12, sub_number=0)
    page = offline_page
    proposals = []
    page.on("request", lambda r: "/propose" in r.url and proposals.append(r.url))
    page.goto(live_server.url + "/addresses/")
    assert "演示数据" in page.text_content("aside")
    page.wait_for_selector("#named-streets[data-count='16']", state="attached", timeout=20_000)

    page.fill("#geocode-q", "鹤岗市新华街１２号")
    page.click("#geocode-form button")
    first = page.locator("#geocode-results li.result").first
    first.wait_for(timeout=20_000)
    assert "新华街12号" in first.text_content()
    assert first.get_attribute("data-level") == "plate"

    # The search zoomed to the plate: the plate tiles arrived and carry features.
    page.wait_for_function(
        "() => document.getElementById('map').dataset.tiles && "
        "JSON.parse(document.getElementById('map').dataset.tiles).doorplates > 0",
        timeout=20_000,
    )
    page.wait_for_timeout(500)  # let the zoom animation finish before clicking
    pixel = page.evaluate(
        f"() => window.addressMap.getPixelFromCoordinate(ol.proj.fromLonLat([{plate.point_4490.x}, {plate.point_4490.y}]))"
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pixel[0] + 2, box["y"] + pixel[1] + 2)
    page.wait_for_selector("#reverse-details:not([hidden])", timeout=20_000)
    address = page.text_content("#reverse-details [data-field=address]")
    assert "黑龙江省鹤岗市" in address and "新华街12号" in address
    assert page.text_content("#reverse-details [data-field=county]") == plate.street.county.name
    # The public is told the address, not the officers' number proposal for a new door
    # (and the page asks nothing of the proposal API: no 400 in the console).
    assert "新门牌建议" not in page.text_content("#reverse-details")
    assert proposals == []
    tiles = json.loads(page.get_attribute("#map", "data-tiles"))
    assert tiles["doorplates"] > 0 and tiles["streets"] > 0
    page.recorder.assert_clean()


def test_an_officer_sees_the_number_a_new_door_here_would_get(
    live_server, demo_plates, offline_page
):
    plate = demo_plates.get(street__name="新华街", number=12, sub_number=0)
    page = offline_page
    client = Client()
    client.force_login(role_user("addr-officer", "placename_officer"))
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page.goto(live_server.url + "/addresses/")
    page.wait_for_selector("#named-streets[data-count='16']", state="attached", timeout=20_000)
    page.evaluate(
        """([lon, lat]) => { const v = window.addressMap.getView();
               v.setCenter(ol.proj.fromLonLat([lon, lat])); v.setZoom(18); }""",
        [plate.point_4490.x, plate.point_4490.y],
    )
    page.wait_for_timeout(300)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 2, box["y"] + box["height"] / 2 + 2)
    page.wait_for_selector("#reverse-details:not([hidden])", timeout=20_000)
    assert "新门牌建议" in page.text_content("#reverse-details")
    page.wait_for_function(
        "() => !document.querySelector('#reverse-details [data-field=proposal]').textContent.startsWith('…')"
    )
    assert "新华街" in page.text_content("#reverse-details [data-field=proposal]")
    page.recorder.assert_clean()


def test_checks_report_page_offline(live_server, demo_plates, offline_page):
    page = offline_page
    page.goto(live_server.url + "/addresses/checks")
    assert page.text_content("#checks-summary tr[data-rule=wrong_side] td.num") == "5"
    assert page.text_content("#checks-summary tr[data-rule=duplicate_number] td.num") == "10"
    assert "演示数据" in page.text_content("h1")
    page.recorder.assert_clean()


def test_production_list_page_offline(live_server, demo_plates, offline_page):
    page = offline_page
    page.goto(live_server.url + "/addresses/production")
    assert int(page.text_content("#production-count")) > 0
    assert "更名待换" in page.text_content("table.production")
    page.recorder.assert_clean()


def test_the_results_say_what_kind_of_match_and_warn_in_chinese(
    live_server, demo_plates, offline_page
):
    page = offline_page
    page.goto(live_server.url + "/addresses/")
    # 新华街 lies in 向阳区: the district typed contradicts the plate found.
    page.fill("#geocode-q", "工农区新华街12号")
    page.click("#geocode-form button")
    first = page.locator("#geocode-results li.result").first
    first.wait_for(timeout=20_000)
    assert first.get_attribute("data-level") == "plate"
    assert "注意：查询中的“工农区”与结果所在的向阳区不符" in first.text_content()

    page.fill("#geocode-q", "新华街9999号")
    page.click("#geocode-form button")
    page.wait_for_function(
        "() => document.querySelector('#geocode-results li.result')"
        " && document.querySelector('#geocode-results li.result').dataset.level === 'street'",
        timeout=20_000,
    )
    text = page.text_content("#geocode-results li.result")
    assert (
        "街路" in text and "超出本街已知门牌范围" in text and "9999号" not in text.split("街路")[0]
    )
