"""The planner page's plan part, offline: every target met / not met (facilities and yearly
indicators), a yearly figure entered and a duplicate refused, labels instead of solver
words, the cancel button only while a run is live; screenshots at three sizes."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from facilities.models import IndicatorValue, SitingRun
from facilities.services.demo import facilities_demo_load
from facilities.services.indicator_demo import indicators_demo_load
from facilities.services.runs import siting_run_execute
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_facilities_planner import planner_loaded, planner_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOLVER_WORDS = re.compile(r"\b(optimal|time_limit|pmedian|pcenter|mclp|lscp)\b")
SIZES = [(1440, 900), (390, 844), (1080, 1920)]


def _login(page, live_server):
    planner_sign_in(page, live_server)
    planner_loaded(page)
    page.wait_for_selector("#indicator-table tbody tr")


def test_plan_targets_and_indicators_side_by_side(live_server, hegang_areas, offline_page):
    facilities_demo_load()
    indicators_demo_load()
    page = offline_page
    _login(page, live_server)
    targets = page.text_content("#targets")
    # Spatial targets and yearly indicators in one list, each met or not in Chinese.
    assert "县级未成年人救助保护机构全覆盖：3/8" in targets
    assert "［年度指标］年均火化率：2024 年" in targets
    assert "达到" in targets and "未达到" in targets
    assert page.locator("#targets li .demo-badge").count() >= 8  # the demo figures say so
    assert page.locator("#indicator-table tbody tr").count() == 8
    cremation = page.locator('#indicator-table tr[data-key="cremation_rate"]')
    expect(cremation).to_contain_text("≥ 90%")
    expect(cremation).to_contain_text("2024")

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate("() => document.getElementById('targets').scrollIntoView()")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"planner_targets_{width}x{height}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})

    # A figure for 2025 (no demo figure that year): saved with who entered it.
    page.click("#indicator-entry summary")
    page.select_option("#indicator-form select[name=indicator]", "cremation_rate")
    page.select_option("#indicator-form select[name=county]", "230402")
    page.fill("#indicator-form input[name=year]", "2025")
    page.fill("#indicator-form input[name=value_percent]", "95.5")
    page.click("#indicator-form button[type=submit]")
    expect(page.locator("#indicator-status")).to_contain_text(
        "已保存：向阳区 2025 年年均火化率 95.5%"
    )
    expect(page.locator("#indicator-status")).to_contain_text("填报人 planner")
    expect(page.locator("#targets")).to_contain_text("年均火化率：2025 年：1/1")
    # The same county and year again: refused, named, nothing written.
    page.fill("#indicator-form input[name=value_percent]", "97")
    page.click("#indicator-form button[type=submit]")
    expect(page.locator("#indicator-status")).to_contain_text("已填报")
    expect(page.locator("#indicator-status")).to_have_class(re.compile("error"))
    assert IndicatorValue.objects.filter(year=2025).count() == 1
    # The refusal is the one failed load the browser reports; nothing else went wrong.
    assert page.recorder.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.recorder.console_errors.clear()
    page.recorder.assert_clean()


def test_runs_read_in_labels_and_cancel_only_while_live(live_server, hegang_areas, offline_page):
    facilities_demo_load()
    page = offline_page
    _login(page, live_server)
    cancel = page.locator("#run-cancel")
    page.fill("input[name=name]", "两处")
    page.fill("input[name=p]", "2")
    page.fill("input[name=time_limit]", "10")
    page.click("#siting-form button[type=submit]")
    page.wait_for_selector("#run:not([hidden])")
    expect(cancel).to_be_enabled()
    deadline = time.time() + 10
    while not SitingRun.objects.exists() and time.time() < deadline:
        time.sleep(0.2)
    assert siting_run_execute(run_id=SitingRun.objects.get().pk).status == "done"
    expect(page.locator("#form-status")).to_contain_text("完成：", timeout=15_000)
    expect(cancel).to_be_disabled()
    page.wait_for_selector("table.compare")
    compare = page.text_content("table.compare")
    assert "已求得最优解" in compare or "达到时间上限" in compare
    assert "方案基准服务人数" in compare
    text = page.inner_text("body")
    assert not SOLVER_WORDS.search(text), SOLVER_WORDS.search(text)
    page.recorder.assert_clean()
