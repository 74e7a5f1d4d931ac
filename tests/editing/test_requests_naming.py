"""Names change only through approval: naming, renaming, abolishing; batches; the page."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import mapping

from boundaries.models import BoundaryMarker
from gis_portal.editing import change_services
from gis_portal.editing.errors import InvalidEdit, VersionConflict
from gis_portal.editing.models import Announcement, ChangeRequest, ChangeStatus
from placenames.models import PlaceName
from tests.editing.helpers import document_attach, request_submit
from tests.editing.placename_builders import district_centre, place_create, square_around

pytestmark = pytest.mark.django_db

REPORTS = ("assessment", "expert_review", "consultation")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def attach(request_id, user, kinds=REPORTS):
    for kind in kinds:
        document_attach(request_id, user, kind)


def approve(request_id, chief, authority="鹤岗市人民政府"):
    return change_services.change_request_approve(
        request_id=request_id, user=chief, approving_authority=authority
    )


def decide(request_id, chief, authority="鹤岗市人民政府"):
    change_services.change_request_review(request_id=request_id, user=chief)
    return approve(request_id, chief, authority)


def submit(user, proposed, *, reason, target=None):
    """Submit a request on the place-name layer: a naming without a target, else an update."""
    return request_submit(user, "placenames", proposed, reason=reason, target=target)


def small_square(dx=0.0) -> dict:
    lon, lat = district_centre()
    return mapping(shapely.from_wkt(square_around(lon + dx, lat, 0.001).wkt))


def naming(name: str, *, dx: float = 0.0, **extra) -> dict:
    """Return the proposal of a new 区片 (21770) in 工农区 (230403), drawn as a small square."""
    return {
        "standard_name": name,
        "category": "21770",
        "division": "230403",
        "geometry": small_square(dx),
        **extra,
    }


def test_naming_a_new_place_is_applied_on_approval_and_announced(hegang_areas, make_user, client):
    officer, chief = make_user("pn", "placename_officer"), make_user("chief", "administrator")
    req = submit(
        officer, naming("丰收小区", description="工农区新建住宅区"), reason="新建住宅区命名"
    )
    assert req.kind == "naming" and req.target_id is None
    assert not PlaceName.objects.filter(standard_name="丰收小区").exists()
    change_services.change_request_review(request_id=req.pk, user=chief)
    with pytest.raises(InvalidEdit, match="综合评估报告"):
        change_services.change_request_approve(request_id=req.pk, user=chief)
    attach(req.pk, officer)
    req = approve(req.pk, chief)
    place = PlaceName.objects.get(standard_name="丰收小区")
    assert req.target_id == place.pk and place.pinyin.startswith("Fengshou")
    assert place.place_code.startswith("230403") and place.geom_4490.covers(place.point_4490)
    change_services.change_request_publish(request_id=req.pk, user=chief)
    ann = Announcement.objects.get(request=req)
    assert (ann.standard_name, ann.approving_authority) == ("丰收小区", "鹤岗市人民政府")
    assert ann.pinyin == place.pinyin and ann.division.endswith("工农区")
    assert "北纬" in ann.location
    page = client.get("/announcements/").content.decode()
    assert "丰收小区" in page and place.pinyin in page


def test_a_duplicate_name_is_refused_at_submission(hegang_areas, make_user):
    place_create("向阳小区")
    officer = make_user("pn", "placename_officer")
    with pytest.raises(InvalidEdit, match="重名"):
        submit(officer, naming("向阳小区", dx=0.003), reason="命名")
    assert ChangeRequest.objects.count() == 0


def test_renaming_keeps_the_former_name_and_fails_on_a_changed_target(
    hegang_areas, make_user, client_as
):
    place = place_create("向阳小区")
    officer, chief = make_user("pn", "placename_officer"), make_user("chief", "administrator")
    req = submit(officer, {"standard_name": "朝阳小区"}, reason="居民申请更名", target=place)
    attach(req.pk, officer)
    # Someone reshapes the place after the request was made: approval is a conflict.
    client = client_as("pn2", "placename_officer")
    etag = client.get(f"/api/v1/editing/placenames/{place.pk}")["ETag"]
    r = client.patch(
        f"/api/v1/editing/placenames/{place.pk}",
        json.dumps({"geometry": small_square(0.0005), "comment": "外业复核"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 200, r.json()
    with pytest.raises(VersionConflict, match="已被修改"):
        decide(req.pk, chief)
    assert PlaceName.objects.get(pk=place.pk).standard_name == "向阳小区"
    req.refresh_from_db()
    assert req.status == ChangeStatus.REVIEW
    # A fresh request on the current version goes through.
    change_services.change_request_reject(request_id=req.pk, user=chief, note="请按新版本重报")
    again = submit(officer, {"standard_name": "朝阳小区"}, reason="居民申请更名", target=place)
    attach(again.pk, officer)
    decide(again.pk, chief)
    place.refresh_from_db()
    assert place.standard_name == "朝阳小区" and place.pinyin.startswith("Chaoyang")
    assert place.aliases.filter(kind="former", name="向阳小区").exists()
    change_services.change_request_publish(request_id=again.pk, user=chief)
    assert Announcement.objects.get(request=again).former_name == "向阳小区"


def test_abolishing_needs_the_date_and_the_survey(hegang_areas, make_user):
    place = place_create("老矿区")
    officer, chief = make_user("pn", "placename_officer"), make_user("chief", "administrator")
    with pytest.raises(InvalidEdit, match="废止时间"):
        submit(officer, {"status": "abolished"}, reason="实体已消失", target=place)
    req = submit(
        officer,
        {"status": "abolished", "abolished_on": "2026-10-01"},
        reason="实体已消失",
        target=place,
    )
    assert req.kind == "abolishing"
    change_services.change_request_review(request_id=req.pk, user=chief)
    with pytest.raises(InvalidEdit, match="勘测资料"):
        change_services.change_request_approve(request_id=req.pk, user=chief)
    attach(req.pk, officer, kinds=("survey",))
    approve(req.pk, chief)
    place.refresh_from_db()
    assert place.status == "abolished" and str(place.abolished_on) == "2026-10-01"


def test_a_plain_attribute_edit_is_not_a_request(hegang_areas, make_user):
    place = place_create()
    officer = make_user("pn", "placename_officer")
    with pytest.raises(InvalidEdit, match="无需审批"):
        submit(officer, {"remarks": "x"}, reason="r", target=place)


def test_editor_save_of_a_renaming_and_a_marker_becomes_one_batch_of_requests(
    hegang_areas, boundary_demo, client_as, make_user
):
    _line, marker = boundary_demo
    place = place_create("向阳小区")
    officer = client_as("chief-pn", "administrator")
    etag_place = officer.get(f"/api/v1/editing/placenames/{place.pk}")["ETag"]
    etag_marker = officer.get(f"/api/v1/boundaries/markers/{marker.pk}")["ETag"]
    r = officer.post(
        "/api/v1/editing/save",
        json.dumps(
            {
                "edits": [
                    {
                        "layer": "placenames",
                        "id": place.pk,
                        "if_match": etag_place,
                        "changes": {"standard_name": "朝阳小区", "remarks": "同时改备注"},
                    },
                    {
                        "layer": "boundary-markers",
                        "id": marker.pk,
                        "if_match": etag_marker,
                        "changes": {"material": "玄武岩（复测）"},
                    },
                ],
                "comment": "外业核查",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["saved"] == []
    assert sorted(x["kind"] for x in body["requests"]) == ["boundary_marker", "renaming"]
    assert all("已提交审批" in x["message"] for x in body["requests"])
    batch = {ChangeRequest.objects.get(pk=x["id"]).batch for x in body["requests"]}
    assert len(batch) == 1 and None not in batch
    assert PlaceName.objects.get(pk=place.pk).standard_name == "向阳小区"
    assert BoundaryMarker.objects.get(pk=marker.pk).material != "玄武岩（复测）"
    # The batch is decided together.
    chief = make_user("chief2", "administrator")
    first = body["requests"][0]["id"]
    submitter = ChangeRequest.objects.get(pk=first).submitted_by
    attach(first, submitter)
    attach(first, submitter, kinds=("survey",))
    decide(first, chief)
    assert set(ChangeRequest.objects.filter(batch__in=batch).values_list("status", flat=True)) == {
        "approved"
    }
    assert PlaceName.objects.get(pk=place.pk).standard_name == "朝阳小区"
    assert BoundaryMarker.objects.get(pk=marker.pk).material == "玄武岩（复测）"


def test_pending_requests_of_a_feature_are_listed(hegang_areas, make_user, client_as):
    place = place_create()
    officer = make_user("pn", "placename_officer")
    submit(officer, {"standard_name": "朝阳小区"}, reason="更名", target=place)
    client = client_as("pn2", "placename_officer")
    r = client.get(
        "/api/v1/editing/requests",
        {"layer": "placenames", "target_id": place.pk, "pending": "true"},
    )
    assert r.status_code == 200 and [x["kind"] for x in r.json()] == ["renaming"]
    assert client.get("/api/v1/editing/requests", {"kind": "nope"}).json()["parameter"] == "kind"
    assert client.get("/api/v1/editing/requests", {"target_id": 1}).status_code == 400


def _new_square_save(officer, *, category: str):
    """Save a new place 丰收广场 (district 230403) drawn in the editor, of ``category``."""
    lon, lat = district_centre()
    edit = {
        "layer": "placenames",
        "changes": {
            "standard_name": "丰收广场",
            "category": category,
            "division": "230403",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        },
    }
    body = json.dumps({"edits": [edit], "comment": "新建广场命名"})
    return officer.post("/api/v1/editing/save", body, content_type="application/json")


def test_a_place_drawn_in_the_editor_is_saved_as_a_naming_request(hegang_areas, client_as):
    officer = client_as("pn", "placename_officer")
    form = officer.get("/api/v1/editing/placenames/form").json()
    assert form["can_create"] is True
    created_only = {f["name"] for f in form["fields"] if f["create_only"]}
    assert {"standard_name", "category", "division"} <= created_only
    r = _new_square_save(officer, category="21770")
    assert r.status_code == 200, r.json()
    [request] = r.json()["requests"]
    assert request["kind"] == "naming" and "已提交审批" in request["message"]
    assert not PlaceName.objects.filter(standard_name="丰收广场").exists()
    # Boundaries take no drawn features at all.
    assert officer.get("/api/v1/editing/boundary-markers/form").json()["can_create"] is False


def test_a_new_names_category_and_district_are_chosen_from_lists(hegang_areas, client_as):
    officer = client_as("pn-lists", "placename_officer")
    fields = {f["name"]: f for f in officer.get("/api/v1/editing/placenames/form").json()["fields"]}
    category = dict(map(tuple, fields["category"]["choices"]))
    division = dict(map(tuple, fields["division"]["choices"]))
    assert fields["category"]["type"] == "choice" and category["21770"] == "区片（21770）"
    assert division["230403"] == "工农区"
    assert any(label.startswith("兴安区 ") for label in division.values())  # a township
    r = _new_square_save(officer, category="99999")
    assert r.status_code == 400
    error = r.json()["error"]
    assert "类别" in error and "99999" in error  # named, in Chinese
    assert not ChangeRequest.objects.filter(kind="naming").exists()  # and nothing filed
