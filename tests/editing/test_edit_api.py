"""The boundary write API: ETag / If-Match, roles, scope, validation, history."""

from __future__ import annotations

import json

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from shapely.geometry import mapping

from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.editing import change_services
from gis_portal.editing.models import ChangeRequest
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db


def stored(change: dict) -> dict:
    """The stored values of a history diff entry (it also carries the label and the shown values)."""
    return {"before": change["before"], "after": change["after"]}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def approve(response, kind="survey"):
    """An officer's boundary edit is a change request (202): the approver decides it."""
    assert response.status_code == 202, response.json()
    request_id = response.json()["request"]["id"]
    chief = role_user("chief", "administrator")
    submitter = ChangeRequest.objects.get(pk=request_id).submitted_by
    change_services.change_document_attach(
        request_id=request_id,
        kind=kind,
        file=SimpleUploadedFile("doc.pdf", b"%PDF-1.4 demo"),
        title="材料",
        user=submitter,
    )
    change_services.change_request_review(request_id=request_id, user=chief)
    change_services.change_request_approve(
        request_id=request_id, user=chief, approving_authority="鹤岗市民政局"
    )
    return request_id


def marker_url(marker) -> str:
    return f"/api/v1/boundaries/markers/{marker.pk}"


def line_url(line) -> str:
    return f"/api/v1/boundaries/lines/{line.pk}"


