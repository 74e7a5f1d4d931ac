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
from facilities.models import DemandSource, DemandUnit, Facility, FacilityType, Programme
from facilities.services.standards import programmes_seed
from gis_portal.metric_crs import geometry_to_metric, to_lonlat, to_metric
from placenames.models import GeoNamesPlace, PlaceName

CENSUS_YEAR = 2020
# 农村居民点 (GB/T 18521 class 22200) in the place-name archive: the rural locations.
SETTLEMENT_CATEGORY = "22200"
SETTLEMENT_CELL_M = 500.0
PLATE_CELL_M = 100.0
GRID_STEP_M = 250.0
GRID_HALF_M = 2500.0
DEMO_SOURCE = "演示数据：按规划生成位置"
CELL_M = {
    DemandSource.DOOR_PLATES: PLATE_CELL_M,
    DemandSource.GRID: GRID_STEP_M,
    DemandSource.SETTLEMENTS: SETTLEMENT_CELL_M,
}


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


def _seat(county: AdministrativeArea, outline) -> tuple[float, float]:
    """Return the metric position of the county's seat: the most populous GeoNames place
    inside it (cities1000: county seats and district centres), else a point on its surface."""
    place = (
        GeoNamesPlace.objects.filter(geom_4490__within=county.geom_4490)
        .order_by("-population", "geonames_id")
        .first()
    )
    if place is not None:
        x, y = to_metric(place.geom_4490.x, place.geom_4490.y)
        return float(x), float(y)
    centre = shapely.point_on_surface(outline)
    return centre.x, centre.y


def _settlements(county: AdministrativeArea) -> tuple[np.ndarray, bool]:
    """Return (metric positions, surveyed?) of the located rural settlements in a county.

    Surveyed (non-demo) records are preferred; the demo archive's generated ones are used
    only when a county has none (they are then demo positions, like the demand itself).
    """
    located = PlaceName.objects.filter(
        category__code=SETTLEMENT_CATEGORY,
        geom_4490__isnull=False,
        geom_4490__within=county.geom_4490,
    ).order_by("place_code")
    for surveyed in (True, False):
        rows = [p.geom_4490 for p in located.filter(is_demo=not surveyed)]
        points = [g for g in rows if g.geom_type == "Point"]
        if points:
            xy = np.column_stack(to_metric([g.x for g in points], [g.y for g in points]))
            return xy, surveyed
    return np.empty((0, 2)), False


def _locations(county: AdministrativeArea, plates, urban_share: float | None):
    """Return (positions m, weights, township ids, sources, urban flags, summary) of a
    county's residential locations: door plates or a grid round the seat for the urban
    share, located rural settlements for the rest (the grid takes all when none exist)."""
    if plates is not None:
        xy, towns = plates
        cells, counts = demogen.cells_of(xy, cell_m=PLATE_CELL_M)
        keys = np.floor(xy / PLATE_CELL_M).astype(np.int64)
        _, first = np.unique(keys, axis=0, return_index=True)
        urban_xy, urban_w = cells, counts.astype(float)
        urban_towns, urban_source = [towns[i] for i in first], DemandSource.DOOR_PLATES
    else:
        outline = _metric_outline(county)
        urban_xy = demogen.grid_in(
            outline, centre_xy=_seat(county, outline), half_m=GRID_HALF_M, step_m=GRID_STEP_M
        )
        urban_w = np.ones(len(urban_xy))
        urban_towns, urban_source = [None] * len(urban_xy), DemandSource.GRID
    rural_xy, surveyed = (
        _settlements(county)
        if urban_share is not None and urban_share < 1
        else (np.empty((0, 2)), False)
    )
    weights = demogen.urban_rural_weights(urban_w, len(rural_xy), urban_share)
    n_u, n_r = len(urban_xy), len(rural_xy)
    summary = str(urban_source.value)
    if n_r:
        kind = "surveyed" if surveyed else "demo"
        summary += f" + {n_r} settlements ({kind} positions, urban share {urban_share:.1%})"
    return (
        np.vstack([urban_xy, rural_xy]),
        weights,
        urban_towns + [None] * n_r,
        [urban_source] * n_u + [DemandSource.SETTLEMENTS] * n_r,
        np.concatenate([np.ones(n_u, bool), np.zeros(n_r, bool)]),
        summary,
    )


def _urban_communities() -> list[tuple[AdministrativeArea, AdministrativeArea]]:
    """Return (community, county) for every current 社区 (urban community)."""
    out = []
    for c in AdministrativeArea.objects.filter(
        level=AreaLevel.VILLAGE, kind="社区", valid_to__isnull=True
    ).select_related("parent__parent"):
        county = c.parent.parent if c.parent and c.parent.level == AreaLevel.TOWNSHIP else c.parent
        out.append((c, county))
    return out


