"""Change-request documents: an upload endpoint takes files up to UPLOAD_MAX_BYTES.

The request-body limit of every other URL does not apply to it; UPLOAD_MAX_BYTES does.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.editing import change_services
from tests.request_bodies import LazyMultipartBody, post_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def pending_request(boundary_demo, make_user):
    _line, marker = boundary_demo
    officer = make_user("bo", "boundary_officer")
    request = change_services.change_request_submit(
        layer_key="boundary-markers",
        target_id=marker.pk,
        action="update",
        proposed={"material": "花岗岩"},
        reason="联检发现界桩材质登记有误",
        user=officer,
    )
    return request


def test_a_document_larger_than_the_body_limit_is_still_accepted(
    pending_request, client_as, settings
):
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    officer = client_as("bo", "boundary_officer")
    survey = SimpleUploadedFile("survey.pdf", b"%PDF-1.4 " + b"0" * 300_000)
    response = officer.post(
        f"/api/v1/editing/requests/{pending_request.pk}/documents",
        {"kind": "survey", "title": "联检勘测记录", "file": survey},
    )
    assert response.status_code == 201, response.content
    assert pending_request.documents.get().file.size == 300_009


def test_a_document_over_upload_max_bytes_is_refused_unread(pending_request, client_as, settings):
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    officer = client_as("bo", "boundary_officer")
    body = LazyMultipartBody(2 * 1024 * 1024)
    response = post_body(officer, f"/api/v1/editing/requests/{pending_request.pk}/documents", body)
    assert response.status_code == 413 and "上传内容过大" in response.json()["error"]
    assert body.bytes_read == 0
