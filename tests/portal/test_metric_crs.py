"""The one metric-CRS helper every app measures with (no database)."""

import numpy as np
import pytest
import shapely

from gis_portal.metric_crs import (
    GK_ZONE_EPSG,
    geometry_to_lonlat,
    geometry_to_metric,
    to_lonlat,
    to_metric,
)


def test_a_point_on_a_zone_meridian_has_the_false_easting():
    # 3° Gauss-Krüger CM zones without prefix: 500 km false easting on the central meridian.
    x43, _ = to_metric(129.0, 47.3)
    x44, _ = to_metric(132.0, 47.3, epsg=GK_ZONE_EPSG[44])
    assert x43 == pytest.approx(500_000.0, abs=0.01)
    assert x44 == pytest.approx(500_000.0, abs=0.01)


def test_scalars_come_back_as_floats_and_lists_as_arrays():
    x, y = to_metric(130.3, 47.33)
    assert isinstance(x, float) and isinstance(y, float)
    xs, ys = to_metric([130.3, 130.4], [47.33, 47.34])
    assert isinstance(ys, np.ndarray)
    assert isinstance(xs, np.ndarray) and xs.shape == (2,)
    # 0.1° of longitude at 47.3°N is about 7.5 km
    assert xs[1] - xs[0] == pytest.approx(7_550, rel=0.01)


def test_geometries_round_trip_to_the_millimetre():
    street = shapely.LineString([(130.29, 47.33), (130.31, 47.34), (130.33, 47.335)])
    metric = geometry_to_metric(street)
    assert 3_000 < metric.length < 4_000  # metres, not degrees
    back = geometry_to_lonlat(metric)
    assert shapely.equals_exact(back, street, tolerance=1e-8)
    lon, lat = to_lonlat(*to_metric(131.5, 47.1, epsg=4553), epsg=4553)
    assert (lon, lat) == pytest.approx((131.5, 47.1), abs=1e-9)