def _rural_villages() -> list[
    tuple[AdministrativeArea, AdministrativeArea, AdministrativeArea | None]
]:
    """Return (village, county, township or None) of every administrative village (村)."""
    out = []
    for v in (
        AdministrativeArea.objects.filter(level=AreaLevel.VILLAGE, kind="村", valid_to__isnull=True)
        .select_related("parent__parent")
        .order_by("code")
    ):
        town = v.parent if v.parent and v.parent.level == AreaLevel.TOWNSHIP else None
        out.append((v, town.parent if town else v.parent, town))
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
            xy, weights, towns, kinds, urban, summary = _locations(
                county, plates.get(code), pop.urban_share
            )
            sources[county.name] = summary
            figures = {f: getattr(pop, f) for f in demogen.AGE_FIELDS}
            split = demogen.split_census(figures, weights)
            lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
            positions[code] = (xy, split["population"], towns, urban)
            for i in range(len(xy)):
                units.append(
                    DemandUnit(
                        code=f"{code}-{i + 1:05d}",
                        county=county,
                        township_id=towns[i],
                        position_4490=Point(float(lon[i]), float(lat[i]), srid=4490),
                        area_4490=_cell_polygon(xy[i], CELL_M[kinds[i]]),
                        is_urban=bool(urban[i]),
                        population=int(split["population"][i]),
                        age_0_14=int(split["age_0_14"][i]),
                        age_60_plus=int(split["age_60_plus"][i]),
                        age_65_plus=int(split["age_65_plus"][i]),
                        age_80_plus=int(split["age_80_plus"][i]),
                        source=kinds[i],
                        is_demo=True,
                    )
                )
        DemandUnit.objects.bulk_create(units, batch_size=2000)

        communities = _urban_communities()
        villages = _rural_villages()
        labels = demogen.village_labels(
            [(v.code, v.name, town.name if town else "") for v, _, town in villages]
        )
        specs = demogen.plan_facilities(
            elders_by_county={c: p.age_60_plus for c, p in populations.items()},
            communities=[
                (c.code, county.code, c.parent_id if c.parent.level == AreaLevel.TOWNSHIP else None)
                for c, county in communities
            ],
            villages=[
                (v.code, county.code, town.code if town else None, labels[v.code])
                for v, county, town in villages
            ],
        )
        village_spots = _village_spots(villages, positions)
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
            xy = (
                village_spots[spec.community]
                if spec.placement == "village" and spec.community in village_spots
                else _place(spec, positions[spec.county], areas[spec.county], rng)
            )
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


def _village_spots(villages, positions) -> dict[str, np.ndarray]:
    """Return a metric position per village code for its village facility, deterministic.

    The village's own located record in the archive (the same name) first; else the rural
    settlements of its township in turn (when the township has a polygon), else those of its
    county; a county with no located settlement places its villages in town (_place).
    """
    by_name: dict[tuple[str, str], np.ndarray] = {}
    names = {re.sub(r"(村民委员会|村委会)$", "", v.name) for v, _, _ in villages}
    for p in PlaceName.objects.filter(standard_name__in=names, geom_4490__isnull=False).order_by(
        "place_code"
    ):
        if p.geom_4490.geom_type == "Point" and p.division_id:
            xy = np.array(to_metric(p.geom_4490.x, p.geom_4490.y), dtype=float).ravel()
            by_name.setdefault((p.standard_name, p.division_id), xy)
    turn: dict[object, int] = {}
    spots: dict[str, np.ndarray] = {}
    for village, county, town in villages:
        short = re.sub(r"(村民委员会|村委会)$", "", village.name)
        own = next(
            (
                by_name[(short, a.pk)]
                for a in (village, town, county)
                if a and (short, a.pk) in by_name
            ),
            None,
        )
        if own is not None:
            spots[village.code] = own
            continue
        xy, _, _, urban = positions.get(county.code, (np.empty((0, 2)), None, None, None))
        rural = xy[~urban] if len(xy) else xy
        key: object = county.code
        if town is not None and town.geom_4490 is not None and len(rural):
            inside = shapely.contains_xy(_metric_outline(town), rural[:, 0], rural[:, 1])
            if inside.any():
                rural, key = rural[inside], town.code
        if len(rural):
            k = turn.get(key, 0)
            turn[key] = k + 1
            spots[village.code] = _spread(rural[k % len(rural)], k // len(rural), county)
    return spots


def _spread(xy: np.ndarray, ring: int, county: AdministrativeArea) -> np.ndarray:
    """Move the ``ring``-th facility sharing a settlement a little aside (golden angle, 80 m
    rings), so that their symbols do not hide each other; stays inside the county."""
    if ring == 0:
        return xy
    angle = ring * 2.399963
    p = xy + 80.0 * np.sqrt(ring) * np.array([np.cos(angle), np.sin(angle)])
    return p if shapely.contains_xy(_metric_outline(county), p[0], p[1]) else xy


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
    xy, population, towns, urban = county_positions
    # The plan's facilities stand in the towns: only urban locations are candidates.
    xy, population = xy[urban], population[urban]
    towns = [t for t, u in zip(towns, urban, strict=True) if u]
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
