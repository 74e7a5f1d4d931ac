"""A census import by an officer stays inside the officer's edit scope, and namings,
renamings and abolitions in it become change requests, as in the editor."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from boundaries.models import AdministrativeArea
from gis_portal.editing.models import ChangeRequest, ChangeStatus
from placenames.importers.service import ImportRefused, placenames_import
from placenames.models import PlaceName
from tests.editing.factories import role_user
from tests.placenames.helpers import census_upload, census_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["代码", "标准名称", "类别", "所在(跨)行政区", "东经", "北纬", "来历"]
XIANGYANG, GONGNONG = "230402", "230403"  # 向阳区 (the officer's scope), 工农区 (outside)


def _centre(code: str) -> tuple[float, float]:
    point = AdministrativeArea.objects.get(code=code, valid_to__isnull=True).geom_4490
    point = point.point_on_surface
    return point.x, point.y


def _xlsx(path: Path, rows) -> Path:
    path.write_bytes(census_xlsx(HEADER, rows))
    return path


@pytest.fixture
def xiangyang_officer(hegang_areas):
    return role_user("officer_xiangyang", "placename_officer", [XIANGYANG])


@pytest.fixture
def places(make_place, hegang_areas):
    """One registered street in 向阳区 and one in 工农区."""
    made = {}
    for code, name in ((XIANGYANG, "向阳试验路"), (GONGNONG, "工农试验路")):
        lon, lat = _centre(code)
        made[code] = make_place(name, division=code, geom=Point(lon, lat, srid=4490))
    return made


def _row(code: str, name: str, division: str, origin: str = "") -> list:
    lon, lat = _centre(division)
    return [code, name, "23512", division, lon, lat, origin]


def test_new_place_outside_the_scope_is_refused_with_the_district_named(
    xiangyang_officer, places, tmp_path
):
    path = _xlsx(tmp_path / "a.xlsx", [_row("", "工农新路", GONGNONG)])
    report = placenames_import(path=path, user=xiangyang_officer, accept_valid_rows=True)
    assert [e.line for e in report.errors] == [2]
    assert "工农区" in report.errors[0].reason and "编辑范围" in report.errors[0].reason
    assert not PlaceName.objects.filter(standard_name="工农新路").exists()
    assert not ChangeRequest.objects.exists()


def test_renaming_a_name_outside_the_scope_is_not_applied(xiangyang_officer, places, tmp_path):
    gongnong = places[GONGNONG]
    path = _xlsx(tmp_path / "b.xlsx", [_row(gongnong.place_code, "改名试验路", GONGNONG)])
    for dry_run in (True, False):
        report = placenames_import(
            path=path, user=xiangyang_officer, dry_run=dry_run, accept_valid_rows=True
        )
        assert report.refused_rows == 1 and "工农区" in report.errors[0].reason
        assert report.updated == 0 and not report.requests
    gongnong.refresh_from_db()
    assert gongnong.standard_name == "工农试验路"
    assert not ChangeRequest.objects.exists()


def test_moving_a_name_from_outside_into_the_scope_is_refused(xiangyang_officer, places, tmp_path):
    gongnong = places[GONGNONG]  # its code is 工农区's; the row would move it to 向阳区
    path = _xlsx(tmp_path / "m.xlsx", [_row(gongnong.place_code, "工农试验路", XIANGYANG)])
    report = placenames_import(path=path, user=xiangyang_officer, accept_valid_rows=True)
    assert report.refused_rows == 1 and report.updated == 0
    gongnong.refresh_from_db()
    assert gongnong.division.code == GONGNONG


def test_new_place_inside_the_scope_becomes_a_naming_request(xiangyang_officer, places, tmp_path):
    path = _xlsx(tmp_path / "c.xlsx", [_row("", "向阳新路", XIANGYANG, "新建道路")])
    report = placenames_import(path=path, user=xiangyang_officer)
    assert not report.errors and report.created == 0
    assert not PlaceName.objects.filter(standard_name="向阳新路").exists()
    [entry] = report.requests
    request = ChangeRequest.objects.get(pk=entry.request_id)
    assert (entry.line, entry.kind) == (2, "naming")
    assert (request.kind, request.action, request.status) == ("naming", "create", "proposal")
    assert request.submitted_by == xiangyang_officer
    assert request.proposed_data["standard_name"] == "向阳新路"
    assert request.proposed_data["division"] == XIANGYANG
    assert request.proposed_data["origin"] == "新建道路"


def test_renaming_inside_the_scope_becomes_a_renaming_request(xiangyang_officer, places, tmp_path):
    xiangyang = places[XIANGYANG]
    path = _xlsx(tmp_path / "d.xlsx", [_row(xiangyang.place_code, "向阳更名路", XIANGYANG)])
    report = placenames_import(path=path, user=xiangyang_officer)
    assert not report.errors and report.updated == 0
    [entry] = report.requests
    request = ChangeRequest.objects.get(pk=entry.request_id)
    assert (request.kind, request.target_id) == ("renaming", xiangyang.pk)
    assert request.proposed_data == {"standard_name": "向阳更名路"}
    xiangyang.refresh_from_db()
    assert xiangyang.standard_name == "向阳试验路"
    # A second import of the same renaming: the pending request gets no second one.
    again = placenames_import(path=path, user=xiangyang_officer, accept_valid_rows=True)
    assert again.refused_rows == 1 and f"#{request.pk}" in again.errors[0].reason
    assert ChangeRequest.objects.count() == 1


def test_abolishing_inside_the_scope_becomes_an_abolishing_request(
    xiangyang_officer, places, tmp_path
):
    xiangyang = places[XIANGYANG]
    book = openpyxl.Workbook()
    book.active.append(["代码", "标准名称", "类别", "所在(跨)行政区", "使用状态", "废止时间"])
    book.active.append(
        [xiangyang.place_code, "向阳试验路", "23512", XIANGYANG, "废止", "2024-05-01"]
    )
    book.save(tmp_path / "e.xlsx")
    report = placenames_import(path=tmp_path / "e.xlsx", user=xiangyang_officer)
    assert not report.errors, report.errors
    [entry] = report.requests
    request = ChangeRequest.objects.get(pk=entry.request_id)
    assert request.kind == "abolishing"
    assert request.proposed_data == {"status": "abolished", "abolished_on": "2024-05-01"}
    xiangyang.refresh_from_db()
    assert xiangyang.status == "in_use"


def test_attribute_update_inside_the_scope_applies_directly(xiangyang_officer, places, tmp_path):
    xiangyang = places[XIANGYANG]
    row = _row(xiangyang.place_code, "向阳试验路", XIANGYANG, "因向阳区得名")
    report = placenames_import(path=_xlsx(tmp_path / "f.xlsx", [row]), user=xiangyang_officer)
    assert not report.errors and not report.requests
    assert (report.created, report.updated, report.written) == (0, 1, True)
    xiangyang.refresh_from_db()
    assert (xiangyang.origin, xiangyang.standard_name) == ("因向阳区得名", "向阳试验路")
    assert not ChangeRequest.objects.exists()


def test_attribute_update_keeps_the_name_fields_the_file_leaves_out(
    xiangyang_officer, places, tmp_path
):
    xiangyang = places[XIANGYANG]
    PlaceName.objects.filter(pk=xiangyang.pk).update(status="historical")
    row = _row(xiangyang.place_code, "向阳试验路", XIANGYANG, "因向阳区得名")
    placenames_import(path=_xlsx(tmp_path / "g.xlsx", [row]), user=xiangyang_officer)
    xiangyang.refresh_from_db()
    assert (xiangyang.origin, xiangyang.status) == ("因向阳区得名", "historical")


def test_dry_run_reports_the_same_and_writes_nothing(xiangyang_officer, places, tmp_path):
    xiangyang = places[XIANGYANG]
    rows = [
        _row("", "工农新路", GONGNONG),
        _row("", "向阳新路", XIANGYANG),
        _row(xiangyang.place_code, "向阳更名路", XIANGYANG),
    ]
    path = _xlsx(tmp_path / "h.xlsx", rows)
    dry = placenames_import(path=path, user=xiangyang_officer, dry_run=True, accept_valid_rows=True)
    assert not ChangeRequest.objects.exists()
    assert not PlaceName.objects.filter(standard_name__in=["工农新路", "向阳新路"]).exists()
    real = placenames_import(path=path, user=xiangyang_officer, accept_valid_rows=True)

    def comparable(report):
        data = report.as_dict()
        for entry in data["requests"]:
            entry.pop("request_id")
        return {**data, "dry_run": None, "written": None, "batch": None}

    assert comparable(dry) == comparable(real)
    assert [r["kind"] for r in comparable(real)["requests"]] == ["naming", "renaming"]
    assert all(e.request_id is None for e in dry.requests)
    # One import file, one batch of requests (decided together).
    batches = set(ChangeRequest.objects.values_list("batch", flat=True))
    assert len(batches) == 1 and None not in batches


def test_a_refused_file_files_no_requests(xiangyang_officer, places, tmp_path):
    rows = [_row("", "工农新路", GONGNONG), _row("", "向阳新路", XIANGYANG)]
    report = placenames_import(path=_xlsx(tmp_path / "i.xlsx", rows), user=xiangyang_officer)
    assert report.refused_rows == 1 and not report.written and not report.requests
    assert not ChangeRequest.objects.exists()


def test_a_naming_the_review_refuses_is_a_row_error(xiangyang_officer, places, tmp_path):
    rows = [_row("", "向阳试验路", XIANGYANG)]  # the name exists in the urban area
    report = placenames_import(
        path=_xlsx(tmp_path / "j.xlsx", rows), user=xiangyang_officer, accept_valid_rows=True
    )
    assert report.refused_rows == 1 and not report.requests
    assert not ChangeRequest.objects.exists()


def test_a_file_of_too_many_requests_is_refused_whole(
    xiangyang_officer, places, tmp_path, monkeypatch
):
    monkeypatch.setattr("placenames.importers.service.MAX_REQUESTS", 1)
    rows = [_row("", "向阳新路", XIANGYANG), _row("", "向阳新街", XIANGYANG)]
    with pytest.raises(ImportRefused, match="一次最多 1 行"):
        placenames_import(path=_xlsx(tmp_path / "r.xlsx", rows), user=xiangyang_officer)
    assert not ChangeRequest.objects.exists()


def test_officer_may_not_load_the_archive_directly(xiangyang_officer, places, tmp_path):
    path = _xlsx(tmp_path / "k.xlsx", [_row("", "向阳新路", XIANGYANG)])
    with pytest.raises(ImportRefused, match="系统管理员"):
        placenames_import(path=path, user=xiangyang_officer, archive_load=True)
    assert not PlaceName.objects.filter(standard_name="向阳新路").exists()


def test_administrator_archive_load_writes_directly_and_is_recorded(places, tmp_path):
    chief = role_user("chief", "administrator")
    rows = [
        _row("", "工农新路", GONGNONG),
        _row(places[XIANGYANG].place_code, "向阳更名路", XIANGYANG),
    ]
    report = placenames_import(path=_xlsx(tmp_path / "l.xlsx", rows), user=chief, archive_load=True)
    assert (report.created, report.updated, report.requests) == (1, 1, [])
    assert report.as_dict()["imported_by"] == "chief" and report.archive_load
    new = PlaceName.objects.get(standard_name="工农新路")
    context = new.events.get().pgh_context.metadata
    assert (context["username"], context["archive_load"]) == ("chief", True)
    assert not ChangeRequest.objects.exists()


def test_administrator_without_archive_load_files_requests_too(places, tmp_path):
    chief = role_user("chief", "administrator")
    report = placenames_import(
        path=_xlsx(tmp_path / "n.xlsx", [_row("", "工农新路", GONGNONG)]), user=chief
    )
    assert [e.kind for e in report.requests] == ["naming"] and report.created == 0
    assert ChangeRequest.objects.get().status == ChangeStatus.PROPOSAL


def test_system_load_without_a_user_still_writes_directly(places, tmp_path):
    rows = [_row("", "工农新路", GONGNONG), _row("", "向阳新路", XIANGYANG)]
    report = placenames_import(path=_xlsx(tmp_path / "o.xlsx", rows))
    assert (report.created, report.written) == (2, True)
    assert not ChangeRequest.objects.exists()


def test_command_imports_as_the_named_user(xiangyang_officer, places, tmp_path, capsys):
    path = _xlsx(
        tmp_path / "p.xlsx", [_row("", "工农新路", GONGNONG), _row("", "向阳新路", XIANGYANG)]
    )
    with pytest.raises(CommandError, match="1 行被拒绝"):
        call_command(
            "import_placenames", str(path), "--user", "officer_xiangyang", "--accept-valid-rows"
        )
    out = capsys.readouterr()
    assert "工农区" in out.err and "命名申请" in out.out
    assert not PlaceName.objects.filter(standard_name__in=["工农新路", "向阳新路"]).exists()
    assert ChangeRequest.objects.get().kind == "naming"
    with pytest.raises(CommandError, match="用户"):
        call_command("import_placenames", str(path), "--user", "nobody")


def test_command_without_a_user_is_a_system_load_recording_the_operator(places, tmp_path):
    path = _xlsx(tmp_path / "q.xlsx", [_row("", "工农新路", GONGNONG)])
    call_command("import_placenames", str(path))
    context = PlaceName.objects.get(standard_name="工农新路").events.get().pgh_context.metadata
    assert context["username"].startswith("命令行：") and context["archive_load"] is True
    with pytest.raises(CommandError, match="--user"):
        call_command("import_placenames", str(path), "--archive-load")


def test_officer_page_keeps_the_import_in_scope_and_files_requests(
    client, xiangyang_officer, places
):
    client.force_login(xiangyang_officer)
    assert "archive_load" not in client.get("/placenames/officer/").content.decode()
    rows = [_row("", "工农新路", GONGNONG), _row("", "向阳新路", XIANGYANG)]
    page = client.post(  # archive_load is not the officer's to tick: ignored
        "/placenames/officer/",
        {
            "action": "import",
            "file": census_upload(HEADER, rows),
            "accept_valid_rows": "on",
            "archive_load": "on",
        },
    ).content.decode()
    assert "工农区" in page and "编辑范围" in page
    request = ChangeRequest.objects.get()
    assert f"/editor/requests/{request.pk}/" in page and "命名申请" in page
    assert "档案.xlsx" in request.reason and "第 3 行" in request.reason
    assert not PlaceName.objects.filter(standard_name__in=["工农新路", "向阳新路"]).exists()


def test_administrator_sees_and_uses_the_archive_load_on_the_page(client, places):
    client.force_login(role_user("chief", "administrator"))
    assert "archive_load" in client.get("/placenames/officer/").content.decode()
    page = client.post(
        "/placenames/officer/",
        {
            "action": "import",
            "file": census_upload(HEADER, [_row("", "工农新路", GONGNONG)]),
            "archive_load": "on",
        },
    ).content.decode()
    assert "已新增 1 条" in page and "直接登记" in page
    assert PlaceName.objects.filter(standard_name="工农新路").exists()
