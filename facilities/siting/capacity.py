"""Capacitated LSCP, MCLP and p-median: a site serves at most its capacity of demand weight.

Demand is divisible: a demand point stands for a block of residents, so its weight may be
split between several open sites. The allocation is then continuous and the MIP stays
small (binary variables only for the sites). Existing sites are columns fixed open with
their own capacity; a missing or infinite capacity means unlimited. A site's capacity is
clipped to the demand it can reach, which leaves the model unchanged and keeps the
coefficients finite.

Which models honour capacity: LSCP (fewest sites so that all demand is served within the
radius and within capacity), MCLP (most demand served within the radius and within
capacity) and p-median (least total weighted distance with every unit of demand assigned
within capacity). p-center ignores capacity; its result says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy import sparse

from facilities.siting.core import (
    MIP_REL_GAP,
    Mip,
    SitingInputError,
    SitingProblem,
    SitingResult,
    finish,
    merge_identical_rows,
    run_mip,
    site_coverage,
)
from facilities.siting.costs import pairs_of

# The allocation LP is large (one column per demand-site pair); HiGHS's interior-point
# root solve beat dual simplex here too: capacitated MCLP on the demo (6,093 units × 1,006
# grid candidates, p 10) was optimal in 8.5 s, against a 9.5% gap after 40 s.
HIGHS_OPTIONS = {"mip_lp_solver": "ipm"}
CAPACITY_NOTE = "容量约束：每个设施服务的需求权重不超过其容量（需求点可拆分到多个设施）"
# The capacitated p-median has one allocation variable per (demand, site) pair.
MAX_MEDIAN_PAIRS = 1_000_000


def site_capacities(problem: SitingProblem) -> np.ndarray:
    """Return the capacity of every site, candidates first then existing (inf = unlimited)."""
    m, e = problem.candidate_xy_m.shape[0], problem.existing_xy_m.shape[0]
    cand = problem.candidate_capacity
    exist = problem.existing_capacity
    return np.concatenate(
        [
            np.full(m, np.inf) if cand is None else cand.astype(np.float64),
            np.full(e, np.inf) if exist is None else exist.astype(np.float64),
        ]
    )


def _sites_xy(problem: SitingProblem) -> np.ndarray:
    return np.vstack([problem.candidate_xy_m, problem.existing_xy_m])


def _greedy_allocation(
    pairs_row: np.ndarray,
    pairs_site: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    m: int,
    *,
    p: int | None,
    serve_all: bool,
    pair_cost: np.ndarray | None = None,
) -> np.ndarray:
    """Return a feasible start (x then s) by greedy opening and allocation.

    Existing sites are filled first; then the candidate that can serve the most unserved
    weight within its capacity is opened, until p are open (MCLP, p-median's sites) or all
    demand is served (LSCP); a site serves its cheapest pairs first when ``pair_cost`` is
    given. Returns an empty array when the greedy cannot serve everyone where it must
    (``serve_all``; the solver then starts without it).
    """
    n_sites = cap.size
    reach = np.bincount(pairs_site, weights=weight[pairs_row], minlength=n_sites)
    room = np.minimum(cap, reach)
    rest = weight.astype(np.float64).copy()
    alloc = np.zeros(pairs_row.size)
    by_site = (
        np.argsort(pairs_site, kind="stable")
        if pair_cost is None
        else np.lexsort((pair_cost, pairs_site))
    )
    starts = np.searchsorted(pairs_site[by_site], np.arange(n_sites + 1))
    site_rows = sparse.csr_matrix(
        (np.ones(pairs_row.size), (pairs_site, pairs_row)), shape=(n_sites, weight.size)
    )
    is_open = np.zeros(n_sites, dtype=bool)

    def fill(j: int) -> None:
        is_open[j] = True
        for k in by_site[starts[j] : starts[j + 1]]:
            if room[j] <= 1e-9:
                break
            take = min(rest[pairs_row[k]], room[j])
            if take > 0:
                alloc[k] = take
                rest[pairs_row[k]] -= take
                room[j] -= take

    for j in range(m, n_sites):
        fill(j)
    limit = m if p is None else p
    for _ in range(limit):
        if p is None and rest.sum() <= 1e-9:
            break
        gain = np.minimum(room[:m], (site_rows @ rest)[:m])
        gain[is_open[:m]] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            if p is None:
                return np.empty(0)
            j = int(np.flatnonzero(~is_open[:m])[0])
        fill(j)
    if serve_all and rest.sum() > 1e-6:
        return np.empty(0)
    return np.concatenate([is_open.astype(float), alloc])


def _allocation_mip(
    pairs_row: np.ndarray,
    pairs_site: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    m: int,
    *,
    serve_all: bool,
    pair_cost: np.ndarray,
    site_cost: np.ndarray,
    p: int | None,
) -> Mip:
    """Return the MIP over sites x (m candidates, then existing fixed open) and allocations s.

    s_k is the demand weight of row ``pairs_row[k]`` served by site ``pairs_site[k]``.
    Rows: Σ_k∈row s_k ≤ W_row (= W_row with ``serve_all``); Σ_k∈site s_k − cap_j x_j ≤ 0;
    s_k − W_row x_j ≤ 0 (the last is implied for integer x but tightens the LP);
    Σ candidates x = p. With ``serve_all`` the cost is minimised, else maximised.
    """
    g, n_sites, n_pairs = weight.size, cap.size, pairs_row.size
    reach = np.bincount(pairs_site, weights=weight[pairs_row], minlength=n_sites)
    cap_eff = np.minimum(cap, reach)
    k = np.arange(n_pairs)
    s0 = n_sites
    n_cols = n_sites + n_pairs
    demand = sparse.csr_matrix((np.ones(n_pairs), (pairs_row, s0 + k)), shape=(g, n_cols))
    capacity = sparse.csr_matrix(
        (
            np.concatenate([np.ones(n_pairs), -cap_eff]),
            (
                np.concatenate([pairs_site, np.arange(n_sites)]),
                np.concatenate([s0 + k, np.arange(n_sites)]),
            ),
        ),
        shape=(n_sites, n_cols),
    )
    link = sparse.csr_matrix(
        (
            np.concatenate([np.ones(n_pairs), -weight[pairs_row]]),
            (np.concatenate([k, k]), np.concatenate([s0 + k, pairs_site])),
        ),
        shape=(n_pairs, n_cols),
    )
    blocks = [demand, capacity, link]
    lo = [weight if serve_all else np.full(g, -np.inf), np.full(n_sites, -np.inf)]
    hi = [weight, np.zeros(n_sites)]
    lo.append(np.full(n_pairs, -np.inf))
    hi.append(np.zeros(n_pairs))
    if p is not None:
        card = sparse.csr_matrix(
            (np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, n_cols)
        )
        blocks.append(card)
        lo.append(np.array([p], dtype=float))
        hi.append(np.array([p], dtype=float))
    col_lo = np.zeros(n_cols)
    col_lo[m:n_sites] = 1.0  # existing sites are always open
    col_hi = np.concatenate([np.ones(n_sites), weight[pairs_row]])
    return Mip(
        cost=np.concatenate([site_cost, pair_cost]),
        a_csr=sparse.vstack(blocks, format="csr"),
        row_lo=np.concatenate(lo),
        row_hi=np.concatenate(hi),
        col_lo=col_lo,
        col_hi=col_hi,
        integer=np.concatenate([np.ones(n_sites, bool), np.zeros(n_pairs, bool)]),
        maximize=not serve_all,
    )


def _cover_pairs(problem: SitingProblem, radius_m: float):
    """Return (pair rows, pair sites, merged weights, demand rows, their group) of demand
    within ``radius_m`` of a site; rows with the same site set are one group."""
    w = problem.demand_weight.astype(np.float64)
    cov = sparse.hstack(
        [site_coverage(problem, radius_m), site_coverage(problem, radius_m, existing=True)],
        format="csr",
    )
    rows = np.flatnonzero((np.diff(cov.indptr) > 0) & (w > 0))
    a, gw, group_of = merge_identical_rows(cov[rows], w[rows])
    coo = a.tocoo()
    return coo.row.astype(np.int64), coo.col.astype(np.int64), gw, rows, group_of


def spread_allocation(
    pair_group: np.ndarray,
    pair_site: np.ndarray,
    amount: np.ndarray,
    members: np.ndarray,
    member_group: np.ndarray,
    weight: np.ndarray,
    group_weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (demand row, site, weight) by sharing each group's allocation among its members
    in proportion to their weight (members of a group reach exactly the same sites)."""
    used = amount > 1e-7
    pair_group, pair_site, amount = pair_group[used], pair_site[used], amount[used]
    order = np.argsort(member_group, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(member_group, minlength=group_weight.size))])
    counts = start[pair_group + 1] - start[pair_group]
    rep = np.repeat(np.arange(pair_group.size), counts)
    offsets = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
    member = members[order[start[pair_group][rep] + offsets]]
    share = weight[member] / np.maximum(group_weight[pair_group[rep]], 1e-12)
    return member, pair_site[rep], amount[rep] * share


