"""Demo accounts seeded by the development demo are refused under production settings."""

import pytest
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.test import override_settings

from boundaries.models import AdministrativeArea
from gis_portal.accounts import demo_accounts_create, roles_sync, token_issue, user_create_with_role

pytestmark = pytest.mark.django_db

PUBLISHED = [
    ("admin", "admin-demo"),
    ("officer", "officer-demo"),
    ("boundary", "boundary-demo"),
    ("planner", "planner-demo"),
    ("officer_xiangyang", "officer-demo"),
]


@pytest.fixture
def seeded(db):
    """A database the development demo seeded (DEMO_ACCOUNTS is true in test settings)."""
    # officer_xiangyang's edit scope names 向阳区; its outline does not matter here.
    AdministrativeArea.objects.create(code="230402", name="向阳区", level="county", source="test")
    demo_accounts_create()


def _token(username: str) -> str:
    return token_issue(username=username)


@pytest.mark.parametrize(("username", "password"), PUBLISHED)
def test_demo_accounts_sign_in_under_development_settings(client, seeded, username, password):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302


@pytest.mark.parametrize(("username", "password"), PUBLISHED)
@override_settings(DEMO_ACCOUNTS=False)
def test_production_refuses_demo_sign_in_with_a_chinese_message(client, seeded, username, password):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 200
    page = response.content.decode()
    assert "演示账户" in page and "生产环境" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@override_settings(DEMO_ACCOUNTS=False)
def test_production_refuses_demo_accounts_at_the_admin_login(client, seeded):
    client.post("/admin/login/", {"username": "admin", "password": "admin-demo"})
    assert "_auth_user_id" not in client.session


@override_settings(DEMO_ACCOUNTS=False)
def test_a_demo_account_stays_refused_after_its_password_is_changed(client, seeded):
    admin = User.objects.get(username="admin")
    admin.set_password("a-new-secret-pass-7")
    admin.save()
    client.post("/accounts/login/", {"username": "admin", "password": "a-new-secret-pass-7"})
    assert "_auth_user_id" not in client.session


@override_settings(DEMO_ACCOUNTS=False)
def test_accounts_seeded_before_marking_are_refused_by_their_published_password(client, db):
    roles_sync()
    # An account as an older demo loader left it: published password, no demo mark.
    user_create_with_role(username="planner", password="planner-demo", role="planner")
    client.post("/accounts/login/", {"username": "planner", "password": "planner-demo"})
    assert "_auth_user_id" not in client.session


@override_settings(DEMO_ACCOUNTS=False)
def test_production_accepts_real_accounts_even_named_like_a_demo_one(client, db):
    roles_sync()
    user_create_with_role(username="admin", password="bureau-own-pass-3", role="administrator")
    response = client.post(
        "/accounts/login/", {"username": "admin", "password": "bureau-own-pass-3"}
    )
    assert response.status_code == 302


def test_production_refuses_api_tokens_of_demo_accounts(client, seeded):
    token = _token("planner")
    url = "/api/v1/areas?level=city"
    ok = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200
    with override_settings(DEMO_ACCOUNTS=False):
        refused = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    assert refused.status_code in (401, 403)
    assert "演示账户" in refused.json()["error"]


def test_system_check_warns_of_demo_accounts_under_production_settings(seeded):
    assert not [m for m in run_checks(databases=["default"]) if m.id == "gis_portal.W001"]
    with override_settings(DEMO_ACCOUNTS=False):
        warnings = [m for m in run_checks(databases=["default"]) if m.id == "gis_portal.W001"]
    assert len(warnings) == 1
    for username, _ in PUBLISHED:
        assert username in warnings[0].msg
