"""The map editor in chromium: drag a marker with snapping, save, history; two sessions conflict."""

from __future__ import annotations

import pytest
from django.test import Client

from boundaries.models import BoundaryMarker
from tests.editing.factories import demo_boundaries, role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boundary_demo(hegang_areas):
    return demo_boundaries()


@pytest.fixture
def make_user(db):
    return role_user


SAVED = "() => document.querySelector('#editor-status').textContent.includes('已保存')"


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def open_editor(page, live_server):
    page.goto(f"{live_server.url}/editor/")
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)


def centre_on(page, marker_id: int) -> dict:
    """Zoom to a marker and return its pixel and that of the nearest point on its line."""
    return page.evaluate(
        """(id) => {
            const ed = window.editor;
            const m = ed.sources["boundary-markers"].getFeatureById(id);
            const c = m.getGeometry().getCoordinates();
            ed.map.getView().setCenter(c);
            ed.map.getView().setZoom(18);
            ed.map.renderSync();
            return {x: ed.map.getPixelFromCoordinate(c)[0], y: ed.map.getPixelFromCoordinate(c)[1]};
        }""",
        marker_id,
    )


def click_marker(page, marker_id: int):
    px = centre_on(page, marker_id)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + px["x"], box["y"] + px["y"])
    page.wait_for_selector("#attr-panel:not([hidden])")


def test_officer_drags_a_marker_with_snapping_saves_and_sees_history(
    live_server, boundary_demo, make_user, offline_page
):
    _line, marker = boundary_demo
    page = offline_page
    sign_in(page, live_server, make_user("boundary", "boundary_officer"))
    open_editor(page, live_server)
    assert "已加载" in page.locator("#editor-status").inner_text()
    page.check("#layer-pick input[value='boundary-markers']")
    px = centre_on(page, marker.pk)
    box = page.locator("#map").bounding_box()
    x0, y0 = box["x"] + px["x"], box["y"] + px["y"]
    # Drag 30 px away and release 4 px off the line: the Snap interaction puts it back on.
    target = page.evaluate(
        """(id) => {
            const ed = window.editor;
            const m = ed.sources["boundary-markers"].getFeatureById(id);
            const line = ed.sources["boundary-lines"].getFeatureById(m.get("line_id") || 0)
                || ed.sources["boundary-lines"].getFeatures().find(l => l.get("code") === m.get("line_code"));
            const c = m.getGeometry().getCoordinates();
            const g = line.getGeometry();
            const coords = g.getLineStrings().flatMap(p => p.getCoordinates());
            let best = 0, bd = Infinity;
            coords.forEach((v, i) => { const d = (v[0]-c[0])**2 + (v[1]-c[1])**2; if (d < bd) { bd = d; best = i; } });
            const a = coords[best], b = coords[best + 1] || coords[best - 1];
            const t = 25 * ed.map.getView().getResolution() / Math.hypot(b[0]-a[0], b[1]-a[1]);
            const along = g.getClosestPoint([c[0] + (b[0]-c[0]) * Math.min(t, 0.5), c[1] + (b[1]-c[1]) * Math.min(t, 0.5)]);
            const p = ed.map.getPixelFromCoordinate(along);
            return {x: p[0] + 4, y: p[1] + 3, code: line.get("code")};
        }""",
        marker.pk,
    )
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(
            x0 + (box["x"] + target["x"] - x0) * i / 10, y0 + (box["y"] + target["y"] - y0) * i / 10
        )
    page.mouse.up()
    page.wait_for_function("() => Object.keys(window.editor.dirty()).length > 0")
    off_line_m = page.evaluate(
        """(id) => {
            const ed = window.editor;
            const m = ed.sources["boundary-markers"].getFeatureById(id);
            const line = ed.sources["boundary-lines"].getFeatures().find(l => l.get("code") === m.get("line_code"));
            const c = m.getGeometry().getCoordinates();
            const q = line.getGeometry().getClosestPoint(c);
            return Math.hypot(q[0]-c[0], q[1]-c[1]);
        }""",
        marker.pk,
    )
    # Released ~5 px (≈3 m) off the line; snapped, it sits on it (to float rounding).
    assert off_line_m < 0.1, "the dragged marker snapped onto its line"
    click_marker(page, marker.pk)
    page.fill("#f-material", "花岗岩（复测）")
    page.fill("#f-comment", "联检复测，界桩位置校正")
    page.click("#btn-save")
    page.wait_for_function(SAVED)
    marker.refresh_from_db()
    assert marker.material == "花岗岩（复测）"
    assert marker.version > 2
    page.click("#btn-history")
    page.wait_for_selector("#history-list li")
    assert "联检复测，界桩位置校正" in page.locator("#history-list li").first.inner_text()
    assert "material" in page.locator("#history-diff").inner_text()
    page.recorder.assert_clean()


def test_second_session_saving_the_same_marker_gets_the_conflict_dialog(
    live_server, boundary_demo, make_user, offline_page, chromium_browser
):
    _line, marker = boundary_demo
    first = offline_page
    sign_in(first, live_server, make_user("bo1", "boundary_officer"))
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    second = context.new_page()
    try:
        sign_in(second, live_server, make_user("bo2", "boundary_officer"))
        for page in (first, second):
            open_editor(page, live_server)
            click_marker(page, marker.pk)
        first.fill("#f-material", "甲方修改")
        first.fill("#f-comment", "第一位")
        first.click("#btn-save")
        first.wait_for_function(SAVED)
        second.fill("#f-material", "乙方修改")
        second.fill("#f-comment", "第二位")
        second.click("#btn-save")
        second.wait_for_selector("#conflict-dialog[open]")
        rows = second.locator("#conflict-rows").inner_text()
        assert "乙方修改" in rows and "甲方修改" in rows
        assert BoundaryMarker.objects.get(pk=marker.pk).material == "甲方修改"
        second.screenshot(path="test-artifacts/test_editor_conflict_dialog.png")
        second.click("#btn-conflict-reapply")
        second.wait_for_function(SAVED)
        assert BoundaryMarker.objects.get(pk=marker.pk).material == "乙方修改"
    finally:
        context.close()
    first.recorder.assert_clean()
