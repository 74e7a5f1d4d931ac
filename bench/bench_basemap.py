"""maps.basemap_tile_cold_p95_ms, maps.basemap_tile_warm_p95_ms: the base map's vector tiles.

A sample of tiles of levels 10–17 over the six urban districts (向阳, 工农, 南山, 兴安, 东山,
兴山; the same number of tiles per level, drawn with a fixed seed from the tiles covering
their box), every public mappable layer in each tile, fetched as an anonymous reader by the
tile service (gis_portal.maps.tiles.basemap_tile_fetch, what the view returns, gzip):

- cold: the tile cache emptied first, so each tile is rendered by PostGIS (one ST_AsMVT
  statement of every layer), compressed and stored;
- warm: the same tiles again, served from the cache;
- warm_http: the same, through the whole Django stack (GET /maps/tiles/z/x/y.pbf with the
  middleware: sessions, CSP, access log …), to show what the stack adds.

Baseline, in the same run: the same features as GeoJSON, the way a page would fetch them
without tiles — the catalogue's items query (layer_features_geojson, up to 10,000 features)
per layer drawn at that level, for the tile's box; the figure is the sum per tile.
"""

from __future__ import annotations

import math
import random

from django.db import connection
from django.test import Client

from bench.harness import SMOKE, Result, latency_p95, percentile, sized, time_each_ms
from gis_portal.catalogue.selectors import layer_features_geojson
from gis_portal.demo import demo_load
from gis_portal.maps.tile_sql import layer_in_zoom
from gis_portal.maps.tilegrid import MAX_LAT, Tile, tiles_covering
from gis_portal.maps.tiles import basemap_cache_clear, basemap_layers, basemap_tile_fetch

URBAN_CODES = ("230402", "230403", "230404", "230405", "230406", "230407")
ZOOMS = range(10, 18)


def _urban_box() -> tuple[float, float, float, float]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT"
            " ST_Extent(geom_4490) AS e FROM boundaries_administrativearea"
            " WHERE code = ANY(%s) AND level = 'county' AND valid_to IS NULL) s",
            [list(URBAN_CODES)],
        )
        return cur.fetchone()


def _sample(per_zoom: int) -> list[Tile]:
    box = _urban_box()
    rng = random.Random(20261203)
    tiles = []
    for z in ZOOMS:
        covering = tiles_covering(box, z)
        tiles += rng.sample(covering, min(per_zoom, len(covering)))
    return tiles


def _lonlat_box(tile: Tile) -> str:
    n = 2**tile.z

    def lat(y: int) -> float:
        return max(
            min(math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n)))), MAX_LAT), -MAX_LAT
        )

    west, east = tile.x / n * 360 - 180, (tile.x + 1) / n * 360 - 180
    return f"{west:.6f},{lat(tile.y + 1):.6f},{east:.6f},{lat(tile.y):.6f}"


def run() -> list[Result]:
    demo_load(only=["areas"] if SMOKE else ["areas", "placenames", "addresses", "facilities"])
    # As a browser asks: tiles are stored and sent gzip-compressed.
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
    tiles = _sample(sized(25, 2))
    layers = basemap_layers(None)

    def tile_get(tile: Tile) -> None:
        response = client.get(f"/maps/tiles/{tile.z}/{tile.x}/{tile.y}.pbf")
        assert response.status_code == 200, response.content[:200]

    def tile_fetch(tile: Tile) -> None:
        basemap_tile_fetch(None, tile)

    def geojson_get(tile: Tile) -> None:
        bbox = tuple(float(v) for v in _lonlat_box(tile).split(","))
        for layer in layers:
            if layer_in_zoom(layer, tile.z):
                layer_features_geojson(layer, user=None, bbox_4490=bbox, limit=10_000)

    # Connection, PROJ and the catalogue's first queries warm up outside the timings.
    tile_get(tiles[-1])
    geojson_get(tiles[-1])
    basemap_cache_clear()
    cold = time_each_ms(tile_fetch, tiles)
    warm = time_each_ms(tile_fetch, tiles)
    warm_http = time_each_ms(tile_get, tiles)
    naive = time_each_ms(geojson_get, tiles)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), coalesce(sum(length(data)), 0) FROM gis_portal_basemaptile")
        stored, size = cur.fetchone()
    naive_p95 = round(percentile(naive, 95), 1)
    note = (
        f"{len(tiles)} tiles z{ZOOMS[0]}–z{ZOOMS[-1]} over the urban districts, {stored} stored "
        f"({size / max(stored, 1) / 1024:.1f} KB gzip on average); baseline: GeoJSON of the "
        f"same features per layer (p95 {naive_p95} ms)"
    )
    return [
        latency_p95("maps.basemap_tile_cold_p95_ms", cold, naive, digits=1, note=note),
        latency_p95(
            "maps.basemap_tile_warm_p95_ms",
            warm,
            naive,
            baseline_digits=1,
            note=note + f"; cold p50 {percentile(cold, 50):.1f} ms",
        ),
        latency_p95(
            "maps.basemap_tile_warm_http_p95_ms",
            warm_http,
            naive,
            baseline_digits=1,
            note=note + "; through the Django stack",
        ),
    ]
