"""API keys: shown once when issued, kept only as a digest, never readable in the admin.

Security finding: every staff role could open the token list in the admin and read the
administrator's key, then decide change requests as the administrator.
"""

from __future__ import annotations

import importlib
import secrets

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client

from gis_portal.editing import change_services
from tests.editing.factories import demo_boundaries, role_user

pytestmark = pytest.mark.django_db

# Any signed-in user may list change requests; nobody else may: a probe of who a key is.
WHO_AM_I = "/api/v1/editing/requests"


def issue(capsys, username: str, *args: str) -> str:
    call_command("issue_token", username, *args)
    return capsys.readouterr().out.strip()


def api_get(url: str, key: str):
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")


def api_post(url: str, key: str, body: dict | None = None):
    return Client().post(
        url, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )


def admin_pages() -> list[str]:
    """Return the admin index and the list page of every model registered in the admin."""
    pages = ["/admin/"]
    for model in admin.site._registry:
        pages.append(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    return pages


def token_table_values() -> list[str]:
    """Return every text value stored in any table whose name mentions a token."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if "token" not in table:
                continue
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, table)
                if c.type_code in (25, 1043)  # text, varchar
            ]
            for column in columns:
                cursor.execute(
                    f"SELECT {connection.ops.quote_name(column)} FROM "
                    f"{connection.ops.quote_name(table)}"
                )
                values += [row[0] for row in cursor.fetchall() if row[0]]
    return values


def test_planner_cannot_list_tokens_or_see_the_administrators_key_in_the_admin(capsys):
    role_user("chief", "administrator")
    admin_key = issue(capsys, "chief")
    planner = Client()
    planner.force_login(role_user("plan", "planner"))
    assert planner.get("/admin/authtoken/tokenproxy/").status_code in (403, 404)
    assert planner.get("/admin/knox/authtoken/").status_code in (403, 404)
    for page in admin_pages():
        response = planner.get(page)
        assert admin_key not in response.content.decode(), page


def test_not_even_the_administrator_can_read_a_key_back_in_the_admin(capsys):
    chief = Client()
    chief.force_login(role_user("chief", "administrator"))
    key = issue(capsys, "chief")
    pages = admin_pages()
    token_list = chief.get("/admin/knox/authtoken/")
    assert token_list.status_code == 200 and "chief" in token_list.content.decode()
    pages += [f"/admin/knox/authtoken/{t.pk}/change/" for t in token_list.context["cl"].result_list]
    for page in pages:
        assert key not in chief.get(page).content.decode(), page
        assert key[:15] not in chief.get(page).content.decode(), page


def test_nothing_stored_in_the_database_can_be_used_as_a_key(capsys):
    role_user("chief", "administrator")
    key = issue(capsys, "chief")
    assert api_get(WHO_AM_I, key).status_code == 200
    stored = token_table_values()
    assert stored, "the keys' table holds no row"
    assert not any(key in value for value in stored)
    for value in stored:
        assert api_get(WHO_AM_I, value).status_code == 403, value


def test_a_plaintext_key_from_before_the_switch_is_removed_by_the_migration(capsys):
    user = role_user("chief", "administrator")
    old_key = secrets.token_hex(20)  # as DRF's Token stored it: 40 hex characters, in clear
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS authtoken_token (key varchar(40) PRIMARY KEY,"
            " created timestamptz NOT NULL, user_id integer NOT NULL UNIQUE)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, now(), %s)",
            [old_key, user.pk],
        )
    migration = importlib.import_module("migrations.gis_portal.0003_api_keys_hashed")
    with connection.schema_editor() as schema_editor:
        migration.plaintext_keys_remove(django_apps, schema_editor)
    capsys.readouterr()
    assert "authtoken_token" not in connection.introspection.table_names()
    assert api_get(WHO_AM_I, old_key).status_code == 403
    assert api_get(WHO_AM_I, issue(capsys, "chief")).status_code == 200


def test_issuing_prints_a_new_key_each_time_and_replace_retires_the_others(capsys):
    role_user("script", "planner")
    first, second = issue(capsys, "script"), issue(capsys, "script")
    assert first != second
    assert api_get(WHO_AM_I, first).status_code == 200
    assert api_get(WHO_AM_I, second).status_code == 200
    third = issue(capsys, "script", "--replace")
    assert api_get(WHO_AM_I, first).status_code == 403
    assert api_get(WHO_AM_I, second).status_code == 403
    assert api_get(WHO_AM_I, third).status_code == 200


def test_a_revoked_or_expired_key_stops_working(capsys):
    role_user("script", "planner")
    key = issue(capsys, "script")
    call_command("revoke_tokens", "script")
    assert "1 个令牌" in capsys.readouterr().out
    refused = api_get(WHO_AM_I, key)
    assert refused.status_code == 403 and "令牌" in refused.json()["error"]
    expired = issue(capsys, "script", "--ttl-days", "1")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE knox_authtoken SET expiry = now() - interval '1 minute'")
    assert api_get(WHO_AM_I, expired).status_code == 403


def test_a_key_of_a_deactivated_account_stops_working(capsys):
    user = role_user("script", "planner")
    key = issue(capsys, "script")
    user.is_active = False
    user.save()
    assert api_get(WHO_AM_I, key).status_code == 403


def test_a_key_decides_nothing_beyond_its_users_role(hegang_areas, capsys):
    _line, marker = demo_boundaries()
    officer = role_user("bo", "boundary_officer")
    request = change_services.change_request_submit(
        layer_key="boundary-markers",
        target_id=marker.pk,
        action="update",
        proposed={"material": "新材质"},
        reason="联检发现界桩材质登记有误",
        user=officer,
    )
    role_user("plan", "planner")
    role_user("chief", "administrator")
    planner_key, chief_key = issue(capsys, "plan"), issue(capsys, "chief")
    review = f"/api/v1/editing/requests/{request.pk}/review"
    assert api_post(review, planner_key).status_code == 403
    assert api_post(review, chief_key).status_code == 200
    assert api_get("/api/v1/scenarios", planner_key).status_code == 200  # the planner's own
