"""Division adjustments: the plan's rules (pure), then the change-request flow that applies
one on its effective day, the code history it leaves, and the refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from boundaries.adjustments import (
    AdjustmentInvalid,
    code_reuse_problem,
    effective_order_problem,
    plan_parse,
)
from boundaries.models import AdjustmentArea, AdministrativeArea, DivisionAdjustment
from boundaries.services.adjustments import adjustment_apply
from gis_portal.editing import change_services
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.models import ChangeRequest, ChangeStatus
from tests.editing.factories import role_user
from tests.editing.placename_builders import place_create

TODAY = dt.date(2026, 12, 1)


def _plan(kind="rename", units=("230402001",), new=None, day="2020-05-01", **extra) -> dict:
    return {
        "kind": kind,
        "effective_on": day,
        "approval_ref": "黑政函〔2020〕18号",
        "units": list(units),
        "new_units": new or [{"code": "230402001", "name": "光明路街道"}],
        **extra,
    }


# --- the plan (no database) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (_plan(kind="annex"), "kind", "调整类型应为"),
        (_plan(day="2027-01-01"), "effective_on", "晚于今天"),
        (_plan(day="2020-13-01"), "effective_on", "不是 YYYY-MM-DD"),
        (_plan(units=["23040200X"]), "units[0]", "不是 6 位或 9 位区划代码"),
        (
            _plan(new=[{"code": "230402009", "name": "光明"}]),
            "new_units[0].code",
            "更名不改变区划代码",
        ),
        (_plan(kind="merge"), "units", "两个以上单位合并"),
        (
            _plan(
                kind="split",
                new=[{"code": "230402001", "name": "甲"}, {"code": "230402009", "name": "乙"}],
            ),
            "new_units[0].geometry",
            "需要新单位的边界",
        ),
        (_plan(approval_ref=""), "approval_ref", "不能为空"),
    ],
)
def test_a_bad_plan_is_refused_naming_its_part(data, field, text):
    with pytest.raises(AdjustmentInvalid) as exc:
        plan_parse(data, today=TODAY)
    assert exc.value.field == field and text in exc.value.message


def test_a_code_given_up_is_free_again_only_after_the_retention_period():
    ended = dt.date(2019, 12, 31)
    refused = code_reuse_problem(
        "230402001", effective_on=dt.date(2024, 12, 31), last_ended=ended, retention_years=5
    )
    assert refused and "5 年保留期内（2025-01-01 以前）" in refused
    assert (
        code_reuse_problem(
            "230402001", effective_on=dt.date(2025, 1, 1), last_ended=ended, retention_years=5
        )
        is None
    )
    assert (
        code_reuse_problem(
            "230402001", effective_on=dt.date(2020, 1, 1), last_ended=None, retention_years=5
        )
        is None
    )


def test_an_effective_day_not_after_the_last_change_is_refused():
    assert effective_order_problem(dt.date(2020, 1, 1), unit="甲", last_change=None) is None
    problem = effective_order_problem(
        dt.date(2020, 1, 1), unit="甲", last_change=dt.date(2020, 1, 1)
    )
    assert "不晚于 甲 的上一次调整（2020-01-01 生效）" in problem


# --- through the change-request flow -----------------------------------------------------

pytest_db = pytest.mark.django_db


def _area(code: str) -> AdministrativeArea:
    return AdministrativeArea.objects.get(code=code, valid_to__isnull=True)


def _submit(plan: dict, officer) -> ChangeRequest:
    return change_services.change_request_submit(
        layer_key="areas",
        target_id=_area(plan["units"][0]).pk,
        action="update",
        proposed={"adjustment": plan},
        reason="国务院批复",
        user=officer,
    )


def _approve(request: ChangeRequest, officer, admin, *, with_document=True) -> None:
    if with_document:
        change_services.change_document_attach(
            request_id=request.pk,
            kind="approval",
            file=SimpleUploadedFile("pifu.pdf", b"%PDF-1.4 demo", content_type="application/pdf"),
            title="批复文件",
            user=officer,
        )
    change_services.change_request_review(request_id=request.pk, user=admin)
    change_services.change_request_approve(
        request_id=request.pk, user=admin, approving_authority="黑龙江省人民政府"
    )


@pytest.fixture
def people(hegang_areas):
    return role_user("bd_officer", "boundary_officer"), role_user("bd_admin", "administrator")


def _state() -> list:
    return sorted(AdministrativeArea.objects.values_list("pk", "code", "version", "valid_to"))


@pytest.mark.django_db
def test_a_rename_applied_through_approval_keeps_the_old_unit_with_its_dates(people, client):
    officer, admin = people
    old_pk = _area("230402001").pk
    request = _submit(_plan(), officer)
    assert request.kind == "division" and request.status == ChangeStatus.PROPOSAL
    assert _area("230402001").name == "光明街道"  # submitted, not applied
    _approve(request, officer, admin)

    old = AdministrativeArea.objects.get(pk=old_pk)
    new = _area("230402001")
    assert (old.name, old.valid_to) == ("光明街道", dt.date(2020, 4, 30))
    assert (new.name, new.valid_from, new.parent.code) == (
        "光明路街道",
        dt.date(2020, 5, 1),
        "230402",
    )
    adjustment = DivisionAdjustment.objects.get()
    assert adjustment.change_request_id == request.pk and adjustment.kind == "rename"

    then = client.get("/api/v1/areas/code-history?code=230402001&on=2015-01-01").json()
    assert then["unit"]["name"] == "光明街道" and then["unit"]["valid_to"] == "2020-04-30"
    now = client.get("/api/v1/areas/code-history?code=230402001&on=2021-01-01").json()
    assert now["unit"]["name"] == "光明路街道"
    assert now["unit"]["started_by"]["approval_ref"] == "黑政函〔2020〕18号"
    assert [u["name"] for u in now["units"]] == ["光明街道", "光明路街道"]


@pytest.mark.django_db
def test_approval_without_the_governments_decision_is_refused(people):
    officer, admin = people
    request = _submit(_plan(), officer)
    change_services.change_request_review(request_id=request.pk, user=admin)
    with pytest.raises(InvalidEdit, match="缺少法定材料：批准文件"):
        change_services.change_request_approve(request_id=request.pk, user=admin)
    assert _area("230402001").name == "光明街道"


@pytest.mark.django_db
def test_an_effective_day_before_the_units_last_adjustment_is_refused_and_nothing_written(people):
    officer, admin = people
    _approve(_submit(_plan(), officer), officer, admin)
    before = _state()
    with pytest.raises(InvalidEdit) as exc:
        _submit(_plan(new=[{"code": "230402001", "name": "光明新街道"}], day="2019-06-01"), officer)
    assert exc.value.field == "effective_on"
    assert "不晚于 光明路街道（230402001） 的上一次调整（2020-05-01 生效）" in exc.value.message
    assert _state() == before and ChangeRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_code_given_up_cannot_go_to_another_unit_within_the_retention_period(people):
    officer, admin = people
    plan = _plan(kind="recode", new=[{"code": "230402009", "name": "光明街道"}], day="2020-01-01")
    _approve(_submit(plan, officer), officer, admin)
    assert _area("230402009").name == "光明街道"
    before = _state()
    reuse = _plan(
        kind="recode",
        units=["230402002"],
        new=[{"code": "230402001", "name": "红军街道"}],
        day="2022-03-01",
    )
    with pytest.raises(InvalidEdit) as exc:
        _submit(reuse, officer)
    assert exc.value.field == "new_units[0].code"
    assert "230402001 于 2019-12-31 停用，5 年保留期内（2025-01-01 以前）" in exc.value.message
    assert _state() == before
    # After the period the code may be given again.
    _approve(_submit({**reuse, "effective_on": "2025-01-01"}, officer), officer, admin)
    assert _area("230402001").name == "红军街道"


@pytest.mark.django_db
def test_a_merge_moves_place_names_and_child_units_to_the_new_unit(people):
    _officer, admin = people
    district = _area("230403")
    place = place_create("测试小区")
    assert place.division_id == district.pk
    villages_before = AdministrativeArea.objects.filter(
        parent=district, valid_to__isnull=True
    ).count()
    plan = _plan(
        kind="merge",
        units=["230403", "230404"],
        new=[{"code": "230410", "name": "工农南山区", "kind": "区"}],
        day="2023-07-01",
    )
    # 230410 was never used: free. Both districts end; their townships move.
    adjustment = adjustment_apply(
        plan=plan_parse(plan, today=TODAY), user=admin, comment="合并", source="test"
    )
    merged = _area("230410")
    place.refresh_from_db()
    assert place.division_id == merged.pk
    assert not AdministrativeArea.objects.filter(
        code__in=["230403", "230404"], valid_to__isnull=True
    ).exists()
    moved = AdministrativeArea.objects.filter(parent=merged, valid_to__isnull=True).count()
    assert moved >= villages_before + 1
    assert merged.geom_4490 is not None and merged.geom_4490.area > district.geom_4490.area
    roles = sorted(
        AdjustmentArea.objects.filter(adjustment=adjustment).values_list("role", flat=True)
    )
    assert roles == ["created", "ended", "ended"]
    assert adjustment.plan["moved"]["地名"] == 1


@pytest.mark.django_db
def test_code_history_parameters_are_checked_in_chinese(client, hegang_areas):
    bad = client.get("/api/v1/areas/code-history?code=2304&on=2015-01-01")
    assert bad.status_code == 400 and "区划代码" in bad.content.decode()
    bad = client.get("/api/v1/areas/code-history?code=230402&on=2015-02-30")
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()
    ok = client.get("/api/v1/areas/code-history?code=230402&on=2015-01-01").json()
    assert ok["unit"]["name"] == "向阳区" and ok["unit"]["valid_from"] is None


@pytest.mark.django_db
def test_an_adjustment_filed_through_the_request_api_shows_on_the_request_pages(people):
    officer, _admin = people
    from django.test import Client

    client = Client()
    client.force_login(officer)
    body = {
        "layer": "areas",
        "target_id": _area("230402001").pk,
        "action": "update",
        "proposed": {"adjustment": _plan()},
        "reason": "批复",
    }
    created = client.post("/api/v1/editing/requests", body, content_type="application/json")
    assert created.status_code == 201, created.content.decode()
    pk = created.json()["id"]
    assert client.get(f"/api/v1/editing/requests/{pk}").status_code == 200
    page = client.get(f"/editor/requests/{pk}/")
    assert page.status_code == 200 and "区划调整" in page.content.decode()
    bad = client.post(
        "/api/v1/editing/requests",
        {
            **body,
            "target_id": _area("230402002").pk,
            "proposed": {
                "adjustment": _plan(
                    units=["230402002"],
                    new=[{"code": "230402002", "name": "红军路街道"}],
                    day="2019-02-30",
                )
            },
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "不是 YYYY-MM-DD 日期" in bad.content.decode()