def _solve_allocation(
    model: str,
    problem: SitingProblem,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    cap: np.ndarray,
    *,
    p: int | None,
    serve_all: bool,
    pair_cost: np.ndarray,
    site_cost: np.ndarray,
    t0: float,
    radius_m: float | None,
    solver: dict,
    timed_out: str,
    infeasible: str | None = None,
    count_objective: bool = False,
) -> tuple[SitingResult, np.ndarray]:
    """Build, start and solve a capacitated model over ``pairs`` (pair rows, pair sites, row
    weights, the demand points the rows stand for, their row); return its result (selected
    candidates, objective, capacity note, allocation per demand point) and the weight
    allocated along each pair.

    ``serve_all``: all demand is served at least cost (LSCP, p-median), else the most
    demand is served (MCLP). ``t0`` is when the build began. ``infeasible``/``timed_out``
    say in Chinese why there is no answer; with ``count_objective`` the objective is the
    number of sites.
    """
    rows, sites, weight, members, member_row = pairs
    m = problem.candidate_xy_m.shape[0]
    mip = _allocation_mip(
        rows,
        sites,
        weight,
        cap,
        m,
        serve_all=serve_all,
        pair_cost=pair_cost,
        site_cost=site_cost,
        p=p,
    )
    # The cover models' pair costs are uniform: their greedy keeps the pairs in order.
    start = _greedy_allocation(
        rows, sites, weight, cap, m, p=p, serve_all=serve_all, pair_cost=pair_cost
    )
    build_s = time.perf_counter() - t0
    out = run_mip(mip, start=start if start.size else None, options=HIGHS_OPTIONS, **solver)
    if infeasible is not None and out.status == "infeasible":
        raise SitingInputError(infeasible)
    if out.x is None:
        raise SitingInputError(timed_out)
    selected = [int(j) for j in np.flatnonzero(out.x[:m] > 0.5)]
    result = finish(
        model,
        problem,
        selected,
        status=out.status,
        gap=out.gap,
        objective=len(selected) if count_objective else out.objective,
        radius_m=radius_m,
        solve_s=out.seconds,
        build_s=build_s,
        notes=[CAPACITY_NOTE],
    )
    allocated = out.x[cap.size :]
    result.allocation = spread_allocation(
        rows, sites, allocated, members, member_row, problem.demand_weight, weight
    )
    return result, allocated


