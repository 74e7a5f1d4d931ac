"""Boundary lines from area polygons, and marker numbering (no Django).

Geometry here is in metres (a projected CGCS2000 Gauss-Krüger system); callers project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

# An edge counts as shared where A's outline runs within this distance of B. Polygons from
# one source (the Amap set tiles the city to 1e-8 km²) need next to nothing; the snap also
# lets the edge run on past a tri-junction by about this much, so keep it small.
SHARED_EDGE_SNAP_M = 1.0
MIN_EDGE_LENGTH_M = 50.0


def as_multilinestring(geom) -> MultiLineString:
    """Return the line parts of ``geom`` as a MultiLineString (points etc. dropped)."""
    parts: list[LineString] = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, LineString) and not g.is_empty:
            parts.append(g)
        elif isinstance(g, MultiLineString):
            parts.extend(p for p in g.geoms if not p.is_empty)
    return MultiLineString(parts)


def shared_edge(
    a, b, *, snap_m: float = SHARED_EDGE_SNAP_M, min_length_m: float = MIN_EDGE_LENGTH_M
):
    """Return the part of A's outline that runs along B (merged, oriented), or None."""
    if a.distance(b) > snap_m:
        return None
    edge = a.boundary.intersection(b.buffer(snap_m))
    if edge.is_empty:
        return None
    merged = shapely.line_merge(as_multilinestring(edge))
    parts = [p for p in as_multilinestring(merged).geoms if p.length >= min_length_m]
    if not parts:
        return None
    return orient_line(MultiLineString(parts))


def shared_edges(
    polygons_m: dict[str, BaseGeometry], *, snap_m: float = SHARED_EDGE_SNAP_M
) -> dict[tuple[str, str], MultiLineString]:
    """Return the shared edge of every pair of neighbouring polygons, keyed (smaller code, larger)."""
    codes = sorted(polygons_m)
    tree = shapely.STRtree([polygons_m[c] for c in codes])
    out = {}
    for i, code in enumerate(codes):
        for j in tree.query(polygons_m[code].buffer(snap_m)):
            if j <= i:
                continue
            edge = shared_edge(polygons_m[code], polygons_m[codes[j]], snap_m=snap_m)
            if edge is not None:
                out[(code, codes[j])] = edge
    return out


def _runs_west_east(geom) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return (maxx - minx) >= (maxy - miny)


def orient_line(line: MultiLineString) -> MultiLineString:
    """Return the parts ordered and directed west→east, or north→south for N–S lines.

    Marker sequence numbers run in the same direction (provincial numbering rule).
    """
    west_east = _runs_west_east(line)

    def key(pt) -> float:
        return pt[0] if west_east else -pt[1]

    parts = []
    for p in line.geoms:
        coords = list(p.coords)
        if key(coords[0]) > key(coords[-1]):
            coords.reverse()
        parts.append(LineString(coords))
    parts.sort(key=lambda p: key(p.coords[0]))
    return MultiLineString(parts)


@dataclass(frozen=True)
class MarkerSpot:
    sequence: int
    type_code: str
    x: float
    y: float


def marker_spots(
    line: MultiLineString, *, spacing_m: float, paired_every: int = 0
) -> list[MarkerSpot]:
    """Return marker positions along an oriented line, numbered from 1 in line direction.

    Each part gets markers at both ends (set in a little) and every ``spacing_m`` between.
    With ``paired_every`` > 0, every n-th position is a paired marker (A and B on the line,
    3 m either side of the position, as on a river bank pair).
    """
    spots: list[MarkerSpot] = []
    seq = 0
    for part in line.geoms:
        length = part.length
        n = max(2, round(length / spacing_m) + 1)
        inset = min(10.0, length / 10)
        for k in range(n):
            d = inset + (length - 2 * inset) * k / (n - 1)
            seq += 1
            if paired_every and seq % paired_every == 0:
                for type_code, offset in (("A", -3.0), ("B", 3.0)):
                    p = part.interpolate(min(max(d + offset, 0.0), length))
                    spots.append(MarkerSpot(seq, type_code, p.x, p.y))
            else:
                p = part.interpolate(d)
                spots.append(MarkerSpot(seq, "Q", p.x, p.y))
    return spots


def line_code(code_a: str, code_b: str) -> str:
    """Return the demo line code: the two county-level division codes' last four digits."""
    a, b = sorted([code_a, code_b])
    return f"{a[-4:]}{b[-4:]}"


def marker_number(line_code_: str, sequence: int, type_code: str) -> str:
    """Return the marker number: line code + 3-digit sequence + type letter (e.g. 04020403001Q)."""
    return f"{line_code_}{sequence:03d}{type_code}"


MARKER_NUMBER_RE = re.compile(r"^(?P<line>.+?)(?P<seq>\d{3})(?P<type>[QABCDE])$")


def point_distance_m(line, x: float, y: float) -> float:
    return float(line.distance(Point(x, y)))
