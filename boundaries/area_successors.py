"""The boundaries app's own records that follow an adjusted unit: child areas and lines."""

from __future__ import annotations

from django.db import connection

from boundaries.successors import SUCCESSOR_BY_POSITION_SQL, Succession, successor_handler_register


@successor_handler_register
def boundary_lines_follow(*, succession: Succession) -> dict[str, int]:
    """Point the lines of a unit with one successor at it (a divided unit's lines are
    re-surveyed: they stay with the ended unit as the record of the old line)."""
    moved = 0
    with connection.cursor() as cur:
        for old, new in succession.single().items():
            for column in ("area_a_id", "area_b_id"):
                cur.execute(
                    f"UPDATE boundaries_boundaryline SET {column} = %s WHERE {column} = %s",  # noqa: S608
                    [new, old],
                )
                moved += cur.rowcount
            cur.execute(
                "UPDATE boundaries_lineparty SET area_id = %s WHERE area_id = %s", [new, old]
            )
    return {"界线": moved}


@successor_handler_register
def child_areas_follow(*, succession: Succession) -> dict[str, int]:
    """Move the current children of an ended unit to its successor (by position if divided).

    A divided unit's children without a polygon are moved by the plan (``villages``)
    before the handlers run; here only those with a polygon are placed.
    """
    moved = 0
    with connection.cursor() as cur:
        for old, new in succession.single().items():
            cur.execute(
                "UPDATE boundaries_administrativearea SET parent_id = %s"
                " WHERE parent_id = %s AND valid_to IS NULL",
                [new, old],
            )
            moved += cur.rowcount
        for old, new_ids in succession.divided().items():
            pick = SUCCESSOR_BY_POSITION_SQL.format(point="ST_PointOnSurface(c.geom_4490)")
            cur.execute(
                f"UPDATE boundaries_administrativearea c SET parent_id = {pick}"  # noqa: S608
                " WHERE c.parent_id = %(old)s AND c.valid_to IS NULL AND c.geom_4490 IS NOT NULL",
                {"new_ids": list(new_ids), "old": old},
            )
            moved += cur.rowcount
    return {"下级区域": moved}
