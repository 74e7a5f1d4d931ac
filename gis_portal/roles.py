"""The portal's roles, as data: which apps each role may write to.

Every signed-in role may read everything; the public (anonymous) may only read. Groups are
created and their permissions set by ``roles_sync`` (run by the demo loader and by
``manage.py sync_roles`` after migrations add models).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    slug: str
    group_name: str
    writable_apps: tuple[str, ...]
    description: str


ROLES: tuple[Role, ...] = (
    Role(
        "placename_officer",
        "地名管理员",
        ("placenames", "addresses"),
        "编辑地名、街路巷、路牌和门牌",
    ),
    Role(
        "boundary_officer",
        "界线管理员",
        ("boundaries",),
        "编辑行政区域界线、界桩、联检记录和坐标转换参数",
    ),
    Role("planner", "规划人员", ("facilities",), "维护民政设施、规划标准和选址方案"),
    Role(
        "administrator",
        "系统管理员",
        ("placenames", "addresses", "boundaries", "facilities", "gis_portal", "auth"),
        "管理账户和全部数据",
    ),
)

ROLE_BY_SLUG = {r.slug: r for r in ROLES}
WRITE_ACTIONS = ("add", "change", "delete")
