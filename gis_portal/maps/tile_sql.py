"""The SQL of one base-map tile, built from the catalogue's declarations (pure: strings only).

One statement renders every mappable layer a reader may see into one Mapbox vector tile:
per layer, its rows in force (the layer's ``where``/``current``), found by the index-using
bbox test on the tile's buffered envelope, clipped, transformed to Web Mercator,
simplified below the layer's ``simplify_below_zoom`` and encoded by ``ST_AsMVT``; the
per-layer tiles are concatenated (an MVT is a sequence of layers, so ``||`` of two tiles is
one tile holding both). An area layer (``Style.symbol == "fill"`` with a label field)
also gets a ``<key>-labels`` layer of one label point per area (``ST_PointOnSurface``), so
an area is labelled once, at a point inside it, at every zoom, rather than once per tile
fragment.

Nothing here names a layer: a new mappable layer is one ``CatalogueLayer`` with a
``TileSpec``. Every piece of SQL is a constant of the code; the tile address and the two
metre tolerances travel as parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.catalogue.sql import label_sql, rows_where
from gis_portal.maps.tilegrid import TILE_BUFFER, TILE_EXTENT

LABEL_LAYER_SUFFIX = "-labels"
# Tolerance of the simplification below a layer's ``simplify_below_zoom``, in pixels of a
# 256-pixel tile (what the eye can tell apart); the SQL gets it in metres.
SIMPLIFY_PX = 0.5
# Below THIN_BELOW_ZOOM, a point or line layer keeps one feature per THIN_CELL_PX square of a
# 256-px tile (thousands of place-name dots and short lines at level 10 are one grey smear,
# and 180 KB a tile); from that level on every feature is sent and the client's label
# collision decides which labels show.
THIN_BELOW_ZOOM = 14
THIN_CELL_PX = 12

ENVELOPE_CTE = (
    "WITH e AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env), "
    "b AS (SELECT e.env, ST_Expand(e.env, %(buffer_m)s) AS benv, "
    "ST_Transform(ST_Expand(e.env, %(buffer_m)s), 4490) AS benv_4490 FROM e)"
)


def is_mappable(layer: CatalogueLayer) -> bool:
    """Whether the layer is drawn on the base map (it declares a TileSpec)."""
    return layer.tiles is not None


def layer_in_zoom(layer: CatalogueLayer, z: int) -> bool:
    return layer.tiles is not None and layer.tiles.min_zoom <= z <= layer.tiles.max_zoom


def tile_fields(layer: CatalogueLayer, *, staff: bool) -> tuple[Field, ...]:
    """The fields a tile feature carries: the TileSpec's properties and those the style
    labels or classes by, less the staff-only ones for the public."""
    assert layer.tiles is not None
    names: list[str] = list(layer.tiles.properties)
    if layer.style is not None:
        for name in (layer.style.label_field, layer.style.pinyin_field, layer.style.class_field):
            if name is not None and name not in names:
                names.append(name)
    fields = tuple(layer.field(n) for n in names)
    return fields if staff else tuple(f for f in fields if not f.staff_only)


def _value_sql(layer: CatalogueLayer, field: Field) -> str:
    # The style matches classes on their stored codes; everything else is sent as people
    # read it (a choice's label), which is also what a GIS client shows.
    if layer.style is not None and field.name == layer.style.class_field:
        return f"({field.sql})::text"
    return label_sql(field)


def _bbox_test(layer: CatalogueLayer) -> str:
    if layer.source.geometry_3857:
        return f"{layer.source.geometry_3857} && b.benv"
    columns = layer.source.bbox_columns or (layer.source.geometry_4490,)
    tests = [f"{c} && b.benv_4490" for c in columns]
    return tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"


def _geometry_3857(layer: CatalogueLayer, g: str, *, simplify: bool) -> str:
    """The Web Mercator geometry of ``g`` (the layer's stored geometry, selected as is)."""
    if layer.source.geometry_3857:
        return g
    if layer.geometry_type == "Point":
        return f"ST_Transform({g}, 3857)"
    # Clipped in EPSG:4490 before the transformation: at street zoom a district's outline
    # has thousands of vertices outside the tile that need not be transformed.
    geom = f"ST_Transform(ST_ClipByBox2D({g}, b.benv_4490), 3857)"
    return f"ST_Simplify({geom}, %(simplify_m)s, true)" if simplify else geom


def _columns(layer: CatalogueLayer, fields: tuple[Field, ...]) -> str:
    return "".join(f', {_value_sql(layer, f)} AS "{f.name}"' for f in fields)


def _mvt(name: str, select: str) -> str:
    return (
        f"(SELECT coalesce(ST_AsMVT(q, '{name}', {TILE_EXTENT}, 'geom', 'fid'), ''::bytea) "
        f"FROM ({select}) q WHERE q.geom IS NOT NULL)"
    )


def _thinning(layer: CatalogueLayer) -> tuple[str, str]:
    """(DISTINCT ON keys, ORDER BY) keeping one point or line per cell of the tile; every
    polygon is its own cell. Cells are found from the stored box's centre (read from the
    geometry's header: no big polygon is decoded), in metres for a Web Mercator column,
    else in degrees (``cell_lon``/``cell_lat`` are the cell's size at the tile's latitude)."""
    g = layer.source.geometry_3857 or layer.source.geometry_4490
    polygon = f"(GeometryType({g}) LIKE '%%POLYGON')"
    if layer.source.geometry_3857:
        cx, cy = (
            f"floor((ST_XMin({g}) + ST_XMax({g})) / 2 / %(cell_m)s)",
            f"floor((ST_YMin({g}) + ST_YMax({g})) / 2 / %(cell_m)s)",
        )
    else:
        cx, cy = (
            f"floor((ST_XMin({g}) + ST_XMax({g})) / 2 / %(cell_lon)s)",
            f"floor((ST_YMin({g}) + ST_YMax({g})) / 2 / %(cell_lat)s)",
        )
    keys = (
        f"{polygon}, CASE WHEN {polygon} THEN {layer.source.id} ELSE {cx} END, "
        f"CASE WHEN {polygon} THEN 0 ELSE {cy} END"
    )
    return f"DISTINCT ON ({keys}) ", f" ORDER BY {keys}, {layer.source.id}"


def layer_tile_sql(layer: CatalogueLayer, *, z: int, staff: bool) -> list[str]:
    """The ``ST_AsMVT`` expressions of one layer at level ``z`` (its features and, for an
    area layer, its label points)."""
    assert layer.tiles is not None
    fields = tile_fields(layer, staff=staff)
    simplify = layer.tiles.simplify_below_zoom is not None and z < layer.tiles.simplify_below_zoom
    where = rows_where(layer, _bbox_test(layer))
    table = f"{layer.source.table} CROSS JOIN b"
    thin = z < THIN_BELOW_ZOOM and layer.geometry_type in ("Point", "LineString", "Geometry")
    distinct, order = _thinning(layer) if thin else ("", "")
    stored = layer.source.geometry_3857 or layer.source.geometry_4490
    # The rows first (thinned on their stored boxes), then only those kept are transformed.
    rows = (
        f"SELECT {distinct}{stored} AS g, {layer.source.id} AS fid{_columns(layer, fields)} "
        f"FROM {table} {where}{order}"
    )
    mvt_geom = (
        f"ST_AsMVTGeom({_geometry_3857(layer, 'r.g', simplify=simplify)}, b.env, "
        f"{TILE_EXTENT}, {TILE_BUFFER}, true)"
    )
    kept = "".join(f', r."{f.name}"' for f in fields)
    parts = [
        _mvt(layer.key, f"SELECT {mvt_geom} AS geom, r.fid{kept} FROM ({rows}) r CROSS JOIN b")
    ]
    style = layer.style
    if style is not None and style.symbol == "fill" and style.label_field is not None:
        # One point per area, inside it; kept by the tile whose (buffered) envelope holds it.
        inner = (
            f"SELECT ST_PointOnSurface({layer.source.geometry_4490}) AS p, "
            f"{layer.source.id} AS fid{_columns(layer, fields)} FROM {table} {where}"
        )
        label_columns = "".join(f', l."{f.name}"' for f in fields)
        parts.append(
            _mvt(
                layer.key + LABEL_LAYER_SUFFIX,
                f"SELECT ST_AsMVTGeom(ST_Transform(l.p, 3857), b.env, {TILE_EXTENT}, "
                f"{TILE_BUFFER}, true) AS geom, l.fid{label_columns} "
                f"FROM ({inner}) l CROSS JOIN b WHERE l.p && b.benv_4490",
            )
        )
    return parts


@dataclass(frozen=True)
class TileQuery:
    sql: str
    layer_keys: tuple[str, ...]


def tile_sql(layers: list[CatalogueLayer], *, z: int, staff: bool) -> TileQuery | None:
    """The one statement rendering level-``z`` tiles of ``layers`` (None: nothing at ``z``).

    Parameters: ``z``, ``x``, ``y``, ``buffer_m`` and ``simplify_m`` (see ``tile_params``).
    """
    shown = [layer for layer in layers if is_mappable(layer) and layer_in_zoom(layer, z)]
    if not shown:
        return None
    parts = [part for layer in shown for part in layer_tile_sql(layer, z=z, staff=staff)]
    sql = f"{ENVELOPE_CTE} SELECT " + " || ".join(parts)
    return TileQuery(sql=sql, layer_keys=tuple(layer.key for layer in shown))


def tile_params(*, z: int, x: int, y: int, size_m: float, buffer_m: float) -> dict:
    """The statement's parameters for tile z/x/y (``size_m``: its width in Web Mercator m)."""
    n = 2**z
    lat_centre = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n))))
    cell_lon = 360.0 / n / 256 * THIN_CELL_PX
    return {
        "z": z,
        "x": x,
        "y": y,
        "buffer_m": buffer_m,
        "simplify_m": size_m / 256 * SIMPLIFY_PX,
        "cell_m": size_m / 256 * THIN_CELL_PX,
        "cell_lon": cell_lon,
        "cell_lat": cell_lon * math.cos(math.radians(lat_centre)),
    }