def _solve_cover(
    problem: SitingProblem,
    p: int | None,
    radius_m: float,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None,
    mip_gap: float,
) -> SitingResult:
    """Return the capacitated MCLP (the p candidates serving the most demand within
    ``radius_m``) or, with ``p`` None, the capacitated LSCP (the fewest serving all of it)."""
    t0 = time.perf_counter()
    m = problem.candidate_xy_m.shape[0]
    pairs = _cover_pairs(problem, radius_m)
    rows, cols, weight, _, _ = pairs
    cap = site_capacities(problem)
    if p is None:  # LSCP: the fewest candidates (each costs 1) that serve all demand
        _refuse_short_capacity(rows, cols, weight, cap, radius_m)
        model, pair_cost = "lscp", np.zeros(rows.size)
        site_cost = np.concatenate([np.ones(m), np.zeros(cap.size - m)])
        infeasible = f"无解：即使开放全部候选点，{radius_m:g} 米内的设施容量也不足以服务全部需求"
        timed_out = "按容量的“最少站点全覆盖”在时间限制内没有算出可行方案，请放宽时间限制"
    else:  # MCLP: the most demand weight (each unit counts 1) that p candidates serve
        model, pair_cost, site_cost = "mclp", np.ones(rows.size), np.zeros(cap.size)
        infeasible = None
        timed_out = "按容量的“最大覆盖”在时间限制内没有算出可行方案，请放宽时间限制"
    result, _ = _solve_allocation(
        model,
        problem,
        pairs,
        cap,
        p=p,
        serve_all=p is None,
        pair_cost=pair_cost,
        site_cost=site_cost,
        count_objective=p is None,
        t0=t0,
        radius_m=radius_m,
        solver={"time_limit_s": time_limit_s, "should_stop": should_stop, "mip_gap": mip_gap},
        infeasible=infeasible,
        timed_out=timed_out,
    )
    result.covered_weight = float(weight.sum()) if p is None else result.objective
    return result


