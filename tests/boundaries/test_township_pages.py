"""The township, line-record and adjustment pages as a boundary officer uses them, and the
neighbouring-city lines of the demo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from boundaries.models import (
    AdministrativeArea,
    AreaLevel,
    BoundaryDocument,
    BoundaryLine,
    InspectionParticipant,
)
from boundaries.township_demo import neighbour_lines_load, township_demo_load
from gis_portal.datasets import HEGANG_DATA_DIR
from gis_portal.editing.models import ChangeRequest
from tests.editing.factories import demo_boundaries, role_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def officer(hegang_areas) -> Client:
    client = Client()
    client.force_login(role_user("bd_pages", "boundary_officer"))
    return client


def test_the_township_page_lists_every_township_and_marks_demo_polygons(officer):
    demo_boundaries()  # the county lines the township lines across two counties follow
    report = township_demo_load()
    assert report["townships"] == 72 and report["lines"] > 100
    page = officer.get("/boundaries/townships/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<span class="demo-badge">演示边界</span>') == 72
    assert "在真实县级边界内按固定种子生成" in html
    issues = html.split('id="issue-table"')[1].split("</table>")[0]
    assert "没有发现问题" in issues, issues[:2000]  # the cells tile each county
    assert "tiling" not in html and "line_edge" not in html  # labels, not check names
    api = officer.get("/api/v1/areas?level=township&has_geometry=true").json()
    assert len(api["features"]) == 72
    assert all(f["properties"]["geom_is_demo"] for f in api["features"])


def test_the_lines_with_the_neighbouring_cities_leave_out_the_national_border(officer):
    report = neighbour_lines_load(data_dir=HEGANG_DATA_DIR)
    assert report["lines"] == 2
    assert report["national_border_km"] > 200  # the Heilongjiang river: no civil-affairs line
    lines = BoundaryLine.objects.filter(level=AreaLevel.CITY).order_by("code")
    assert [(ln.area_a.code, ln.area_b.name) for ln in lines] == [
        ("230400", "伊春市"),
        ("230400", "佳木斯市"),
    ]
    parties = sorted(lines[1].parties.values_list("department", flat=True))
    assert parties == ["佳木斯市民政局", "鹤岗市民政局"]
    # A neighbour is a party, never one of the city's own areas.
    assert "佳木斯市" not in [
        f["properties"]["name"] for f in officer.get("/api/v1/areas?level=city").json()["features"]
    ]
    participants = InspectionParticipant.objects.filter(inspection__line=lines[1])
    assert {p.role for p in participants} == {"party", "neighbour", "department"}
    page = officer.get(f"/boundaries/lines/{lines[1].code}/").content.decode()
    assert "佳木斯市民政局" in page and "相邻市" in page


def test_an_agreement_is_stored_with_its_hash_and_a_fake_pdf_is_refused(officer):
    line, _marker = demo_boundaries()
    url = f"/boundaries/lines/{line.code}/"
    fake = SimpleUploadedFile(
        "agreement.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    page = officer.post(
        url,
        {"action": "document", "doc-kind": "agreement", "doc-title": "协议书", "doc-file": fake},
    )
    assert "文件内容不是 .pdf 格式" in page.content.decode()
    assert not BoundaryDocument.objects.exists()
    good = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")
    page = officer.post(
        url,
        {
            "action": "document",
            "doc-kind": "agreement",
            "doc-title": "界线协议书",
            "doc-file": good,
        },
    )
    assert page.status_code == 302
    doc = BoundaryDocument.objects.get()
    assert (doc.line, doc.size_bytes, len(doc.sha256)) == (line, len(PDF), 64)
    assert "界线协议书" in officer.get(url).content.decode()


def test_a_participant_is_recorded_for_a_unit_and_an_unsigned_one_is_shown(officer):
    line, _marker = demo_boundaries()
    inspection = line.inspections.first()
    url = f"/boundaries/lines/{line.code}/"
    data = {
        "action": "participant",
        "p-inspection": inspection.pk,
        "p-person": "孙某",
        "p-organisation": f"{line.area_b.name}民政局",
        "p-area_code": line.area_b.code,
        "p-role": "party",
    }
    assert officer.post(url, data).status_code == 302
    added = InspectionParticipant.objects.get(person="孙某")
    assert (added.area, added.signed) == (line.area_b, False)
    assert "<strong>未签字</strong>" in officer.get(url).content.decode()
    wrong = officer.post(url, {**data, "p-person": "周某", "p-area_code": "230422"})
    assert "界线两侧之一" in wrong.content.decode()
    assert not InspectionParticipant.objects.filter(person="周某").exists()


def test_an_adjustment_proposed_on_the_page_becomes_a_change_request_with_its_decision(officer):
    data = {
        "adj-kind": "rename",
        "adj-effective_on": "2021-03-01",
        "adj-approval_ref": "鹤政函〔2021〕3号",
        "adj-units": "230402001",
        "adj-new_units": "230402001 光明路街道",
        "adj-reason": "更名",
        "adj-approval_file": SimpleUploadedFile("pifu.pdf", PDF, content_type="application/pdf"),
    }
    assert officer.post("/boundaries/adjustments/", data).status_code == 302
    request = ChangeRequest.objects.get()
    assert request.kind == "division" and request.documents.get().kind == "approval"
    assert (
        AdministrativeArea.objects.get(code="230402001", valid_to__isnull=True).name == "光明街道"
    )
    page = officer.get("/boundaries/adjustments/?code=230402001&on=2015-01-01").content.decode()
    assert "代码 230402001 是 <strong>光明街道</strong>" in page and f"#{request.pk}" in page


def test_a_proposal_breaking_a_rule_is_shown_in_chinese_and_files_nothing(officer):
    data = {
        "adj-kind": "recode",
        "adj-effective_on": "2021-03-01",
        "adj-approval_ref": "鹤政函〔2021〕4号",
        "adj-units": "230402001",
        "adj-new_units": "230402002 光明街道",  # in use by 红军街道
        "adj-reason": "改代码",
        "adj-approval_file": SimpleUploadedFile("pifu.pdf", PDF, content_type="application/pdf"),
    }
    page = officer.post("/boundaries/adjustments/", data).content.decode()
    assert "区划代码 230402002 正由 红军街道 使用" in page
    assert not ChangeRequest.objects.exists()


def test_the_township_page_offers_the_topology_pages_tolerances_and_keeps_what_was_asked(officer):
    topology = officer.get("/boundaries/topology/?version_tol_m=250").content.decode()
    townships = officer.get("/boundaries/townships/?version_tol_m=250").content.decode()
    for html in (topology, townships):
        form = html.split('<form method="get" class="bd-inline-form">')[1].split("</form>")[0]
        for label in (
            "空隙/重叠容差 (m)",
            "界线与公共边容差 (m)",
            "界桩离线容差 (m)",
            "版本差异容差 (m)",
        ):
            assert label in form
        assert 'name="version_tol_m" value="250' in form
    bad = officer.get("/boundaries/townships/?version_tol_m=-1").content.decode()
    alert = bad.split('role="alert">')[1].split("</p>")[0]
    assert alert == "版本差异容差 (m) 无效：不能小于 0.01"  # the field's label, not its name
    assert 'name="version_tol_m" value="-1"' in bad  # what was typed stays to be corrected
