"""The shared map script (HegangMap) in chromium: every page's map opens on the one configured
city centre, and the JSON helper retries a busy server and says what went wrong in Chinese."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from facilities.services.demo import facilities_demo_load
from tests.e2e.test_editor import sign_in
from tests.e2e.test_facilities_planner import planner_loaded
from tests.e2e.test_requests_page import renaming
from tests.editing.factories import role_user
from tests.editing.placename_builders import place_create
from tests.facilities.factories import user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not the default: a page with its own copy of a centre would not follow it.
CENTRE = (130.52, 47.41)
ZOOM = 9
DATA = re.compile(r"/(api|tiles)/")  # held unanswered, so no page fits its view to data yet

# page, the map element, the zoom the page asks for (None: the configured one)
PAGES = [
    ("/", "#map", None),
    ("/placenames/", "#map", None),
    ("/addresses/", "#map", 15),  # door plates are drawn from zoom 14
    ("/boundaries/", "#map", None),
    ("/boundaries/topology/", "#map", None),
    ("/editor/", "#map", None),
    ("/editor/requests/{request_id}/", "#rq-map", None),
    ("/facilities/", "#map", 10),  # the urban districts
]

START_VIEWS = """(selector) => {
    const el = document.querySelector(selector);
    const map = window.HegangMap.maps.find(m => m.getTargetElement() === el);
    if (!map) { return null; }
    const v = map.getView();
    return {centre: ol.proj.toLonLat(v.getCenter()), zoom: v.getZoom(), maps: window.HegangMap.maps.length};
}"""


def test_every_page_map_starts_on_the_configured_city_centre(
    live_server, hegang_areas, offline_page, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.HEGANG_MAP_CENTRE_4490 = CENTRE
    settings.HEGANG_MAP_ZOOM = ZOOM
    officer = role_user("pn", "placename_officer")
    request = renaming(place_create("向阳小区", serial=1), officer, "朝阳小区")
    page = offline_page
    sign_in(page, live_server, role_user("chief", "administrator"))
    held = []
    page.route(DATA, lambda route: held.append(route))

    for path, selector, own_zoom in PAGES:
        page.goto(live_server.url + path.format(request_id=request.pk))
        page.wait_for_selector(f"{selector} canvas", timeout=20_000)
        view = page.evaluate(START_VIEWS, selector)
        assert view is not None, f"{path}: the map is not made by the shared map script"
        assert view["centre"] == pytest.approx(CENTRE, abs=1e-6), path
        assert view["zoom"] == (own_zoom or ZOOM), path
        assert view["maps"] == 1, f"{path}: one map per page"

    # The admin's geometry widget (Django's MapWidget) starts there too on a new area.
    page.goto(live_server.url + "/admin/boundaries/administrativearea/add/")
    page.wait_for_selector(".dj_map canvas", timeout=20_000)
    widget = page.evaluate(
        """() => { const v = document.querySelector('[data-offline-map-widget]').mapWidget.map.getView();
                   return {centre: ol.proj.toLonLat(v.getCenter()), zoom: v.getZoom()}; }"""
    )
    assert widget["centre"] == pytest.approx(CENTRE, abs=1e-6)
    assert widget["zoom"] == ZOOM
    assert held, "the pages asked the API for their data (held back here)"
    assert not page.recorder.blocked, (
        f"the pages tried to reach other hosts: {page.recorder.blocked}"
    )


def _county_requests(url: str) -> bool:
    return "/api/v1/areas" in url and "level=county" in url


def busy_once(answered: list[str], *, retry_after_s: str):
    """A route handler: the first request gets a 503 with Retry-After, later ones go through."""

    def handle(route):
        answered.append(route.request.url)
        if len(answered) == 1:
            route.fulfill(
                status=503,
                headers={"Retry-After": retry_after_s, "Content-Type": "application/json"},
                body=json.dumps({"error": "服务器正忙", "code": "busy"}),
            )
        else:
            route.continue_()

    return handle


def test_a_busy_server_is_asked_again_after_retry_after(live_server, hegang_areas, offline_page):
    page = offline_page
    answered = []
    page.route(_county_requests, busy_once(answered, retry_after_s="1"))
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=20_000)
    assert json.loads(page.get_attribute("#map", "data-loaded")) == {"county": 8, "city": 1}
    assert len(answered) == 2
    assert not page.recorder.blocked
    # The browser logs the refused attempt itself; nothing else went wrong.
    assert all("503" in e for e in page.recorder.console_errors), page.recorder.console_errors


@pytest.mark.parametrize(
    ("status", "headers", "body", "shown", "attempts"),
    [
        # Still busy after three retries: the server's own message.
        (
            503,
            {"Retry-After": "0"},
            {"error": "服务器正忙：请 5 秒后再试", "code": "busy"},
            "服务器正忙：请 5 秒后再试",
            4,
        ),
        # A proxy's HTML error page: the status in Chinese, never the HTML.
        (
            502,
            {"Content-Type": "text/html"},
            "<html>Bad Gateway</html>",
            "服务器暂时无法访问，请稍后重试（HTTP 502）",
            1,
        ),
        # A DRF validation error without "error": its first message.
        (400, {}, {"level": ["无效的选项。"]}, "无效的选项。", 1),
    ],
)
def test_a_failed_load_says_why_in_chinese(
    live_server, hegang_areas, offline_page, status, headers, body, shown, attempts
):
    page = offline_page
    answered = []

    def refuse(route):
        answered.append(route.request.url)
        route.fulfill(
            status=status,
            headers={"Content-Type": "application/json", **headers},
            body=body if isinstance(body, str) else json.dumps(body, ensure_ascii=False),
        )

    page.route(_county_requests, refuse)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map-status.error", timeout=20_000)
    assert page.text_content("#map-status") == "加载区划数据失败：" + shown
    assert len(answered) == attempts
    assert not page.recorder.blocked


def test_the_planner_says_it_waits_for_a_busy_server_then_shows_the_coverage(
    live_server, hegang_areas, offline_page
):
    facilities_demo_load()
    page = offline_page
    answered = []
    page.route(re.compile(r"/api/v1/coverage\?"), busy_once(answered, retry_after_s="2"))
    user_with_role("planner", "planner", password="pw-for-tests-1")
    page.goto(live_server.url + "/accounts/login/?next=/facilities/")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("form button[type=submit]")
    expect(page.locator("#status")).to_have_text("服务器正忙，2 秒后第 1 次重试…", timeout=20_000)
    planner_loaded(page)
    assert page.text_content("#status").startswith("已加载")
    assert page.text_content('[data-field="share"]').endswith("%")
    assert len(answered) == 2
    assert not page.recorder.blocked
