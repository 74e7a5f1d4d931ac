"""The plan's kinds and standards as data: seeded with sources, exported, imported back."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from rest_framework.test import APIClient

from facilities.models import Facility, FacilityType, PlanTarget, Programme
from facilities.services.facilities import facilities_import
from facilities.services.standards_io import PROGRAMME_SHEET, TYPE_SHEET, standards_xlsx
from facilities.standards import PROGRAMMES, TARGETS, TYPE_DETAILS
from tests.facilities.factories import lonlat_at, user_with_role

pytestmark = pytest.mark.django_db

PLAN_KINDS = {
    "community_service_500": 500,
    "community_service_1000": 1000,
    "community_service_2000": 2000,
    "rural_community_service": None,
    "incubation_base": None,
    "incubation_station": None,
    "marriage_registry": None,
    "public_ashes_facility": None,
    "public_cemetery": None,
    "rural_mutual_aid_point": None,
}


def test_every_kind_the_plan_names_is_seeded_with_its_standard_and_source():
    for slug, area in PLAN_KINDS.items():
        kind = FacilityType.objects.select_related("programme").get(slug=slug)
        assert kind.floor_area_m2 == area
        assert kind.sources, slug
        assert kind.programme.service_distance_m > 0 and kind.programme.sources
    # The plan's coverage figure of community facilities is a target row.
    row = PlanTarget.objects.get(key="community_service_coverage")
    assert row.goal == 129.0 and "二.(五)1" in row.sources


def test_no_citation_points_at_section_one():
    """Section 一 is the guiding ideology, one paragraph: nothing can be cited as 一.(x)."""
    texts = [row[9] for row in PROGRAMMES] + [row[10] for row in TARGETS]
    texts += [d[2] for d in TYPE_DETAILS.values()]
    texts += list(Programme.objects.values_list("sources", flat=True))
    texts += list(PlanTarget.objects.values_list("sources", flat=True))
    assert not [t for t in texts if "一.(" in t]
    # Each citation names a part of 二 (achievements) or 四 (tasks) that exists in the plan.
    cited = {m for t in texts for m in re.findall(r"[二四]\.\([一二三四五六七]\)\d?", t)}
    assert "二.(二)4" in cited and "四.(六)4" in cited and "二.(五)1" in cited


def _workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(book, tmp_path):
    path = tmp_path / "standards.xlsx"
    book.save(path)
    return path


def _upload(api, path):
    with open(path, "rb") as fh:
        return api.post("/api/v1/standards/import", {"file": fh}, format="multipart")


@pytest.fixture
def planner_api():
    api = APIClient()
    api.force_authenticate(user_with_role("std-planner", "planner", password="x"))
    return api


def test_the_export_imports_back_and_an_edit_lands(planner_api, tmp_path):
    book = _workbook(standards_xlsx())
    sheet = book[PROGRAMME_SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "marriage_registration":
            row[header.index("服务距离（米）")].value = 25000
    path = _save(book, tmp_path)
    response = _upload(planner_api, path)
    assert response.status_code == 200, response.json()
    assert Programme.objects.get(slug="marriage_registration").service_distance_m == 25000


@pytest.mark.parametrize(
    ("sheet_name", "column", "value", "words"),
    [
        (PROGRAMME_SHEET, "服务距离（米）", 0, "必须大于 0"),
        (PROGRAMME_SHEET, "服务距离（米）", -500, "必须大于 0"),
        (PROGRAMME_SHEET, "距离类型", "飞行距离", "距离类型应为"),
        (PROGRAMME_SHEET, "标准出处", None, "须写明标准出处"),
        (TYPE_SHEET, "服务项目", "no_such_programme", "没有对应的服务标准"),
        (TYPE_SHEET, "服务项目", None, "须属于一个服务项目"),
        (TYPE_SHEET, "建筑面积等级（平方米）", 0, "必须大于 0"),
    ],
)
def test_bad_standards_are_refused_and_nothing_changes(
    planner_api, tmp_path, sheet_name, column, value, words
):
    before = list(Programme.objects.order_by("slug").values_list("slug", "service_distance_m"))
    book = _workbook(standards_xlsx())
    sheet = book[sheet_name]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index(column) + 1).value = value
    # A good edit in the same file must not land either.
    book[PROGRAMME_SHEET].cell(row=2, column=5).value = 777
    response = _upload(planner_api, _save(book, tmp_path))
    assert response.status_code == 400
    body = response.json()
    assert words in body["error"], body
    problem = body["errors"][0]
    assert (problem["sheet"], problem["line"], problem["column"]) == (sheet_name, 3, column)
    after = list(Programme.objects.order_by("slug").values_list("slug", "service_distance_m"))
    assert after == before


def test_a_new_kind_imported_is_accepted_by_the_facility_import(planner_api, tmp_path):
    book = _workbook(standards_xlsx())
    book[TYPE_SHEET].append(["elder_canteen", "老年助餐点", "eldercare_daycare", "", "是", "试点"])
    assert _upload(planner_api, _save(book, tmp_path)).status_code == 200
    kind = FacilityType.objects.get(slug="elder_canteen")
    assert kind.programme.slug == "eldercare_daycare" and kind.sources == "试点"


def test_the_standards_need_a_planner(tmp_path):
    api = APIClient()
    api.force_authenticate(user_with_role("officer2", "placename_officer", password="x"))
    path = _save(_workbook(standards_xlsx()), tmp_path)
    assert _upload(api, path).status_code == 403


def test_the_facility_import_accepts_every_kind_the_plan_names(hegang_areas, tmp_path):
    rows = []
    for k, slug in enumerate(PLAN_KINDS):
        kind = FacilityType.objects.select_related("programme").get(slug=slug)
        lon, lat = lonlat_at(100 * k, 0)
        rows.append([f"设施{k}", kind.programme.name, kind.name, lon, lat])
    path = tmp_path / "kinds.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["名称", "服务项目", "类型", "经度", "纬度"], *rows])
    report = facilities_import(path=path)
    assert report.errors == [] and report.created == len(PLAN_KINDS)
    assert set(Facility.objects.values_list("facility_type__slug", flat=True)) == set(PLAN_KINDS)
