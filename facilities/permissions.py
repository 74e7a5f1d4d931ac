"""Who may plan: the planner (规划人员) and administrator roles, checked in one place.

Planning — the planner page, siting runs and scenarios — needs one of ``PLANNER_ROLES``.
Programme standards are edited in the admin, where only these roles hold the facilities
app's change permissions (``gis_portal.roles``). Coverage figures stay readable by every
signed-in user (the coverage report downloads) and the coverage, plan-target and registry
API stays public: they are the published picture of service coverage, not planning work
in progress.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from rest_framework.permissions import BasePermission

from gis_portal.accounts import user_roles
from gis_portal.roles import ROLE_BY_SLUG

PLANNER_ROLES = ("planner", "administrator")
NOT_A_PLANNER = "只有{}可以使用设施规划（选址计算和方案比较）".format(
    "或".join(ROLE_BY_SLUG[r].group_name for r in PLANNER_ROLES)
)


def user_is_planner(user) -> bool:
    """Return True if ``user`` is signed in and holds a planner role (or is a superuser)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(set(user_roles(user)) & set(PLANNER_ROLES))


class IsPlanner(BasePermission):
    """API: planners only; anonymous and other roles get 403 with a Chinese message."""

    message = NOT_A_PLANNER

    def has_permission(self, request, view) -> bool:
        return user_is_planner(request.user)


def planner_required(view):
    """Page: anonymous → the login page; signed in without the role → 403 in Chinese."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_planner(request.user):
            return render(
                request, "facilities/forbidden.html", {"message": NOT_A_PLANNER}, status=403
            )
        return view(request, *args, **kwargs)

    return wrapped
