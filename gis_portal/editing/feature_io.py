"""GeoJSON of an editable layer built by PostGIS (selectors; no writes).

A layer describes its table once (``FeatureSpec``: geometry, the properties the editor
shows, the column that places a feature in a county); the same SQL answers the editor's
load of one county (a FeatureCollection, thousands of door plates in one query, no Python
object per row) and one feature (GET /api/v1/editing/<layer>/<id>). Every expression in a
spec is a constant of the code; only values travel as parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection

from gis_portal.areas import COUNTY_LEVEL, current_areas
from gis_portal.errors import InvalidParameter, NotFound

COORDINATE_DECIMALS = 8  # ~1 mm at 47°N


@dataclass(frozen=True)
class FeatureSpec:
    table: str  # "<table> t" plus joins, e.g. "addresses_doorplate t JOIN addresses_street s …"
    geometry: str  # SQL of the EPSG:4490 geometry, e.g. "t.point_4490"
    properties: tuple[tuple[str, str], ...]  # (name, SQL expression)
    county: str  # SQL of the county (area id, gis_portal.areas) of a row


def _feature_sql(spec: FeatureSpec) -> str:
    props = ", ".join(f"'{name}', {expr}" for name, expr in spec.properties)
    return (
        "json_build_object('type', 'Feature', 'id', t.id, "
        # options 0: no per-feature "crs" member (RFC 7946; the editor reads lon/lat)
        f"'geometry', ST_AsGeoJSON({spec.geometry}, {COORDINATE_DECIMALS}, 0)::json, "
        f"'properties', json_build_object('version', t.version, {props}))"
    )


def county_id_of(code: str) -> int:
    """Return the id of the current county-level area ``code``; 400 naming the parameter."""
    if not isinstance(code, str) or not code.isdigit() or len(code) != 6:
        raise InvalidParameter("county", "应为 6 位县级区划代码，如 230402")
    pk = current_areas().filter(code=code, level=COUNTY_LEVEL).values_list("pk", flat=True).first()
    if pk is None:
        raise InvalidParameter("county", f"没有代码为 {code} 的县级行政区")
    return pk


def feature_collection_json(spec: FeatureSpec, *, county_id: int) -> str:
    """Return the FeatureCollection (text) of the layer's features in one county."""
    # Every part of the spec is code, not input.
    sql = (
        "SELECT json_build_object('type', 'FeatureCollection', 'features', "  # noqa: S608
        f"coalesce(json_agg({_feature_sql(spec)} ORDER BY t.id), '[]'::json))::text "
        f"FROM {spec.table} WHERE {spec.county} = %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [county_id])
        return cur.fetchone()[0]


def feature_dict(spec: FeatureSpec, *, pk: int, label: str) -> dict:
    """Return one feature as a GeoJSON dict (404 with the layer's label if absent)."""
    sql = f"SELECT ({_feature_sql(spec)})::text FROM {spec.table} WHERE t.id = %s"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [pk])
        row = cur.fetchone()
    if row is None:
        raise NotFound(f"{label} {pk} 不存在")
    return json.loads(row[0])
