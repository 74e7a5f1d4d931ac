"""Township-level geometry: survey outlines, the county rule, demo polygons (no Django).

Geometry is in metres (a projected CGCS2000 Gauss-Krüger system) unless a name says
``_4490``. Tolerances are metres: a piece counts only if it survives a negative buffer of
half the tolerance, as in ``boundaries.topology``.
"""

from __future__ import annotations

import zlib

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from boundaries.polygons import as_multipolygon


class RingNotClosed(ValueError):
    """An outline delivered as lines does not close."""


def polygon_from_rings(geom: BaseGeometry) -> MultiPolygon:
    """Return the polygon an outline delivered as closed lines encloses.

    Surveyors deliver a township's outline as its boundary lines (DXF polylines, line
    shapefiles). Each part must end where it starts; a part that does not is refused with
    both ends named, since guessing the missing piece would invent a boundary.
    """
    parts = list(geom.geoms) if isinstance(geom, MultiLineString) else [geom]
    polygons = []
    for i, part in enumerate(parts, start=1):
        if not isinstance(part, LineString) or len(part.coords) < 4:
            raise RingNotClosed(f"第 {i} 段界线顶点不足，不能围成区域")
        start, end = part.coords[0], part.coords[-1]
        if start != end:
            raise RingNotClosed(
                f"第 {i} 段界线不闭合：起点 ({start[0]:.3f}, {start[1]:.3f}) 与终点 "
                f"({end[0]:.3f}, {end[1]:.3f}) 不重合"
            )
        polygons.append(Polygon(part.coords))
    # Rings inside another ring are holes (an enclave of another township).
    polygons.sort(key=lambda p: -p.area)
    shells: list[BaseGeometry] = []
    for p in polygons:
        host = next((s for s in shells if s.contains(p)), None)
        if host is None:
            shells.append(p)
        else:
            shells[shells.index(host)] = host.difference(p)
    return as_multipolygon(shapely.union_all(shells))


def outside_parent_m(
    child_m: BaseGeometry, parent_m: BaseGeometry, *, tol_m: float
) -> float | None:
    """Return the area (m²) of ``child_m`` outside ``parent_m`` beyond ``tol_m``, or None."""
    outside = child_m.difference(parent_m)
    if outside.is_empty or outside.buffer(-tol_m / 2).is_empty:
        return None
    return float(outside.area)


def _seed(code: str) -> int:
    return zlib.crc32(code.encode("ascii"))


def demo_township_polygons_m(
    county_code: str, county_m: BaseGeometry, township_codes: list[str]
) -> dict[str, MultiPolygon]:
    """Return one demo polygon per township code, tiling the county exactly.

    Voronoi cells of points drawn inside the county (seeded by the county code, so the
    same county always gives the same cells), clipped to the county. Codes are given to
    the cells from north-west to south-east. The cells are inventions: every caller marks
    them as demo data.
    """
    if not township_codes:
        return {}
    rng = np.random.default_rng(_seed(county_code))
    minx, miny, maxx, maxy = county_m.bounds
    # Points at least this far apart keep tiny slivers out of the cells.
    spacing = 0.35 * np.sqrt(county_m.area / len(township_codes))
    inner = county_m.buffer(-min(spacing / 4, 500.0))
    shapely.prepare(inner)
    points: list[tuple[float, float]] = []
    attempts = 0
    while len(points) < len(township_codes):
        attempts += 1
        if attempts > 200_000:
            raise ValueError(f"{county_code}：无法在县域内生成 {len(township_codes)} 个演示点")
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not inner.contains(shapely.Point(x, y)):
            continue
        if any((x - px) ** 2 + (y - py) ** 2 < spacing**2 for px, py in points):
            continue
        points.append((x, y))
    points.sort(key=lambda p: (-round(p[1], -3), p[0]))
    if len(points) == 1:
        return {township_codes[0]: as_multipolygon(county_m)}
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=county_m.envelope.buffer(1000.0)
    )
    out: dict[str, MultiPolygon] = {}
    for code, (x, y) in zip(sorted(township_codes), points, strict=True):
        cell = next(c for c in cells.geoms if c.covers(shapely.Point(x, y)))
        out[code] = as_multipolygon(cell.intersection(county_m))
    return out
