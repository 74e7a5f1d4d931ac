"""Change requests: proposal → review → approved/rejected → published, conflicts, races."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from boundaries.models import BoundaryMarker
from gis_portal.editing import change_services
from gis_portal.editing.errors import EditForbidden, InvalidEdit, InvalidTransition, VersionConflict
from gis_portal.editing.models import Announcement, ChangeKind, ChangeStatus
from tests.editing.helpers import document_attach, request_submit


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def submit(marker, user, material="新材质"):
    """Submit a marker change with the survey the regulations ask for attached."""
    request = request_submit(
        user,
        "boundary-markers",
        {"material": material},
        target=marker,
        reason="联检发现界桩材质登记有误",
    )
    document_attach(request.pk, user, "survey", title="联检勘测记录")
    return request


@pytest.mark.django_db
def test_approving_applies_the_change_and_records_who_approved(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer, admin = make_user("bo", "boundary_officer"), make_user("chief", "administrator")
    req = submit(marker, officer)
    assert req.base_version == marker.version and req.status == ChangeStatus.PROPOSAL
    assert BoundaryMarker.objects.get(pk=marker.pk).material == marker.material
    change_services.change_request_review(request_id=req.pk, user=admin)
    change_services.change_request_approve(
        request_id=req.pk, user=admin, approving_authority="鹤岗市民政局"
    )
    marker.refresh_from_db()
    assert marker.material == "新材质"
    event = BoundaryMarker.pgh_event_model.objects.filter(pgh_obj_id=marker.pk).latest("pgh_id")
    assert event.pgh_context.metadata["username"] == "chief"
    assert event.pgh_context.metadata["comment"].startswith(f"变更申请 #{req.pk}")
    change_services.change_request_publish(request_id=req.pk, user=admin)
    req.refresh_from_db()
    assert req.status == ChangeStatus.PUBLISHED


@pytest.mark.django_db
def test_approval_fails_with_a_conflict_if_the_target_changed(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer, admin = make_user("bo", "boundary_officer"), make_user("chief", "administrator")
    req = submit(marker, officer)
    change_services.change_request_review(request_id=req.pk, user=admin)
    BoundaryMarker.objects.filter(pk=marker.pk).update(description="他人修改")
    with pytest.raises(VersionConflict, match="已被修改"):
        change_services.change_request_approve(request_id=req.pk, user=admin)
    req.refresh_from_db()
    assert req.status == ChangeStatus.REVIEW
    assert BoundaryMarker.objects.get(pk=marker.pk).material == marker.material


@pytest.mark.django_db
def test_invalid_proposals_wrong_roles_and_self_approval_are_refused(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer, admin = make_user("bo", "boundary_officer"), make_user("chief", "administrator")
    planner = make_user("pl", "planner")
    with pytest.raises(InvalidEdit) as exc:
        request_submit(
            officer,
            "boundary-markers",
            {"geometry": {"type": "Point", "coordinates": [1e6, 1e6]}},
            target=marker,
            reason="r",
        )
    assert exc.value.field == "geometry"
    with pytest.raises(EditForbidden):
        submit(marker, planner)
    req = submit(marker, admin)
    change_services.change_request_review(request_id=req.pk, user=admin)
    with pytest.raises(EditForbidden, match="自己"):
        change_services.change_request_approve(request_id=req.pk, user=admin)
    with pytest.raises(EditForbidden):
        change_services.change_request_approve(request_id=req.pk, user=officer)


@pytest.mark.django_db
def test_rejected_request_cannot_be_approved(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer, admin = make_user("bo", "boundary_officer"), make_user("chief", "administrator")
    req = submit(marker, officer)
    with pytest.raises(InvalidEdit):
        change_services.change_request_reject(request_id=req.pk, user=admin, note="")
    change_services.change_request_reject(request_id=req.pk, user=admin, note="材料不全")
    with pytest.raises(InvalidTransition, match="已驳回"):
        change_services.change_request_review(request_id=req.pk, user=admin)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_one_wins_the_other_gets_a_clear_error(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer = make_user("bo", "boundary_officer")
    admins = [make_user("chief1", "administrator"), make_user("chief2", "administrator")]
    req = submit(marker, officer)
    change_services.change_request_review(request_id=req.pk, user=admins[0])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user):
        try:
            barrier.wait()
            change_services.change_request_approve(request_id=req.pk, user=user)
            outcomes.append("approved")
        except InvalidTransition as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "approved"
    assert "已批准" in sorted(outcomes)[1]
    events = BoundaryMarker.pgh_event_model.objects.filter(pgh_obj_id=marker.pk)
    assert events.filter(pgh_context__metadata__comment__startswith="变更申请").count() == 1


@pytest.mark.django_db
def test_naming_request_needs_the_three_reports(boundary_demo, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    _line, marker = boundary_demo
    officer, admin = make_user("bo", "boundary_officer"), make_user("chief", "administrator")
    req = submit(marker, officer)
    # A place-name request (the placenames layer is plugged in next): same rules apply.
    req.kind = ChangeKind.RENAMING
    req.save(update_fields=["kind"])
    change_services.change_request_review(request_id=req.pk, user=admin)
    with pytest.raises(InvalidEdit, match="综合评估报告"):
        change_services.change_request_approve(request_id=req.pk, user=admin)
    for kind in ("assessment", "expert_review", "consultation"):
        document_attach(req.pk, officer, kind)
    change_services.change_request_approve(
        request_id=req.pk, user=admin, approving_authority="鹤岗市人民政府"
    )
    change_services.change_request_publish(
        request_id=req.pk,
        user=admin,
        announcement={
            "standard_name": "<b>新华路</b>",
            "pinyin": "Xinhua Lu",
            "division": "向阳区",
            "location": "东起红军路，西至和平路",
        },
    )
    ann = Announcement.objects.get(request=req)
    assert ann.approving_authority == "鹤岗市人民政府" and ann.pinyin == "Xinhua Lu"


@pytest.mark.django_db
def test_requests_api_and_public_announcements_page(boundary_demo, client_as, client):
    _line, marker = boundary_demo
    officer = client_as("bo", "boundary_officer")
    r = officer.post(
        "/api/v1/editing/requests",
        json.dumps(
            {
                "layer": "boundary-markers",
                "target_id": marker.pk,
                "proposed": {"material": "石"},
                "reason": "复核",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "proposal" and r.json()["layer"] == "boundary-markers"
    r = officer.post(
        "/api/v1/editing/requests",
        json.dumps({"layer": "boundary-markers", "target_id": marker.pk, "bogus": 1}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["parameter"] == "bogus"
    assert officer.get("/api/v1/editing/requests", {"status": "nope"}).status_code == 400
    Announcement.objects.create(
        kind=ChangeKind.NAMING,
        standard_name="<script>x</script>路",
        pinyin="X Lu",
        division="向阳区",
        location="演示",
        approving_authority="鹤岗市人民政府",
        approved_on="2026-11-01",
        published_at="2026-11-02T00:00:00Z",
        is_demo=True,
    )
    page = client.get("/announcements/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;路" in html and "<script>x" not in html
    assert "鹤岗市人民政府" in html and "演示数据" in html
