"""The planner page, offline: coverage, targets, a background run with a scenario, the report."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from facilities.models import Programme, Scenario, SitingRun
from facilities.services.demo import facilities_demo_load
from facilities.services.runs import siting_run_create, siting_run_execute
from facilities.services.siting import SitingRequest
from tests.e2e.conftest import ARTIFACTS
from tests.facilities.factories import user_with_role

# The page's own layers, without the base map the map kernel puts under them.
PAGE_LAYERS = 'window.plannerMap.getLayers().getArray().filter(l => typeof l.getSource().getFeatures === "function")'

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def planner_loaded(page) -> None:
    """Wait until the planner page has loaded its first programme's coverage."""
    page.wait_for_selector(
        "#planner[data-loaded=eldercare_daycare]", state="attached", timeout=30_000
    )


def planner_sign_in(page, live_server):
    """Sign in as a planner through the login form and land on the planner page."""
    user_with_role("planner", "planner", password="pw-for-tests-1")
    page.goto(live_server.url + "/accounts/login/?next=/facilities/")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("form button[type=submit], form input[type=submit]")
    page.wait_for_url(re.compile(r".*/facilities/$"))


def test_planner_shows_coverage_targets_and_runs_a_scenario(
    live_server, hegang_areas, offline_page
):
    facilities_demo_load()
    page = offline_page
    planner_sign_in(page, live_server)
    planner_loaded(page)
    assert "演示数据" in page.text_content(".planner-side")
    assert page.text_content('[data-field="share"]').endswith("%")
    assert page.locator("#area-table tbody tr").count() >= 9  # the city and 8 counties
    assert page.locator("#chart rect.bar").count() == 8
    page.wait_for_selector("#targets li")
    targets = page.text_content("#targets")
    assert "日间照料中心（运营）：23 处" in targets and "未达到" in targets
    drawn = page.evaluate("() => " + PAGE_LAYERS + ".map(l => l.getSource().getFeatures().length)")
    assert drawn[0] == 8 and drawn[2] > 100 and drawn[3] == 24  # outlines, demand, facilities

    # Children's homes: one per urban community (the one-per-unit rule is shown).
    page.select_option("#programme", "child_protection")
    page.wait_for_selector(
        "#planner[data-loaded=child_protection]", state="attached", timeout=30_000
    )
    assert "每个县（区）一处" in page.text_content("#unit-rule")
    assert "缺：南山区" in page.text_content("#unit-rule")

    # A background run: the page queues it, the worker (here: the test) runs it.
    page.select_option("#programme", "eldercare_daycare")
    planner_loaded(page)
    page.fill("input[name=name]", "再建五处")
    page.fill("input[name=p]", "5")
    page.fill("input[name=time_limit]", "20")
    page.click("#siting-form button[type=submit]")
    page.wait_for_selector("#run:not([hidden])")
    deadline = time.time() + 10
    while not SitingRun.objects.exists() and time.time() < deadline:
        time.sleep(0.2)
    run = siting_run_execute(run_id=SitingRun.objects.get().pk)
    assert run.status == "done"
    expect(page.locator("#form-status")).to_contain_text("完成", timeout=15_000)
    page.wait_for_selector("table.compare")
    compare = page.text_content("table.compare")
    assert "再建五处" in compare and "5 处" in compare
    page.recorder.assert_clean()


def test_downloaded_report_opens_with_no_network(live_server, hegang_areas, offline_page):
    facilities_demo_load()
    page = offline_page
    planner_sign_in(page, live_server)
    response = page.request.get(live_server.url + "/facilities/report.html?programme=children_home")
    assert response.status == 200
    html = response.text()
    # No script, stylesheet or image from another host (Leaflet's own attribution *link*
    # to its website stays: it is text the user may click, not something the page loads).
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?://""", html)
    assert "儿童之家 覆盖分析报告" in html and "演示数据" in html
    excel = page.request.get(live_server.url + "/facilities/report.xlsx?programme=children_home")
    assert excel.status == 200 and excel.body()[:2] == b"PK"
    page.goto("about:blank")  # leave the portal page: its CSP forbids inline scripts
    page.set_content(html)
    page.wait_for_selector(".leaflet-container")
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    assert page.evaluate("typeof L") == "object"
    page.recorder.assert_clean()


def test_other_roles_see_a_chinese_refusal(live_server, hegang_areas, offline_page):
    user_with_role("officer6", "placename_officer", password="pw-for-tests-1")
    page = offline_page
    page.goto(live_server.url + "/accounts/login/?next=/facilities/")
    page.fill("input[name=username]", "officer6")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("form button[type=submit], form input[type=submit]")
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.locator("main")).to_contain_text("只有规划人员或系统管理员可以使用设施规划")
    assert page.locator("#planner").count() == 0


def test_the_coverage_chart_fits_a_phone_screen(live_server, hegang_areas, offline_page):
    facilities_demo_load()
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    planner_sign_in(page, live_server)
    planner_loaded(page)
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#chart rect')].map(r => Number(r.getAttribute('width')))"
    )
    assert len(widths) == 16 and min(widths) >= 0  # a track and a bar per county
    assert max(widths) > 0
    page.recorder.assert_clean()


