"""Planning is for planners: the page, runs and scenarios need 规划人员 or 系统管理员."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from facilities.models import Programme
from tests.facilities.factories import demand, user_with_role

pytestmark = pytest.mark.django_db

RUN = {"programme": "eldercare_daycare", "name": "方案", "model": "mclp", "p": 1}


@pytest.fixture
def people(hegang_areas):
    demand("u1", 0, 0, elders=100)
    return {
        role: user_with_role(f"u_{role}", role, password="x")
        for role in ("planner", "administrator", "placename_officer", "boundary_officer")
    }


def test_anonymous_is_sent_to_the_login_page(client, people):
    response = client.get("/facilities/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    api = APIClient()
    assert api.post("/api/v1/siting/runs", RUN, format="json").status_code in (401, 403)
    assert api.get("/api/v1/scenarios").status_code in (401, 403)


@pytest.mark.parametrize("role", ["placename_officer", "boundary_officer"])
def test_other_roles_are_refused_in_chinese(client, people, role):
    client.force_login(people[role])
    page = client.get("/facilities/")
    assert page.status_code == 403
    assert "只有规划人员或系统管理员可以使用设施规划" in page.content.decode()
    api = APIClient()
    api.force_authenticate(people[role])
    refused = api.post("/api/v1/siting/runs", RUN, format="json")
    assert refused.status_code == 403 and "规划人员" in str(refused.json())
    assert api.get("/api/v1/scenarios").status_code == 403
    assert api.get("/api/v1/siting/runs/1").status_code == 403
    # Coverage figures stay readable.
    assert api.get("/api/v1/programmes").status_code == 200


@pytest.mark.parametrize("role", ["planner", "administrator"])
def test_planners_and_administrators_plan(client, people, role):
    client.force_login(people[role])
    assert client.get("/facilities/").status_code == 200
    api = APIClient()
    api.force_authenticate(people[role])
    assert api.post("/api/v1/siting/runs", RUN, format="json").status_code == 201
    assert api.get("/api/v1/scenarios").status_code == 200


def test_only_planners_edit_programme_standards_in_the_admin(client, people):
    programme = Programme.objects.get(slug="eldercare_daycare")
    url = f"/admin/facilities/programme/{programme.pk}/change/"
    client.force_login(people["placename_officer"])
    response = client.post(url, {"service_distance_m": 1})
    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.service_distance_m == 300
    client.force_login(people["planner"])
    assert client.get(url).status_code == 200
