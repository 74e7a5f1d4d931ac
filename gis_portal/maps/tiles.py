"""Base-map tiles: rendered by PostGIS from the catalogue, cached in the database.

A tile is rendered for an *audience*: the mappable layers a reader may see and whether
staff fields are carried. The public and staff get different tiles (staff layers and
fields travel only in tiles served to staff), each cached once per audience, so an anonymous
reader is never served a staff tile. One layer's tiles (OGC API – Tiles collections) are
the same rendering restricted to that layer, cached under their own audience.

Staleness: the triggers of migration gis_portal 0006 delete the cached tiles an edit
touches when it commits; the shared advisory lock taken here before rendering is the other
half of that protocol (see the migration's docstring).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from django.db import connection, transaction

from gis_portal.catalogue.registry import CATALOGUE, catalogue_visible, user_is_staff_reader
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.maps.tile_sql import TileQuery, is_mappable, tile_params, tile_sql
from gis_portal.maps.tilegrid import Tile
from gis_portal.maps.watch import tables_of

# The advisory lock key of migrations/gis_portal/0006_basemap_tile_cache.py.
BASEMAP_LOCK = 7_310_014


def basemap_layers(user) -> list[CatalogueLayer]:
    """The mappable layers ``user`` may see, in the catalogue's order (bottom to top)."""
    return [layer for layer in catalogue_visible(user) if is_mappable(layer)]


def audience_of(layers: list[CatalogueLayer], *, staff: bool, sql: str = "") -> str:
    """The cache key of a tile's readers: the layers, staff or not, and a digest of the
    statement that renders it, so tiles cut by an older version of the code (or of the
    catalogue) are never served after an upgrade; they are simply no longer asked for."""
    digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:12]
    return ",".join(layer.key for layer in layers) + ("|staff|" if staff else "|public|") + digest


@lru_cache(maxsize=512)
def _table_locks(keys: tuple[str, ...]) -> str:
    """The LOCK statements a render of these layers takes before the advisory lock.

    Lock order: a writer holding a table exclusively (TRUNCATE, ALTER, a test's flush) takes
    the advisory lock only when it commits. A renderer that took the advisory lock first
    and then waited for that table would deadlock with it. Taking the tables first (in
    ACCESS SHARE mode, which ordinary writes never wait for) makes the renderer wait for such
    a writer before it holds anything the writer needs.
    """
    read = sorted(
        {table for key in keys for table in tables_of(CATALOGUE[key].source.table).values()}
    )
    statements = ["LOCK TABLE gis_portal_basemaptile IN ROW EXCLUSIVE MODE"]
    if read:
        statements.append(f"LOCK TABLE {', '.join(read)} IN ACCESS SHARE MODE")
    return "; ".join(statements)


@lru_cache(maxsize=512)
def _statement(keys: tuple[str, ...], z: int, staff: bool) -> tuple[TileQuery | None, str]:
    """The statement and audience of a tile (built once per process: the catalogue is fixed
    at start-up, so these are too)."""
    layers = [CATALOGUE[key] for key in keys]
    query = tile_sql(layers, z=z, staff=staff)
    return query, audience_of(layers, staff=staff, sql=query.sql if query else "")


def tile_render(layers: list[CatalogueLayer], tile: Tile, *, staff: bool) -> bytes:
    """Return the uncompressed MVT of ``layers`` at ``tile`` straight from PostGIS."""
    query, _ = _statement(tuple(layer.key for layer in layers), tile.z, staff)
    if query is None:
        return b""
    params = tile_params(z=tile.z, x=tile.x, y=tile.y, size_m=tile.size_m, buffer_m=tile.buffer_m)
    with connection.cursor() as cur:
        # JIT compilation and parallel workers cost more than they save on one tile.
        cur.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        cur.execute(query.sql, params)
        (data,) = cur.fetchone()
    return bytes(data or b"")


def _cached(audience: str, tile: Tile) -> bytes | None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT data FROM gis_portal_basemaptile"
            " WHERE audience = %s AND z = %s AND x = %s AND y = %s",
            [audience, tile.z, tile.x, tile.y],
        )
        row = cur.fetchone()
    return None if row is None else bytes(row[0])


def tile_fetch_for(layers: list[CatalogueLayer], tile: Tile, *, staff: bool) -> bytes:
    """Return the gzip-compressed tile of ``layers`` (b"" when empty), cached.

    Level 1 gzip: a dense street-zoom tile shrinks to about a third for ~1 ms.
    """
    keys = tuple(layer.key for layer in layers)
    _, audience = _statement(keys, tile.z, staff)
    kept = _cached(audience, tile)
    if kept is not None:
        return kept
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(_table_locks(keys))
        # Before the render's snapshot: a writer committing now finishes first (and its
        # data is drawn), one committing later waits for this tile to be stored (and
        # deletes it if it touched it).
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", [BASEMAP_LOCK])
        raw = tile_render(layers, tile, staff=staff)
        data = gzip.compress(raw, compresslevel=1) if raw else b""
        xmin, ymin, xmax, ymax = tile.envelope_3857()
        pad = tile.buffer_m
        cur.execute(
            "INSERT INTO gis_portal_basemaptile (audience, z, x, y, data, env_3857)"
            " VALUES (%s, %s, %s, %s, %s, ST_MakeEnvelope(%s, %s, %s, %s, 3857))"
            " ON CONFLICT DO NOTHING",
            [
                audience,
                tile.z,
                tile.x,
                tile.y,
                data,
                xmin - pad,
                ymin - pad,
                xmax + pad,
                ymax + pad,
            ],
        )
    return data


def basemap_tile_fetch(user, tile: Tile) -> bytes:
    """The base-map tile of every mappable layer ``user`` may see (gzip; b"" if empty)."""
    staff = user_is_staff_reader(user)
    return tile_fetch_for(basemap_layers(user), tile, staff=staff)


def layer_tile_fetch(layer: CatalogueLayer, user, tile: Tile) -> bytes:
    """One layer's tile (the caller checked that ``user`` may read it)."""
    return tile_fetch_for([layer], tile, staff=user_is_staff_reader(user))


def basemap_cache_clear() -> int:
    """Delete every cached tile (the cache refills on demand); return how many."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM gis_portal_basemaptile")
        return cur.rowcount
