"""Services and selectors for accounts: roles, edit scopes, API tokens, demo accounts."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from knox.models import AuthToken

from gis_portal.areas import current_areas
from gis_portal.authentication import SCOPES
from gis_portal.demo_accounts import DEMO_ACCOUNTS, demo_account_mark
from gis_portal.errors import DomainError
from gis_portal.models import ApiKeyScope, OfficerScope
from gis_portal.roles import ROLE_BY_SLUG, ROLES, Role


class OutsideEditScope(DomainError):
    """An edit lies outside the areas the officer may edit."""

    http_status = 403
    code = "outside_scope"


def role_permissions(role: Role) -> list[Permission]:
    """Return the permissions ``role.models`` names; a name that matches none is an error."""
    wanted = []
    for label, actions in role.models.items():
        model = apps.get_model(label)
        content_type = ContentType.objects.get_for_model(model)
        for action in actions:
            codename = f"{action}_{model._meta.model_name}"
            try:
                wanted.append(Permission.objects.get(content_type=content_type, codename=codename))
            except Permission.DoesNotExist:
                raise ImproperlyConfigured(
                    f"Role {role.slug}: no permission {label}.{codename} (run migrate first)"
                ) from None
    return wanted


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the role groups and set each group's permissions to exactly those its role
    names (gis_portal.roles), dropping any others. Return permissions per group."""
    counts = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        group.permissions.set(role_permissions(role))
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
    """Create (or update) a user with one role and an optional edit scope.

    Every code in ``area_codes`` must name a current area: a scope that silently lost its
    areas would leave the officer city-wide.
    """
    group = Group.objects.get(name=ROLE_BY_SLUG[role].group_name)
    areas = list(current_areas().filter(code__in=area_codes or []))
    unknown = sorted(set(area_codes or []) - {a.code for a in areas})
    if unknown:
        raise DomainError(f"编辑范围中的区划代码不存在：{'、'.join(unknown)}")
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = True  # officers use the admin for tabular edits
    user.is_superuser = ROLE_BY_SLUG[role].superuser
    user.save()
    user.groups.set([group])
    scope, _ = OfficerScope.objects.get_or_create(user=user)
    scope.areas.set(areas)
    return user


def demo_accounts_create() -> dict:
    """Create the demo accounts (development settings only), marked as demo accounts."""
    if not settings.DEMO_ACCOUNTS:
        return {"accounts": 0, "reason": "DEMO_ACCOUNTS is off in these settings"}
    roles_sync()
    for account in DEMO_ACCOUNTS:
        user = user_create_with_role(
            username=account.username,
            password=account.password,
            role=account.role,
            area_codes=list(account.area_codes),
        )
        demo_account_mark(user=user)
    return {"accounts": len(DEMO_ACCOUNTS)}


def _active_user(username: str) -> User:
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise DomainError(f"用户 {username} 不存在或已停用") from None


@transaction.atomic
def token_issue(
    *,
    username: str,
    ttl_days: int | None = None,
    replace: bool = False,
    scopes: tuple[str, ...] = (),
) -> str:
    """Issue a new API key for ``username`` and return it; only its digest is stored, so
    this is the one time anyone sees it. The key expires after ``ttl_days`` (default
    ``settings.API_TOKEN_TTL_DAYS``). ``replace`` revokes the user's other keys. ``scopes``
    (of ``gis_portal.authentication.SCOPES``) are what the key may do beyond the role."""
    user = _active_user(username)
    days = settings.API_TOKEN_TTL_DAYS if ttl_days is None else ttl_days
    if days < 1:
        raise DomainError("令牌有效期应至少为 1 天")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise DomainError(f"未知的令牌范围 {unknown[0][:40]}；可用：{', '.join(SCOPES)}")
    if replace:
        AuthToken.objects.filter(user=user).delete()
    token, key = AuthToken.objects.create(user=user, expiry=timedelta(days=days))
    if scopes:
        ApiKeyScope.objects.create(token=token, scopes=" ".join(sorted(set(scopes))))
    return key


def token_revoke(*, username: str) -> int:
    """Revoke every API key of ``username``; return how many there were."""
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise DomainError(f"用户 {username} 不存在") from None
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
