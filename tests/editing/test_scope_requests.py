"""Change requests and their documents are read only by those the scope rule lets in.

The submitter, those who decide requests (系统管理员) and the editors of the request's layer
whose scope covers its target read a request, its documents and see it listed; anyone
else gets 404, as for a request that does not exist.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.editing.models import ChangeDocument
from tests.editing.helpers import document_attach, request_submit
from tests.editing.scope_builders import box, place
from tests.editing.test_layers_addresses_builders import GONGNONG

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("place_categories")]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


# --- change-request documents and the request list ---------------------------------------------


@pytest.fixture
def gn_request(hegang_areas, make_user, gn_centre):
    """A renaming in 工农区 by a 工农区 officer, with an assessment report attached."""
    officer = make_user("officer_gongnong", "placename_officer", [GONGNONG])
    target = place("工农小区", division=GONGNONG, geom=box(*gn_centre))
    req = request_submit(
        officer, "placenames", {"standard_name": "丰收小区"}, target=target, reason="居民申请更名"
    )
    doc = document_attach(
        req.pk, officer, "assessment", title="综合评估报告", content=b"%PDF-1.4 secret"
    )
    return req, doc


def reads(client, req, doc) -> list[int]:
    return [
        client.get(f"/editor/requests/documents/{doc.pk}").status_code,
        client.get(f"/api/v1/editing/requests/{req.pk}").status_code,
        client.get(f"/editor/requests/{req.pk}/").status_code,
    ]


def test_an_officer_outside_the_requests_district_cannot_read_it_or_its_documents(
    xiangyang, gn_request
):
    req, doc = gn_request
    assert reads(xiangyang, req, doc) == [404, 404, 404]
    listed = xiangyang.get("/api/v1/editing/requests").json()
    assert req.pk not in [r["id"] for r in listed]
    page = xiangyang.get("/editor/requests/").content.decode()
    assert "丰收小区" not in page and "工农小区" not in page
    r = xiangyang.post(
        f"/api/v1/editing/requests/{req.pk}/documents",
        {"kind": "survey", "title": "x", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")},
    )
    assert r.status_code == 404
    assert ChangeDocument.objects.filter(request=req).count() == 1


def test_a_planner_cannot_read_place_name_requests(client_as, gn_request):
    req, doc = gn_request
    planner = client_as("qian", "planner")  # no scope, but not an editor of place names
    assert reads(planner, req, doc) == [404, 404, 404]
    assert planner.get("/api/v1/editing/requests").json() == []


def test_the_submitter_colleagues_in_scope_and_approvers_read_the_request(client_as, gn_request):
    req, doc = gn_request
    submitter = client_as("officer_gongnong", "placename_officer", [GONGNONG])
    colleague = client_as("gn2", "placename_officer", [GONGNONG])
    citywide = client_as("pn", "placename_officer")
    chief = client_as("chief", "administrator")
    for reader in (submitter, colleague, citywide, chief):
        assert reads(reader, req, doc) == [200, 200, 200]
        listed = reader.get("/api/v1/editing/requests").json()
        assert [r["id"] for r in listed] == [req.pk]
        assert listed[0]["documents"][0]["url"] == f"/editor/requests/documents/{doc.pk}"
    body = b"".join(submitter.get(f"/editor/requests/documents/{doc.pk}").streaming_content)
    assert body == b"%PDF-1.4 secret"
