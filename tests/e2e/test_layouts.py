"""The three layouts in chromium, measured as a person would: desktop 1440×900, phone
390×844 and the portrait touch-screen kiosk 1080×1920 (or ?kiosk=1). Each is screenshot
into test-artifacts/ (layout-*.png)."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString
from django.test import Client

from placenames.services.names import PlaceNameInput, categories_load, placename_register
from tests.e2e.conftest import ARTIFACTS
from tests.editing.factories import role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


@pytest.fixture
def archive(hegang_areas):
    categories_load()
    for name, geom in [
        ("五柏街", LineString((130.23, 47.25), (130.24, 47.251), srid=4490)),
        ("五柏小区", LineString((130.231, 47.2505), (130.232, 47.2506), srid=4490)),
    ]:
        placename_register(
            record=PlaceNameInput(
                standard_name=name, category_code="23512", division_code="230405001", geom_4490=geom
            ),
            is_demo=False,
        )


def _open(page, live_server, path="/placenames/", size=DESKTOP):
    page.set_viewport_size(size)
    page.goto(live_server.url + path)
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    page.wait_for_timeout(200)


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}.png"))


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def _tap_map_at(page, lon, lat, zoom=16):
    page.evaluate(
        """([lon, lat, zoom]) => { const v = window.placenameMap.getView();
               v.setCenter(ol.proj.fromLonLat([lon, lat])); v.setZoom(zoom); }""",
        [lon, lat, zoom],
    )
    page.wait_for_timeout(300)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


# Every visible element that holds text of its own, with its font size, and every visible
# control with its box (what a finger has to hit).
TEXT_SIZES = """() => {
  const out = [];
  for (const el of document.querySelectorAll("header *, main *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const r = el.getBoundingClientRect();
    if (!own || !r.width || !r.height || el.closest("[hidden]")) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.display === "none") continue;
    out.push({text: el.textContent.trim().slice(0, 30), px: parseFloat(cs.fontSize)});
  }
  return out;
}"""
CONTROL_BOXES = """() => [...document.querySelectorAll(
    "header a, header button, main button, main input, main select, main a, main li[tabindex]")]
  .filter(el => { const r = el.getBoundingClientRect();
                  return r.width && r.height && !el.closest("[hidden]")
                    && getComputedStyle(el).visibility !== "hidden"; })
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.tagName + " " + (el.textContent.trim() || el.type || el.title).slice(0, 20),
                       w: r.width, h: r.height}; })"""


def test_desktop_has_a_one_line_header_with_the_full_title(live_server, archive, offline_page):
    page = offline_page
    _open(page, live_server)
    _shot(page, "desktop-1440x900")
    assert page.evaluate("() => document.documentElement.dataset.layout") == "desktop"
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 56  # one line
    assert page.locator(".brand-full").is_visible()
    assert not page.locator("#menu-button").is_visible()
    assert page.locator("#site-nav a", has_text="地名查询").is_visible()
    assert not page.locator(".kiosk-controls").is_visible()
    page.recorder.assert_clean()


def test_phone_header_is_one_line_with_a_menu_and_no_staff_links(
    live_server, archive, offline_page
):
    page = offline_page
    _open(page, live_server, size=PHONE)
    _shot(page, "phone-390x844")
    assert page.evaluate("() => document.documentElement.dataset.layout") == "phone"
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 56 and header["width"] <= 390  # one line, no wrapped words
    brand = page.locator(".brand").bounding_box()
    assert brand["height"] <= 30  # the short title on one line
    assert page.locator("#menu-button").is_visible()
    assert not page.locator("#site-nav").is_visible()  # folded away until asked for
    # A citizen is shown no staff page at all, in the menu or on the page.
    assert page.locator(".nav-staff").count() == 0
    assert page.locator("text=地名管理").count() == 0
    page.click("#menu-button")
    assert page.get_attribute("#menu-button", "aria-expanded") == "true"
    links = page.locator("#site-nav a")
    assert links.all_text_contents() == ["公众地图", "地名查询", "门牌地址", "打印地图", "登录"]
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] >= 44 and box["y"] + box["height"] <= PHONE["height"]
    _shot(page, "phone-390x844-menu")
    page.keyboard.press("Escape")
    assert not page.locator("#site-nav").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.recorder.assert_clean()


def test_phone_brings_the_answer_to_a_tap_into_view(live_server, archive, offline_page):
    page = offline_page
    _open(page, live_server, size=PHONE)
    _tap_map_at(page, 130.2305, 47.2502)
    page.wait_for_selector("#pn-here-section:not([hidden])", timeout=10_000)
    page.wait_for_function("() => document.querySelectorAll('#pn-here li').length > 0")
    page.wait_for_timeout(300)
    _shot(page, "phone-390x844-tap")
    heading = page.locator("#pn-here-section h2").first.bounding_box()
    sidebar = page.locator(".sidebar").bounding_box()
    # The answer's heading is on screen, inside the visible part of the panel.
    assert sidebar["y"] - 1 <= heading["y"] <= PHONE["height"] - heading["height"]
    first = page.locator("#pn-here li").first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"]
    page.recorder.assert_clean()


def test_phone_menu_shows_an_officer_the_staff_links(live_server, archive, offline_page):
    page = offline_page
    _sign_in(page, live_server, role_user("layout-officer", "placename_officer"))
    _open(page, live_server, size=PHONE)
    page.click("#menu-button")
    assert page.locator("#site-nav a.nav-staff", has_text="地图编辑").is_visible()
    page.recorder.assert_clean()


def _assert_kiosk_sizes(page):
    small = [t for t in page.evaluate(TEXT_SIZES) if t["px"] < 24]
    assert not small, f"text under 24 px on the kiosk: {small[:8]}"
    tiny = [c for c in page.evaluate(CONTROL_BOXES) if c["h"] < 48 or c["w"] < 48]
    assert not tiny, f"touch targets under 48 px: {tiny[:8]}"
    for sel in (".ol-zoom-in", ".ol-zoom-out"):
        box = page.locator(sel).bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48


def test_portrait_kiosk_has_large_text_targets_and_no_staff_links(
    live_server, archive, offline_page
):
    page = offline_page
    # Even if a staff session was left open on the kiosk, it shows no staff pages.
    _sign_in(page, live_server, role_user("layout-kiosk", "placename_officer"))
    _open(page, live_server, size=KIOSK)
    assert page.evaluate("() => document.documentElement.dataset.layout") == "kiosk"
    assert page.locator("#kiosk-back").is_visible() and page.locator("#kiosk-clear").is_visible()
    assert not page.locator("#menu-button").is_visible()
    staff = [a for a in page.locator("a.nav-staff, .account, .staff-only").all() if a.is_visible()]
    assert staff == []
    page.fill("#pn-q", "五柏")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-results li", timeout=10_000)
    page.locator("#pn-results li", has_text="五柏街").first.click()
    page.wait_for_selector("#pn-detail:not([hidden])")
    page.wait_for_timeout(300)
    _shot(page, "kiosk-1080x1920")
    _assert_kiosk_sizes(page)
    # The map is the larger part of the portrait screen, the panel below it.
    map_box = page.locator("#map").bounding_box()
    panel = page.locator(".sidebar").bounding_box()
    assert (
        map_box["height"] >= 0.45 * KIOSK["height"]
        and panel["y"] >= map_box["y"] + map_box["height"] - 1
    )
    page.recorder.assert_clean()


def test_kiosk_switch_on_a_landscape_screen_and_the_clear_button(
    live_server, archive, offline_page
):
    page = offline_page
    _open(page, live_server, path="/placenames/?kiosk=1", size=DESKTOP)
    assert page.evaluate("() => document.documentElement.dataset.layout") == "kiosk"
    hrefs = page.eval_on_selector_all("#site-nav a", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs == ["/?kiosk=1", "/placenames/?kiosk=1", "/addresses/?kiosk=1"]
    page.fill("#pn-q", "五柏街")
    page.keyboard.press("Enter")
    page.wait_for_selector("#pn-results li", timeout=10_000)
    _shot(page, "kiosk-switch-1440x900")
    _assert_kiosk_sizes(page)
    page.click("#kiosk-clear")
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    assert page.url.endswith("/placenames/?kiosk=1")
    assert page.input_value("#pn-q") == ""
    assert page.locator("#pn-results-section").is_hidden()
    page.recorder.assert_clean()


def test_kiosk_goes_back_to_the_start_view_when_left_alone(
    live_server, archive, offline_page, settings
):
    settings.KIOSK_IDLE_RESET_S = 2
    page = offline_page
    _open(page, live_server, path="/placenames/?kiosk=1", size=KIOSK)
    page.click("#site-nav a:has-text('门牌地址')")
    page.wait_for_url("**/addresses/?kiosk=1")
    page.fill("#geocode-q", "新华街")
    # Nobody touches the screen for the idle time: the kiosk's start page comes back.
    page.wait_for_url("**/placenames/?kiosk=1", timeout=10_000)
    page.wait_for_selector("#map[data-ready]", state="attached", timeout=20_000)
    assert page.input_value("#pn-q") == ""
    # An untouched start view stays as it is (no reload loop).
    page.evaluate("() => { window.__stay = true; }")
    page.wait_for_timeout(3_000)
    assert page.evaluate("() => window.__stay === true")
    page.recorder.assert_clean()


def test_the_kiosk_switch_off_keeps_the_desktop_layout_on_a_portrait_screen(
    live_server, archive, offline_page
):
    page = offline_page
    _open(page, live_server, path="/placenames/?kiosk=0", size=KIOSK)
    assert page.evaluate("() => document.documentElement.dataset.layout") == "desktop"
    page.recorder.assert_clean()


@pytest.mark.parametrize(
    "size", [DESKTOP, PHONE, KIOSK], ids=lambda s: f"{s['width']}x{s['height']}"
)
def test_public_map_and_address_pages_in_each_layout(live_server, archive, offline_page, size):
    page = offline_page
    page.set_viewport_size(size)
    for path, ready in (("/", "#map[data-loaded]"), ("/addresses/", "#map")):
        page.goto(live_server.url + path)
        page.wait_for_selector(ready, state="attached", timeout=20_000)
        page.wait_for_timeout(400)
        name = "home" if path == "/" else "addresses"
        _shot(page, f"{name}-{size['width']}x{size['height']}")
        assert page.locator("header.topbar").bounding_box()["height"] <= (
            180 if size is KIOSK else 56  # the kiosk: two rows of 48 px targets
        )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        if size is KIOSK:
            _assert_kiosk_sizes(page)
    page.recorder.assert_clean()


def test_a_staff_page_on_a_portrait_screen_is_no_kiosk(live_server, archive, offline_page):
    page = offline_page
    _sign_in(page, live_server, role_user("layout-portrait", "placename_officer"))
    page.set_viewport_size(KIOSK)
    page.goto(live_server.url + "/editor/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    # An officer's editor keeps its links and is never reset by the kiosk's idle timer.
    assert page.evaluate("() => document.documentElement.dataset.layout") == "desktop"
    assert page.locator("a.nav-staff", has_text="地图编辑").is_visible()
    assert not page.locator("#kiosk-clear").is_visible()
    page.recorder.assert_clean()
