"""Which tables a base-map tile is made from, and what an edit of each makes stale (pure).

A cached tile is stale when a row it was drawn from changes. Each tiled layer's main table
(alias ``t``) is watched by its geometry columns: an edit makes stale the tiles touching
the old and the new geometry's box, nothing else. A joined table whose columns a tile
carries (a place name's category class, a facility's programme) has no place of its own
on the map: an edit of it makes every tile stale. A joined table a tile takes nothing from
(a door plate's street) is not watched for that layer. The migration that installs the
triggers lists the result (migrations/gis_portal/0006_basemap_tile_cache.py) and a test
checks that the database's triggers match this for the catalogue as registered, so a new
layer without its triggers fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.maps.tile_sql import is_mappable, tile_fields

_FROM_ITEM = re.compile(r"(?:^|\bJOIN)\s*([a-z_][a-z0-9_]*)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COLUMN_OF_T = re.compile(r"\bt\.([a-z_][a-z0-9_]*)")
WHOLE = ()  # "any edit makes every tile stale"


def tables_of(source_table: str) -> dict[str, str]:
    """{alias: table} of a Source's FROM clause (``addresses_doorplate t JOIN …``)."""
    return {alias: table for table, alias in _FROM_ITEM.findall(source_table)}


def watched_tables(layers: Iterable[CatalogueLayer]) -> dict[str, tuple[str, ...]]:
    """{table: geometry columns} to watch; ``WHOLE`` (empty) for a table watched whole."""
    watched: dict[str, tuple[str, ...]] = {}

    def note(table: str, columns: tuple[str, ...]) -> None:
        if table in watched and (watched[table] == WHOLE or columns == WHOLE):
            watched[table] = WHOLE
        else:
            watched[table] = tuple(sorted(set(watched.get(table, ())) | set(columns)))

    for layer in layers:
        if not is_mappable(layer):
            continue
        aliases = tables_of(layer.source.table)
        geometry = " ".join(layer.source.bbox_columns or (layer.source.geometry_4490,))
        note(aliases["t"], tuple(_COLUMN_OF_T.findall(geometry)) or WHOLE)
        used = " ".join(f.sql for f in tile_fields(layer, staff=True))
        for alias, table in aliases.items():
            if alias != "t" and re.search(rf"\b{alias}\.", used):
                note(table, WHOLE)
    return watched
