"""Siting runs along the streets and on an uploaded cost matrix; the allocation they save."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.gis.geos import LineString
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from facilities.errors import SitingRejected
from facilities.models import Programme, RunStatus, Scenario, SitingRun
from facilities.services import runs
from facilities.services.siting import SitingRequest
from facilities.siting_io import read_cost_table
from tests.facilities.factories import county, demand, facility, lonlat_at, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_setup(hegang_areas):
    for k in range(6):
        demand(f"u{k}", k * 700, 0, elders=100 + k)
    centre = facility("eldercare_daycare", "daycare_centre", "现有中心", 0, 0, status="open")
    street = apps.get_model("addresses", "Street")
    pts = [lonlat_at(x, 0) for x in (-200, 1000, 2000, 3800)]
    street.objects.create(name="测试大街", geom_4490=LineString(pts, srid=4490), county=county())
    programme = Programme.objects.get(slug="eldercare_daycare")
    programme.centre_label = f"F{centre.pk}"
    return programme


def _request(**kw) -> SitingRequest:
    base = dict(model="mclp", p=2, radius_m=300, time_limit_s=10, distance="network")
    return SitingRequest(**{**base, **kw})


def test_a_run_along_the_streets_saves_the_allocation_and_before_after(street_setup):
    run = runs.siting_run_create(programme=street_setup, name="沿路", request=_request())
    run = runs.siting_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.message
    s = Scenario.objects.get(run=run)
    assert s.result["distance_kind"] == "network"
    alloc = s.result["allocation"]
    # Every allocated demand point is within the radius along the street.
    assert alloc["rows"] and all(r["cost"] <= 300 for r in alloc["rows"])
    assert len(alloc["lines"]) == len(alloc["rows"])
    assert {r["site_kind"] for r in alloc["rows"]} == {"new", "existing"}
    existing_load = next(x for x in alloc["loads"] if x["site"] == street_setup.centre_label)
    assert existing_load["load"] == 100  # the existing centre serves u0 only
    states = [p[3] for p in s.result["coverage_points"]]
    assert states.count(1) == 1  # before: u0
    assert states.count(2) == 2  # after: two more units with the new sites
    assert s.served_after == 100 + sum(
        r["weight"] for r in alloc["rows"] if r["site_kind"] == "new"
    )


def test_a_point_off_the_streets_fails_the_run_naming_it_unless_excluded(street_setup):
    demand("远处", 1000, 2000, elders=50)
    run = runs.siting_run_execute(
        run_id=runs.siting_run_create(programme=street_setup, name="沿路", request=_request()).pk
    )
    assert run.status == RunStatus.FAILED
    assert "远处" in run.message and "到不了道路网" in run.message
    assert not Scenario.objects.exists()
    run = runs.siting_run_execute(
        run_id=runs.siting_run_create(
            programme=street_setup, name="排除后", request=_request(exclude_unreachable=True)
        ).pk
    )
    assert run.status == RunStatus.DONE
    report = Scenario.objects.get(run=run).result["network_report"]
    assert report["off_network_demand_ids"] == ["远处"]


def test_without_streets_a_network_run_is_refused_before_anything_is_written(hegang_areas):
    demand("u0", 0, 0, elders=10)
    programme = Programme.objects.get(slug="eldercare_daycare")
    with pytest.raises(SitingRejected, match="没有道路数据"):
        runs.siting_run_create(programme=programme, name="x", request=_request())
    assert not SitingRun.objects.exists()


def _matrix(text: str):
    import csv
    import io

    return read_cost_table(list(csv.reader(io.StringIO(text))))


def test_a_cost_matrix_missing_ids_is_refused_and_no_run_is_saved(street_setup):
    # Candidates given: 候选1, 候选2; the existing F-1; demand u0…u5.
    cands = [list(lonlat_at(700, 0)), list(lonlat_at(2800, 0))]
    table = _matrix("demand,候选1,候选2\nu0,1,2\nu1,1,2\n")
    with pytest.raises(SitingRejected, match="缺少编号") as exc:
        runs.siting_run_create(
            programme=street_setup,
            name="矩阵",
            request=_request(distance="matrix"),
            candidates_lonlat=cands,
            cost_table=table,
        )
    assert "u2" in exc.value.message and street_setup.centre_label in exc.value.message
    assert not SitingRun.objects.exists()


def test_a_run_on_a_cost_matrix_uses_its_costs(street_setup):
    cands = [list(lonlat_at(700, 0)), list(lonlat_at(2800, 0))]
    rows = [f"demand,候选1,候选2,{street_setup.centre_label}"] + [
        f"u{k},{100 if k in (3, 4) else 900},{900},{0 if k == 0 else 900}" for k in range(6)
    ]
    run = runs.siting_run_create(
        programme=street_setup,
        name="矩阵",
        request=_request(distance="matrix", p=1),
        candidates_lonlat=cands,
        cost_table=_matrix("\n".join(rows)),
    )
    run = runs.siting_run_execute(run_id=run.pk)
    assert run.status == RunStatus.DONE, run.message
    s = Scenario.objects.get(run=run)
    assert s.result["distance_kind"] == "matrix"
    # By the matrix, 候选1 reaches u3 and u4 (cost 100), not its straight-line neighbour u1.
    assert s.result["selected"] == ["候选1"]
    assert {r["demand"] for r in s.result["allocation"]["rows"] if r["site"] == "候选1"} == {
        "u3",
        "u4",
    }
    assert "cost_matrix" not in s.parameters


def test_the_api_refuses_a_bad_matrix_file_in_chinese_and_shows_a_scenario(street_setup):
    client = APIClient()
    client.force_authenticate(user_with_role("planner1", "planner", password="x-Passw0rd!"))
    bad = SimpleUploadedFile("m.csv", "demand,候选1\nu0,-3\n".encode(), content_type="text/csv")
    resp = client.post(
        reverse("siting-run-list"),
        {
            "programme": "eldercare_daycare",
            "name": "坏矩阵",
            "model": "mclp",
            "p": "1",
            "distance": "matrix",
            "cost_matrix": bad,
        },
        format="multipart",
    )
    assert resp.status_code == 400
    assert "不能为负数" in str(resp.json())
    assert not SitingRun.objects.exists()
    resp = client.post(
        reverse("siting-run-list"),
        {"programme": "eldercare_daycare", "name": "x", "model": "mclp", "distance": "飞"},
        format="json",
    )
    assert resp.status_code == 400
    run = runs.siting_run_execute(
        run_id=runs.siting_run_create(programme=street_setup, name="沿路", request=_request()).pk
    )
    scenario = Scenario.objects.get(run=run)
    detail = client.get(reverse("scenario-detail", args=[scenario.pk])).json()
    assert detail["distance_label"] == "沿道路距离"
    assert len(detail["allocation"]["lines"]) == len(detail["allocation"]["rows"]) > 0
    assert detail["coverage_points"]
    assert client.get(reverse("scenario-detail", args=[scenario.pk + 99])).status_code == 404


def test_the_reports_carry_every_scenario_with_its_figures(street_setup, client):
    import io

    import openpyxl

    for name, p in (("<b>甲</b>", 1), ("乙方案", 2)):
        run = runs.siting_run_create(programme=street_setup, name=name, request=_request(p=p))
        assert runs.siting_run_execute(run_id=run.pk).status == RunStatus.DONE
    user_with_role("planner2", "planner", password="x-Passw0rd!")
    client.login(username="planner2", password="x-Passw0rd!")
    page = client.get("/facilities/report.html?programme=eldercare_daycare").content.decode()
    assert "选址方案比较（实施前 / 实施后）" in page
    assert "&lt;b&gt;甲&lt;/b&gt;" in page and "<b>甲</b>" not in page  # data, never markup
    assert "方案服务人数" in page and "沿道路距离" in page
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/facilities/report.xlsx?programme=eldercare_daycare").content)
    )
    assert {"选址方案比较", "方案站点负荷", "方案需求分配"} <= set(book.sheetnames)
    header = [c.value for c in book["选址方案比较"][1]]
    assert header[0] == "指标" and len(header) == 3  # two scenarios side by side
    s = Scenario.objects.get(name="乙方案")
    one = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/facilities/scenario/{s.pk}/allocation.xlsx").content)
    )
    rows = list(one["需求分配"].iter_rows(values_only=True))
    assert rows[0][:3] == ("方案", "需求单元", "站点")
    assert len(rows) - 1 == len(s.result["allocation"]["rows"])
