"""The coordinate system a row of an imported table declares (坐标系 column); no Django.

Every layer's import reads the same 坐标系 column: CGCS2000 (the default), WGS 84, the
internet map systems GCJ-02 and BD-09 (converted by ``boundaries.geodesy``), or Beijing
1954 (北京54 / EPSG:4214 lon/lat, or a Gauss-Krüger code such as EPSG:2440), converted only
with an approved parameter set for that system (``DatumConversion``, looked up by
``boundaries.selectors.areas.beijing1954_conversions``) and refused without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.crs import BEIJING1954, CRS_TABLE
from boundaries.geodesy import CoordinateRangeError, to_cgcs2000
from gis_portal.importing.crs import Conversions, DatumConversion, beijing1954_missing

# Beijing 1954 geographic and Gauss-Krüger systems of boundaries.crs.
BEIJING1954_EPSG = frozenset(c.epsg for c in CRS_TABLE.values() if c.datum == BEIJING1954)
# Declared coordinate systems → the boundaries.geodesy source keys.
CRS_ALIASES = {
    "2000": "EPSG:4490",
    "CGCS2000": "EPSG:4490",
    "国家2000": "EPSG:4490",
    "EPSG:4490": "EPSG:4490",
    "WGS84": "EPSG:4326",
    "WGS-84": "EPSG:4326",
    "EPSG:4326": "EPSG:4326",
    "GCJ-02": "GCJ-02",
    "GCJ02": "GCJ-02",
    "火星坐标": "GCJ-02",
    "高德": "GCJ-02",
    "BD-09": "BD-09",
    "BD09": "BD-09",
    "百度": "BD-09",
}
BEIJING_1954 = {"北京54", "北京1954", "BJ54", "54坐标", "EPSG:4214"}
CGCS2000_SOURCES = ("EPSG:4490", "EPSG:4326")


class DeclaredCrsError(ValueError):
    """The declared system is unknown, or Beijing 1954 without an approved set (Chinese)."""


def beijing1954_epsg(crs_text: str) -> int | None:
    """Return the EPSG code of a declared Beijing 1954 system (北京54 → 4214), else None."""
    if crs_text in BEIJING_1954:
        return 4214
    match = re.fullmatch(r"EPSG:(\d+)", crs_text)
    if match and int(match.group(1)) in BEIJING1954_EPSG:
        return int(match.group(1))
    return None


@dataclass(frozen=True)
class DeclaredCrs:
    """How to bring a row's coordinates to EPSG:4490: a geodesy source, or a datum set."""

    source: str  # EPSG:4490, EPSG:4326, GCJ-02, BD-09, or "" for Beijing 1954
    conversion: DatumConversion | None = None

    @property
    def is_cgcs2000(self) -> bool:
        return self.conversion is None and self.source in CGCS2000_SOURCES

    def convert_xy(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Return EPSG:4490 lon/lat arrays of x/y arrays in the declared system."""
        if self.conversion is not None:
            return self.conversion.convert(np.asarray(x, float), np.asarray(y, float))
        if self.is_cgcs2000:
            return np.asarray(x, float), np.asarray(y, float)
        try:
            return to_cgcs2000(x, y, source=self.source)
        except CoordinateRangeError as exc:
            raise DeclaredCrsError(str(exc)) from None

    def apply(self, geom: BaseGeometry) -> BaseGeometry:
        """Return ``geom`` in EPSG:4490 (raises DeclaredCrsError on out-of-range values)."""
        if self.is_cgcs2000:
            return geom
        return shapely.transform(
            geom, lambda xy: np.column_stack(self.convert_xy(xy[:, 0], xy[:, 1]))
        )


def declared_crs(value: object, conversions: Conversions) -> DeclaredCrs:
    """Return the system a 坐标系 cell declares (empty: CGCS2000), or raise DeclaredCrsError."""
    text = str(value if value not in (None, "") else "2000").strip().upper().replace(" ", "")
    epsg_1954 = beijing1954_epsg(text)
    if epsg_1954 is not None:
        conversion = conversions.get(epsg_1954)
        if conversion is None:
            raise DeclaredCrsError(beijing1954_missing(epsg_1954))
        return DeclaredCrs("", conversion)
    source = CRS_ALIASES.get(text)
    if source is None:
        raise DeclaredCrsError(
            f"未知坐标系 {text!r}；可用：2000、WGS84、GCJ-02、BD-09、北京54（须有已批准的转换参数集）"
        )
    return DeclaredCrs(source)
