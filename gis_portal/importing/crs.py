"""Coordinate systems of imported files: the whitelist, datum conversions, EPSG:4490 (no Django).

A file's CRS (a .prj, a GeoPackage's srs, or an ``EPSG:n`` text) is accepted when it is
CGCS2000 (geographic or Gauss-Krüger) or WGS 84 (≈ CGCS2000 at the cm level). Beijing 1954
has no real operation to CGCS2000 in PROJ (EPSG:4214→4490 is a silent zero "ballpark"
shift), so a Beijing 1954 file passes only with a ``DatumConversion`` for its system —
an approved parameter set that the caller looks up (the boundary module owns them) and
passes in; without one it is refused naming the system.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

# CGCS2000 geographic, WGS 84 and the CGCS2000 Gauss-Krüger zones (3° 4513–4533 with zone
# prefix, 4534–4554 without; 6° 4491–4512).
ACCEPTED_EPSG = frozenset({4490, 4326, *range(4491, 4555)})
BEIJING1954_DATUM = "Beijing 1954"


class FileRefused(ValueError):
    """The whole file is refused (unsafe, broken, unsupported); nothing is imported."""


@dataclass(frozen=True)
class DatumConversion:
    """An approved Beijing 1954 → CGCS2000 parameter set, bound to one source system.

    ``convert`` maps x/y arrays in the source system (lon/lat degrees, or GK easting/
    northing in metres) to EPSG:4490 lon/lat arrays.
    """

    source_epsg: int
    set_id: int
    set_name: str
    convert: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

    def apply(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda xy: np.column_stack(self.convert(xy[:, 0], xy[:, 1])))


# Source EPSG → the approved conversion of that Beijing 1954 system.
Conversions = Mapping[int, DatumConversion]


def beijing1954_missing(epsg: int) -> str:
    """Return the refusal of Beijing 1954 coordinates that no approved set can convert."""
    return (
        f"坐标为北京 1954 坐标系（EPSG:{epsg}），但没有适用于 EPSG:{epsg} 的已批准转换参数集"
        "（北京54 → CGCS2000）：请先在界线管理中拟合并审批参数集，再导入"
    )


@lru_cache(maxsize=256)
def is_beijing1954(epsg: int) -> bool:
    """Return whether ``epsg`` is a system on the Beijing 1954 datum (geographic or GK)."""
    try:
        crs = CRS.from_epsg(epsg)
    except CRSError:
        return False
    datum = crs.geodetic_crs.datum if crs.geodetic_crs is not None else crs.datum
    return datum is not None and datum.name == BEIJING1954_DATUM


def crs_to_epsg(crs_text: str | None, *, what: str, beijing1954_ok: bool = False) -> int:
    """Return the EPSG code of a CRS (WKT/.prj text or 'EPSG:n') if it is on the whitelist
    (or a Beijing 1954 system, when ``beijing1954_ok``)."""
    if not crs_text:
        raise FileRefused(f"{what}缺少坐标系定义")
    try:
        crs = CRS.from_user_input(crs_text)
    except Exception:  # pyproj raises CRSError for any unparsable text
        raise FileRefused(f"{what}的坐标系无法识别") from None
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None and crs.is_geographic and "2000" in crs.name:
        epsg = 4490
    if epsg is not None and beijing1954_ok and is_beijing1954(epsg):
        return epsg
    if epsg not in ACCEPTED_EPSG:
        raise FileRefused(
            f"{what}的坐标系 {crs.name}（EPSG:{epsg}）不在允许范围：应为 CGCS2000（4490 或高斯-克吕格 4491–4554）或 WGS84；"
            "北京 1954 坐标须先经批准的转换参数转换"
        )
    return epsg


@lru_cache(maxsize=64)
def _transformer_to_4490(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4490, always_xy=True)


def to_4490(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    """Return ``geom`` in EPSG:4490 lon/lat (projected CGCS2000 zones are inverted)."""
    if epsg in (4490, 4326):
        return geom
    transformer = _transformer_to_4490(epsg)
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
