"""The coordinate reference systems the OGC API serves, as data (pure: no Django).

OGC API – Features Part 2 names a CRS by URI and writes coordinates in that CRS's own axis
order, except CRS84 (longitude, latitude). So EPSG:4490 is written latitude, longitude, and
the CGCS2000 3° Gauss-Krüger zones EPSG:4552/4553 northing, easting (their EPSG axes are
X north, Y east); PostGIS always holds x = east, so those three are flipped on output and
on input (``bbox-crs``). Adding a CRS is adding a row.

``area_lonlat`` is the CRS's area of use (EPSG's, in lon/lat degrees): a ``bbox`` whose
corners fall outside it is refused rather than answered with nonsense coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

from gis_portal.error_types import InvalidParameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class ServedCrs:
    """One CRS of the API: its URI, PostGIS SRID, whether its first axis is north
    (``flip``), the decimals written (~1 mm) and its area of use in lon/lat degrees."""

    uri: str
    srid: int
    label: str
    flip: bool
    decimals: int
    area_lonlat: tuple[float, float, float, float]


SERVED_CRS: tuple[ServedCrs, ...] = (
    ServedCrs(
        CRS84, 4490, "CGCS2000 经纬度（经度在前，CRS84 轴序）", False, 8, (-180, -90, 180, 90)
    ),
    ServedCrs(
        _EPSG + "4490", 4490, "CGCS2000 经纬度（纬度在前）", True, 8, (73.62, 16.7, 134.77, 53.56)
    ),
    ServedCrs(
        _EPSG + "4552",
        4552,
        "CGCS2000 3° 高斯-克吕格 CM 129°E（北坐标在前，米）",
        True,
        3,
        (127.5, 41.37, 130.5, 50.25),
    ),
    ServedCrs(
        _EPSG + "4553",
        4553,
        "CGCS2000 3° 高斯-克吕格 CM 132°E（北坐标在前，米）",
        True,
        3,
        (130.5, 42.42, 133.5, 48.88),
    ),
)
CRS_BY_URI = {c.uri: c for c in SERVED_CRS}
# Short spellings clients send (QGIS and GDAL use the URIs; people type these).
_ALIASES = {
    "CRS84": CRS84,
    "OGC:CRS84": CRS84,
    "EPSG:4490": _EPSG + "4490",
    "EPSG:4552": _EPSG + "4552",
    "EPSG:4553": _EPSG + "4553",
}
# Where a stored (EPSG:4490, lon/lat) geometry is written as it is: the storage CRS.
STORAGE_CRS = CRS_BY_URI[_EPSG + "4490"]


def crs_parse(parameter: str, value: str | None) -> ServedCrs:
    """Return the served CRS named by ``value`` (a URI or EPSG:n), CRS84 when absent."""
    if value is None or value == "":
        return CRS_BY_URI[CRS84]
    uri = _ALIASES.get(value.strip(), value.strip())
    crs = CRS_BY_URI.get(uri)
    if crs is None:
        served = "、".join(c.uri for c in SERVED_CRS)
        raise InvalidParameter(parameter, f"不支持的坐标参照系 {value[:80]!r}；可用：{served}")
    return crs


@lru_cache(maxsize=8)
def _to_lonlat(srid: int) -> Transformer:
    return Transformer.from_crs(srid, 4490, always_xy=True)


def bbox_to_lonlat(
    bbox: tuple[float, float, float, float], crs: ServedCrs, *, parameter: str = "bbox"
) -> tuple[float, float, float, float]:
    """Return (W, S, E, N) in CGCS2000 degrees of a ``bbox`` written in ``crs`` axis order.

    Refuses swapped corners and a box outside the CRS's area of use. A projected box is
    widened to the lon/lat envelope of its four corners (a Gauss-Krüger box is not a
    lon/lat box; the envelope holds it, so no feature inside it is missed)."""
    a1, a2, b1, b2 = bbox
    x1, y1, x2, y2 = (a2, a1, b2, b1) if crs.flip else (a1, a2, b1, b2)
    if x1 >= x2 or y1 >= y2:
        raise InvalidParameter(parameter, "最小值必须小于最大值（角点颠倒或范围为空）")
    if crs.srid == 4490:
        corners = [(x1, y1), (x2, y2)]
    else:
        xs, ys = _to_lonlat(crs.srid).transform([x1, x1, x2, x2], [y1, y2, y1, y2])
        corners = list(zip(xs, ys, strict=True))
    lons = [c[0] for c in corners]
    lats = [c[1] for c in corners]
    w, s, e, n = min(lons), min(lats), max(lons), max(lats)
    aw, as_, ae, an = crs.area_lonlat
    tolerance = 1e-6
    if w < aw - tolerance or s < as_ - tolerance or e > ae + tolerance or n > an + tolerance:
        raise InvalidParameter(
            parameter,
            f"范围超出坐标参照系的适用区域（经度 {aw}–{ae}，纬度 {as_}–{an}）；"
            "请检查坐标轴顺序与 bbox-crs",
        )
    return w, s, e, n