def patch(client, url, body, etag=None, raw=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    data = raw if raw is not None else json.dumps(body)
    return client.patch(url, data, content_type="application/json", **headers)


def nudged_point(marker, line, *, along_m: float = 3.0) -> dict:
    """A point on the marker's line a few metres from the marker (still within tolerance)."""
    ln = shapely.from_wkb(bytes(line.geom_4490.wkb))
    pt = shapely.from_wkb(bytes(marker.geom_4490.wkb))
    d = ln.project(pt) + along_m / 75_000  # ~degrees along a mostly E-W line
    return mapping(ln.interpolate(d))


def test_get_returns_the_feature_with_an_etag(boundary_demo, client_as):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    r = client.get(marker_url(marker))
    assert r.status_code == 200
    assert r.json()["properties"]["number"] == marker.number
    assert r["ETag"] == f'"boundary-markers-{marker.pk}-v{marker.version}"'


def test_officer_moves_a_marker_along_its_line_and_history_records_it(boundary_demo, client_as):
    line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(marker_url(marker))["ETag"]
    body = {"geometry": nudged_point(marker, line), "material": "玄武岩", "comment": "复测后校正"}
    r = patch(client, marker_url(marker), body, etag)
    assert r["ETag"] == etag  # submitted for approval: nothing changed yet
    assert BoundaryMarker.objects.get(pk=marker.pk).material != "玄武岩"
    request_id = approve(r)
    marker.refresh_from_db()
    assert marker.material == "玄武岩"
    timeline = client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()
    last = timeline["timeline"][-1]
    assert last["username"] == "chief"
    assert last["comment"] == f"变更申请 #{request_id}（bo 提交）：复测后校正"
    assert last["changed"]["material"]["after"] == "玄武岩"
    assert last["geometry"]["max_shift_m"] > 0


def test_missing_if_match_is_428_and_stale_is_412_before_the_body_is_read(boundary_demo, client_as):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    r = patch(client, marker_url(marker), None, raw="{not json")
    assert r.status_code == 428
    stale = f'"boundary-markers-{marker.pk}-v{marker.version + 5}"'
    r = patch(client, marker_url(marker), None, stale, raw="{not json")
    assert r.status_code == 412
    assert r.json()["current_version"] == marker.version
    assert r.json()["current"]["properties"]["number"] == marker.number
    r = patch(client, marker_url(marker), {"material": "x", "comment": "c"}, "*")
    assert r.status_code == 428
    current = f'"boundary-markers-{marker.pk}-v{marker.version}"'
    r = patch(client, marker_url(marker), None, current, raw="{not json")
    assert r.status_code == 400 and r.json()["error"] == "请求体不是有效的 JSON"


def test_second_writer_with_the_same_etag_gets_412_not_last_write_wins(boundary_demo, client_as):
    _line, marker = boundary_demo
    first, second = client_as("bo1", "boundary_officer"), client_as("bo2", "boundary_officer")
    etag = first.get(marker_url(marker))["ETag"]
    first_request = patch(first, marker_url(marker), {"material": "甲", "comment": "一"}, etag)
    assert first_request.status_code == 202
    # While the first change waits for approval the second is told which request it is.
    r = patch(second, marker_url(marker), {"material": "乙", "comment": "二"}, etag)
    assert r.status_code == 409
    assert f"#{first_request.json()['request']['id']}" in r.json()["error"]
    approve(first_request)
    # Once it is applied, the second writer's version is stale.
    r = patch(second, marker_url(marker), {"material": "乙", "comment": "二"}, etag)
    assert r.status_code == 412
    marker.refresh_from_db()
    assert marker.material == "甲"


@pytest.mark.parametrize(
    "role, expected", [("placename_officer", 403), ("planner", 403), ("administrator", 202)]
)
def test_only_boundary_officers_and_administrators_write(boundary_demo, client_as, role, expected):
    _line, marker = boundary_demo
    client = client_as("u", role)
    etag = client.get(marker_url(marker))["ETag"]
    r = patch(client, marker_url(marker), {"material": "石", "comment": "c"}, etag)
    assert r.status_code == expected


def test_anonymous_write_is_403(boundary_demo, client):
    _line, marker = boundary_demo
    etag = f'"boundary-markers-{marker.pk}-v{marker.version}"'
    assert (
        patch(client, marker_url(marker), {"material": "x", "comment": "c"}, etag).status_code
        == 403
    )
    assert client.delete(marker_url(marker), HTTP_IF_MATCH=etag).status_code == 403


def test_edit_outside_the_officers_area_is_refused(boundary_demo, client_as):
    line, marker = boundary_demo
    # 绥滨县 (230422) or 萝北县 (230421): a county the line does not touch.
    codes = {line.area_a.code, line.area_b.code}
    other = "230422" if "230422" not in codes else "230421"
    client = client_as("scoped", "boundary_officer", [other])
    etag = client.get(marker_url(marker))["ETag"]
    r = patch(client, marker_url(marker), {"material": "x", "comment": "c"}, etag)
    assert r.status_code == 403 and "编辑范围" in r.json()["error"]


BAD_GEOMETRIES = [
    ({"type": "Point", "coordinates": []}, "几何"),
    ("POINT EMPTY", "为空"),
    ({"type": "LineString", "coordinates": [[130.3, 47.3], [130.31, 47.3]]}, "几何类型"),
    ({"type": "Point", "coordinates": [597000.0, 5240000.0]}, "不是经纬度"),
    ("SRID=4326;POINT(130.3 47.3)", "SRID=4326"),
    ({"type": "Point", "coordinates": [130.3, 47.3], "crs": {"type": "name"}}, "crs"),
    ({"type": "Point", "coordinates": [120.0, 40.0]}, "鹤岗市范围"),
]


@pytest.mark.parametrize("geometry, message", BAD_GEOMETRIES)
def test_bad_marker_geometry_is_refused_and_nothing_changes(
    boundary_demo, client_as, geometry, message
):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(marker_url(marker))["ETag"]
    before = (marker.geom_4490.wkt, marker.version)
    r = patch(client, marker_url(marker), {"geometry": geometry, "comment": "c"}, etag)
    assert r.status_code == 400, r.json()
    assert r.json()["field"] == "geometry" and message in r.json()["error"]
    marker.refresh_from_db()
    assert (marker.geom_4490.wkt, marker.version) == before


def test_marker_moved_off_its_line_is_refused(boundary_demo, client_as):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(marker_url(marker))["ETag"]
    x, y = marker.geom_4490.coords
    off = {"type": "Point", "coordinates": [x, y + 0.01]}  # ~1.1 km north
    r = patch(client, marker_url(marker), {"geometry": off, "comment": "c"}, etag)
    assert r.status_code == 400 and "离界线" in r.json()["error"]


def test_self_intersecting_and_huge_lines_are_refused(boundary_demo, client_as):
    line, _marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(line_url(line))["ETag"]
    bowtie = {
        "type": "LineString",
        "coordinates": [[130.3, 47.3], [130.31, 47.31], [130.31, 47.3], [130.3, 47.31]],
    }
    r = patch(client, line_url(line), {"geometry": bowtie, "comment": "c"}, etag)
    assert r.status_code == 400 and "自相交" in r.json()["error"]
    huge = {
        "type": "LineString",
        "coordinates": [[130.3 + i * 1e-7, 47.3] for i in range(1_000_000)],
    }
    r = patch(client, line_url(line), {"geometry": huge, "comment": "c"}, etag)
    # Refused by the request-body limit before the body is read (gis_portal/limits.py).
    assert r.status_code == 413 and "请求体过大" in r.json()["error"]
    assert BoundaryLine.objects.get(pk=line.pk).version == line.version


def test_unknown_fields_and_missing_comment_are_named(boundary_demo, client_as):
    line, _marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(line_url(line))["ETag"]
    r = patch(client, line_url(line), {"code": "X", "comment": "c"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = patch(client, line_url(line), {"name": "新名称"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "comment"
    r = patch(client, line_url(line), {"name": "", "comment": "c"}, etag)
    assert r.status_code == 400 and r.json()["field"] == "name"


def test_script_in_a_name_is_stored_as_text(boundary_demo, client_as):
    line, _marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(line_url(line))["ETag"]
    name = "<script>alert(1)</script>线"
    r = patch(client, line_url(line), {"name": name, "comment": "<b>why</b>"}, etag)
    approve(r, kind="agreement")
    assert BoundaryLine.objects.get(pk=line.pk).name == name


def test_line_with_markers_cannot_be_deleted(boundary_demo, client_as):
    line, _marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    etag = client.get(line_url(line))["ETag"]
    r = client.delete(
        line_url(line),
        json.dumps({"comment": "c"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 409
    assert BoundaryLine.objects.filter(pk=line.pk).exists()


def test_restore_an_earlier_version_is_itself_a_recorded_change(boundary_demo, client_as):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    original_material = marker.material
    etag = client.get(marker_url(marker))["ETag"]
    approve(patch(client, marker_url(marker), {"material": "改后", "comment": "改"}, etag))
    etag = client.get(marker_url(marker))["ETag"]
    timeline = client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()[
        "timeline"
    ]
    before_edit = timeline[-2]["event_id"]
    r = client.post(
        f"/api/v1/editing/boundary-markers/{marker.pk}/restore",
        json.dumps({"event_id": before_edit, "comment": "误改"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    # Restoring a boundary is a change like any other: it goes through approval too.
    approve(r)
    assert BoundaryMarker.objects.get(pk=marker.pk).material == original_material
    timeline = client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()[
        "timeline"
    ]
    assert "恢复到版本" in timeline[-1]["comment"]
    assert stored(timeline[-1]["changed"]["material"]) == {
        "before": "改后",
        "after": original_material,
    }


def test_bulk_update_outside_the_services_is_in_the_history_too(boundary_demo, client_as):
    _line, marker = boundary_demo
    BoundaryMarker.objects.filter(pk=marker.pk).update(material="批量")
    client = client_as("bo", "boundary_officer")
    timeline = client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()[
        "timeline"
    ]
    assert timeline[-1]["changed"]["material"]["after"] == "批量"
    assert timeline[-1]["version"] == marker.version + 1


def test_the_coordinate_conversion_is_in_the_history_with_its_parameter_set(
    boundary_demo, client_as
):
    _line, marker = boundary_demo
    client = client_as("bo", "boundary_officer")
    timeline = client.get(f"/api/v1/editing/boundary-markers/{marker.pk}/history").json()
    created, converted = timeline["timeline"][:2]
    assert created["action"] == "insert" and created["geometry"] is None  # not yet converted
    assert converted["source"] == "convert_boundaries"
    assert (
        converted["comment"].startswith("坐标转换：")
        and converted["username"] == "load_hegang_demo"
    )
    assert converted["geometry"]["after"]["type"] == "Point"
