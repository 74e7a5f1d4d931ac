"""Coordinate conversions that PROJ does not provide: GCJ-02 and BD-09.

GCJ-02 ("Mars coordinates", used by Amap and Tencent) is WGS84 plus a deliberate,
non-linear offset; BD-09 (Baidu) is GCJ-02 plus a further rotation and shift. Both are
*input* systems only: the project stores CGCS2000 (EPSG:4490), which agrees with WGS84 at
the centimetre level, so "to CGCS2000" here means "to WGS84".

The forward GCJ-02 formula is public; its inverse has no closed form. The common one-step
inverse (subtract the offset computed at the GCJ-02 point) leaves errors of up to a few
metres; ``gcj02_to_wgs84`` iterates the forward formula to a fixed point instead and stops
below 1e-9° (about 0.1 mm), which is well under any survey tolerance.

All functions take and return numpy arrays (or scalars) in degrees, longitude first, and
are vectorised: converting a million vertices is one call.
"""

from __future__ import annotations

import numpy as np

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 formula.
_A_M = 6378245.0
_EE = 0.00669342162296594323
_BD_PI = np.pi * 3000.0 / 180.0

# The GCJ-02 offset is only applied inside this rough box around China; outside it the
# published algorithm returns the input unchanged.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_ITERATIONS = 30


class CoordinateRangeError(ValueError):
    """Coordinates are not finite longitudes/latitudes."""


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon_arr = np.asarray(lon, dtype=np.float64)
    lat_arr = np.asarray(lat, dtype=np.float64)
    if lon_arr.shape != lat_arr.shape:
        raise CoordinateRangeError("经度和纬度数量不一致 (lon and lat differ in shape)")
    if not (np.all(np.isfinite(lon_arr)) and np.all(np.isfinite(lat_arr))):
        raise CoordinateRangeError("坐标含有非数值 (NaN or infinite coordinate)")
    if np.any(np.abs(lon_arr) > 180) or np.any(np.abs(lat_arr) > 90):
        raise CoordinateRangeError("经纬度超出范围 (longitude or latitude out of range)")
    return lon_arr, lat_arr


def _inside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lon >= _CHINA_LON[0])
        & (lon <= _CHINA_LON[1])
        & (lat >= _CHINA_LAT[0])
        & (lat <= _CHINA_LAT[1])
    )


def _gcj02_offset_deg(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS84 position lon/lat."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A_M * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A_M / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = _inside_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return GCJ-02 lon/lat for WGS84 (≈ CGCS2000) lon/lat in degrees."""
    lon_arr, lat_arr = _as_arrays(lon, lat)
    dlon, dlat = _gcj02_offset_deg(lon_arr, lat_arr)
    return lon_arr + dlon, lat_arr + dlat


def _invert(forward, lon, lat, start) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x) = (lon, lat) for x by fixed-point iteration from ``start``.

    Both offsets vary slowly (gradients ~1e-5), so each step gains about five digits and
    two or three steps reach 1e-9°.
    """
    x_lon, x_lat = start
    for _ in range(_INVERSE_MAX_ITERATIONS):
        f_lon, f_lat = forward(x_lon, x_lat)
        err_lon, err_lat = f_lon - lon, f_lat - lat
        x_lon = x_lon - err_lon
        x_lat = x_lat - err_lat
        worst = max(np.max(np.abs(err_lon), initial=0.0), np.max(np.abs(err_lat), initial=0.0))
        if worst < _INVERSE_TOLERANCE_DEG:
            break
    return x_lon, x_lat


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS84 (≈ CGCS2000) lon/lat for GCJ-02 lon/lat (iterated exact inverse)."""
    g_lon, g_lat = _as_arrays(lon, lat)
    return _invert(wgs84_to_gcj02, g_lon, g_lat, (g_lon.copy(), g_lat.copy()))


def gcj02_to_wgs84_one_step(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return the common one-step approximation of the inverse (for comparison only)."""
    g_lon, g_lat = _as_arrays(lon, lat)
    dlon, dlat = _gcj02_offset_deg(g_lon, g_lat)
    return g_lon - dlon, g_lat - dlat


def _bd09_to_gcj02_approx(b_lon: np.ndarray, b_lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The published closed-form inverse; up to ~0.2 m off, used as the starting point."""
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return GCJ-02 lon/lat for Baidu BD-09 lon/lat (iterated exact inverse)."""
    b_lon, b_lat = _as_arrays(lon, lat)
    return _invert(gcj02_to_bd09, b_lon, b_lat, _bd09_to_gcj02_approx(b_lon, b_lat))


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return Baidu BD-09 lon/lat for GCJ-02 lon/lat."""
    g_lon, g_lat = _as_arrays(lon, lat)
    z = np.sqrt(g_lon * g_lon + g_lat * g_lat) + 0.00002 * np.sin(g_lat * _BD_PI)
    theta = np.arctan2(g_lat, g_lon) + 0.000003 * np.cos(g_lon * _BD_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS84 (≈ CGCS2000) lon/lat for BD-09 lon/lat."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return BD-09 lon/lat for WGS84 lon/lat (used to build test data)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


# Declared input systems and the function that brings each to CGCS2000 (EPSG:4490).
TO_CGCS2000 = {
    "EPSG:4490": None,
    "EPSG:4326": None,
    "GCJ-02": gcj02_to_wgs84,
    "BD-09": bd09_to_wgs84,
}


def to_cgcs2000(lon, lat, *, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Return CGCS2000 lon/lat for lon/lat declared in ``source`` (see TO_CGCS2000)."""
    try:
        convert = TO_CGCS2000[source]
    except KeyError:
        raise CoordinateRangeError(
            f"未知坐标系 {source!r} (unknown source system; known: {', '.join(TO_CGCS2000)})"
        ) from None
    if convert is None:
        return _as_arrays(lon, lat)
    return convert(lon, lat)
