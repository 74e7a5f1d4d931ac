"""Who may write which layer: roles as data (gis_portal.roles), checked in one place."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from gis_portal.accounts import user_roles
from gis_portal.roles import ROLE_BY_SLUG


def user_may_edit(user, roles: tuple[str, ...]) -> bool:
    """Return True if ``user`` is signed in and holds one of ``roles`` (or is a superuser)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(set(user_roles(user)) & set(roles))


# Who reviews and approves change requests: the administrator role (the bureau's approving
# office).
APPROVER_ROLES = ("administrator",)


def user_may_decide(user) -> bool:
    """Whether ``user`` reviews, approves, rejects and publishes change requests."""
    return user_may_edit(user, APPROVER_ROLES)


def role_names(roles: tuple[str, ...]) -> str:
    return "、".join(ROLE_BY_SLUG[r].group_name for r in roles)


class LayerEditPermission(BasePermission):
    """Signed-in users read; only the view's ``editor_roles`` write. Anonymous gets 403."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        allowed = user_may_edit(request.user, view.editor_roles)
        if not allowed:
            self.message = f"只有{role_names(view.editor_roles)}可以修改此图层"
        return allowed
