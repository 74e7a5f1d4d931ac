"""Coverage of each programme's target population by its open facilities (reads only)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.apps import apps

from boundaries.models import AdministrativeArea, AreaLevel
from facilities.coverage import Pairs, assign, gap_polygons, straight_pairs
from facilities.errors import CoverageUnavailable
from facilities.models import (
    DemandUnit,
    DistanceKind,
    Facility,
    FacilityStatus,
    Programme,
    TargetPopulation,
    UnitRule,
)
from facilities.network import StreetNetwork
from gis_portal.metric_crs import geometry_to_lonlat, geometry_to_metric, to_metric


@dataclass
class DemandArrays:
    """Every demand unit as numpy arrays (metres in EPSG:4552)."""

    ids: np.ndarray
    county_id: np.ndarray
    township_id: np.ndarray  # 0 where unknown
    xy_m: np.ndarray
    columns: dict[str, np.ndarray]
    extra: list[dict]
    cells_m: list = field(default_factory=list)
    is_urban: np.ndarray | None = None  # None: not known (counted as urban)

    def target(self, programme: Programme) -> np.ndarray:
        if programme.target_population == TargetPopulation.CUSTOM:
            key = programme.custom_field
            return np.array([float(e.get(key, 0) or 0) for e in self.extra])
        column, rural_only = TargetPopulation.column_of(programme.target_population)
        values = self.columns[column].astype(float)
        if rural_only:
            # Rural residents: the demand units the census split put outside the towns.
            urban = self.is_urban if self.is_urban is not None else np.ones(values.size, bool)
            values = np.where(urban, 0.0, values)
        return values


def demand_arrays(*, with_cells: bool = False) -> DemandArrays:
    fields = [
        "id",
        "county_id",
        "township_id",
        "position_4490",
        "population",
        "age_0_14",
        "age_60_plus",
        "age_65_plus",
        "age_80_plus",
        "extra",
        "is_urban",
    ]
    if with_cells:
        fields.append("area_4490")
    rows = list(DemandUnit.objects.order_by("id").values_list(*fields))
    if not rows:
        return DemandArrays(
            np.empty(0, int), np.empty(0, int), np.empty(0, int), np.empty((0, 2)), {}, []
        )
    lon = np.array([r[3].x for r in rows])
    lat = np.array([r[3].y for r in rows])
    x, y = to_metric(lon, lat)
    cols = {name: np.array([r[4 + k] for r in rows]) for k, name in enumerate(fields[4:9])}
    cells = []
    if with_cells:
        cells = [
            geometry_to_metric(shapely.from_wkb(bytes(r[11].wkb))) if r[11] else None for r in rows
        ]
    return DemandArrays(
        ids=np.array([r[0] for r in rows]),
        county_id=np.array([r[1] for r in rows]),
        township_id=np.array([r[2] or 0 for r in rows]),
        xy_m=np.column_stack([x, y]),
        columns=cols,
        extra=[r[9] for r in rows],
        cells_m=cells,
        is_urban=np.array([bool(r[10]) for r in rows], dtype=bool),
    )


def street_network() -> StreetNetwork | None:
    """Return the street network if the addresses app has streets, else None."""
    try:
        street = apps.get_model("addresses", "Street")
    except LookupError:
        return None
    lines = [
        geometry_to_metric(shapely.from_wkb(bytes(g.wkb)))
        for g in street.objects.values_list("geom_4490", flat=True)
    ]
    if not lines:
        return None
    net = StreetNetwork.from_lines(lines)
    return None if net.is_empty else net


def _open_facilities(programme: Programme) -> list[Facility]:
    return list(
        Facility.objects.filter(programme=programme, status=FacilityStatus.OPEN)
        .select_related("county")
        .order_by("id")
    )


def capacity_persons(programme: Programme, facilities: list[Facility]) -> np.ndarray:
    """Return each facility's capacity in target persons (inf when the standard has no ratio)."""
    if not programme.capacity_per_1000:
        return np.full(len(facilities), np.inf)
    return np.array(
        [
            np.inf if f.capacity is None else f.capacity / programme.capacity_per_1000 * 1000
            for f in facilities
        ]
    )


