import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import override_settings

from gis_portal.accounts import (
    demo_accounts_create,
    roles_sync,
)

pytestmark = pytest.mark.django_db


def test_roles_are_groups_with_write_rights_only_on_their_apps():
    roles_sync()
    officer = Group.objects.get(name="地名管理员")
    planner = Group.objects.get(name="规划人员")
    officer_perms = set(officer.permissions.values_list("content_type__app_label", "codename"))
    planner_perms = set(planner.permissions.values_list("content_type__app_label", "codename"))
    assert ("placenames", "change_geonamesplace") in officer_perms
    assert ("placenames", "change_geonamesplace") not in planner_perms
    assert ("placenames", "view_geonamesplace") in planner_perms  # everyone may read
    assert ("boundaries", "change_administrativearea") not in officer_perms


def test_demo_accounts_exist_in_development_settings_only(hegang_areas):
    demo_accounts_create()
    officer = User.objects.get(username="officer")
    assert officer.check_password("officer-demo")
    assert officer.groups.get().name == "地名管理员"
    User.objects.all().delete()
    with override_settings(DEMO_ACCOUNTS=False):
        assert demo_accounts_create()["accounts"] == 0
    assert not User.objects.exists()


def test_login_page_is_chinese_and_a_wrong_password_says_so(client):
    User.objects.create_user("clerk", password="right-password-1")
    page = client.get("/accounts/login/").content.decode()
    assert "工作人员登录" in page and "用户名" in page
    response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": "right-password-1"}
    )
    assert response.status_code == 302


@override_settings(AXES_ENABLED=True)
def test_repeated_failed_logins_lock_the_account_out(client):
    User.objects.create_user("clerk", password="right-password-1")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "clerk", "password": "right-password-1"}
    )
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()


def test_issued_token_authenticates_api_calls(client, capsys):
    User.objects.create_user("script", password="unused-password-1")
    call_command("issue_token", "script")
    token = capsys.readouterr().out.strip()
    assert len(token) == 40
    ok = client.get("/api/v1/areas?level=city", HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200
    bad = client.get("/api/v1/areas?level=city", HTTP_AUTHORIZATION="Token not-a-real-token")
    # Session authentication comes first, so refusals are 403 (as for anonymous writes).
    assert bad.status_code == 403
    assert "令牌" in bad.json()["error"]  # 认证令牌无效 (DRF's message, in Chinese)
