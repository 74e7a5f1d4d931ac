"""The coordinate systems boundary surveys arrive in, and checks of coordinates against them.

No Django. Beijing 1954 (Krassowsky ellipsoid) and CGCS2000 (GRS80 ellipsoid), geographic
and Gauss-Krüger 3° zones 43/44 and 6° zones 22/23, each with and without the zone number
prefixed to the easting. The table is data: adding a zone is adding a row.

Why checks: a survey table in the wrong system converts without complaint and lands
hundreds of kilometres away (a missing zone prefix) or nowhere (swapped axes). Each check
names what looks wrong and which EPSG code would fit the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import Transformer


class CrsError(ValueError):
    """A coordinate system is unknown, or coordinates do not fit the declared one."""


@dataclass(frozen=True)
class CrsDef:
    epsg: int
    name: str
    datum: str  # "beijing1954" | "cgcs2000"
    ellps: str  # PROJ ellipsoid name
    zone: int | None = None  # None for geographic systems
    zone_width_deg: int | None = None  # 3 or 6
    lon_0: float | None = None
    prefixed: bool = False  # easting carries the zone number (x_0 = zone·10⁶ + 500 km)

    @property
    def code(self) -> str:
        return f"EPSG:{self.epsg}"

    @property
    def is_geographic(self) -> bool:
        return self.zone is None

    @property
    def x_0(self) -> float:
        return (self.zone or 0) * 1_000_000 + 500_000 if self.prefixed else 500_000

    def proj_steps_to_cart(self) -> str:
        """Return the pipeline steps from this system's x/y(/h) to geocentric X/Y/Z."""
        if self.is_geographic:
            first = "+step +proj=unitconvert +xy_in=deg +xy_out=rad"
        else:
            first = f"+step +inv +proj=tmerc +lon_0={self.lon_0:g} +x_0={self.x_0:.0f} +ellps={self.ellps}"
        return f"{first} +step +proj=cart +ellps={self.ellps}"

    def proj_steps_from_cart(self) -> str:
        """Return the pipeline steps from geocentric X/Y/Z to this system's x/y(/h)."""
        last = (
            "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
            if self.is_geographic
            else f"+step +proj=tmerc +lon_0={self.lon_0:g} +x_0={self.x_0:.0f} +ellps={self.ellps}"
        )
        return f"+step +inv +proj=cart +ellps={self.ellps} {last}"


BEIJING1954 = "beijing1954"
CGCS2000 = "cgcs2000"
_ELLPS = {BEIJING1954: "krass", CGCS2000: "GRS80"}
_DATUM_NAME = {BEIJING1954: "Beijing 1954", CGCS2000: "CGCS2000"}


def _gk(epsg: int, datum: str, zone: int, width: int, prefixed: bool) -> CrsDef:
    lon_0 = zone * 3.0 if width == 3 else zone * 6.0 - 3.0
    label = f"{_DATUM_NAME[datum]} / {width}° GK " + (
        f"zone {zone}" if prefixed else f"CM {lon_0:g}E"
    )
    return CrsDef(epsg, label, datum, _ELLPS[datum], zone, width, lon_0, prefixed)


# (epsg, datum, zone, width, prefixed); DOMAIN.md lists the codes, pyproj confirms them
# (tests/boundaries/test_crs.py compares every row with the EPSG database).
_GK_ROWS = [
    (2419, BEIJING1954, 43, 3, True),
    (2440, BEIJING1954, 43, 3, False),
    (2420, BEIJING1954, 44, 3, True),
    (2441, BEIJING1954, 44, 3, False),
    (21422, BEIJING1954, 22, 6, True),
    (21462, BEIJING1954, 22, 6, False),
    (21423, BEIJING1954, 23, 6, True),
    (21463, BEIJING1954, 23, 6, False),
    (4531, CGCS2000, 43, 3, True),
    (4552, CGCS2000, 43, 3, False),
    (4532, CGCS2000, 44, 3, True),
    (4553, CGCS2000, 44, 3, False),
    (4500, CGCS2000, 22, 6, True),
    (4511, CGCS2000, 22, 6, False),
    (4501, CGCS2000, 23, 6, True),
    (4512, CGCS2000, 23, 6, False),
]