def _pairs(kind: str, demand: DemandArrays, fac_xy: np.ndarray, distance_m: float, network):
    """Return (pairs, units measured along streets, units measured in a straight line)."""
    if kind != DistanceKind.NETWORK or network is None:
        return straight_pairs(demand.xy_m, fac_xy, distance_m), 0, len(demand.ids)
    d_on = network.on_network(demand.xy_m)
    f_on = network.on_network(fac_xy)
    di, fj = np.flatnonzero(d_on), np.flatnonzero(f_on)
    net = network.pairs(demand.xy_m[di], fac_xy[fj], distance_m)
    pairs = Pairs(di[net.demand], fj[net.facility], net.distance_m)
    # Units (or facilities) away from every street: straight lines, and the result says so.
    doff = np.flatnonzero(~d_on)
    off = straight_pairs(demand.xy_m[doff], fac_xy, distance_m)
    pairs = pairs.concat(Pairs(doff[off.demand], off.facility, off.distance_m))
    foff = np.flatnonzero(~f_on)
    if foff.size and di.size:
        off = straight_pairs(demand.xy_m[di], fac_xy[foff], distance_m)
        pairs = pairs.concat(Pairs(di[off.demand], foff[off.facility], off.distance_m))
    return pairs, int(d_on.sum()), int((~d_on).sum())


def unit_rule_check(programme: Programme) -> dict | None:
    """Return which units (communities, villages, townships, counties) have no open facility.

    The one definition of "a unit has its facility": an open facility of the programme, of
    a kind that counts for the rule (a municipal base or a shared welfare home does not),
    placed in the unit. The plan targets and the report read this, never a copy.
    """
    if not programme.unit_rule:
        return None
    open_qs = Facility.objects.filter(
        programme=programme,
        status=FacilityStatus.OPEN,
        facility_type__counts_for_unit_rule=True,
    )
    if programme.unit_rule in (UnitRule.URBAN_COMMUNITY, UnitRule.VILLAGE):
        units = AdministrativeArea.objects.filter(
            level=AreaLevel.VILLAGE,
            kind="社区" if programme.unit_rule == UnitRule.URBAN_COMMUNITY else "村",
            valid_to__isnull=True,
        )
        have = set(open_qs.values_list("community_id", flat=True))
    elif programme.unit_rule == UnitRule.COUNTY:
        units = AdministrativeArea.objects.filter(level=AreaLevel.COUNTY, valid_to__isnull=True)
        have = set(open_qs.values_list("county_id", flat=True))
    else:
        units = AdministrativeArea.objects.filter(level=AreaLevel.TOWNSHIP, valid_to__isnull=True)
        have = {
            a.parent_id
            for a in AdministrativeArea.objects.filter(pk__in=open_qs.values("community_id"))
        } | set(open_qs.values_list("community_id", flat=True))
    units = list(units.select_related("parent").order_by("code"))
    lacking = [
        {"code": u.code, "name": u.name, "parent": u.parent.name if u.parent else ""}
        for u in units
        if u.pk not in have
    ]
    return {
        "rule": programme.unit_rule,
        "label": programme.get_unit_rule_display(),
        "units": len(units),
        "with_facility": len(units) - len(lacking),
        "share": (len(units) - len(lacking)) / len(units) if units else None,
        "lacking": lacking,
    }


