"""Distance models: p-median (Lagrangian bound + HiGHS) and p-center (binary search)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from facilities.siting.capacity import solve_pmedian_capacitated
from facilities.siting.core import (
    MIP_REL_GAP,
    Mip,
    SitingInterrupted,
    SitingProblem,
    SitingResult,
    check_outcome,
    coverage_matrix,
    finish,
    merge_identical_rows,
    merge_positions,
    nearest_open_distance,
    run_mip,
    validate_problem,
)
from facilities.siting.cover import greedy_set_cover

# --------------------------------------------------------------------------- p-median


def _existing_distance(problem: SitingProblem, xy: np.ndarray) -> np.ndarray:
    if problem.existing_xy_m.shape[0] == 0:
        return np.full(xy.shape[0], np.inf)
    return cKDTree(problem.existing_xy_m).query(xy)[0]


def _dense_distances(xy: np.ndarray, sites: np.ndarray) -> np.ndarray:
    diff = xy[:, None, :].astype(np.float32) - sites[None, :, :].astype(np.float32)
    return np.sqrt((diff**2).sum(axis=2))


# Above this many demand × candidate cells the heuristics run on a demand sample.
HEURISTIC_MAX_CELLS = 20_000_000


def _check_stop(should_stop: Callable[[], bool] | None) -> None:
    """Raise SitingInterrupted when the caller asks to stop (numpy stages have no callback)."""
    if should_stop is not None and should_stop():
        raise SitingInterrupted("求解已取消")


def _greedy_median(
    xy: np.ndarray,
    w: np.ndarray,
    sites: np.ndarray,
    d_exist: np.ndarray,
    p: int,
    *,
    swap_rounds: int = 10,
    should_stop: Callable[[], bool] | None = None,
) -> list[int]:
    """Return p sites by greedy addition then 1-for-1 swaps (Teitz–Bart), on dense distances."""
    m = sites.shape[0]
    if xy.shape[0] * m > HEURISTIC_MAX_CELLS:
        rng = np.random.default_rng(0)
        pick = rng.choice(xy.shape[0], HEURISTIC_MAX_CELLS // m, replace=False, p=w / w.sum())
        xy, w, d_exist = xy[pick], np.ones(pick.size), d_exist[pick]
    dist = _dense_distances(xy, sites)
    big = float(dist.max()) * 2 + 1.0
    base = np.where(np.isfinite(d_exist), d_exist, big).astype(np.float32)
    cur = base.copy()
    chosen: list[int] = []
    for _ in range(p):
        _check_stop(should_stop)
        gain = (w[:, None] * (cur[:, None] - np.minimum(cur[:, None], dist))).sum(axis=0)
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        cur = np.minimum(cur, dist[:, j])
    for _ in range(swap_rounds):
        _check_stop(should_stop)
        improved = False
        for pos in range(len(chosen)):
            others = chosen[:pos] + chosen[pos + 1 :]
            without = np.minimum(base, dist[:, others].min(axis=1)) if others else base
            total = (w[:, None] * np.minimum(without[:, None], dist)).sum(axis=0)
            total[others] = np.inf
            k = int(np.argmin(total))
            if total[k] < float((w * np.minimum(without, dist[:, chosen[pos]])).sum()) - 1e-6:
                chosen[pos] = k
                improved = True
        if not improved:
            break
    return chosen


def _lagrangian_bound(
    cost_k: np.ndarray,
    idx_k: np.ndarray,
    cap: np.ndarray,
    cost_existing: np.ndarray,
    m: int,
    p: int,
    upper: float,
    *,
    deadline: float,
    max_iter: int = 1500,
    gap: float = MIP_REL_GAP,
    theta: float = 2.0,
    patience: int = 25,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[float, np.ndarray, list[np.ndarray]]:
    """Return (bound, reduced costs ρ at the best λ, open sets seen) by subgradient ascent.

    The assignment constraints Σ_j z_ij = 1 are relaxed with multipliers λ_i; the
    subproblem then opens the p sites with the most negative ρ_j = Σ_i min(0, c_ij − λ_i).
    Its value is a lower bound of the p-median for every λ. Only each point's k nearest
    candidates (``cost_k``, ``idx_k``) are kept: λ_i is held at or below ``cap`` (the
    (k+1)-th nearest cost), so every farther pair has c_ij ≥ λ_i and adds nothing — the
    sparse sums are the exact L(λ), at a fraction of the dense cost.
    """
    finite_e = np.isfinite(cost_existing)
    flat_idx = idx_k.ravel()
    lam = np.minimum(np.minimum(cost_k[:, min(1, cost_k.shape[1] - 1)], cost_existing), cap)
    best_bound = -np.inf
    best_rho: np.ndarray = np.zeros(m)
    stall = 0
    seen: list[np.ndarray] = []
    for it in range(max_iter):
        if it % 10 == 0:
            _check_stop(should_stop)
        reduced = np.minimum(0.0, cost_k - lam[:, None])
        rho = np.bincount(flat_idx, weights=reduced.ravel(), minlength=m)
        opened = np.argpartition(rho, p - 1)[:p] if p < m else np.arange(p)
        exist_term = np.where(finite_e, np.minimum(0.0, cost_existing - lam), 0.0)
        bound = float(lam.sum() + exist_term.sum() + rho[opened].sum())
        if bound > best_bound + 1e-9 * abs(best_bound if np.isfinite(best_bound) else 1):
            best_bound, best_rho, stall = bound, rho, 0
        else:
            stall += 1
            if stall >= patience:
                theta, stall = theta / 2, 0
        if it % 10 == 0:
            seen.append(np.sort(opened))
        if theta < 1e-3 or upper - best_bound <= gap * upper / 2:
            break
        if time.perf_counter() > deadline:
            break
        is_open = np.zeros(m, dtype=bool)
        is_open[opened] = True
        served = ((cost_k < lam[:, None]) & is_open[idx_k]).sum(axis=1) + (
            finite_e & (cost_existing < lam)
        )
        grad = 1.0 - served
        norm = float(grad @ grad)
        if norm == 0:
            break
        lam = np.minimum(lam + theta * (upper - bound) / norm * grad, cap)
    return best_bound, best_rho, seen


# HiGHS gets the p-median only when reduced-cost fixing leaves at most this many candidates.
HIGHS_MAX_CANDIDATES = 120


def solve_pmedian(
    problem: SitingProblem,
    *,
    p: int,
    time_limit_s: float = 60.0,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return p candidates minimising total weighted distance to the nearest open site.

    Three stages: a greedy + swap start (upper bound); Lagrangian relaxation in numpy (lower
    bound, and candidates whose reduced cost proves they cannot be in a better solution are
    closed); HiGHS on the remaining candidates with the time left, unless the Lagrangian
    bound already proves the start optimal. The gap reported is (best − bound) / best with
    the better of the two proven bounds.
    """
    validate_problem(problem, p=p, radius_m=None)
    if problem.capacitated and p > 0:
        return solve_pmedian_capacitated(
            problem, p=p, time_limit_s=time_limit_s, should_stop=should_stop, mip_gap=mip_gap
        )
    t_start = time.perf_counter()
    deadline = t_start + time_limit_s
    xy, w, _ = merge_positions(problem)
    sites = problem.candidate_xy_m
    m = sites.shape[0]
    d_exist = _existing_distance(problem, xy)
    if p == 0 or xy.shape[0] == 0:
        return finish(
            "pmedian",
            problem,
            [],
            status="optimal",
            gap=0.0,
            objective=float((problem.demand_weight * nearest_open_distance(problem, [])).sum()),
            radius_m=None,
            solve_s=0.0,
            build_s=time.perf_counter() - t_start,
        )
    best = _greedy_median(xy, w, sites, d_exist, p, should_stop=should_stop)

    def value_of(selected) -> float:
        return float((problem.demand_weight * nearest_open_distance(problem, selected)).sum())

    best_value = heuristic = value_of(best)
    lower, status, notes = 0.0, "time_limit", []
    keep = np.arange(m)
    build_s = time.perf_counter() - t_start
    if p < m:
        k = min(m - 1, max(30, math.ceil(3 * m / p)))
        dist_k, idx_k = cKDTree(sites).query(xy, k=k + 1)
        cost_all = w[:, None] * dist_k
        lower, rho, seen = _lagrangian_bound(
            cost_all[:, :k],
            idx_k[:, :k],
            cost_all[:, k],
            w * d_exist,
            m,
            p,
            best_value,
            deadline=deadline,
            gap=mip_gap,
            should_stop=should_stop,
        )
        for opened in seen:
            v = value_of(opened.tolist())
            if v < best_value:
                best, best_value = opened.tolist(), v
        order = np.sort(rho)
        # Forcing j open (in place of the p-th cheapest) raises the bound by ρ_j − ρ_(p).
        keep = np.flatnonzero(lower + (rho - order[p - 1]) <= best_value * (1 + 1e-9))
        keep = np.union1d(keep, best)
        notes.append(f"拉格朗日下界后保留 {keep.size}/{m} 个候选点")
    gap = (best_value - lower) / best_value if best_value > 0 else 0.0
    solve_s = time.perf_counter() - t_start - build_s
    if gap <= mip_gap:
        status = "optimal"
    elif keep.size > HIGHS_MAX_CANDIDATES:
        notes.append("拉格朗日下界未能证明目标间隙，候选点过多，未调用 HiGHS")
    elif time.perf_counter() < deadline and p < keep.size <= HIGHS_MAX_CANDIDATES:
        # HiGHS only on a small reduced candidate set: on hundreds of candidates its root
        # LP alone outlasts any sensible limit (and cannot be interrupted mid-build).
        sub = SitingProblem(
            demand_xy_m=problem.demand_xy_m,
            demand_weight=problem.demand_weight,
            candidate_xy_m=sites[keep],
            existing_xy_m=problem.existing_xy_m,
        )
        position = {int(j): pos for pos, j in enumerate(keep)}
        sel, value, sub_lower, sub_status, sub_build, k = _pmedian_mip(
            sub,
            p=p,
            time_limit_s=deadline - time.perf_counter(),
            start_sites=[position[j] for j in best],
            should_stop=should_stop,
            mip_gap=mip_gap,
        )
        build_s += sub_build
        if value < best_value:
            best, best_value = [int(keep[j]) for j in sel], value
        # The sub-problem's bound holds for the full one: closed candidates cannot improve.
        lower = max(lower, min(sub_lower, best_value))
        gap = (best_value - lower) / best_value if best_value > 0 else 0.0
        status = "optimal" if sub_status == "optimal" or gap <= mip_gap else "time_limit"
        notes.append(f"HiGHS：每个需求点限于最近 {k} 个候选点（另设下界选项，间隙可信）")
        solve_s = time.perf_counter() - t_start - build_s
    return finish(
        "pmedian",
        problem,
        best,
        status=status,
        gap=gap,
        objective=best_value,
        radius_m=None,
        solve_s=solve_s,
        build_s=build_s,
        heuristic_objective=heuristic,
        notes=notes,
    )


