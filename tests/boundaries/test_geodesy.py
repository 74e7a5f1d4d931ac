import numpy as np
import pytest

from boundaries import geodesy

# A grid over Hegang and its surroundings (CGCS2000 ≈ WGS84 lon/lat).
LON, LAT = np.meshgrid(np.linspace(129.4, 132.6, 40), np.linspace(47.0, 48.5, 30))
LON, LAT = LON.ravel(), LAT.ravel()
M_PER_DEG_LAT = 111_200.0


def _error_m(lon_a, lat_a, lon_b, lat_b):
    dx = (lon_a - lon_b) * M_PER_DEG_LAT * np.cos(np.radians(lat_b))
    dy = (lat_a - lat_b) * M_PER_DEG_LAT
    return np.hypot(dx, dy)


def test_gcj02_offset_in_hegang_is_the_published_one():
    # Amap data are ~+0.0076° lon, +0.0025° lat off WGS84 around Hegang (~600 m).
    g_lon, g_lat = geodesy.wgs84_to_gcj02(130.29, 47.35)
    assert 0.006 < g_lon - 130.29 < 0.009
    assert 0.0015 < g_lat - 47.35 < 0.0035


def test_iterative_inverse_recovers_wgs84_to_a_millimetre():
    g_lon, g_lat = geodesy.wgs84_to_gcj02(LON, LAT)
    w_lon, w_lat = geodesy.gcj02_to_wgs84(g_lon, g_lat)
    assert _error_m(w_lon, w_lat, LON, LAT).max() < 0.001


def test_one_step_inverse_is_metres_off_and_the_iterative_one_is_not():
    g_lon, g_lat = geodesy.wgs84_to_gcj02(LON, LAT)
    rough = _error_m(*geodesy.gcj02_to_wgs84_one_step(g_lon, g_lat), LON, LAT)
    exact = _error_m(*geodesy.gcj02_to_wgs84(g_lon, g_lat), LON, LAT)
    assert rough.max() > 0.5  # the approximation the issue warns about
    assert exact.max() < rough.max() / 1000


def test_bd09_round_trip():
    b_lon, b_lat = geodesy.wgs84_to_bd09(LON, LAT)
    assert _error_m(b_lon, b_lat, LON, LAT).min() > 500  # BD-09 really is off
    w_lon, w_lat = geodesy.bd09_to_wgs84(b_lon, b_lat)
    assert _error_m(w_lon, w_lat, LON, LAT).max() < 0.01


def test_outside_china_is_left_unchanged():
    lon, lat = geodesy.wgs84_to_gcj02(2.35, 48.85)
    assert (lon, lat) == (2.35, 48.85)


@pytest.mark.parametrize(
    ("lon", "lat", "needle"),
    [
        (float("nan"), 47.0, "NaN"),
        (130.0, float("inf"), "NaN"),
        (200.0, 47.0, "out of range"),
        ([1.0, 2.0], [3.0], "shape"),
    ],
)
def test_bad_coordinates_are_refused_with_a_named_reason(lon, lat, needle):
    with pytest.raises(geodesy.CoordinateRangeError, match=needle):
        geodesy.gcj02_to_wgs84(lon, lat)


def test_to_cgcs2000_names_unknown_systems():
    with pytest.raises(geodesy.CoordinateRangeError, match="unknown source system"):
        geodesy.to_cgcs2000(130.0, 47.0, source="EPSG:3857")
    lon, lat = geodesy.to_cgcs2000(*geodesy.wgs84_to_gcj02(130.0, 47.0), source="GCJ-02")
    assert _error_m(lon, lat, 130.0, 47.0) < 0.001
