"""The requests/approvals page in chromium: list, filters, diff and map, documents,
review → approve (missing documents and conflicts shown in Chinese) → publish."""

from __future__ import annotations

import pytest

from gis_portal.editing.models import Announcement, ChangeRequest
from placenames.models import PlaceName
from tests.e2e.test_editor import sign_in
from tests.editing.factories import role_user
from tests.editing.helpers import document_attach, request_submit
from tests.editing.placename_builders import place_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def renaming(place, officer, name):
    request = request_submit(
        officer, "placenames", {"standard_name": name}, target=place, reason="居民申请更名"
    )
    for kind in ("assessment", "expert_review"):
        document_attach(request.pk, officer, kind)
    return request


def message(page) -> str:
    return page.locator("#rq-message").inner_text()


def test_approver_reviews_approves_and_publishes_a_renaming(
    live_server, hegang_areas, offline_page, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    officer = role_user("pn", "placename_officer")
    place = place_create("向阳小区", serial=1)
    other = place_create("红旗小区", serial=2)
    req = renaming(place, officer, "朝阳小区")
    stale = renaming(other, officer, "东风小区")
    page = offline_page
    sign_in(page, live_server, role_user("chief", "administrator"))
    page.goto(f"{live_server.url}/editor/requests/?kind=renaming")
    assert page.locator("#request-table tbody tr").count() == 2
    page.select_option("#filter-status", "review")
    page.click(".rq-filters button")
    page.wait_for_selector("text=没有符合条件的申请")
    page.goto(f"{live_server.url}/editor/requests/")
    page.click(f"a[href='/editor/requests/{req.pk}/']")
    page.wait_for_selector("#request-page[data-loaded='1']")
    diff = page.locator("#rq-diff").inner_text()
    assert "向阳小区" in diff and "朝阳小区" in diff
    page.click("#btn-review")
    page.wait_for_selector("#btn-approve")
    # The reloaded page's buttons work once its script has run (it marks data-loaded).
    page.wait_for_selector("#request-page[data-loaded='1']")
    assert "审查中" in page.locator("#rq-status").inner_text()
    page.fill("#approving-authority", "鹤岗市人民政府")
    page.click("#btn-approve")
    page.wait_for_function(
        "() => document.querySelector('#rq-message').textContent.includes('缺少法定材料')"
    )
    assert "征求意见报告" in message(page)
    # Upload the missing report from the page.
    pdf = tmp_path / "consultation.pdf"
    pdf.write_bytes(b"%PDF-1.4 demo")
    page.select_option("#rq-upload select[name=kind]", "consultation")
    page.fill("#rq-upload input[name=title]", "征求意见汇总")
    page.set_input_files("#rq-upload input[type=file]", str(pdf))
    page.click("#rq-upload button")
    page.wait_for_selector("#rq-documents li:has-text('征求意见汇总')")
    page.wait_for_selector("#request-page[data-loaded='1']")
    page.fill("#approving-authority", "鹤岗市人民政府")
    page.click("#btn-approve")
    page.wait_for_selector("#btn-publish")
    page.wait_for_selector("#request-page[data-loaded='1']")
    assert PlaceName.objects.get(pk=place.pk).standard_name == "朝阳小区"
    page.screenshot(path="test-artifacts/test_requests_page_approved.png")
    page.click("#btn-publish")
    page.wait_for_function(
        "() => (document.querySelector('#rq-status')?.textContent || '').includes('已公告')"
    )
    assert Announcement.objects.get(request=req).standard_name == "朝阳小区"
    page.goto(f"{live_server.url}/announcements/")
    assert "朝阳小区" in page.locator("main").inner_text()

    # The other place changed after its request was made: approving it is a conflict.
    PlaceName.objects.filter(pk=other.pk).update(remarks="他人修改")
    document_attach(stale.pk, officer, "consultation", title="c", filename="c.pdf")
    page.goto(f"{live_server.url}/editor/requests/{stale.pk}/")
    page.wait_for_selector("#request-page[data-loaded='1']")
    page.click("#btn-review")
    page.wait_for_selector("#btn-approve")
    # The reloaded page's buttons work once its script has run (it marks data-loaded).
    page.wait_for_selector("#request-page[data-loaded='1']")
    page.click("#btn-approve")
    page.wait_for_function(
        "() => document.querySelector('#rq-message').textContent.includes('冲突')"
    )
    assert "已被修改" in message(page)
    assert ChangeRequest.objects.get(pk=stale.pk).status == "review"
    page.screenshot(path="test-artifacts/test_requests_page_conflict.png")
    # The refused approval's 409 is the expected answer, logged by the browser.
    page.recorder.console_errors = [
        e for e in page.recorder.console_errors if "409" not in e and "400" not in e
    ]
    page.recorder.assert_clean()
