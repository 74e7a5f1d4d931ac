"""Builders of the edit-scope tests: place names filed under a district, with a polygon,
only a representative point, or no location at all."""

from __future__ import annotations

from itertools import count

import shapely
from django.contrib.gis.geos import Point, Polygon
from shapely.geometry import mapping

from boundaries.models import AdministrativeArea
from placenames.models import PlaceCategory, PlaceName
from placenames.services.names import search_keys


def district_centre(code: str) -> tuple[float, float]:
    """A point well inside the district ``code``."""
    area = AdministrativeArea.objects.get(code=code, valid_to__isnull=True)
    p = area.geom_4490.point_on_surface
    return p.x, p.y


def square(lon: float, lat: float, half: float = 0.001) -> dict:
    return mapping(
        shapely.from_wkt(Polygon.from_bbox((lon - half, lat - half, lon + half, lat + half)).wkt)
    )


_serial = count(1)


def place(name: str, *, division: str, geom=None, point_only=None) -> PlaceName:
    """A 区片 filed under ``division``: with a polygon, only a point, or no location."""
    area = AdministrativeArea.objects.get(code=division, valid_to__isnull=True)
    location = {}
    if geom is not None:
        poly = Polygon.from_bbox(geom)
        poly.srid = 4490
        location = {"geom_4490": poly, "point_4490": poly.point_on_surface}
        location["point_4490"].srid = 4490
    elif point_only is not None:
        location = {"point_4490": Point(*point_only, srid=4490)}
    return PlaceName.objects.create(
        place_code=f"{division}00021770{next(_serial):06d}",
        standard_name=name,
        pinyin="",
        category=PlaceCategory.objects.get(code="21770"),
        division=area,
        **location,
        **search_keys(standard_name=name, alias_names=[]),
    )


def box(lon: float, lat: float, half: float = 0.001) -> tuple[float, float, float, float]:
    return (lon - half, lat - half, lon + half, lat + half)
