"""Metric coordinates for the city's analyses (no Django).

Every coverage and siting distance inside the city is measured in EPSG:4552 (CGCS2000
3° Gauss-Krüger, CM 129°E), the zone holding the urban districts. The eastern counties
reach 132.6°E, 3.6° from that meridian, where the scale error is under 0.1%: far below
the uncertainty of any service standard, and one zone keeps the whole city comparable.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

METRIC_EPSG = 4552


@lru_cache(maxsize=4)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Return EPSG:4552 easting/northing in metres of CGCS2000 lon/lat arrays."""
    return _transformer(4490, METRIC_EPSG).transform(np.asarray(lon), np.asarray(lat))


def to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Return CGCS2000 lon/lat of EPSG:4552 easting/northing arrays."""
    return _transformer(METRIC_EPSG, 4490).transform(np.asarray(x), np.asarray(y))


def geometry_to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(to_metric(xy[:, 0], xy[:, 1])))


def geometry_to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1])))
