"""The districts (county-level areas) the editor offers an officer, and the one it opens on.

The editor loads one county at a time (place names, streets, plates … by county). An
officer whose edit scope is the whole city may pick any county; one held to areas picks
among the counties of those areas (a township's or a village's county). ``?county=`` asks
for one of them; anything else is refused with a Chinese message naming the value, and
the editor opens on the default instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from gis_portal.areas import COUNTY_LEVEL, current_areas
from gis_portal.editing.scope import scope_area_ids

# A city-wide officer opens on the central urban district (工农区, where the bureau sits).
DEFAULT_EDITOR_COUNTY = "230403"
CITY_LEVEL = "city"


@dataclass(frozen=True)
class District:
    code: str
    name: str


@dataclass(frozen=True)
class DistrictChoice:
    districts: list[District]
    county: str  # the code the editor opens on
    refusal: str = ""  # why the asked-for county was not opened ("" = none asked or opened)


def editor_districts(user: User) -> list[District]:
    """Return the current counties ``user`` may edit in, in code order."""
    counties = current_areas().filter(level=COUNTY_LEVEL)
    ids = scope_area_ids(user)
    if ids is not None:
        scope = current_areas().filter(pk__in=ids)
        if not scope.filter(level=CITY_LEVEL).exists():
            county_ids: set[int] = set()
            for pk, parent, grandparent in scope.values_list(
                "pk", "parent_id", "parent__parent_id"
            ):
                # The area itself, its parent or its grandparent is the county.
                county_ids.update(x for x in (pk, parent, grandparent) if x is not None)
            counties = counties.filter(pk__in=county_ids)
    return [
        District(code, name) for code, name in counties.order_by("code").values_list("code", "name")
    ]


def editor_district_choice(user: User, asked: str | None) -> DistrictChoice:
    """Return the districts offered to ``user`` and the one to open (``asked`` if allowed)."""
    districts = editor_districts(user)
    codes = [d.code for d in districts]
    default = DEFAULT_EDITOR_COUNTY if DEFAULT_EDITOR_COUNTY in codes else (codes or [""])[0]
    if not asked:
        return DistrictChoice(districts, default)
    shown = asked[:20]
    if asked in codes:
        return DistrictChoice(districts, asked)
    if not asked.isdigit() or len(asked) != 6:
        refusal = f"区县代码“{shown}”无效：应为 6 位县级区划代码，如 230403"
    elif not current_areas().filter(level=COUNTY_LEVEL, code=asked).exists():
        refusal = f"没有代码为 {shown} 的县级行政区"
    else:
        allowed = "、".join(d.name for d in districts) or "无"
        refusal = f"区县 {shown} 不在您的编辑范围内（可编辑：{allowed}）"
    opened = next((d.name for d in districts if d.code == default), "")
    return DistrictChoice(districts, default, f"{refusal}，已打开{opened}")
