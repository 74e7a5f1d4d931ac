"""Who follows whom after a division adjustment, and the apps that re-file their records.

Place names (placenames) and facilities (facilities) point at administrative areas. When an
adjustment ends a unit, each app moves its own records to the unit's successor: the
boundaries app cannot import facilities (the reference apps never do), so each app declares
a handler in its own ``area_successors.py``, discovered at start-up as ``admin.py`` is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Succession:
    """Ended area id → the ids of the areas that follow it (one: all records move there;
    several: each record goes to the one covering its position)."""

    successors: dict[int, tuple[int, ...]]

    def single(self) -> dict[int, int]:
        return {old: new[0] for old, new in self.successors.items() if len(new) == 1}

    def divided(self) -> dict[int, tuple[int, ...]]:
        return {old: new for old, new in self.successors.items() if len(new) > 1}


# handler(succession=) → {label: records moved}; raises AdjustmentRefused naming a record
# it cannot place.
Handler = Callable[..., dict[str, int]]
_HANDLERS: list[Handler] = []


def successor_handler_register(handler: Handler) -> Handler:
    """Declare an app's re-filing of its records (its ``area_successors.py`` calls this)."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)
    return handler


def successor_handlers() -> list[Handler]:
    autodiscover_modules("area_successors")
    return list(_HANDLERS)


# SQL every handler uses for a divided unit: the successor covering the record's point, else
# the nearest one (a point a metre outside after a redrawn line still belongs somewhere).
SUCCESSOR_BY_POSITION_SQL = """
    (SELECT a.id FROM boundaries_administrativearea a
     WHERE a.id = ANY(%(new_ids)s)
     ORDER BY ST_Distance(a.geom_4490, {point}) LIMIT 1)
"""
