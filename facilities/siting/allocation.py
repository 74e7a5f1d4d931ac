"""Which demand goes to which site, and each site's load against its capacity (no Django).

Without capacities each demand point goes to its nearest open site (by the problem's own
costs: straight lines, roads or the supplied matrix); a coverage model (LSCP, MCLP) only
assigns a point within the radius, the others are listed as not served. With capacities
the solver's split allocation is used as it is (a point may be shared by several sites).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facilities.siting.capacity import site_capacities
from facilities.siting.core import SitingProblem, SitingResult, nearest_open

NEW, EXISTING = "new", "existing"


@dataclass(frozen=True)
class Allocation:
    demand: np.ndarray  # demand row per assignment
    site: np.ndarray  # global site: candidates 0..m-1, existing m..
    weight: np.ndarray
    cost: np.ndarray  # distance (metres) or supplied cost of the pair
    unserved: np.ndarray  # weighted demand rows assigned nowhere

    def loads(self, n_sites: int) -> np.ndarray:
        return np.bincount(self.site, weights=self.weight, minlength=n_sites)


def allocate(problem: SitingProblem, result: SitingResult, *, radius_m: float | None) -> Allocation:
    """Return the allocation of ``result`` (see the module docstring)."""
    w = problem.demand_weight.astype(np.float64)
    weighted = w > 0
    if result.allocation is not None:
        d, s, amount = result.allocation
        cost = _pair_cost(problem, d, s)
        served = np.bincount(d, weights=amount, minlength=w.size)
        unserved = np.flatnonzero(weighted & (served < w - 1e-6))
        return Allocation(d, s, amount, cost, unserved)
    dist, site = nearest_open(problem, result.selected)
    ok = weighted & (site >= 0)
    coverage_model = result.model in ("lscp", "mclp")
    if coverage_model and radius_m is not None:
        ok &= dist <= radius_m + 1e-9
    rows = np.flatnonzero(ok)
    return Allocation(rows, site[rows], w[rows], dist[rows], np.flatnonzero(weighted & ~ok))


def _pair_cost(problem: SitingProblem, d: np.ndarray, s: np.ndarray) -> np.ndarray:
    m = problem.candidate_xy_m.shape[0]
    if problem.costs is None:
        sites = np.vstack([problem.candidate_xy_m, problem.existing_xy_m])
        return np.hypot(*(problem.demand_xy_m[d] - sites[s]).T)
    out = np.empty(d.size)
    for mask, mat, col in (
        (s < m, problem.costs.to_candidates, s),
        (s >= m, problem.costs.to_existing, s - m),
    ):
        if np.any(mask):
            out[mask] = np.asarray(mat[d[mask], col[mask]]).ravel()
    return out


def site_label(problem: SitingProblem, site: int) -> str:
    m = problem.candidate_xy_m.shape[0]
    return problem.candidate_label(site) if site < m else problem.existing_label(site - m)


def allocation_dict(
    problem: SitingProblem, result: SitingResult, *, radius_m: float | None, max_rows: int = 20_000
) -> dict:
    """Return the allocation as JSON-ready rows and per-site loads (open sites only)."""
    alloc = allocate(problem, result, radius_m=radius_m)
    m = problem.candidate_xy_m.shape[0]
    cap = site_capacities(problem)
    loads = alloc.loads(cap.size)
    open_sites = list(result.selected) + list(range(m, cap.size))
    order = np.lexsort((alloc.cost, alloc.site))[:max_rows]
    return {
        "rows": [
            {
                "demand": problem.demand_label(int(alloc.demand[k])),
                "site": site_label(problem, int(alloc.site[k])),
                "site_kind": NEW if alloc.site[k] < m else EXISTING,
                "weight": round(float(alloc.weight[k]), 3),
                "cost": round(float(alloc.cost[k]), 1),
                # Positions in the problem, for the lines drawn on the map.
                "demand_row": int(alloc.demand[k]),
                "site_index": int(alloc.site[k]),
            }
            for k in order.tolist()
        ],
        "rows_total": int(alloc.demand.size),
        "loads": [
            {
                "site": site_label(problem, j),
                "site_kind": NEW if j < m else EXISTING,
                "load": round(float(loads[j]), 3),
                "capacity": None if not np.isfinite(cap[j]) else round(float(cap[j]), 3),
                "use_share": None
                if not np.isfinite(cap[j]) or cap[j] <= 0
                else round(float(loads[j] / cap[j]), 4),
            }
            for j in open_sites
        ],
        "unserved_ids": [problem.demand_label(int(i)) for i in alloc.unserved[:200]],
        "unserved_count": int(alloc.unserved.size),
        "unserved_weight": round(float(problem.demand_weight[alloc.unserved].sum()), 3),
    }
