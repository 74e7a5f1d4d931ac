"""The JSON documents of OGC API Features: landing page, conformance, collections,
queryables and the feature collection around a page (no database: built from the
catalogue's declarations and what the selectors return).

``base`` is the absolute URL of /ogc (no trailing slash); every link is absolute, as GDAL
and OWSLib follow them as given.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.ogc.cql import GEOMETRY_PROPERTY
from gis_portal.ogc.crs import CRS84, SERVED_CRS, STORAGE_CRS

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"

_SPEC = "http://www.opengis.net/spec/"
CONFORMANCE = (
    _SPEC + "ogcapi-features-1/1.0/conf/core",
    _SPEC + "ogcapi-features-1/1.0/conf/oas30",
    _SPEC + "ogcapi-features-1/1.0/conf/html",
    _SPEC + "ogcapi-features-1/1.0/conf/geojson",
    _SPEC + "ogcapi-features-2/1.0/conf/crs",
    _SPEC + "ogcapi-features-3/1.0/conf/queryables",
    _SPEC + "ogcapi-features-3/1.0/conf/filter",
    _SPEC + "ogcapi-features-3/1.0/conf/features-filter",
    _SPEC + "cql2/1.0/conf/cql2-text",
    _SPEC + "cql2/1.0/conf/cql2-json",
    _SPEC + "cql2/1.0/conf/basic-cql2",
    _SPEC + "cql2/1.0/conf/advanced-comparison-operators",
    _SPEC + "cql2/1.0/conf/case-insensitive-comparison",
    _SPEC + "cql2/1.0/conf/basic-spatial-functions",
    _SPEC + "cql2/1.0/conf/basic-spatial-functions-plus",
    _SPEC + "cql2/1.0/conf/spatial-functions",
    _SPEC + "cql2/1.0/conf/temporal-functions",
)
TITLE = "鹤岗市民政地理信息共享服务（OGC API – Features）"
DESCRIPTION = (
    "鹤岗市民政局的地名、门牌、街路巷、行政区域、民政设施等图层，供其他部门以 GIS 软件"
    "（QGIS、ArcGIS Pro、GDAL）直接读取。坐标为 CGCS2000。"
)
_GEOMETRY_FORMAT = {
    "Point": "geometry-point",
    "LineString": "geometry-linestring",
    "MultiLineString": "geometry-multilinestring",
    "Polygon": "geometry-polygon",
    "MultiPolygon": "geometry-multipolygon",
    "Geometry": "geometry-any",
}
_JSON_TYPES = {
    "text": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}


def _link(href: str, rel: str, media: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media, "title": title}


def landing(base: str) -> dict:
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            _link(f"{base}?f=json", "self", JSON, "本页（JSON）"),
            _link(f"{base}?f=html", "alternate", HTML, "本页（网页）"),
            _link(f"{base}/api", "service-desc", OPENAPI, "接口定义（OpenAPI 3.0）"),
            _link(f"{base.removesuffix('/ogc')}/api/docs/", "service-doc", HTML, "接口文档"),
            _link(f"{base}/conformance", "conformance", JSON, "符合的标准"),
            _link(f"{base}/collections", "data", JSON, "图层列表"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": list(CONFORMANCE)}


def collection(base: str, layer: CatalogueLayer, extent_4490: list[float] | None) -> dict:
    """One collection: its links, extent (CRS84) and CRS list (Part 2)."""
    url = f"{base}/collections/{layer.key}"
    doc: dict = {
        "id": layer.key,
        "title": layer.label,
        "description": layer.description or layer.label,
        "itemType": "feature",
        "crs": [c.uri for c in SERVED_CRS],
        "storageCrs": STORAGE_CRS.uri,
        "links": [
            _link(url, "self", JSON, layer.label),
            _link(f"{url}?f=html", "alternate", HTML, f"{layer.label}（网页）"),
            _link(f"{url}/items", "items", GEOJSON, f"{layer.label}要素（GeoJSON）"),
            _link(f"{url}/items?f=html", "items", HTML, f"{layer.label}要素（网页）"),
            _link(
                f"{url}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "可查询属性",
            ),
        ],
    }
    if extent_4490 is not None:
        doc["extent"] = {"spatial": {"bbox": [extent_4490], "crs": CRS84}}
    return doc


def collections(base: str, entries: list[dict]) -> dict:
    return {
        "links": [
            _link(f"{base}/collections", "self", JSON, "图层列表"),
            _link(f"{base}/collections?f=html", "alternate", HTML, "图层列表（网页）"),
        ],
        "collections": entries,
        "crs": [c.uri for c in SERVED_CRS],
    }


def queryables(base: str, layer: CatalogueLayer, fields: dict[str, Field]) -> dict:
    """The JSON Schema of what a filter may name (Part 3): labels as titles, choice fields
    as the labels they are written in."""
    properties: dict = {
        GEOMETRY_PROPERTY: {
            "title": "几何",
            "format": _GEOMETRY_FORMAT[layer.geometry_type],
            "x-ogc-role": "primary-geometry",
        }
    }
    for f in fields.values():
        schema: dict[str, object] = dict(_JSON_TYPES[f.kind])
        if f.choices:
            schema = {"type": "string", "enum": list(f.choices.values())}
        properties[f.name] = {"title": f.label, **schema}
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"{base}/collections/{layer.key}/queryables",
        "type": "object",
        "title": layer.label,
        "properties": properties,
        "additionalProperties": False,
    }


def _query(params: dict, **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v is not None}
    return urlencode(merged)


def feature_collection_text(
    *,
    base: str,
    layer: CatalogueLayer,
    features_json: str,
    returned: int,
    matched: int | None,
    more: bool,
    last_id: int | None,
    limit: int,
    offset: int,
    params: dict,
) -> str:
    """The FeatureCollection text of a page: the features (already GeoJSON text from
    PostgreSQL) between the members written here, with next/prev links that repeat the
    request's parameters."""
    url = f"{base}/collections/{layer.key}/items"
    links = [
        _link(f"{url}?{_query(params, f='json')}", "self", GEOJSON, "本页"),
        _link(f"{url}?{_query(params, f='html')}", "alternate", HTML, "本页（网页）"),
        _link(f"{base}/collections/{layer.key}", "collection", JSON, layer.label),
    ]
    if more:
        # ``after`` lets the next page start at its first id instead of skipping ``offset``
        # rows again; ``offset`` stays for clients that read it.
        nxt = _query(params, offset=offset + limit, limit=limit, after=last_id)
        links.append(_link(f"{url}?{nxt}", "next", GEOJSON, "下一页"))
    if offset > 0:
        links.append(
            _link(
                f"{url}?{_query(params, offset=max(offset - limit, 0), limit=limit, after=None)}",
                "prev",
                GEOJSON,
                "上一页",
            )
        )
    head: dict = {"type": "FeatureCollection"}
    if matched is not None:
        head["numberMatched"] = matched
    head |= {
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    # The members first, then the features: a client streaming the body meets the counts
    # before ten thousand features.
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [' + features_json + "]}"


def feature_text(*, base: str, layer: CatalogueLayer, feature_json: str, item_id: int) -> str:
    url = f"{base}/collections/{layer.key}"
    links = [
        _link(f"{url}/items/{item_id}", "self", GEOJSON, "本要素"),
        _link(f"{url}/items/{item_id}?f=html", "alternate", HTML, "本要素（网页）"),
        _link(url, "collection", JSON, layer.label),
    ]
    return feature_json[:-1] + ', "links": ' + json.dumps(links, ensure_ascii=False) + "}"
