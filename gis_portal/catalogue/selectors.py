"""Reads of the catalogue: what a caller may see of each layer, and a layer's features.

``layer_description`` is what the layer list API, the map legends and the OGC collections
read; ``layer_features_geojson`` the one items query (GeoJSON built by PostGIS, one
statement, the index-using bbox test) that the OGC API, exports and pages page through.
"""

from __future__ import annotations

from django.db import connection

from gis_portal.catalogue.registry import catalogue_visible, user_is_staff_reader
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.catalogue.sql import bbox_condition, feature_sql, rows_where
from gis_portal.errors import InvalidParameter

MAX_PAGE = 10_000


def _extent_4490(layer: CatalogueLayer) -> list[float] | None:
    geom = layer.source.geometry_4490
    sql = (
        f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "  # noqa: S608 — code only
        f"FROM (SELECT ST_Extent({geom}) AS e FROM {layer.source.table} {rows_where(layer)}) x"
    )
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return None if row is None or row[0] is None else [round(v, 6) for v in row]


def layer_description(layer: CatalogueLayer, *, user, extent: bool = False) -> dict:
    """What ``user`` may know of ``layer``: label, geometry, fields with labels, map hints."""
    staff = user_is_staff_reader(user)
    fields = layer.fields_for(staff=staff)
    description: dict = {
        "key": layer.key,
        "label": layer.label,
        "description": layer.description,
        "geometry_type": layer.geometry_type,
        "public": layer.is_public,
        "editable": layer.edit is not None and layer.edit.in_editor and staff,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                **({"choices": dict(f.choices)} if f.choices else {}),
            }
            for f in fields
        ],
        "datetime_field": layer.datetime_field,
        "tiles": None
        if layer.tiles is None
        else {"min_zoom": layer.tiles.min_zoom, "max_zoom": layer.tiles.max_zoom},
        "style": None
        if layer.style is None
        else {
            "symbol": layer.style.symbol,
            "colour": layer.style.colour,
            "legend": layer.style.legend or layer.label,
            "label_field": layer.style.label_field,
            "class_field": layer.style.class_field,
            "class_colours": dict(layer.style.class_colours),
        },
    }
    if extent:
        description["extent_4490"] = _extent_4490(layer)
    return description


def catalogue_description(user) -> list[dict]:
    return [layer_description(layer, user=user) for layer in catalogue_visible(user)]


def layer_features_geojson(
    layer: CatalogueLayer,
    *,
    user,
    bbox_4490: tuple[float, float, float, float] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[str, int]:
    """Return (FeatureCollection text, number of features matched) of one page.

    Staff see every field, the public the public ones, choice codes as their labels. The
    caller has already checked that ``user`` may read ``layer`` (``catalogue_layer_for``).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidParameter("limit", f"应在 1–{MAX_PAGE} 之间")
    if offset < 0:
        raise InvalidParameter("offset", "不能为负数")
    fields = layer.fields_for(staff=user_is_staff_reader(user))
    params: list = []
    conditions = []
    if bbox_4490 is not None:
        condition, times = bbox_condition(layer)
        conditions.append(condition)
        params.extend(list(bbox_4490) * times)
    where = rows_where(layer, *conditions)
    # Every piece is a declaration of the code; only the bbox, limit and offset are values.
    sql = (
        "WITH page AS ("  # noqa: S608
        f"SELECT {feature_sql(layer, fields, labels=True)} AS f, {layer.source.id} AS fid "
        f"FROM {layer.source.table} {where} ORDER BY {layer.source.id} LIMIT %s OFFSET %s) "
        "SELECT json_build_object('type', 'FeatureCollection', "
        "'features', coalesce(json_agg(f ORDER BY fid), '[]'::json))::text FROM page"
    )
    count_sql = f"SELECT count(*) FROM {layer.source.table} {where}"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [*params, limit, offset])
        text = cur.fetchone()[0]
        cur.execute(count_sql, params)
        matched = cur.fetchone()[0]
    return text, matched
