"""The requests page (/editor/requests/): list with filters, detail with diff, downloads."""

from __future__ import annotations

import json

import pytest

from tests.editing.helpers import document_attach, request_submit
from tests.editing.placename_builders import place_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


# Markup characters in a proposed name (Latin letters are refused: names must not mix scripts).
def renaming(place, user, name="<鹤岗>&小区"):
    return request_submit(
        user, "placenames", {"standard_name": name}, target=place, reason="<b>居民申请</b>"
    )


def test_list_filters_and_escapes(hegang_areas, make_user, client_as, client):
    officer = make_user("pn", "placename_officer")
    req = renaming(place_create("向阳小区"), officer)
    chief = client_as("chief", "administrator")
    html = chief.get("/editor/requests/").content.decode()
    assert f"#{req.pk}" in html and "地名更名" in html and "演示数据" in html
    html = chief.get("/editor/requests/", {"status": "approved"}).content.decode()
    assert f"#{req.pk}" not in html and "没有符合条件的申请" in html
    html = chief.get("/editor/requests/", {"status": "bogus", "x": "1"}).content.decode()
    assert "状态“bogus”不存在" in html and "不支持的筛选条件：x" in html
    assert client.get("/editor/requests/").status_code == 302  # sign-in first


def test_detail_shows_the_diff_documents_and_buttons_for_the_approver(
    hegang_areas, make_user, client_as
):
    officer = make_user("pn", "placename_officer")
    req = renaming(place_create("向阳小区"), officer)
    document_attach(req.pk, officer, "assessment", title="综合评估", filename="评估.pdf")
    chief = client_as("chief", "administrator")
    html = chief.get(f"/editor/requests/{req.pk}/").content.decode()
    assert "向阳小区" in html and "&lt;鹤岗&gt;&amp;小区" in html
    assert "<鹤岗>" not in html and "&lt;b&gt;居民申请&lt;/b&gt;" in html
    assert "综合评估报告、专家论证报告、征求意见报告" in html
    assert 'id="btn-review"' in html and "style=" not in html
    doc = req.documents.get()
    r = chief.get(f"/editor/requests/documents/{doc.pk}")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    officer_page = client_as("pn2", "placename_officer").get(f"/editor/requests/{req.pk}/")
    assert 'id="btn-review"' not in officer_page.content.decode()
    api = chief.get(f"/api/v1/editing/requests/{req.pk}").json()
    assert (
        api["diff"][0]["before"] == "向阳小区" and api["current"]["geometry"]["type"] == "Polygon"
    )
    assert chief.get("/editor/requests/999999/").status_code == 404


def test_transitions_through_the_api_and_their_errors(hegang_areas, make_user, client_as):
    officer = make_user("pn", "placename_officer")
    req = renaming(place_create("向阳小区"), officer, name="朝阳小区")
    chief = client_as("chief", "administrator")
    url = f"/api/v1/editing/requests/{req.pk}"
    r = chief.post(f"{url}/review", "{}", content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "review"
    r = chief.post(f"{url}/review", "{}", content_type="application/json")
    assert r.status_code == 409 and "审查中" in r.json()["error"]
    r = chief.post(
        f"{url}/approve",
        json.dumps({"approving_authority": "鹤岗市人民政府"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "缺少法定材料" in r.json()["error"]
    r = chief.post(f"{url}/reject", json.dumps({"note": ""}), content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "note"
    r = chief.post(
        f"{url}/reject", json.dumps({"note": "材料不全"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    officer_client = client_as("pn2", "placename_officer")
    r = officer_client.post(f"{url}/approve", "{}", content_type="application/json")
    assert r.status_code in (403, 409)