CRS_TABLE: dict[int, CrsDef] = {
    4214: CrsDef(4214, "Beijing 1954 (经纬度)", BEIJING1954, "krass"),
    4490: CrsDef(4490, "CGCS2000 (经纬度)", CGCS2000, "GRS80"),
    **{row[0]: _gk(*row) for row in _GK_ROWS},
}


def crs_get(code: str | int) -> CrsDef:
    """Return the CrsDef of ``EPSG:nnnn`` (or the bare number); unknown codes are refused."""
    text = str(code).strip().upper()
    if text.startswith("EPSG:"):
        text = text[5:]
    try:
        return CRS_TABLE[int(text)]
    except (ValueError, KeyError):
        known = ", ".join(f"EPSG:{c}" for c in CRS_TABLE)
        raise CrsError(f"不支持的坐标系 {code!r}；可用：{known}") from None


def crs_find(*, datum: str, zone: int | None, width: int | None, prefixed: bool) -> CrsDef:
    """Return the table row for a datum/zone/width/prefix combination."""
    for crs in CRS_TABLE.values():
        if (crs.datum, crs.zone, crs.zone_width_deg) == (datum, zone, width) and (
            crs.is_geographic or crs.prefixed == prefixed
        ):
            return crs
    raise CrsError(f"没有 {_DATUM_NAME[datum]} {width}° 带 {zone} 的坐标系定义")


def zone_for_longitude(lon_deg: float, width: int) -> int:
    """Return the Gauss-Krüger zone number of a longitude (3° zones centred on 3n°)."""
    if width == 3:
        return int(np.floor((lon_deg + 1.5) / 3.0))
    return int(np.floor(lon_deg / 6.0)) + 1


def geographic_of(crs: CrsDef) -> CrsDef:
    return CRS_TABLE[4214 if crs.datum == BEIJING1954 else 4490]


def projected_for(crs_datum: str, *, lon_deg: float, width: int = 3) -> CrsDef:
    """Return the unprefixed GK system of ``crs_datum`` whose zone holds ``lon_deg``."""
    return crs_find(
        datum=crs_datum, zone=zone_for_longitude(lon_deg, width), width=width, prefixed=False
    )


# Plausible ranges inside China. A GK easting without prefix lies within ~±400 km of
# 500 km even at 6° zone edges in the south; northings run from ~2,000 km (Hainan) to
# ~6,000 km (Mohe).
EASTING_M = (100_000.0, 900_000.0)
NORTHING_M = (1_500_000.0, 6_200_000.0)
LON_DEG = (73.0, 136.0)
LAT_DEG = (3.0, 54.0)


def _within(values: np.ndarray, bounds: tuple[float, float]) -> bool:
    return bool(np.all((values >= bounds[0]) & (values <= bounds[1])))


