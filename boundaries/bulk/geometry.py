"""Coordinates of bulk boundary rows: the accepted systems, to CGCS2000, metric checks (no Django).

- CGCS2000 geographic or Gauss-Krüger, and WGS 84 (≈ CGCS2000 at the cm level): exactly;
- Beijing 1954: only with an approved parameter set for that system (``Conversion``);
  PROJ has no real Beijing 1954 → CGCS2000 operation;
- GCJ-02 / BD-09 lon/lat (marker tables from phone apps): converted, never kept.

Coordinates are checked against the declared system first (``boundaries.crs``: swapped
axes, zone prefixes). The surveyed geometry in its own system is kept alongside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from boundaries.crs import (
    BEIJING1954,
    CGCS2000,
    CRS_TABLE,
    CrsDef,
    CrsError,
    coordinates_check,
    crs_get,
    projected_for,
    transformer_between,
)
from boundaries.geodesy import CoordinateRangeError, to_cgcs2000
from gis_portal.importing.crs import DatumConversion
from gis_portal.metric_crs import geometry_to_metric

# WGS 84 is accepted as CGCS2000 lon/lat (they agree at the centimetre level).
WGS84 = CrsDef(4326, "WGS 84 (经纬度)", CGCS2000, "GRS80")
CONSUMER_SYSTEMS = ("GCJ-02", "BD-09")
CGCS2000_LONLAT = CRS_TABLE[4490]
# The editor's tolerances (boundaries.services.lines): outside the city by at most this
# much (Amap's outline and surveyed lines differ by metres); a marker this close to its line.
CITY_TOLERANCE_M = 50.0
MARKER_LINE_TOLERANCE_M = 5.0
MAX_VERTICES = 100_000
# Metric checks run in gis_portal.metric_crs's one zone (CGCS2000 3° GK zone 43, CM 129°E).
# At Hegang's east edge (132.6°E) the scale error is ~0.09 %: 5 mm on the 5 m marker tolerance.

Conversion = DatumConversion


def beijing1954_missing(crs: CrsDef) -> str:
    return (
        f"坐标为北京 1954 坐标系（{crs.code}），但没有适用于 {crs.code} 的已批准转换参数集"
        "（北京54 → CGCS2000）：请先在界线管理中拟合并审批参数集，再导入"
    )


@dataclass
class Vocabulary:
    """What validation needs from the database, passed in."""

    area_codes: Mapping[str, str]  # current area code → level
    conversions: Mapping[int, Conversion]
    city_outline_m: BaseGeometry | None = None  # buffered by CITY_TOLERANCE_M, EPSG:4552
    line_geoms_m: dict[str, BaseGeometry] = field(default_factory=dict)  # code → metric

    def __post_init__(self) -> None:
        if self.city_outline_m is not None:
            shapely.prepare(self.city_outline_m)


def city_outline_m(city_4490: BaseGeometry | None) -> BaseGeometry | None:
    """Return the city outline in metres grown by the editor's tolerance (once per import)."""
    if city_4490 is None:
        return None
    return shapely.buffer(geometry_to_metric(city_4490), CITY_TOLERANCE_M)


def crs_of_text(text: str) -> CrsDef | str:
    """Return the CrsDef of ``EPSG:n`` / a known name, or a consumer system's name."""
    key = (text or "").strip()
    upper = key.upper().replace("_", "-")
    if upper in CONSUMER_SYSTEMS or upper.replace("-", "") in ("GCJ02", "BD09"):
        return "GCJ-02" if upper.startswith("GCJ") else "BD-09"
    if upper in ("CGCS2000", "CGCS 2000"):
        return CGCS2000_LONLAT
    if upper in ("WGS84", "WGS 84", "EPSG:4326", "4326"):
        return WGS84
    if upper in ("北京54", "北京1954", "BEIJING1954", "BEIJING 1954"):
        return CRS_TABLE[4214]
    return crs_get(key)


@dataclass
class Located:
    """A geometry in CGCS2000 lon/lat with the surveyed original it came from."""

    geom_4490: BaseGeometry
    original: BaseGeometry  # in ``original_crs`` (GCJ-02/BD-09 are not kept: the 4490 copy)
    original_crs: str  # EPSG:n
    conversion: Conversion | None = None

    @property
    def original_wkt(self) -> str:
        epsg = int(self.original_crs.split(":")[1])
        crs = CRS_TABLE.get(epsg)
        geographic = epsg in (4490, 4326) or (crs is not None and crs.is_geographic)
        return shapely.to_wkt(self.original, rounding_precision=9 if geographic else 4)


def locate(geom: BaseGeometry, crs: CrsDef | str, conversions: Mapping[int, Conversion]) -> Located:
    """Return ``geom`` (in ``crs``) in CGCS2000 lon/lat; raise CrsError naming the problem."""
    coords = shapely.get_coordinates(geom)
    if not np.all(np.isfinite(coords)):
        raise CrsError("坐标含非数值 (NaN/inf)")
    if isinstance(crs, str):  # GCJ-02 / BD-09: converted, never kept
        try:
            lon, lat = to_cgcs2000(coords[:, 0], coords[:, 1], source=crs)
        except CoordinateRangeError as exc:
            raise CrsError(str(exc)) from None
        out = shapely.set_coordinates(geom, np.column_stack([lon, lat]))
        return Located(out, out, "EPSG:4490")
    coordinates_check(crs, coords[:, 0], coords[:, 1], label=f"坐标（{crs.code}）")
    if crs.datum == BEIJING1954:
        conversion = conversions.get(crs.epsg)
        if conversion is None:
            raise CrsError(beijing1954_missing(crs))
        lon, lat = conversion.convert(coords[:, 0], coords[:, 1])
        out = shapely.set_coordinates(geom, np.column_stack([lon, lat]))
        return Located(out, geom, crs.code, conversion)
    if crs.is_geographic:
        return Located(geom, geom, crs.code)
    t = transformer_between(crs, CGCS2000_LONLAT)
    lon, lat = t.transform(coords[:, 0], coords[:, 1])
    return Located(shapely.set_coordinates(geom, np.column_stack([lon, lat])), geom, crs.code)


def plane_of(located: Located) -> tuple[float, float, str]:
    """Return CGCS2000 Gauss-Krüger x, y and system of a located point: the surveyed plane
    coordinates when the file was in one of ours, else the 3° zone holding the point."""
    point, original = located.geom_4490, located.original
    if not isinstance(point, Point) or not isinstance(original, Point):
        raise TypeError(f"plane_of takes a located point, not a {point.geom_type}")
    crs = CRS_TABLE.get(int(located.original_crs.split(":")[1]))
    if crs is not None and crs.datum == CGCS2000 and not crs.is_geographic:
        return original.x, original.y, crs.code
    plane = projected_for(CGCS2000, lon_deg=point.x)
    x, y = transformer_between(CGCS2000_LONLAT, plane).transform(point.x, point.y)
    return float(x), float(y), plane.code
