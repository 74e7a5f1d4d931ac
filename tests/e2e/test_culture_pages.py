"""The culture pages (public) and the sign coverage and culture upkeep pages (staff),
offline in chromium at desktop, phone and kiosk sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from gis_portal.accounts import roles_sync, user_create_with_role
from placenames.models import PlaceSign
from placenames.services.culture import placename_media_add, protected_name_set
from placenames.services.names import PlaceNameInput, categories_load, placename_register
from tests.e2e.conftest import ARTIFACTS
from tests.placenames.culture_files import jpeg, png_bomb, wav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = ((1440, 900), (390, 844), (1080, 1920))


@pytest.fixture
def culture(hegang_areas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    categories_load()
    places = {}
    for name, category, lon, lat, attrs, demo in [
        ("松鹤桥", "23400", 130.26, 47.21,
         {"origin": "因桥畔古松与白鹤得名", "meaning": "松鹤延年", "history": "1958年建木桥，1986年改建为钢筋混凝土桥"}, False),
        ("红旗村", "21610", 130.25, 47.20, {"meaning": "寓意红旗飘扬"}, True),
    ]:  # fmt: skip
        place, _ = placename_register(
            record=PlaceNameInput(
                standard_name=name, category_code=category, division_code="230405",
                geom_4490=Point(lon, lat, srid=4490), attrs=attrs,
            ),
            is_demo=demo,
        )  # fmt: skip
        places[name] = place
    bridge = places["松鹤桥"]
    placename_media_add(
        place=bridge, kind="photo", title="松鹤桥旧貌", file_name="a.jpg", data=jpeg(), is_demo=True
    )
    placename_media_add(
        place=bridge,
        kind="pronunciation",
        title="标准读音",
        file_name="a.wav",
        data=wav(),
        is_demo=True,
    )
    protected_name_set(place=bridge, reason_kind="century", reason="清末已有渡口，沿用至今",
                       in_use_since_year=1905, listed_on=dt.date(2025, 6, 1), is_demo=True)  # fmt: skip
    PlaceSign.objects.create(place=places["红旗村"], kind="village", text_zh="红旗村",
                             installed_on=dt.date(2020, 5, 1), is_demo=True)  # fmt: skip
    return places


def _sign_in(page, live_server):
    roles_sync()
    user = user_create_with_role(
        username="culture", password="pw-culture-1", role="placename_officer"
    )
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _shots(page, name):
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}_{width}x{height}.png"), full_page=True)
        if width == 390:
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_a_citizen_reads_a_names_story_sees_its_photo_and_hears_it(
    live_server, culture, offline_page
):
    page = offline_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/culture/")
    _shots(page, "culture_index")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click("text=兴安区")
    assert "兴安区地名文化" in page.text_content("h1")
    assert "清末已有渡口" in page.text_content("#protected")
    _shots(page, "culture_district")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click("#protected >> text=松鹤桥")
    page.wait_for_selector("#culture-name")
    assert "因桥畔古松与白鹤得名" in page.text_content("#story")
    assert "使用百年以上" in page.text_content("#protection")
    assert "演示数据" in page.text_content("h1")
    page.wait_for_function(
        "() => { const i = document.querySelector('#photos img'); return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("() => document.querySelector('#photos img').naturalWidth") == 320
    assert page.locator("#pronunciation audio").count() == 1
    duration = page.evaluate(
        "() => new Promise(r => { const a = document.querySelector('#pronunciation audio');"
        " a.preload = 'metadata'; a.onloadedmetadata = () => r(a.duration); a.load(); })"
    )
    assert duration == pytest.approx(0.2, abs=0.05)
    _shots(page, "culture_name")
    page.recorder.assert_clean()


def test_the_lookup_opens_a_linked_record_and_links_to_its_culture_page(
    live_server, culture, offline_page
):
    page = offline_page
    code = culture["松鹤桥"].place_code
    page.goto(f"{live_server.url}/placenames/?code={code}")
    page.wait_for_selector("#pn-detail:not([hidden])", timeout=20_000)
    assert page.text_content("#pn-detail [data-field=standard_name]") == "松鹤桥"
    assert page.get_attribute("#pn-culture", "href") == f"/culture/{code}/"
    page.recorder.assert_clean()


def test_an_officer_sees_sign_coverage_and_follows_a_missing_sign_to_the_map(
    live_server, culture, offline_page
):
    page = offline_page
    _sign_in(page, live_server)
    page.goto(live_server.url + "/placenames/signs/?year=2025")
    assert "覆盖率 50.0%" in page.text_content("#city-rate")
    row = page.locator("#missing-list tbody tr[data-code]")
    assert row.count() == 1 and "松鹤桥" in row.text_content() and "桥名牌" in row.text_content()
    _shots(page, "placename_signs")
    page.set_viewport_size({"width": 1440, "height": 900})
    row.locator("text=在地图上查看").click()
    page.wait_for_selector("#pn-detail:not([hidden])", timeout=20_000)
    assert page.text_content("#pn-detail [data-field=standard_name]") == "松鹤桥"
    page.recorder.assert_clean()


def test_an_officer_follows_a_missing_sign_into_the_editor_opened_on_that_place(
    live_server, culture, offline_page
):
    page = offline_page
    _sign_in(page, live_server)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + "/placenames/signs/?year=2025")
    page.locator("#missing-list tbody tr[data-code] >> text=在编辑器中打开").click()
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    assert "已打开：松鹤桥" in page.text_content("#editor-status")
    page.wait_for_selector("#attr-panel:not([hidden])", timeout=10_000)
    selected = page.evaluate(
        "() => window.editor.select.getFeatures().getArray().map(f => f.get('standard_name'))"
    )
    assert selected == ["松鹤桥"]
    page.screenshot(path=str(ARTIFACTS / "editor_opened_from_missing_sign.png"))
    page.recorder.assert_clean()


def test_an_officer_uploading_an_image_bomb_is_told_and_nothing_is_stored(
    live_server, culture, offline_page, tmp_path
):
    page = offline_page
    _sign_in(page, live_server)
    page.goto(live_server.url + "/placenames/culture/")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    page.fill("#media input[name=place_code]", culture["红旗村"].place_code)
    page.fill("#media input[name=title]", "村口")
    page.set_input_files("#media input[name=file]", str(bomb))
    page.click("#media button[type=submit]")
    assert "图片炸弹" in page.text_content("#media-error")
    _shots(page, "culture_staff")
    page.recorder.assert_clean()
