"""Place names follow the units of a division adjustment (boundaries.successors)."""

from __future__ import annotations

from django.db import connection

from boundaries.successors import SUCCESSOR_BY_POSITION_SQL, Succession, successor_handler_register
from gis_portal.editing.errors import InvalidEdit

_POINT = "COALESCE(p.point_4490, ST_PointOnSurface(p.geom_4490))"


@successor_handler_register
def place_names_follow(*, succession: Succession) -> dict[str, int]:
    """File each place name of an ended unit under its successor: the one successor, or for
    a divided unit the one covering its representative point (a name without a position
    cannot be placed and refuses the adjustment, naming it)."""
    moved = 0
    with connection.cursor() as cur:
        for old, new in succession.single().items():
            cur.execute(
                "UPDATE placenames_placename SET division_id = %s WHERE division_id = %s",
                [new, old],
            )
            moved += cur.rowcount
            cur.execute(
                "UPDATE placenames_placename_other_divisions SET administrativearea_id = %s"
                " WHERE administrativearea_id = %s AND placename_id NOT IN (SELECT placename_id"
                " FROM placenames_placename_other_divisions WHERE administrativearea_id = %s)",
                [new, old, new],
            )
            cur.execute(
                "DELETE FROM placenames_placename_other_divisions WHERE administrativearea_id = %s",
                [old],
            )
        for old, new_ids in succession.divided().items():
            cur.execute(
                "SELECT standard_name FROM placenames_placename"
                " WHERE division_id = %s AND point_4490 IS NULL AND geom_4490 IS NULL LIMIT 5",
                [old],
            )
            unplaced = [r[0] for r in cur.fetchall()]
            if unplaced:
                raise InvalidEdit(
                    "units",
                    f"地名 {'、'.join(unplaced)} 没有位置，无法确定划入哪个新单位：请先补充位置",
                )
            pick = SUCCESSOR_BY_POSITION_SQL.format(point=_POINT)
            cur.execute(
                f"UPDATE placenames_placename p SET division_id = {pick}"  # noqa: S608
                " WHERE p.division_id = %(old)s",
                {"new_ids": list(new_ids), "old": old},
            )
            moved += cur.rowcount
    return {"地名": moved}