def solve_mclp_capacitated(
    problem: SitingProblem,
    *,
    p: int,
    radius_m: float,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return the p candidates that serve the most demand within radius and capacity."""
    return _solve_cover(problem, p, radius_m, time_limit_s, should_stop, mip_gap)


def solve_lscp_capacitated(
    problem: SitingProblem,
    *,
    radius_m: float,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return the fewest candidates that serve all demand within radius and capacity."""
    return _solve_cover(problem, None, radius_m, time_limit_s, should_stop, mip_gap)


def _refuse_short_capacity(rows, cols, gw, cap, radius_m: float) -> None:
    """Raise SitingInputError when all sites together lack the capacity for all demand."""
    reach = np.bincount(cols, weights=gw[rows], minlength=cap.size)
    total = float(np.minimum(cap, reach).sum())
    if total + 1e-9 < float(gw.sum()):
        raise SitingInputError(
            f"无解：全部候选点与现有设施的容量合计 {total:g}（{radius_m:g} 米内可用）"
            f"小于需求总量 {float(gw.sum()):g}"
        )


def solve_pmedian_capacitated(
    problem: SitingProblem,
    *,
    p: int,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return p candidates minimising total weighted distance with all demand within capacity."""
    t0 = time.perf_counter()
    m = problem.candidate_xy_m.shape[0]
    rows, cols, dist, w, members, member_group = _median_pairs(problem)
    cap = site_capacities(problem)
    n_pairs = rows.size
    if n_pairs > MAX_MEDIAN_PAIRS:
        raise SitingInputError(
            f"带容量的 p-中位模型过大：{w.size} 个需求位置与 {cap.size} 个站点之间"
            f"有 {n_pairs:,} 对，超过 {MAX_MEDIAN_PAIRS:,} 对，请合并需求点或减少候选点"
        )
    existing_cap = float(cap[m:].sum())
    best_new = float(np.sort(cap[:m])[::-1][:p].sum())
    if existing_cap + best_new + 1e-9 < float(w.sum()):
        raise SitingInputError(
            f"无解：现有设施容量 {existing_cap:g} 加上容量最大的 {p} 个候选点 {best_new:g}"
            f" 小于需求总量 {float(w.sum()):g}"
        )
    result, allocated = _solve_allocation(
        "pmedian",
        problem,
        (rows, cols, w, members, member_group),
        cap,
        p=p,
        serve_all=True,
        pair_cost=dist,
        site_cost=np.zeros(cap.size),
        t0=t0,
        radius_m=None,
        solver={"time_limit_s": time_limit_s, "should_stop": should_stop, "mip_gap": mip_gap},
        infeasible=f"无解：任意 {p} 个候选点加现有设施的容量都不足以服务全部需求",
        timed_out="带容量的 p-中位模型在时间限制内没有找到可行解，请放宽时间限制",
    )
    # Distances as allocated within capacity, not to the nearest open site.
    result.total_weighted_distance_m = result.objective
    used = allocated > 1e-7
    result.max_distance_m = float(dist[used].max()) if np.any(used) else 0.0
    return result


def _median_pairs(problem: SitingProblem):
    """Return (rows, sites, distance, row weight, demand members, their row) of every pair a
    demand row may be allocated along: all sites (straight lines, rows merged by position)
    or the reachable pairs of the cost matrix."""
    weight = problem.demand_weight
    members = np.flatnonzero(weight > 0)
    if problem.costs is not None:
        r1, c1, d1 = pairs_of(problem.costs.to_candidates)
        r2, c2, d2 = pairs_of(problem.costs.to_existing)
        rows = np.concatenate([r1, r2])
        cols = np.concatenate([c1, c2 + problem.candidate_xy_m.shape[0]])
        dist = np.concatenate([d1, d2])
        local = np.full(weight.size, -1, dtype=np.int64)
        local[members] = np.arange(members.size)
        ok = local[rows] >= 0
        rows, cols, dist = local[rows[ok]], cols[ok], dist[ok]
        unreached = np.setdiff1d(np.arange(members.size), rows)
        if unreached.size:
            raise SitingInputError(
                f"{unreached.size} 个需求点到不了任何站点，无法全部分配",
                demand_ids=[problem.demand_label(int(members[i])) for i in unreached[:50]],
            )
        return (
            rows,
            cols,
            dist,
            weight[members].astype(np.float64),
            members,
            np.arange(members.size),
        )
    xy = np.round(problem.demand_xy_m[members], 3)
    uniq, inverse = np.unique(xy, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    w = np.bincount(inverse, weights=weight[members], minlength=len(uniq))
    sites = _sites_xy(problem)
    rows = np.repeat(np.arange(uniq.shape[0]), sites.shape[0])
    cols = np.tile(np.arange(sites.shape[0]), uniq.shape[0])
    dist = np.hypot(*(uniq[rows] - sites[cols]).T)
    return rows, cols, dist, w, members, inverse


def served_within_capacity(
    problem: SitingProblem, selected: list[int], radius_m: float, *, time_limit_s: float = 60.0
) -> float:
    """Return the most demand weight the existing and ``selected`` sites serve within capacity."""
    # The same distances as the run (straight, along the roads or the supplied costs).
    sub = problem.restrict_candidates(list(selected))
    if sub.candidate_xy_m.shape[0] + sub.existing_xy_m.shape[0] == 0:
        return 0.0
    # Every site is open (p = all candidates): the MIP is the max-flow allocation LP.
    result = solve_mclp_capacitated(
        sub, p=len(selected), radius_m=radius_m, time_limit_s=time_limit_s
    )
    # An MCLP result always carries the demand it covers (it is solved with a radius).
    assert result.covered_weight is not None
    return result.covered_weight
