"""The facilities demo step: demand from the 2020 census and the plan's facilities."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import shapely
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import transaction

from boundaries.models import AdministrativeArea, AreaLevel, AreaPopulation
from facilities import demogen
from facilities.geo import geometry_to_metric, to_lonlat, to_metric
from facilities.models import DemandSource, DemandUnit, Facility, FacilityType, Programme
from facilities.services.standards import programmes_seed
from placenames.models import PlaceName

CENSUS_YEAR = 2020
PLATE_CELL_M = 100.0
GRID_STEP_M = 250.0
GRID_HALF_M = 2500.0
DEMO_SOURCE = "演示数据：按规划生成位置"


def _door_plates_by_county() -> dict[str, tuple[np.ndarray, list]]:
    """Return {county code: (plate positions in metres, township ids)} if plates exist."""
    try:
        door_plate = apps.get_model("addresses", "DoorPlate")
    except LookupError:
        return {}
    rows = door_plate.objects.filter(retired_on__isnull=True).values_list(
        "point_4490", "street__county__code", "street__township_id"
    )
    out: dict[str, tuple[list, list]] = {}
    for point, county, township in rows.iterator(chunk_size=5000):
        if county:
            xy, towns = out.setdefault(county, ([], []))
            xy.append((point.x, point.y))
            towns.append(township)
    result = {}
    for county, (lonlat, towns) in out.items():
        arr = np.array(lonlat)
        result[county] = (np.column_stack(to_metric(arr[:, 0], arr[:, 1])), towns)
    return result


def _metric_outline(area: AdministrativeArea) -> shapely.Geometry:
    return geometry_to_metric(shapely.from_wkb(bytes(area.geom_4490.wkb)))


def _locations(county: AdministrativeArea, plates) -> tuple[np.ndarray, np.ndarray, list, str]:
    """Return (positions m, weights, township ids, source) of a county's residential locations."""
    if plates is not None:
        xy, towns = plates
        cells, counts = demogen.cells_of(xy, cell_m=PLATE_CELL_M)
        keys = np.floor(xy / PLATE_CELL_M).astype(np.int64)
        _, first = np.unique(keys, axis=0, return_index=True)
        return cells, counts.astype(float), [towns[i] for i in first], DemandSource.DOOR_PLATES
    outline = _metric_outline(county)
    centre = shapely.point_on_surface(outline)
    grid = demogen.grid_in(
        outline, centre_xy=(centre.x, centre.y), half_m=GRID_HALF_M, step_m=GRID_STEP_M
    )
    return grid, np.ones(len(grid)), [None] * len(grid), DemandSource.GRID


def _urban_communities() -> list[tuple[AdministrativeArea, AdministrativeArea]]:
    """Return (community, county) for every current 社区 (urban community)."""
    out = []
    for c in AdministrativeArea.objects.filter(
        level=AreaLevel.VILLAGE, kind="社区", valid_to__isnull=True
    ).select_related("parent__parent"):
        county = c.parent.parent if c.parent and c.parent.level == AreaLevel.TOWNSHIP else c.parent
        out.append((c, county))
    return out