def coordinates_check(crs: CrsDef, x, y, *, label: str = "坐标") -> None:
    """Raise CrsError if x (easting/longitude) and y (northing/latitude) do not fit ``crs``.

    Detects swapped axes, a zone prefix present but not declared (and the reverse), a
    prefix for another zone, and mixed zones.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size == 0:
        return
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise CrsError(f"{label}含有非数值")
    if crs.is_geographic:
        if _within(x, LON_DEG) and _within(y, LAT_DEG):
            return
        if _within(y, LON_DEG) and _within(x, LAT_DEG):
            raise CrsError(f"{label}疑似经纬度互换：x 应为经度、y 应为纬度（{crs.code}）")
        raise CrsError(f"{label}不是中国范围内的经纬度（声明为 {crs.code}，x=经度，y=纬度）")

    zones = np.floor(x / 1_000_000).astype(int)
    east_in_zone = x - zones * 1_000_000
    if _within(y, NORTHING_M):
        if not crs.prefixed:
            if _within(x, EASTING_M):
                return
            if x.min() >= 1_000_000:
                found = sorted(set(zones.tolist()))
                if len(found) > 1:
                    raise CrsError(f"{label}东坐标含有多个带号 {found}（混合投影带），请分带处理")
                raise CrsError(
                    f"{label}东坐标带有带号 {found[0]}，但声明的 {crs.code} 不带带号；"
                    f"请改用带带号的坐标系（{_prefixed_hint(crs, found[0])}）"
                )
        else:
            if _within(x, EASTING_M):
                raise CrsError(
                    f"{label}东坐标没有带号，但声明的 {crs.code} 要求带号 {crs.zone}；"
                    f"请改用不带带号的坐标系（{_unprefixed_hint(crs)}）"
                )
            found = sorted(set(zones.tolist()))
            if len(found) > 1:
                raise CrsError(f"{label}东坐标含有多个带号 {found}（混合投影带），请分带处理")
            if found[0] != crs.zone:
                raise CrsError(
                    f"{label}东坐标带号为 {found[0]}，与声明的 {crs.code}（带号 {crs.zone}）不符"
                )
            if _within(east_in_zone, EASTING_M):
                return
        raise CrsError(f"{label}东坐标超出 {crs.code} 的合理范围")
    # y is not a northing: swapped axes?
    if _within(x, NORTHING_M) and (
        _within(y, EASTING_M) or _within(y - np.floor(y / 1e6) * 1e6, EASTING_M)
    ):
        raise CrsError(f"{label}疑似东坐标与北坐标互换：x 应为东坐标（Y），y 应为北坐标（X）")
    raise CrsError(f"{label}北坐标超出 {crs.code} 的合理范围（应为 1,500 km–6,200 km）")


def _prefixed_hint(crs: CrsDef, zone: int) -> str:
    for width in (3, 6):
        try:
            return crs_find(datum=crs.datum, zone=zone, width=width, prefixed=True).code
        except CrsError:
            continue
    return f"{_DATUM_NAME[crs.datum]} 带号 {zone}"


def _unprefixed_hint(crs: CrsDef) -> str:
    return crs_find(datum=crs.datum, zone=crs.zone, width=crs.zone_width_deg, prefixed=False).code


def crs_detect_projected(datum: str, x, y) -> CrsDef:
    """Return the zone-prefixed GK system the eastings name (undeclared zone).

    Prefixes 25–45 are 3° zones in China, 13–23 are 6° zones; without a prefix the zone
    cannot be read from the numbers and must be declared.
    """
    x = np.asarray(x, dtype=float)
    zones = sorted(set(np.floor(x / 1_000_000).astype(int).tolist()))
    if zones == [0]:
        raise CrsError("东坐标没有带号，无法判断投影带：请声明坐标系（EPSG 代码）")
    if len(zones) > 1:
        raise CrsError(f"东坐标含有多个带号 {zones}（混合投影带），请分带处理")
    zone = zones[0]
    width = 3 if 25 <= zone <= 45 else 6 if 13 <= zone <= 23 else None
    if width is None:
        raise CrsError(f"带号 {zone} 不是中国境内的高斯-克吕格投影带")
    crs = crs_find(datum=datum, zone=zone, width=width, prefixed=True)
    coordinates_check(crs, x, y)
    return crs


@lru_cache(maxsize=64)
def transformer_between(source: CrsDef, target: CrsDef) -> Transformer:
    """Return a cached transformer between two systems of the SAME datum (no datum shift).

    Across datums PROJ would silently apply a zero "ballpark" shift; that must go through a
    fitted parameter set instead, so it is refused here.
    """
    if source.datum != target.datum:
        raise CrsError(f"{source.code} 与 {target.code} 基准不同：必须使用拟合的转换参数")
    pipeline = f"+proj=pipeline {source.proj_steps_to_cart()} {target.proj_steps_from_cart()}"
    return Transformer.from_pipeline(pipeline)


# Declarations that leave the zone to the data: "auto:beijing1954", "auto:cgcs2000".
AUTO_DECLARATIONS = {"auto:beijing1954": BEIJING1954, "auto:cgcs2000": CGCS2000}


def crs_resolve(declared: str, x, y) -> CrsDef:
    """Return the system of coordinates x/y: the declared EPSG code (checked against the data)
    or, for an ``auto:<datum>`` declaration, geographic or the GK zone the eastings' prefix
    names. Unprefixed eastings cannot name their zone: those need an EPSG code."""
    key = (declared or "").strip().lower()
    if key in AUTO_DECLARATIONS:
        datum = AUTO_DECLARATIONS[key]
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
        if _within(xs, LON_DEG) and _within(ys, LAT_DEG):
            return geographic_of(CRS_TABLE[4214 if datum == BEIJING1954 else 4490])
        return crs_detect_projected(datum, xs, ys)
    crs = crs_get(declared)
    coordinates_check(crs, x, y)
    return crs
