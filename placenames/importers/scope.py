"""The officer's edit scope (编辑范围) as the census import checks it, without the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Division:
    """An administrative division as the import's vocabulary knows it (code → name, level)."""

    code: str
    name: str
    level: str
    parent_code: str


@dataclass
class EditScope:
    """The areas an officer may edit (编辑范围), for checking rows without the database.

    A row is inside when its division is one of the areas or lies under one (a township
    of a scope county), and its geometry is covered by one of the areas' outlines — the
    editor's rule (``gis_portal.accounts.edit_scope_check``: areas without an outline do
    not restrict the geometry).
    """

    area_codes: frozenset[str]
    names: str  # the areas' names, for the refusal: 向阳区
    outlines_4490: list[BaseGeometry] = field(default_factory=list)

    def __post_init__(self) -> None:
        for outline in self.outlines_4490:
            shapely.prepare(outline)

    def holds_division(self, code: str, divisions: Mapping[str, Division]) -> bool:
        seen = set()
        while code and code not in seen:
            if code in self.area_codes:
                return True
            seen.add(code)
            division = divisions.get(code)
            code = division.parent_code if division else ""
        return False

    def covers(self, geom: BaseGeometry) -> bool:
        return not self.outlines_4490 or any(o.covers(geom) for o in self.outlines_4490)


def division_label(code: str, divisions: Mapping[str, Division]) -> str:
    """Return a division named from its county down, with its code: 工农区红军街道（230403001）."""
    names, current = [], divisions.get(code)
    while current is not None and current.level != "city":
        names.insert(0, current.name)
        if current.level == "county":
            break
        current = divisions.get(current.parent_code)
    return f"{''.join(names) or code}（{code}）"


def scope_problems(
    scope: EditScope,
    divisions: Mapping[str, Division],
    *,
    division_code: str,
    geometry: BaseGeometry | None,
    what: str = "",
) -> list[tuple[str, str]]:
    """Return (column, reason) for a division or geometry outside the officer's scope."""
    problems = []
    if not scope.holds_division(division_code, divisions):
        problems.append(
            (
                "所在(跨)行政区",
                f"{what}{division_label(division_code, divisions)}不在您的编辑范围"
                f"（{scope.names}）内，此行不导入",
            )
        )
    elif geometry is not None and not scope.covers(geometry):
        problems.append(("几何", f"{what}位置不在您的编辑范围（{scope.names}）内，此行不导入"))
    return problems
