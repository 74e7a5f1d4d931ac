"""界线管理 main page in chromium, offline: lines and markers drawn, a marker's details on click."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from boundaries.demo_loader import boundary_demo_load, boundary_versions_load
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    ConversionRun,
    TransformationParameterSet,
)
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.datasets import HEGANG_DATA_DIR
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server):
    roles_sync()
    user = user_create_with_role(username="bd", password="pw-boundary-1", role="boundary_officer")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_boundary_page_draws_lines_and_markers_and_shows_a_marker(
    live_server, hegang_areas, offline_page
):
    boundary_demo_load()
    page = offline_page
    _sign_in(page, live_server)
    page.goto(live_server.url + "/boundaries/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=30_000)
    loaded = json.loads(page.get_attribute("#map", "data-loaded"))
    assert loaded["lines"] == BoundaryLine.objects.count() == 12
    assert loaded["markers"] == BoundaryMarker.objects.count()
    assert loaded["areas"] == 8
    assert "12 条界线" in page.text_content("#map-status")
    assert page.locator("#line-table tbody tr").count() == 12
    assert page.locator(".demo-badge").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "boundaries_index_map.png"))
    # On a phone the line table scrolls inside its own box; the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    table = page.evaluate(
        "() => { const t = document.getElementById('line-table'); return [t.clientWidth, t.scrollWidth]; }"
    )
    assert table[0] <= 390 < table[1]  # wider than the phone, scrolled within
    page.set_viewport_size({"width": 1280, "height": 800})

    marker = BoundaryMarker.objects.order_by("line__code", "sequence").first()
    page.evaluate(
        "([lon, lat]) => window.boundaryMap.getView().animate({center: ol.proj.fromLonLat([lon, lat]), zoom: 16, duration: 0})",
        [marker.geom_4490.x, marker.geom_4490.y],
    )
    page.wait_for_timeout(500)
    pixel = page.evaluate(
        "([lon, lat]) => window.boundaryMap.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat]))",
        [marker.geom_4490.x, marker.geom_4490.y],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pixel[0], box["y"] + pixel[1])
    page.wait_for_selector("#marker-info:not([hidden])")
    assert page.text_content("[data-field=number]") == marker.number
    assert "EPSG:455" in page.text_content("[data-field=cgcs]")
    page.click("#marker-link")
    page.wait_for_selector("#history-table")
    assert marker.number in page.text_content("h1")
    page.recorder.assert_clean()


def test_topology_page_map_loads_offline(live_server, hegang_areas, offline_page):
    boundary_versions_load(echarts_path=HEGANG_DATA_DIR / "echarts2017_gcj02.geojson")
    boundary_demo_load()
    page = offline_page
    _sign_in(page, live_server)
    page.goto(live_server.url + "/boundaries/topology/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=30_000)
    assert "12 条界线" in page.text_content("#map-status")
    assert "8 处问题" in page.text_content("#map-status")  # the 2017 snapshot differs everywhere
    assert "萝北县" in page.text_content("#issue-table")
    page.recorder.assert_clean()


def test_parameter_page_dry_run_and_printable_report(live_server, hegang_areas, offline_page):
    boundary_demo_load()
    ps = TransformationParameterSet.objects.get(is_demo=True)
    run = ConversionRun.objects.get(parameter_set=ps)
    page = offline_page
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/boundaries/parameters/{ps.pk}/")
    assert "GP07" in page.text_content("#residual-table")
    page.click("button[value=dry_run]")
    page.wait_for_selector("#dry-run-report")
    assert "将转换 0 个要素" in page.text_content("#dry-run-report")
    page.screenshot(path=str(ARTIFACTS / "boundaries_parameter_detail.png"), full_page=True)
    page.goto(f"{live_server.url}/boundaries/conversions/{run.pk}/")
    assert "最大位移" in page.text_content("#conversion-summary")
    page.emulate_media(media="print")
    assert not page.locator(".bd-subnav").is_visible()
    page.recorder.assert_clean()


def test_recording_an_inspection_in_the_browser(live_server, hegang_areas, offline_page):
    boundary_demo_load()
    page = offline_page
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/boundaries/inspections/")
    assert page.locator("#due-table tbody tr").count() == 12
    page.screenshot(path=str(ARTIFACTS / "boundaries_inspections_due.png"), full_page=True)
    first = page.locator("#due-table tbody tr").first
    code = first.locator("td").nth(1).text_content().split()[0]
    first.locator("a").click()
    day = dt.date.today() - dt.timedelta(days=30)
    if (day.month, day.day) == (2, 29):
        day -= dt.timedelta(days=1)
    page.fill("input[name=inspected_on]", day.isoformat())
    page.fill("textarea[name=participants]", "两区民政局联检组")
    page.locator("#inspection-form select").first.select_option("damaged")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector(".bd-messages")
    due = day.replace(year=day.year + 5)
    assert f"下次到期 {due.isoformat()}" in page.text_content(".bd-messages")
    line = BoundaryLine.objects.get(code=code)
    assert line.inspections.filter(inspected_on=day).exists()
    page.recorder.assert_clean()