def programme_coverage(
    programme: Programme,
    *,
    demand: DemandArrays | None = None,
    network: StreetNetwork | bool | None = False,
    distance_kind: str | None = None,
    with_gaps: bool = False,
) -> dict:
    """Return the coverage report of one programme (see compute_coverage for the keys).

    ``network=False`` loads the street network when the programme needs it; pass a
    StreetNetwork (or None for "no streets") to share one across programmes.
    """
    t0 = time.perf_counter()
    kind = distance_kind or programme.distance_kind
    demand = demand if demand is not None else demand_arrays(with_cells=with_gaps)
    if len(demand.ids) == 0:
        raise CoverageUnavailable(f"服务项目“{programme.name}”没有需求数据（需求单元为空）")
    facilities = _open_facilities(programme)
    if not facilities:
        raise CoverageUnavailable(f"服务项目“{programme.name}”没有运营中的设施，无法计算覆盖")
    if kind == DistanceKind.NETWORK and network is False:
        network = street_network()
    fac_xy = np.column_stack(
        to_metric([f.position_4490.x for f in facilities], [f.position_4490.y for f in facilities])
    )
    target = demand.target(programme)
    distance = float(programme.service_distance_m)
    pairs, n_net, n_straight = _pairs(kind, demand, fac_xy, distance, network or None)
    capacity = capacity_persons(programme, facilities)
    result = assign(target, capacity, pairs)
    used = "network" if n_straight == 0 else "straight" if n_net == 0 else "network+straight"
    total = float(target.sum())
    report = {
        "programme": programme.slug,
        "name": programme.name,
        "target_population": _i(total),
        "target_label": programme.get_target_population_display(),
        "served": _i(result.served.sum()),
        "served_share": round(float(result.served.sum()) / total, 4) if total else None,
        "covered": _i(result.covered.sum()),
        "overflow": _i(result.overflow),
        "service_distance_m": programme.service_distance_m,
        "distance_kind": used,
        "distance_note": _distance_note(kind, used, n_net, n_straight),
        "capacity_per_1000": programme.capacity_per_1000,
        "facilities": [
            {
                "id": f.pk,
                "name": f.name,
                "capacity": f.capacity,
                "capacity_persons": None if np.isinf(capacity[k]) else round(float(capacity[k])),
                "load": round(float(result.load[k])),
                "full": bool(np.isfinite(capacity[k]) and result.load[k] >= capacity[k] - 1e-6),
            }
            for k, f in enumerate(facilities)
        ],
        "by_area": _by_area(demand, target, result),
        "unit_rule": unit_rule_check(programme),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    if with_gaps:
        gaps = gap_polygons(demand.cells_m, (target > 0) & ~np.isfinite(result.nearest_m))
        report["gaps_4490"] = (
            shapely.geometry.mapping(geometry_to_lonlat(shapely.simplify(gaps, 5.0)))
            if gaps is not None
            else None
        )
        report["unserved_units"] = int(((target > 0) & (result.served < target - 1e-6)).sum())
    report["_served_per_unit"] = result.served
    report["_covered_per_unit"] = result.covered
    return report


def _i(value: float) -> int:
    return int(np.rint(value))


def _distance_note(kind: str, used: str, n_net: int, n_straight: int) -> str:
    if kind != DistanceKind.NETWORK:
        return "直线距离（EPSG:4552）"
    if used == "straight":
        return "标准要求沿街道距离，但尚无街道数据：按直线距离计算"
    if used == "network":
        return "沿街道距离（networkx 最短路径）"
    return f"沿街道距离 {n_net} 个需求单元；{n_straight} 个需求单元附近无街道，按直线距离计算"


def _by_area(demand: DemandArrays, target: np.ndarray, result) -> list[dict]:
    areas = {
        a.pk: a
        for a in AdministrativeArea.objects.filter(
            pk__in=set(demand.county_id.tolist()) | set(demand.township_id.tolist()) - {0}
        ).select_related("parent")
    }
    city = next(
        (a.parent for a in areas.values() if a.level == AreaLevel.COUNTY and a.parent), None
    )
    rows = []
    if city is not None:
        rows.append(_row(city, "city", target, result, np.ones(target.size, bool)))
    for level, key in (("county", demand.county_id), ("township", demand.township_id)):
        for area_id in sorted(set(key.tolist()) - {0}, key=lambda pk: areas[pk].code):
            rows.append(_row(areas[area_id], level, target, result, key == area_id))
    return rows


def _row(area, level: str, target, result, mask) -> dict:
    t = float(target[mask].sum())
    return {
        "code": area.code,
        "name": area.name,
        "level": level,
        "parent": area.parent.code if area.parent_id and level != "city" else "",
        "target": _i(t),
        "served": _i(float(result.served[mask].sum())),
        "covered": _i(float(result.covered[mask].sum())),
    }


def coverage_all(*, distance_kind: str | None = None, with_gaps: bool = False) -> list[dict]:
    """Return the coverage report of every programme; a programme that cannot be measured
    gets an ``error`` entry instead of stopping the others."""
    demand = demand_arrays(with_cells=with_gaps)
    programmes = list(Programme.objects.all())
    needs_network = any(
        (distance_kind or p.distance_kind) == DistanceKind.NETWORK for p in programmes
    )
    network = street_network() if needs_network else None
    out = []
    for programme in programmes:
        try:
            out.append(
                programme_coverage(
                    programme,
                    demand=demand,
                    network=network,
                    distance_kind=distance_kind,
                    with_gaps=with_gaps,
                )
            )
        except CoverageUnavailable as exc:
            out.append({"programme": programme.slug, "name": programme.name, "error": exc.message})
    return out


def public_report(report: dict) -> dict:
    """Return the report without its per-unit arrays (for JSON)."""
    return {k: v for k, v in report.items() if not k.startswith("_")}
