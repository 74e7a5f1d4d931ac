"""Reads for the facilities app."""

from __future__ import annotations

import numpy as np
import shapely
from django.conf import settings

from boundaries.models import AdministrativeArea


def city_outline_4490() -> shapely.Geometry | None:
    """Return the city's current polygon as a shapely geometry, or None if not loaded."""
    area = (
        AdministrativeArea.objects.filter(
            code=settings.HEGANG_CITY_CODE, valid_to__isnull=True, geom_4490__isnull=False
        )
        .only("geom_4490")
        .first()
    )
    return shapely.from_wkb(bytes(area.geom_4490.wkb)) if area else None


def points_outside_city(lonlat_4490: np.ndarray) -> np.ndarray:
    """Return indices of points outside the city polygon (its bounding box if not loaded)."""
    return points_outside(city_outline_4490(), lonlat_4490)


def points_outside(outline: shapely.Geometry | None, lonlat_4490: np.ndarray) -> np.ndarray:
    """Return indices of points outside ``outline`` (the city's bounding box if None);
    no database access (an import checks its rows while its COPY is open)."""
    lon, lat = lonlat_4490[:, 0], lonlat_4490[:, 1]
    if outline is None:
        x0, y0, x1, y1 = settings.HEGANG_BBOX_4490
        inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    else:
        shapely.prepare(outline)
        inside = shapely.contains_xy(outline, lon, lat) | shapely.intersects_xy(
            outline.boundary, lon, lat
        )
    return np.flatnonzero(~inside)