def _pmedian_mip(
    problem: SitingProblem,
    *,
    p: int,
    time_limit_s: float,
    start_sites: list[int],
    k_nearest: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> tuple[list[int], float, float, str, float, int]:
    """Solve p-median on HiGHS; return (sites, value, lower bound, status, build_s, k).

    Each demand point may only be assigned to its k nearest candidates, to an existing
    site, or to a "farther" option priced at its (k+1)-th candidate distance. That option
    underprices every farther assignment, so the restricted model is a relaxation and its
    bound is a valid lower bound of the full problem; when the solution uses it, k is
    doubled for all points and the model solved again (warm-started) while time remains.
    """
    t_start = time.perf_counter()
    xy, w, _ = merge_positions(problem)
    sites = problem.candidate_xy_m
    m = sites.shape[0]
    d_exist = _existing_distance(problem, xy)
    best = list(start_sites)
    heuristic = float((problem.demand_weight * nearest_open_distance(problem, best)).sum())
    k = k_nearest or min(m, max(10, math.ceil(2.5 * m / max(p, 1))))
    lower = 0.0
    status, build_s, solve_s = "time_limit", 0.0, 0.0
    best_value = heuristic
    tree = cKDTree(sites)
    while True:
        t0 = time.perf_counter()
        kq = min(k + 1, m)
        dist, idx = tree.query(xy, k=kq)
        dist, idx = dist.reshape(len(xy), kq), idx.reshape(len(xy), kq)
        far = dist[:, k] if k < m else np.full(len(xy), np.inf)
        dist, idx = dist[:, :k], idx[:, :k]
        keep = dist < d_exist[:, None]
        u_idx, col = np.nonzero(keep)
        n_z = u_idx.size
        cand = idx[u_idx, col]
        dz = dist[u_idx, col]
        has_e = np.isfinite(d_exist)
        has_f = np.isfinite(far) & (far < d_exist)
        e_rows = np.flatnonzero(has_e)
        f_rows = np.flatnonzero(has_f)
        n_cols = m + n_z + e_rows.size + f_rows.size
        z0, e0, f0 = m, m + n_z, m + n_z + e_rows.size
        cost = np.concatenate(
            [np.zeros(m), w[u_idx] * dz, w[e_rows] * d_exist[e_rows], w[f_rows] * far[f_rows]]
        )
        nu = len(xy)
        # Assignment rows: Σ z + e + f = 1 per demand point.
        assign = sparse.csr_matrix(
            (
                np.ones(n_z + e_rows.size + f_rows.size),
                (
                    np.concatenate([u_idx, e_rows, f_rows]),
                    np.concatenate(
                        [
                            z0 + np.arange(n_z),
                            e0 + np.arange(e_rows.size),
                            f0 + np.arange(f_rows.size),
                        ]
                    ),
                ),
            ),
            shape=(nu, n_cols),
        )
        # Linking rows: z_uj − x_j ≤ 0.
        r = np.arange(n_z)
        link = sparse.csr_matrix(
            (
                np.concatenate([np.ones(n_z), -np.ones(n_z)]),
                (np.concatenate([r, r]), np.concatenate([z0 + r, cand])),
            ),
            shape=(n_z, n_cols),
        )
        card = sparse.csr_matrix(
            (np.ones(m), (np.zeros(m, dtype=np.int64), np.arange(m))), shape=(1, n_cols)
        )
        mip = Mip(
            cost=cost,
            a_csr=sparse.vstack([assign, link, card], format="csr"),
            row_lo=np.concatenate([np.ones(nu), np.full(n_z, -np.inf), [p]]),
            row_hi=np.concatenate([np.ones(nu), np.zeros(n_z), [p]]),
            col_lo=np.zeros(n_cols),
            col_hi=np.ones(n_cols),
            integer=np.concatenate([np.ones(m, bool), np.zeros(n_cols - m, bool)]),
        )
        start = _median_start(best, m, u_idx, cand, dz, e_rows, d_exist, f_rows, n_cols)
        build_s += time.perf_counter() - t0
        remaining = time_limit_s - (time.perf_counter() - t_start)
        out = run_mip(
            mip, time_limit_s=remaining, start=start, should_stop=should_stop, mip_gap=mip_gap
        )
        check_outcome(out)
        solve_s += out.seconds
        if math.isfinite(out.bound):
            lower = max(lower, out.bound)
        if out.x is not None:
            sel = [int(j) for j in np.flatnonzero(out.x[:m] > 0.5)]
            value = float((problem.demand_weight * nearest_open_distance(problem, sel)).sum())
            if value < best_value:
                best, best_value = sel, value
        gap = (best_value - lower) / best_value if best_value > 0 else 0.0
        uses_far = out.x is not None and f_rows.size and np.any(out.x[f0:] > 0.5)
        if gap <= mip_gap and out.status == "optimal":
            status = "optimal"
            break
        if out.status != "optimal" or k >= m or not uses_far:
            break
        if time.perf_counter() - t_start >= time_limit_s:
            break
        k = min(m, 2 * k)
    return best, best_value, lower, status, build_s, k


def _median_start(best, m, u_idx, cand, dz, e_rows, d_exist, f_rows, n_cols) -> np.ndarray:
    """Return a feasible start: each point to its nearest open option among those modelled."""
    start = np.zeros(n_cols)
    start[best] = 1.0
    is_open = np.zeros(m, dtype=bool)
    is_open[best] = True
    nu = len(d_exist)
    best_cost = np.full(nu, np.inf)
    best_col = np.full(nu, -1, dtype=np.int64)
    open_z = np.flatnonzero(is_open[cand])
    # Candidates are in ascending distance per point: the first open one is the nearest.
    order = open_z[np.lexsort((dz[open_z], u_idx[open_z]))]
    first = order[np.unique(u_idx[order], return_index=True)[1]]
    best_cost[u_idx[first]] = dz[first]
    best_col[u_idx[first]] = m + first
    e0 = m + len(u_idx)
    for pos, u in enumerate(e_rows):
        if d_exist[u] < best_cost[u]:
            best_cost[u], best_col[u] = d_exist[u], e0 + pos
    f0 = e0 + len(e_rows)
    for pos, u in enumerate(f_rows):
        if best_col[u] < 0:
            best_col[u] = f0 + pos
    start[best_col[best_col >= 0]] = 1.0
    return start


# --------------------------------------------------------------------------- p-center


def _cover_within(
    problem: SitingProblem,
    xy: np.ndarray,
    d_exist: np.ndarray,
    radius_m: float,
    p: int,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None,
) -> tuple[str, list[int]]:
    """Return ("yes", sites) if ≤ p candidates reach every point within radius_m, else
    ("no", []) or ("unknown", []) when the time ran out first."""
    rows = np.flatnonzero(d_exist > radius_m + 1e-9)
    if rows.size == 0:
        return "yes", []
    cov = coverage_matrix(xy[rows], problem.candidate_xy_m, radius_m + 1e-9)
    if np.any(np.diff(cov.indptr) == 0):
        return "no", []
    a, _, _ = merge_identical_rows(cov, np.ones(rows.size))
    greedy = greedy_set_cover(a.tocsc())
    if len(greedy) <= p:
        return "yes", greedy
    g, m = a.shape
    mip = Mip(
        cost=np.ones(m),
        a_csr=a.astype(np.float64),
        row_lo=np.ones(g),
        row_hi=np.full(g, np.inf),
        col_lo=np.zeros(m),
        col_hi=np.ones(m),
        integer=np.ones(m, bool),
    )
    start = np.zeros(m)
    start[greedy] = 1
    out = run_mip(mip, time_limit_s=time_limit_s, start=start, should_stop=should_stop)
    check_outcome(out)
    if out.x is not None and out.x.sum() <= p + 0.5:
        return "yes", [int(j) for j in np.flatnonzero(out.x > 0.5)]
    if out.status == "optimal" or (math.isfinite(out.bound) and out.bound > p + 1e-6):
        return "no", []
    return "unknown", []


def solve_pcenter(
    problem: SitingProblem,
    *,
    p: int,
    time_limit_s: float = 60.0,
    should_stop: Callable[[], bool] | None = None,
) -> SitingResult:
    """Return p candidates minimising the largest distance from a demand point to an open site.

    Binary search over the candidate distances: a radius is feasible when at most p sites
    (plus the existing ones) reach every point within it — a set-cover MIP per step.
    """
    validate_problem(problem, p=p, radius_m=None)
    t_start = time.perf_counter()
    xy, w, _ = merge_positions(problem)
    d_exist = _existing_distance(problem, xy)
    sites = problem.candidate_xy_m
    best = _greedy_median(xy, w, sites, d_exist, p, should_stop=should_stop) if p else []
    upper = float(nearest_open_distance(problem, best)[problem.demand_weight > 0].max())
    heuristic = upper
    nearest_any = np.minimum(d_exist, cKDTree(sites).query(xy)[0])
    lower = float(nearest_any.max())
    pairs = cKDTree(xy).sparse_distance_matrix(cKDTree(sites), upper, output_type="ndarray")
    values = np.unique(np.concatenate([pairs["v"], d_exist[np.isfinite(d_exist)], [upper]]))
    values = values[(values >= lower - 1e-9) & (values <= upper + 1e-9)]
    build_s = time.perf_counter() - t_start
    lo, hi = 0, len(values) - 1  # values[hi] is feasible (the heuristic reaches it)
    proven_lower = lower
    status = "optimal"
    while lo < hi:
        _check_stop(should_stop)
        mid = (lo + hi) // 2
        remaining = time_limit_s - (time.perf_counter() - t_start)
        if remaining <= 0:
            status = "time_limit"
            break
        answer, sites_mid = _cover_within(
            problem, xy, d_exist, float(values[mid]), p, remaining, should_stop
        )
        if answer == "yes":
            hi = mid
            best = (
                list(sites_mid)
                + [j for j in best if j not in sites_mid][: max(0, p - len(sites_mid))]
            )
            upper = float(nearest_open_distance(problem, best)[problem.demand_weight > 0].max())
        elif answer == "no":
            lo = mid + 1
            proven_lower = float(values[lo])
        else:
            status = "time_limit"
            break
    best = best[:p]
    upper = float(nearest_open_distance(problem, best)[problem.demand_weight > 0].max())
    gap = 0.0 if status == "optimal" else (upper - proven_lower) / upper if upper > 0 else 0.0
    notes = ["p-center 模型不考虑容量"] if problem.capacitated else []
    return finish(
        "pcenter",
        problem,
        best,
        status=status,
        gap=gap,
        objective=upper,
        radius_m=None,
        solve_s=time.perf_counter() - t_start - build_s,
        build_s=build_s,
        heuristic_objective=heuristic,
        notes=notes,
    )
