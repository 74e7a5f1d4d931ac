"""Demo accounts: the published table, their mark, and their refusal outside development.

The development demo seeds one account per role with a password printed in the README.
A database seeded that way may end up under production settings, so wherever
``settings.DEMO_ACCOUNTS`` is false an account is refused — at sign-in (portal and
admin), for API tokens, and reported by a system check — when it carries the demo mark
(the 演示账户 group, set by the demo loader) or still has its published password (an
account seeded before the mark existed).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group, User
from django.core import checks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    area_codes: tuple[str, ...] = ()


# Listed in the README; development settings only.
DEMO_ACCOUNTS = (
    DemoAccount("officer", "officer-demo", "placename_officer"),
    DemoAccount("boundary", "boundary-demo", "boundary_officer"),
    DemoAccount("planner", "planner-demo", "planner"),
    DemoAccount("admin", "admin-demo", "administrator"),
    DemoAccount("officer_xiangyang", "officer-demo", "placename_officer", ("230402",)),
)
DEMO_PASSWORD_BY_USERNAME = {a.username: a.password for a in DEMO_ACCOUNTS}

DEMO_GROUP_NAME = "演示账户"
DEMO_ACCOUNT_REFUSED = (
    "演示账户只用于开发环境，生产环境中不能登录，也不能使用 API 令牌。请使用本局分配的账户。"
)


def demo_account_mark(*, user: User) -> None:
    """Mark ``user`` as a demo account (after its role groups are set, which replace groups)."""
    group, _ = Group.objects.get_or_create(name=DEMO_GROUP_NAME)
    user.groups.add(group)


def demo_accounts_refused() -> bool:
    """Return whether these settings refuse demo accounts (all but development)."""
    return not settings.DEMO_ACCOUNTS


def demo_login_refused(*, username: str | None, password: str | None) -> bool:
    """Return whether a sign-in as ``username`` with ``password`` is refused."""
    if not demo_accounts_refused() or not username:
        return False
    if password is not None and DEMO_PASSWORD_BY_USERNAME.get(username) == password:
        return True
    return User.objects.filter(username=username, groups__name=DEMO_GROUP_NAME).exists()


def demo_user_is(user: User) -> bool:
    """Return whether ``user`` is a demo account: marked, or still on its published password."""
    if user.groups.filter(name=DEMO_GROUP_NAME).exists():
        return True
    published = DEMO_PASSWORD_BY_USERNAME.get(user.username)
    return published is not None and _is_published_password(user.password, published)


@functools.lru_cache(maxsize=64)
def _is_published_password(password_hash: str, published: str) -> bool:
    # A real account that happens to be named "admin" is checked on every API-key request;
    # a slow password hash per request would cost ~0.3 s, so the answer is cached by the
    # stored hash (a changed password is a new hash, hence a new answer).
    return check_password(published, password_hash)


def demo_usernames_present() -> list[str]:
    """Return the usernames of the demo accounts in the database, sorted."""
    marked = set(
        User.objects.filter(groups__name=DEMO_GROUP_NAME).values_list("username", flat=True)
    )
    unmarked = User.objects.filter(username__in=DEMO_PASSWORD_BY_USERNAME).exclude(
        username__in=marked
    )
    return sorted(marked | {u.username for u in unmarked if demo_user_is(u)})


class DemoAccountRefusalBackend:
    """Authentication backend that stops a demo sign-in before any backend accepts it.

    Listed before ModelBackend; raising PermissionDenied ends authenticate() with no user
    (django-axes still counts the failure). It has no ``get_user``, so sessions are never
    bound to it (as to django-axes' backend).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if demo_login_refused(username=username, password=password):
            raise PermissionDenied(DEMO_ACCOUNT_REFUSED)
        return None


class LoginForm(AuthenticationForm):
    """The portal's sign-in form: says why a demo account is refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "demo_account": DEMO_ACCOUNT_REFUSED,
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            if demo_login_refused(
                username=self.cleaned_data.get("username"),
                password=self.cleaned_data.get("password"),
            ):
                raise ValidationError(
                    self.error_messages["demo_account"], code="demo_account"
                ) from exc
            raise


def demo_accounts_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when demo accounts exist under settings that refuse them (needs --database)."""
    if not demo_accounts_refused() or DEFAULT_DB_ALIAS not in (databases or ()):
        return []
    if User._meta.db_table not in connections[DEFAULT_DB_ALIAS].introspection.table_names():
        return []  # not migrated yet: nothing seeded
    usernames = demo_usernames_present()
    if not usernames:
        return []
    return [
        checks.Warning(
            f"数据库中有开发演示账户：{', '.join(usernames)}（密码公开，生产环境拒绝其登录和 API 令牌）。",
            hint="在管理后台「用户」中删除这些账户，为工作人员另建账户。",
            id="gis_portal.W001",
        )
    ]
