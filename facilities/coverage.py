"""Coverage of demand by facilities: reach, capacity-aware assignment, gaps (no Django).

Distances come as (demand, facility, metres) pairs within the service distance, from
straight lines (a KD-tree) or from the street network (``facilities.network``); this
module does not care which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Pairs:
    """Demand–facility pairs within the service distance (parallel arrays)."""

    demand: np.ndarray
    facility: np.ndarray
    distance_m: np.ndarray

    @classmethod
    def empty(cls) -> Pairs:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))

    def concat(self, other: Pairs) -> Pairs:
        return Pairs(
            np.concatenate([self.demand, other.demand]),
            np.concatenate([self.facility, other.facility]),
            np.concatenate([self.distance_m, other.distance_m]),
        )


def straight_pairs(demand_xy_m: np.ndarray, facility_xy_m: np.ndarray, distance_m: float) -> Pairs:
    """Return every pair within ``distance_m`` in a straight line."""
    if len(demand_xy_m) == 0 or len(facility_xy_m) == 0:
        return Pairs.empty()
    sdm = cKDTree(demand_xy_m).sparse_distance_matrix(
        cKDTree(facility_xy_m), distance_m, output_type="ndarray"
    )
    # sparse_distance_matrix drops zero distances (a facility on a demand point): add them.
    same = cKDTree(facility_xy_m).query(demand_xy_m, distance_upper_bound=1e-6)
    hit = np.flatnonzero(np.isfinite(same[0]))
    demand = np.concatenate([sdm["i"], hit])
    facility = np.concatenate([sdm["j"], same[1][hit]])
    dist = np.concatenate([sdm["v"], np.zeros(hit.size)])
    key = demand.astype(np.int64) * (len(facility_xy_m) + 1) + facility
    _, first = np.unique(key, return_index=True)
    return Pairs(demand[first].astype(np.int64), facility[first].astype(np.int64), dist[first])


@dataclass(frozen=True)
class Assignment:
    covered: np.ndarray  # per demand unit: target within reach of any facility
    served: np.ndarray  # per demand unit: target actually assigned (≤ covered)
    load: np.ndarray  # per facility: target assigned
    nearest_m: np.ndarray  # per demand unit: distance to the nearest reachable facility (inf)

    @property
    def overflow(self) -> float:
        """Return the target within reach but beyond the reachable facilities' capacity."""
        return float(self.covered.sum() - self.served.sum())


def assign(target: np.ndarray, capacity: np.ndarray, pairs: Pairs) -> Assignment:
    """Assign each unit's target to facilities within reach, nearest pairs first, up to capacity.

    ``capacity`` is in target persons per facility (inf = not limited). Nearest-first is a
    greedy rule, not an optimal transport; it is what "go to the nearest place with room"
    means, and it is exact when no facility is full.
    """
    n = target.size
    nearest = np.full(n, np.inf)
    np.minimum.at(nearest, pairs.demand, pairs.distance_m)
    covered = np.where(np.isfinite(nearest), target, 0.0).astype(float)
    room = capacity.astype(float).copy()
    remaining = target.astype(float).copy()
    if np.all(np.isinf(capacity)):
        load = np.zeros(capacity.size)
        nearest_fac = np.full(n, -1)
        order = np.argsort(pairs.distance_m, kind="stable")
        d, f = pairs.demand[order], pairs.facility[order]
        _, first = np.unique(d, return_index=True)
        nearest_fac[d[first]] = f[first]
        has = nearest_fac >= 0
        np.add.at(load, nearest_fac[has], target[has])
        return Assignment(covered, covered.copy(), load, nearest)
    load = np.zeros(capacity.size)
    order = np.argsort(pairs.distance_m, kind="stable")
    for i, j in zip(pairs.demand[order].tolist(), pairs.facility[order].tolist(), strict=True):
        if remaining[i] <= 0 or room[j] <= 0:
            continue
        take = min(remaining[i], room[j])
        remaining[i] -= take
        room[j] -= take
        load[j] += take
    served = target - remaining
    served = np.where(np.isfinite(nearest), served, 0.0)
    return Assignment(covered, served, load, nearest)


def gap_polygons(cells: list[shapely.Geometry], uncovered: np.ndarray) -> shapely.Geometry | None:
    """Return the union of the cells of units nobody reaches (metres), or None."""
    pieces = [cells[i] for i in np.flatnonzero(uncovered) if cells[i] is not None]
    if not pieces:
        return None
    return shapely.union_all(pieces)
