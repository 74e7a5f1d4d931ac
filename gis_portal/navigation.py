"""The portal's top navigation: what each visitor sees, by sign-in and role.

A citizen sees the public pages only; staff see the pages their role opens (a link to a
page that would answer 403 is not shown). Role slugs are those of ``gis_portal.roles``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from gis_portal.accounts import user_roles

PUBLIC = "public"
SIGNED_IN = "signed_in"
ADMIN_SITE = "admin_site"


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    # PUBLIC, SIGNED_IN, ADMIN_SITE (Django's is_staff) or a tuple of role slugs.
    audience: str | tuple[str, ...]
    # Shown on the touch-screen kiosk (public lookup pages only: it cannot print or sign in).
    kiosk: bool = False

    @property
    def staff(self) -> bool:
        return self.audience != PUBLIC


NAV_LINKS: tuple[NavLink, ...] = (
    NavLink("公众地图", "/", PUBLIC, kiosk=True),
    NavLink("地名查询", "/placenames/", PUBLIC, kiosk=True),
    NavLink("门牌地址", "/addresses/", PUBLIC, kiosk=True),
    NavLink("打印地图", "/maps/print/", PUBLIC),
    NavLink("界线管理", "/boundaries/", SIGNED_IN),
    NavLink("地图编辑", "/editor/", SIGNED_IN),
    NavLink("变更审批", "/editor/requests/", SIGNED_IN),
    NavLink("设施规划", "/facilities/", ("planner", "administrator")),
    NavLink("接口文档", "/api/docs/", SIGNED_IN),
    NavLink("管理", "/admin/", ADMIN_SITE),
)


def nav_links_for(user) -> list[NavLink]:
    """Return the links ``user`` (anonymous or signed in) sees, in order."""
    signed_in = bool(user and user.is_authenticated and user.is_active)
    roles = set(user_roles(user)) if signed_in else set()
    superuser = signed_in and user.is_superuser

    def shown(link: NavLink) -> bool:
        if link.audience == PUBLIC:
            return True
        if not signed_in:
            return False
        if link.audience == SIGNED_IN or superuser:
            return True
        if link.audience == ADMIN_SITE:
            return bool(user.is_staff)
        return bool(roles & set(link.audience))

    return [link for link in NAV_LINKS if shown(link)]


def kiosk_links() -> list[NavLink]:
    """Return the links of the touch-screen kiosk: public lookup pages, no staff, no sign-in."""
    return [link for link in NAV_LINKS if link.kiosk]


def navigation_context(request: HttpRequest) -> dict:
    """Template context processor: ``nav_links`` for the base template's header.

    ``?kiosk=1`` asks for the kiosk layout whatever the screen (the kiosk's start URL), so
    the header then holds only the kiosk's links; the layout script (static/portal/
    layout.js) also picks the kiosk layout by the screen's shape, and hides staff links.
    """
    forced = kiosk_forced(request)
    links = kiosk_links() if forced else nav_links_for(getattr(request, "user", None))
    return {
        "nav_links": links,
        "kiosk_forced": forced,
        "kiosk_idle_s": settings.KIOSK_IDLE_RESET_S,
    }


def kiosk_forced(request: HttpRequest) -> bool:
    """Return whether the page was asked for in the kiosk layout (``?kiosk=1``)."""
    return request.GET.get("kiosk") == "1"
