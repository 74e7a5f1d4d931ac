"""Parse and check a submitted geometry before any database work (no Django models).

Accepted: a GeoJSON geometry object, or WKT / EWKT text, in CGCS2000 longitude/latitude
(EPSG:4490; GeoJSON is CRS84 by definition, which CGCS2000 matches to the centimetre).
Everything else is refused with a message naming the problem, in Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import shapely
from shapely.geometry import MultiLineString, Point, shape
from shapely.geometry.base import BaseGeometry

from gis_portal.editing.errors import InvalidEdit

FIELD = "geometry"
STORAGE_SRID = 4490
# An edited boundary line has a few thousand vertices at most; 100,000 leaves headroom and
# keeps a hostile 10^6-vertex body from reaching GEOS or the database.
MAX_VERTICES = 100_000
GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
}
TYPE_NAMES = {"point": "点 (Point)", "line": "线 (LineString/MultiLineString)"}
_EWKT = re.compile(r"^\s*SRID=(\d+)\s*;(.*)$", re.IGNORECASE | re.DOTALL)


def _count_positions(coords, limit: int) -> int:
    """Count coordinate positions in nested GeoJSON lists, stopping past ``limit``."""
    count = 0
    stack = [coords]
    while stack:
        item = stack.pop()
        if not isinstance(item, (list, tuple)):
            raise InvalidEdit(FIELD, "几何坐标格式错误：coordinates 应为数字数组")
        if item and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item):
            if len(item) not in (2, 3):
                raise InvalidEdit(FIELD, "几何坐标格式错误：每个坐标应为 [经度, 纬度]")
            count += 1
            if count > limit:
                raise InvalidEdit(FIELD, f"几何顶点数超过上限 {limit:,}")
            continue
        stack.extend(item)
    return count


def _from_geojson(raw: dict) -> BaseGeometry:
    if "crs" in raw:
        raise InvalidEdit(FIELD, "GeoJSON 不应带 crs 成员：坐标一律为 CGCS2000 经纬度 (EPSG:4490)")
    gtype = raw.get("type")
    if gtype not in GEOJSON_TYPES:
        raise InvalidEdit(FIELD, f"不支持的几何类型：{str(gtype)[:30]}")
    unknown = set(raw) - {"type", "coordinates", "bbox"}
    if unknown:
        raise InvalidEdit(FIELD, f"几何对象含未知成员：{'、'.join(sorted(unknown))[:80]}")
    _count_positions(raw.get("coordinates"), MAX_VERTICES)
    try:
        return shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise InvalidEdit(FIELD, "几何坐标格式错误，无法解析") from None


def _from_wkt(raw: str) -> BaseGeometry:
    match = _EWKT.match(raw)
    if match:
        srid = int(match.group(1))
        if srid != STORAGE_SRID:
            raise InvalidEdit(
                FIELD, f"几何的坐标系 SRID={srid} 不被接受，应为 CGCS2000 经纬度 (SRID=4490)"
            )
        raw = match.group(2)
    # Every vertex takes at least one separator: a cheap upper bound before parsing.
    if raw.count(",") + 1 > MAX_VERTICES:
        raise InvalidEdit(FIELD, f"几何顶点数超过上限 {MAX_VERTICES:,}")
    try:
        return shapely.from_wkt(raw)
    except shapely.errors.GEOSException:
        raise InvalidEdit(FIELD, "WKT 几何无法解析") from None


def _positions(geom: BaseGeometry) -> Iterable[tuple[float, float]]:
    return shapely.get_coordinates(geom)


def geometry_parse(raw, *, kind: str) -> BaseGeometry:
    """Return the submitted geometry as shapely (Point, or MultiLineString for lines).

    Refuse: wrong container, ``crs`` member, foreign EWKT SRID, too many vertices, empty,
    non-finite or non-lon/lat coordinates (e.g. projected metres), wrong type, invalid or
    self-intersecting geometry.
    """
    if isinstance(raw, dict):
        geom = _from_geojson(raw)
    elif isinstance(raw, str):
        geom = _from_wkt(raw)
    else:
        raise InvalidEdit(FIELD, "几何应为 GeoJSON 几何对象或 WKT 文本")
    if geom.is_empty:
        raise InvalidEdit(FIELD, "几何为空")
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise InvalidEdit(FIELD, f"几何顶点数超过上限 {MAX_VERTICES:,}")
    for x, y in _positions(geom):
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InvalidEdit(FIELD, "坐标含非数值 (NaN/inf)")
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise InvalidEdit(
                FIELD,
                f"坐标 ({x:.3f}, {y:.3f}) 不是经纬度：应为 CGCS2000 经纬度 (EPSG:4490)，"
                "不是投影坐标",
            )
    geom = _coerce_type(geom, kind=kind)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise InvalidEdit(FIELD, f"几何无效：{reason[:100]}")
    if kind == "line" and not geom.is_simple:
        raise InvalidEdit(FIELD, "界线自相交，请修正后再保存")
    return geom


def _coerce_type(geom: BaseGeometry, *, kind: str) -> BaseGeometry:
    if kind == "point":
        if isinstance(geom, Point):
            return geom
    elif kind == "line":
        if geom.geom_type == "LineString":
            geom = MultiLineString([geom])
        if isinstance(geom, MultiLineString):
            if any(len(part.coords) < 2 or part.length == 0 for part in geom.geoms):
                raise InvalidEdit(FIELD, "线的每一段至少需要两个不同的顶点")
            return geom
    raise InvalidEdit(FIELD, f"几何类型应为{TYPE_NAMES[kind]}，收到 {geom.geom_type}")
