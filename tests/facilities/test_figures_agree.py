"""One definition per figure: the coverage API (what the page shows), the plan targets and
the downloadable reports give the same numbers for the same programme."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.facilities.factories import county, demand, facility, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(hegang_areas):
    # A minors' protection centre open in 3 counties, building in a 4th; the city's child
    # welfare home (shared by the region, 四.(二)6) in a 5th: it does not count per county.
    for code in ("230403", "230421", "230422"):
        facility("child_protection", "minor_protection_centre", f"保护中心{code}", 0, 0,
                 county=county(code), status="open")  # fmt: skip
    facility("child_protection", "minor_protection_centre", "在建中心", 0, 0,
             county=county("230404"), status="building")  # fmt: skip
    facility("child_protection", "child_welfare_home", "儿童福利院", 0, 0,
             county=county("230402"), status="open")  # fmt: skip
    demand("d1", 0, 0, elders=120, children=30)
    demand("d2", 250, 0, elders=80, children=10)
    demand("d3", 5000, 0, elders=50)
    facility("eldercare_daycare", "daycare_centre", "日照甲", 10, 0, status="open", capacity=30)


def _login(client):
    client.force_login(user_with_role("fig-planner", "planner", password="x"))


def test_county_coverage_is_one_figure_on_page_api_targets_and_reports(client, data):
    _login(client)
    coverage = client.get("/api/v1/coverage?programme=child_protection").json()
    rule = coverage["unit_rule"]
    assert (rule["with_facility"], rule["units"]) == (3, 8)
    lacking = [u["name"] for u in rule["lacking"]]
    targets = {t["key"]: t for t in client.get("/api/v1/plan-targets").json()}
    target = targets["minor_protection_counties"]
    assert target["figure"].startswith("3/8") and target["met"] is False
    assert target["figure"].endswith("缺：" + "、".join(lacking))
    assert target["value"] == rule["share"]

    html = client.get("/facilities/report.html?programme=child_protection").content.decode()
    assert target["figure"] in html
    for name in lacking:
        assert name in html
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/facilities/report.xlsx?programme=child_protection").content)
    )
    rows = {r[0]: r for r in book["规划目标"].iter_rows(min_row=2, values_only=True)}
    assert rows[target["label"]][1] == target["figure"]
    assert [r[1] for r in book["缺少设施的单元"].iter_rows(min_row=2, values_only=True)] == lacking


def test_served_is_one_figure_on_page_api_targets_and_reports(client, data):
    _login(client)
    coverage = client.get("/api/v1/coverage?programme=eldercare_daycare").json()
    targets = {t["key"]: t for t in client.get("/api/v1/plan-targets").json()}
    served = targets["daycare_coverage"]
    assert served["figure"] == f"{coverage['served']}/{coverage['target_population']} 人"
    assert served["value"] == coverage["served_share"]
    html = client.get("/facilities/report.html?programme=eldercare_daycare").content.decode()
    assert re.search(rf"服务 {coverage['served']} 人", html)
    assert served["figure"] in html
