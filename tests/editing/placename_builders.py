"""Builders of place-name records for the editor's tests (small polygons in a district)."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, Polygon

from boundaries.models import AdministrativeArea
from placenames.models import PlaceCategory, PlaceName
from placenames.services.names import categories_load, search_keys

# 工农区, an urban district of Hegang (its polygon is in the real areas).
DISTRICT_CODE = "230403"


def district() -> AdministrativeArea:
    return AdministrativeArea.objects.get(code=DISTRICT_CODE, valid_to__isnull=True)


def square_around(lon: float, lat: float, half_deg: float = 0.002) -> Polygon:
    return Polygon.from_bbox((lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg))


def district_centre() -> tuple[float, float]:
    point = district().geom_4490.point_on_surface
    return point.x, point.y


def place_create(
    name: str = "向阳小区",
    *,
    category: str = "21770",
    geom: GEOSGeometry | None = None,
    serial: int = 1,
    is_demo: bool = True,
) -> PlaceName:
    """A registered place (区片 by default) with a small square polygon."""
    if not PlaceCategory.objects.exists():
        # Loaded by a migration, but emptied by transactional (browser) tests' flush.
        categories_load()
    area = district()
    if geom is None:
        lon, lat = district_centre()
        geom = square_around(lon, lat)
    geom.srid = 4490
    point = geom if geom.geom_type == "Point" else geom.point_on_surface
    point.srid = 4490
    return PlaceName.objects.create(
        place_code=f"{area.code[:6]}000{category}{serial:06d}",
        standard_name=name,
        pinyin="",
        category=PlaceCategory.objects.get(code=category),
        division=area,
        geom_4490=geom,
        point_4490=point,
        is_demo=is_demo,
        **search_keys(standard_name=name, alias_names=[]),
    )
