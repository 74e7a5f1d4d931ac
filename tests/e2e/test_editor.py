"""The map editor in chromium: drag a marker with snapping, save, history; two sessions conflict."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from boundaries.models import BoundaryMarker
from gis_portal.editing import change_services
from gis_portal.editing.models import ChangeRequest
from tests.editing.factories import demo_boundaries, role_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boundary_demo(hegang_areas):
    return demo_boundaries()


@pytest.fixture
def make_user(db):
    return role_user


SAVED = "() => document.querySelector('#editor-status').textContent.includes('已保存')"
# A boundary change is not applied by the officer's save: it goes in as a change request.
SUBMITTED = "() => document.querySelector('#editor-status').textContent.includes('已提交审批')"


def approve_latest(chief) -> ChangeRequest:
    """The approver decides the latest request (with the survey the regulations ask for)."""
    request = ChangeRequest.objects.latest("pk")
    change_services.change_document_attach(
        request_id=request.pk,
        kind="survey",
        file=SimpleUploadedFile("survey.pdf", b"%PDF-1.4 demo"),
        title="联检勘测记录",
        user=request.submitted_by,
    )
    change_services.change_request_review(request_id=request.pk, user=chief)
    return change_services.change_request_approve(
        request_id=request.pk, user=chief, approving_authority="鹤岗市民政局"
    )


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
    live_server, boundary_demo, make_user, offline_page, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
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
    page.wait_for_function(SUBMITTED)
    status = page.locator("#editor-status").inner_text()
    assert "编号 #" in status and "界桩变更" in status
    page.wait_for_selector("#pending-requests a")
    assert "待审批" in page.locator("#pending-requests").inner_text()
    assert BoundaryMarker.objects.get(pk=marker.pk).material != "花岗岩（复测）"
    approve_latest(make_user("chief", "administrator"))
    marker.refresh_from_db()
    assert marker.material == "花岗岩（复测）"
    assert marker.version > 2
    page.click("#btn-history")
    page.wait_for_selector("#history-list li")
    assert "联检复测，界桩位置校正" in page.locator("#history-list li").first.inner_text()
    # The diff names the field as the form does (材质), never the column (material).
    diff = page.locator("#history-diff").inner_text()
    assert "材质" in diff and "material" not in diff
    page.recorder.assert_clean()


def test_second_session_saving_the_same_marker_gets_the_conflict_dialog(
    live_server, boundary_demo, make_user, offline_page, chromium_browser, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
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
        first.wait_for_function(SUBMITTED)
        # While the first change waits for approval, the second session is shown both.
        second.fill("#f-material", "乙方修改")
        second.fill("#f-comment", "第二位")
        second.click("#btn-save")
        second.wait_for_selector("#conflict-dialog[open]")
        rows = second.locator("#conflict-rows").inner_text()
        assert "乙方修改" in rows and "甲方修改" in rows
        assert "待审批" in second.locator("#conflict-message").inner_text()
        second.screenshot(path="test-artifacts/test_editor_conflict_dialog.png")
        second.click("#btn-conflict-reload")
        second.wait_for_function(
            "() => document.querySelector('#editor-status').textContent.includes('已载入最新版本')"
        )
        # Once the first is approved, the second session's stale version is a conflict too
        # (412 with the server's version), and re-applying on it submits a new request.
        approve_latest(make_user("chief", "administrator"))
        assert BoundaryMarker.objects.get(pk=marker.pk).material == "甲方修改"
        first.fill("#f-material", "甲方再改")
        first.fill("#f-comment", "第一位再改")
        first.click("#btn-save")
        first.wait_for_selector("#conflict-dialog[open]")
        rows = first.locator("#conflict-rows").inner_text()
        assert "甲方再改" in rows and "甲方修改" in rows
        next_id = ChangeRequest.objects.latest("pk").pk + 1
        first.click("#btn-conflict-reapply")
        first.wait_for_function(
            f"() => document.querySelector('#editor-status').textContent.includes('#{next_id}')"
        )
        assert ChangeRequest.objects.latest("pk").proposed_data == {"material": "甲方再改"}
    finally:
        context.close()
    # The 412 of the stale save above is the expected conflict, logged by the browser.
    first.recorder.console_errors = [e for e in first.recorder.console_errors if "412" not in e]
    first.recorder.assert_clean()
