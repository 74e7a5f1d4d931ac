"""The officers' page: uploading a census file and reviewing a proposed name."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.editing.models import ChangeRequest
from placenames.models import PlaceName
from tests.editing.factories import role_user
from tests.placenames.helpers import census_upload

pytestmark = pytest.mark.django_db

HEADER = ["标准名称", "类别", "所在(跨)行政区", "东经", "北纬"]


@pytest.fixture
def officer(db):
    return role_user("officer1", "placename_officer")


def _xlsx(rows) -> SimpleUploadedFile:
    return census_upload(HEADER, rows)


def test_page_needs_login(client):
    response = client.get("/placenames/officer/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dry_run_upload_shows_the_report_and_writes_nothing(client, officer, make_place):
    client.force_login(officer)
    upload = _xlsx([["上传甲路", "23512", "230405001", 130.23, 47.25]])
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload, "dry_run": "on"}
    ).content.decode()
    assert "共 1 行，正确 1 行" in page and "试运行" in page
    assert "将新增 0 条，更新 0 条，提交审批申请 1 项" in page and "试运行未提交" in page
    assert not PlaceName.objects.filter(standard_name="上传甲路").exists()
    assert not ChangeRequest.objects.exists()


def test_upload_with_a_bad_row_lists_it_and_writes_nothing(client, officer, make_place):
    client.force_login(officer)
    upload = _xlsx(
        [
            ["上传甲路", "23512", "230405001", 130.23, 47.25],
            ["", "23512", "230405001", 130.23, 47.25],
        ]
    )
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload}
    ).content.decode()
    assert "未写入任何记录" in page
    assert "<td>3</td><td>标准名称</td><td>必填项为空</td>" in page
    assert not PlaceName.objects.filter(standard_name="上传甲路").exists()


def test_real_upload_files_a_new_name_as_a_naming_request(client, officer, make_place):
    client.force_login(officer)
    upload = _xlsx([["上传乙路", "23512", "230405001", 130.23, 47.25]])
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload}
    ).content.decode()
    request = ChangeRequest.objects.get()
    assert "提交审批申请 1 项" in page and f"#{request.pk}" in page and "命名申请" in page
    assert request.kind == "naming" and request.submitted_by == officer
    assert not PlaceName.objects.filter(standard_name="上传乙路").exists()


def test_unsafe_upload_is_refused_with_a_message(client, officer, make_place):
    client.force_login(officer)
    upload = SimpleUploadedFile("x.xlsx", b"not a workbook")
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload}
    ).content.decode()
    assert "文件被拒绝" in page


def test_user_without_the_role_cannot_import(client, make_place):
    client.force_login(User.objects.create_user("viewer", password="x"))
    upload = _xlsx([["上传丙路", "23512", "230405001", 130.23, 47.25]])
    page = client.post(
        "/placenames/officer/", {"action": "import", "file": upload}
    ).content.decode()
    assert "没有导入地名的权限" in page
    assert not PlaceName.objects.filter(standard_name="上传丙路").exists()


def test_review_form_shows_findings(client, officer, make_place):
    make_place("五柏街", division="230405")
    client.force_login(officer)
    page = client.post(
        "/placenames/officer/",
        {"action": "review", "name": "五柏街", "category": "23512", "division": "230403"},
    ).content.decode()
    assert "不符合命名规定" in page
    assert 'data-code="duplicate"' in page and "兴安区" in page
