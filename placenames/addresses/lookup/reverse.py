"""Reverse lookup: the nearest active door plate with its full address."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from boundaries.models import AreaLevel
from boundaries.selectors.areas import areas_at_point
from gis_portal.metric_crs import to_metric
from placenames.addresses.lookup.results import (
    GeocodeResult,
    full_address,
)
from placenames.addresses.models import PlateStatus
from placenames.addresses.numbering import format_number

# ---- reverse --------------------------------------------------------------------------------

_REVERSE_SQL = """
    SELECT p.id, p.number, p.sub_number, p.building, p.unit, p.is_demo,
           ST_X(p.point_4490), ST_Y(p.point_4490), ST_Distance(p.point_4552, q.g),
           s.id, s.name, coalesce(t.name, ''), coalesce(t.code, ''),
           coalesce(c.name, ''), coalesce(c.code, ''),
           coalesce(city.name, ''), coalesce(city.code, '')
    FROM (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4552) AS g) q
    CROSS JOIN LATERAL (
        SELECT * FROM addresses_doorplate d
        WHERE d.status <> %s
        ORDER BY d.point_4552 <-> q.g
        LIMIT 1
    ) p
    JOIN addresses_street s ON s.id = p.street_id
    LEFT JOIN boundaries_administrativearea t ON t.id = s.township_id
    LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
    LEFT JOIN boundaries_administrativearea city ON city.id = c.parent_id
"""


@dataclass
class ReverseResult:
    plate_id: int
    number_text: str
    building: str
    unit: str
    lon: float
    lat: float
    distance_m: float
    street: dict
    township: dict
    county: dict
    city: dict
    address: str
    is_demo: bool


def reverse(*, lon: float, lat: float) -> ReverseResult | None:
    """Return the nearest active door plate (metric KNN on EPSG:4552) with its full address."""
    # Projected here (cached pyproj transformer): PostGIS would build its PROJ object per query.
    x_m, y_m = to_metric(lon, lat)
    with connection.cursor() as cur:
        cur.execute(_REVERSE_SQL, [x_m, y_m, PlateStatus.RETIRED])
        row = cur.fetchone()
    if row is None:
        return None
    (pid, number, sub, building, unit, is_demo, plon, plat, dist,
     sid, sname, tname, tcode, cname, ccode, cityname, citycode) = row  # fmt: skip
    if not ccode:
        # A street entered without its county: take the areas from the polygons.
        for area in areas_at_point(lon=plon, lat=plat):
            if area.level == AreaLevel.COUNTY:
                cname, ccode = area.name, area.code
            elif area.level == AreaLevel.CITY:
                cityname, citycode = area.name, area.code
    number_text = format_number(number, sub)
    return ReverseResult(
        plate_id=pid,
        number_text=number_text,
        building=building,
        unit=unit,
        lon=plon,
        lat=plat,
        distance_m=round(dist, 1),
        street={"id": sid, "name": sname},
        township={"code": tcode, "name": tname},
        county={"code": ccode, "name": cname},
        city={"code": citycode, "name": cityname},
        address=full_address(cityname, cname, tname, sname, number_text),
        is_demo=is_demo,
    )


def reverse_as_result(r: ReverseResult) -> GeocodeResult:
    """Return a reverse answer as a geocoder result (for GeocodeJSON)."""
    return GeocodeResult(
        "plate",
        100.0,
        r.lon,
        r.lat,
        r.address,
        {"street": r.street["name"], "number": r.number_text},
        is_demo=r.is_demo,
        ids={"plate_id": r.plate_id},
        parts={
            "city": r.city["name"],
            "county": r.county["name"],
            "township": r.township["name"],
            "street": r.street["name"],
            "number": r.number_text,
        },
        distance_m=r.distance_m,
    )
