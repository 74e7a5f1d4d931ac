"""Services and selectors for accounts: roles, edit scopes, API tokens, demo accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from rest_framework.authtoken.models import Token

from boundaries.models import AdministrativeArea
from gis_portal.errors import DomainError
from gis_portal.models import OfficerScope
from gis_portal.roles import ROLE_BY_SLUG, ROLES, WRITE_ACTIONS


class OutsideEditScope(DomainError):
    """An edit lies outside the areas the officer may edit."""

    http_status = 403
    code = "outside_scope"


# Demo accounts: development settings only (settings.DEMO_ACCOUNTS); listed in the README.
DEMO_ACCOUNTS = (
    ("officer", "officer-demo", "placename_officer"),
    ("boundary", "boundary-demo", "boundary_officer"),
    ("planner", "planner-demo", "planner"),
    ("admin", "admin-demo", "administrator"),
)


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the role groups and give each the view permission on everything plus the
    add/change/delete permissions of its writable apps. Return permissions per group."""
    all_view = list(Permission.objects.filter(codename__startswith="view_"))
    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        writes = Permission.objects.filter(
            content_type__app_label__in=role.writable_apps,
            codename__regex="^({})_".format("|".join(WRITE_ACTIONS)),
        )
        group.permissions.set([*all_view, *writes])
        counts[role.group_name] = group.permissions.count()
    return counts


def user_roles(user: User) -> list[str]:
    """Return the role slugs of ``user``."""
    names = set(user.groups.values_list("name", flat=True))
    return [r.slug for r in ROLES if r.group_name in names]


@transaction.atomic
def user_create_with_role(
    *, username: str, password: str, role: str, area_codes: list[str] | None = None
) -> User:
    """Create (or update) a user with one role and an optional edit scope."""
    group = Group.objects.get(name=ROLE_BY_SLUG[role].group_name)
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = True  # officers use the admin for tabular edits
    user.is_superuser = role == "administrator"
    user.save()
    user.groups.set([group])
    scope, _ = OfficerScope.objects.get_or_create(user=user)
    scope.areas.set(
        AdministrativeArea.objects.filter(code__in=area_codes or [], valid_to__isnull=True)
    )
    return user


def demo_accounts_create() -> dict:
    """Create the demo accounts (development settings only)."""
    if not settings.DEMO_ACCOUNTS:
        return {"accounts": 0, "reason": "DEMO_ACCOUNTS is off in these settings"}
    roles_sync()
    for username, password, role in DEMO_ACCOUNTS:
        user_create_with_role(username=username, password=password, role=role)
    user_create_with_role(
        username="officer_xiangyang",
        password="officer-demo",  # noqa: S106 - demo account, development only
        role="placename_officer",
        area_codes=["230402"],
    )
    return {"accounts": len(DEMO_ACCOUNTS) + 1}


def token_issue(*, username: str) -> str:
    """Return the API token of ``username``, creating it if needed."""
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise DomainError(f"用户 {username} 不存在或已停用") from None
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
