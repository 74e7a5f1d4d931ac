"""Small builders for facilities tests (each test makes its own data)."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from boundaries.models import AdministrativeArea
from facilities.models import DemandUnit, Facility, FacilityType, Programme
from gis_portal.accounts import roles_sync, user_create_with_role
from gis_portal.metric_crs import to_lonlat

# A metric origin inside 工农区 (EPSG:4552), so that test geometry can be written in metres.
ORIGIN_M = (596_000.0, 5_245_000.0)


def lonlat_at(dx_m: float, dy_m: float) -> tuple[float, float]:
    lon, lat = to_lonlat(ORIGIN_M[0] + dx_m, ORIGIN_M[1] + dy_m)
    return float(lon), float(lat)


def county(code: str = "230403") -> AdministrativeArea:
    return AdministrativeArea.objects.get(code=code, valid_to__isnull=True)


def demand(code: str, dx_m: float, dy_m: float, *, elders: int = 0, children: int = 0,
           population: int = 100, area=None) -> DemandUnit:  # fmt: skip
    return DemandUnit.objects.create(
        code=code,
        county=area or county(),
        position_4490=Point(*lonlat_at(dx_m, dy_m), srid=4490),
        population=population,
        age_60_plus=elders,
        age_65_plus=elders,
        age_0_14=children,
        source="import",
    )


def facility(programme: str, type_slug: str, name: str, dx_m: float, dy_m: float, **kw) -> Facility:
    p = Programme.objects.get(slug=programme)
    return Facility.objects.create(
        programme=p,
        facility_type=FacilityType.objects.get(slug=type_slug),
        name=name,
        position_4490=Point(*lonlat_at(dx_m, dy_m), srid=4490),
        county=kw.pop("county", None) or county(),
        **kw,
    )


def user_with_role(username: str, role: str, *, password: str):
    """Return a user holding ``role`` (a slug of gis_portal.roles), with the role groups synced."""
    roles_sync()
    return user_create_with_role(username=username, password=password, role=role)
