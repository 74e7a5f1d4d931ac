"""Facilities and demand units follow the units of a division adjustment
(boundaries.successors): each area column moves to the successor, or for a divided unit
to the successor covering the record's position."""

from __future__ import annotations

from django.db import connection

from boundaries.successors import SUCCESSOR_BY_POSITION_SQL, Succession, successor_handler_register

# table → (position column, area columns)
_COLUMNS = {
    "facilities_facility": ("设施所属区域", "position_4490", ("county_id", "community_id")),
    "facilities_demandunit": (
        "需求单元所属区域",
        "position_4490",
        ("county_id", "township_id", "community_id"),
    ),
}


@successor_handler_register
def facilities_follow(*, succession: Succession) -> dict[str, int]:
    """Return, per record kind, how many area columns were moved."""
    moved: dict[str, int] = {}
    with connection.cursor() as cur:
        for table, (label, position, columns) in _COLUMNS.items():
            moved[label] = 0
            for column in columns:
                for old, new in succession.single().items():
                    cur.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {column} = %s",  # noqa: S608
                        [new, old],
                    )
                    moved[label] += cur.rowcount
                for old, new_ids in succession.divided().items():
                    pick = SUCCESSOR_BY_POSITION_SQL.format(point=f"p.{position}")
                    cur.execute(
                        f"UPDATE {table} p SET {column} = {pick}"  # noqa: S608
                        f" WHERE p.{column} = %(old)s",
                        {"new_ids": list(new_ids), "old": old},
                    )
                    moved[label] += cur.rowcount
    return moved
