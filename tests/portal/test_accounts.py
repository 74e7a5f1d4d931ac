import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import override_settings

from gis_portal.accounts import (
    demo_accounts_create,
    roles_sync,
    user_create_with_role,
    user_roles,
)
from gis_portal.errors import DomainError

pytestmark = pytest.mark.django_db


def test_roles_are_groups_with_rights_only_on_their_own_and_reference_models():
    roles_sync()
    officer = Group.objects.get(name="地名管理员")
    planner = Group.objects.get(name="规划人员")
    officer_perms = set(officer.permissions.values_list("content_type__app_label", "codename"))
    planner_perms = set(planner.permissions.values_list("content_type__app_label", "codename"))
    assert ("addresses", "change_doorplate") in officer_perms
    assert ("placenames", "view_geonamesplace") in officer_perms
    assert ("placenames", "change_geonamesplace") not in officer_perms  # reference list
    assert ("placenames", "delete_placename") not in officer_perms  # 销名 by change request
    assert ("placenames", "view_placename") in planner_perms  # facilities link to names
    assert ("placenames", "change_placename") not in planner_perms
    assert ("boundaries", "change_administrativearea") not in officer_perms
    assert not {app for app, _ in officer_perms | planner_perms} & {"auth", "knox", "axes"}


def test_syncing_roles_again_changes_nothing_and_drops_stray_grants():
    roles_sync()
    planner = Group.objects.get(name="规划人员")
    before = set(planner.permissions.all())
    planner.permissions.add(Permission.objects.get(codename="change_user"))
    assert roles_sync() == roles_sync()
    assert set(planner.permissions.all()) == before


def test_demo_accounts_exist_in_development_settings_only(hegang_areas):
    demo_accounts_create()
    officer = User.objects.get(username="officer")
    assert officer.check_password("officer-demo")
    assert set(officer.groups.values_list("name", flat=True)) == {"地名管理员", "演示账户"}
    assert user_roles(officer) == ["placename_officer"]
    User.objects.all().delete()
    with override_settings(DEMO_ACCOUNTS=False):
        assert demo_accounts_create()["accounts"] == 0
    assert not User.objects.exists()


def test_an_edit_scope_naming_an_unknown_area_is_refused_not_left_city_wide(hegang_areas):
    roles_sync()
    with pytest.raises(DomainError, match="230499"):
        user_create_with_role(
            username="typo",
            password="x-long-pass-1",
            role="placename_officer",
            area_codes=["230402", "230499"],
        )
    assert not User.objects.filter(username="typo").exists()


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
    assert len(token) == 64  # 256 random bits, hex
    ok = client.get("/api/v1/areas?level=city", HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200
    bad = client.get("/api/v1/areas?level=city", HTTP_AUTHORIZATION="Token not-a-real-token")
    # Session authentication comes first, so refusals are 403 (as for anonymous writes).
    assert bad.status_code == 403
    assert "令牌" in bad.json()["error"]  # 认证令牌无效、已过期或已吊销
