"""The coverage report opened from disk (file://), as a planner opens the download:
a hostile name shows as text, no script of it runs, and the map still draws offline."""

from __future__ import annotations

import pytest

import facilities.report
from facilities.report import report_html

pytestmark = pytest.mark.e2e

XSS = "${alert('XSS-tpl')}</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def _report(name: str) -> str:
    square = [[[130.2, 47.3], [130.4, 47.3], [130.4, 47.4], [130.2, 47.4], [130.2, 47.3]]]
    return report_html(
        report={
            "name": name,
            "target_label": name,
            "target_population": 10,
            "service_distance_m": 500,
            "distance_note": name,
            "served": 5,
            "served_share": 0.5,
            "overflow": 0,
            "by_area": [],
            "facilities": [
                {"name": name, "capacity": 3, "capacity_persons": 3, "load": 2, "full": False}
            ],
            "unit_rule": {"label": name, "lacking": [{"code": "1", "name": name, "parent": name}]},
            "gaps_4490": None,
        },
        targets=[{"label": name, "figure": name, "goal": name, "met": None, "source": name}],
        facilities_geojson={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [130.3, 47.35]},
                    "properties": {"name": name, "status_label": name},
                }
            ],
        },
        outlines_geojson={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": square},
                    "properties": {"name": name},
                }
            ],
        },
        demand_points=[[130.3, 47.32, 1.0, 1.0]],
        generated_at="2026-01-01 08:00",
        has_demo=False,
    )


def _open(chromium_browser, path):
    """Open the file, show every tooltip (what hovering does); return dialogs, errors, page."""
    context = chromium_browser.new_context()
    page = context.new_page()
    dialogs, errors, fetched = [], [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("file:", "data:")) or fetched.append(r.url))
    page.goto(path.as_uri())
    page.evaluate(
        """() => Object.values(window)
             .filter(v => v instanceof Object && v.eachLayer && v.getContainer)
             .forEach(map => map.eachLayer(layer => {
                 if (layer.getTooltip && layer.getTooltip())
                     layer.openTooltip(layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter());
             }))"""
    )
    page.wait_for_timeout(300)
    return dialogs, errors, fetched, page, context


def test_a_hostile_name_is_shown_as_text_and_nothing_runs(chromium_browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(_report(XSS), encoding="utf-8")
    dialogs, errors, fetched, page, context = _open(chromium_browser, path)
    try:
        assert dialogs == []
        assert errors == []  # no CSP violation: the report's own scripts and styles are allowed
        assert fetched == []
        assert page.locator(".leaflet-overlay-pane path").count() >= 2  # outline and markers
        assert page.locator("img").count() == 0
        tooltips = page.locator(".leaflet-tooltip").all_text_contents()
        assert len(tooltips) == 2 and all(XSS in t for t in tooltips)
        assert XSS in page.text_content("h1")
    finally:
        context.close()


def test_the_policy_stops_a_value_that_escaping_missed(chromium_browser, tmp_path, monkeypatch):
    monkeypatch.setattr(facilities.report, "map_text", str)  # as if a tooltip were not escaped
    path = tmp_path / "report.html"
    page_html = _report(XSS)
    assert "onerror=alert(2)>" in page_html  # the payload really is in the file, raw
    path.write_text(page_html, encoding="utf-8")
    dialogs, errors, fetched, _, context = _open(chromium_browser, path)
    try:
        assert dialogs == []
        assert fetched == []
        assert any("Content Security Policy" in e for e in errors)
    finally:
        context.close()


def test_the_scale_bar_is_in_metres_and_kilometres_only(chromium_browser, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(_report("日间照料中心"), encoding="utf-8")
    dialogs, errors, fetched, page, context = _open(chromium_browser, path)
    try:
        assert dialogs == [] and errors == [] and fetched == []
        lines = page.locator(".leaflet-control-scale-line").all_text_contents()
        assert len(lines) == 1, lines  # one bar: no second, imperial one
        assert lines[0].strip().endswith(("km", " m")), lines
        assert not any(unit in lines[0] for unit in ("mi", "ft"))
        page.screenshot(path=str(tmp_path / "report.png"))
    finally:
        context.close()