def facilities_demo_load() -> dict:
    """Replace the demo demand units and facilities (is_demo=True); deterministic."""
    programmes_seed()
    rng = np.random.default_rng(demogen.SEED)
    populations = {
        p.area.code: p
        for p in AreaPopulation.objects.filter(census_year=CENSUS_YEAR).select_related("area")
        if p.area.level == AreaLevel.COUNTY
    }
    plates = _door_plates_by_county()
    with transaction.atomic():
        Facility.objects.filter(is_demo=True).delete()
        DemandUnit.objects.filter(is_demo=True).delete()
        units: list[DemandUnit] = []
        sources: dict[str, str] = {}
        positions: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}
        for code in sorted(populations):
            pop = populations[code]
            county = pop.area
            xy, weights, towns, source = _locations(county, plates.get(code))
            sources[county.name] = str(source.value)
            figures = {f: getattr(pop, f) for f in demogen.AGE_FIELDS}
            split = demogen.split_census(figures, weights)
            lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
            positions[code] = (xy, split["population"], towns)
            for i in range(len(xy)):
                units.append(
                    DemandUnit(
                        code=f"{code}-{i + 1:05d}",
                        county=county,
                        township_id=towns[i],
                        position_4490=Point(float(lon[i]), float(lat[i]), srid=4490),
                        area_4490=_cell_polygon(
                            xy[i],
                            PLATE_CELL_M if source == DemandSource.DOOR_PLATES else GRID_STEP_M,
                        ),
                        is_urban=True,
                        population=int(split["population"][i]),
                        age_0_14=int(split["age_0_14"][i]),
                        age_60_plus=int(split["age_60_plus"][i]),
                        age_65_plus=int(split["age_65_plus"][i]),
                        age_80_plus=int(split["age_80_plus"][i]),
                        source=source,
                        is_demo=True,
                    )
                )
        DemandUnit.objects.bulk_create(units, batch_size=2000)

        communities = _urban_communities()
        specs = demogen.plan_facilities(
            elders_by_county={c: p.age_60_plus for c, p in populations.items()},
            communities=[
                (c.code, county.code, c.parent_id if c.parent.level == AreaLevel.TOWNSHIP else None)
                for c, county in communities
            ],
        )
        areas = {
            a.code: a
            for a in AdministrativeArea.objects.filter(
                valid_to__isnull=True, level__in=[AreaLevel.COUNTY, AreaLevel.VILLAGE]
            )
        }
        types = {t.slug: t for t in FacilityType.objects.select_related("programme")}
        programmes = {p.slug: p for p in Programme.objects.all()}
        facilities = []
        for spec in specs:
            xy = _place(spec, positions[spec.county], areas[spec.county], rng)
            lon, lat = to_lonlat(xy[0], xy[1])
            ftype = types[spec.facility_type]
            facilities.append(
                Facility(
                    programme=programmes[spec.programme],
                    facility_type=ftype,
                    name=spec.name,
                    address=spec.note,
                    position_4490=Point(float(lon), float(lat), srid=4490),
                    county=areas[spec.county],
                    community=areas.get(spec.community) if spec.community else None,
                    status=spec.status,
                    opened_on=None if spec.status != "open" else dt.date(2019, 10, 1),
                    construction_started_on=dt.date(2021, 5, 1)
                    if spec.status == "building"
                    else None,
                    capacity=spec.capacity,
                    capacity_unit=programmes[spec.programme].capacity_unit if spec.capacity else "",
                    site_area_m2=spec.site_area_m2,
                    operator=spec.operator,
                    source=DEMO_SOURCE,
                    is_demo=True,
                )
            )
        Facility.objects.bulk_create(facilities)
        linked = _link_place_names(facilities)
    return {
        "demand_units": len(units),
        "population": int(sum(u.population for u in units)),
        "demand_source": sources,
        "facilities": len(facilities),
        "linked_to_place_names": linked,
    }


def _link_place_names(facilities: list[Facility]) -> int:
    """Link facilities to archive records of the same name (or the name in brackets)."""

    def names(f: Facility) -> list[str]:
        inner = re.findall(r"（(.+?)）", f.name)
        return [f.name, *inner]

    wanted = {n for f in facilities for n in names(f)}
    records = {
        p.standard_name: p
        for p in PlaceName.objects.filter(standard_name__in=wanted).order_by("place_code")
    }
    for f in facilities:
        f.place_name = next((records[n] for n in names(f) if n in records), None)
    Facility.objects.bulk_update([f for f in facilities if f.place_name], ["place_name"])
    return sum(1 for f in facilities if f.place_name)


def _cell_polygon(centre: np.ndarray, size_m: float) -> MultiPolygon:
    h = size_m / 2
    xs = np.array([-h, h, h, -h, -h]) + centre[0]
    ys = np.array([-h, -h, h, h, -h]) + centre[1]
    lon, lat = to_lonlat(xs, ys)
    return MultiPolygon(Polygon(list(zip(lon.tolist(), lat.tolist(), strict=True))), srid=4490)


def _place(
    spec: demogen.FacilitySpec, county_positions, county: AdministrativeArea, rng
) -> np.ndarray:
    """Return a deterministic metric position for a facility inside its district."""
    xy, population, towns = county_positions
    outline = _metric_outline(county)
    if spec.placement == "outskirts":
        centre = np.average(xy, axis=0, weights=population)
        for _ in range(1000):
            angle, radius = rng.uniform(0, 2 * np.pi), rng.uniform(2500, 6000)
            p = centre + radius * np.array([np.cos(angle), np.sin(angle)])
            if shapely.contains_xy(outline, p[0], p[1]):
                return p
        return centre
    pool = np.arange(len(xy))
    if spec.township is not None:
        in_town = np.flatnonzero(np.array([t == spec.township for t in towns]))
        if in_town.size:
            pool = in_town
    weights = population[pool].astype(float) + 1e-9
    i = rng.choice(pool, p=weights / weights.sum())
    for _ in range(20):  # a little jitter, so co-located facilities stay apart
        p = xy[i] + rng.uniform(-30, 30, 2)
        if shapely.contains_xy(outline, p[0], p[1]):
            return p
    return xy[i]