def test_the_gap_layer_leaves_the_points_readable_and_matches_its_legend(
    live_server, hegang_areas, offline_page
):
    facilities_demo_load()
    page = offline_page
    page.set_viewport_size({"width": 1440, "height": 900})
    planner_sign_in(page, live_server)
    planner_loaded(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "planner-gaps-1440x900.png"))
    gaps = page.evaluate(
        """() => {
          const layers = window.plannerMap.getLayers().getArray().filter(l => typeof l.getSource().getFeatures === "function");
          const gap = layers.find(l => l.get("name") === "gaps");
          const style = gap.getStyle();
          const order = layers.indexOf(gap);
          return {features: gap.getSource().getFeatures().length,
                  patterned: style.getFill().getColor() instanceof CanvasPattern,
                  stroke: style.getStroke().getColor(),
                  demandAbove: layers.slice(order + 1).some(l => l.getSource().getFeatures().length > 100)};
        }"""
    )
    assert gaps["features"] == 1  # the demo leaves uncovered land
    # A hatch over the land, not a solid mass; the demand points are drawn over it.
    assert gaps["patterned"] and gaps["demandAbove"]
    swatch = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.legend .sq.gap'));
                   return {image: s.backgroundImage, border: s.borderTopColor}; }"""
    )
    # The legend's swatch: the same hatch, the same colour as the map's outline.
    assert "repeating-linear-gradient" in swatch["image"]
    assert swatch["border"] == "rgb(86, 101, 115)" and gaps["stroke"] == "#566573"
    page.recorder.assert_clean()


def test_served_points_are_drawn_over_the_unserved_ones(live_server, hegang_areas, offline_page):
    facilities_demo_load()
    page = offline_page
    planner_sign_in(page, live_server)
    planner_loaded(page)
    looks = page.evaluate(
        """() => {
          const layer = window.plannerMap.getLayers().getArray().filter(l => typeof l.getSource().getFeatures === "function")[2];
          const out = {};
          layer.getSource().getFeatures().forEach(f => {
            const s = layer.getStyle()(f);
            out[f.get("state")] = {z: s.getZIndex(), fill: s.getImage().getFill().getColor()};
          });
          return out;
        }"""
    )
    assert looks["served"]["z"] > looks["unserved"]["z"]
    assert looks["unserved"]["fill"].endswith("80")  # half transparent: no solid red mass
    page.recorder.assert_clean()


# Screenshots for a person to look at, taken when PLANNER_SHOTS_DIR names a folder.
SHOTS_DIR = os.environ.get("PLANNER_SHOTS_DIR", "")


def _shot(page, name: str) -> None:
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS_DIR) / name))


def _scenario(name: str, p: int, **kw) -> int:
    programme = Programme.objects.get(slug="eldercare_daycare")
    request = SitingRequest(model="mclp", p=p, radius_m=1000, time_limit_s=20, **kw)
    run = siting_run_create(programme=programme, name=name, request=request)
    run = siting_run_execute(run_id=run.pk)
    assert run.status == "done", run.message
    return Scenario.objects.get(run=run).pk


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844), (1080, 1920)])
def test_scenarios_side_by_side_with_before_after_and_allocation(
    live_server, hegang_areas, offline_page, width, height
):
    facilities_demo_load()
    first = _scenario("少建三处", 3)
    second = _scenario("多建八处", 8)
    page = offline_page
    page.set_viewport_size({"width": width, "height": height})
    planner_sign_in(page, live_server)
    try:
        planner_loaded(page)
    except Exception:
        raise AssertionError(f"page did not load: {page.recorder.console_errors}") from None
    page.wait_for_selector(f"#planner[data-scenario-on-map='{second}']", state="attached")
    compare = page.locator("table.compare")
    header = compare.locator("tr").first.text_content()
    assert "少建三处" in header and "多建八处" in header  # both columns, side by side
    text = compare.text_content()
    for label in ("方案基准服务人数", "方案服务人数", "新增服务人数", "距离方式", "直线距离"):
        assert label in text
    # No solver words or raw codes reach the comparison.
    for word in ("optimal", "time_limit", "mclp", "pmedian", "gap"):
        assert word not in text
    # The newest scenario is drawn: 8 new sites, one line per allocated demand unit.
    counts = page.evaluate("() => " + PAGE_LAYERS + ".map(l => l.getSource().getFeatures().length)")
    assert counts[6] == 8 and counts[5] > 0 and counts[4] > 0
    assert page.locator("#load-table tbody tr").count() >= 8
    # Before/after: switching the map mode recolours the scenario's points.
    page.select_option("#map-mode", "after")
    page.evaluate(
        "() => { const v = window.plannerMap.getView();"
        " const src = " + PAGE_LAYERS + "[6].getSource();"
        " v.fit(src.getExtent(), {padding: [60, 60, 60, 60], maxZoom: 14});"
        " document.getElementById('scenario-view').scrollIntoView(); }"
    )
    page.wait_for_timeout(500)
    _shot(page, f"planner_after_{width}x{height}.png")
    page.evaluate("() => document.getElementById('scenarios').scrollIntoView()")
    page.select_option("#map-mode", "before")
    page.wait_for_timeout(500)
    _shot(page, f"planner_before_{width}x{height}.png")
    # The other scenario on the map, then unticked from the comparison.
    page.locator(".scenario-list li", has_text="少建三处").locator("input[type=radio]").check()
    page.wait_for_selector(f"#planner[data-scenario-on-map='{first}']", state="attached")
    page.locator(".scenario-list li", has_text="多建八处").locator("input[type=checkbox]").uncheck()
    assert "多建八处" not in page.locator("table.compare").text_content()
    href = page.get_attribute("#allocation-link", "href")
    xlsx = page.request.get(live_server.url + href)
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"
    page.recorder.assert_clean()
