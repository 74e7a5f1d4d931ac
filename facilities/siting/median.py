"""Distance models: p-median (Lagrangian bound + HiGHS) and p-center (binary search)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from facilities.siting import costs as cm
from facilities.siting.capacity import solve_pmedian_capacitated
from facilities.siting.core import (
    MIP_REL_GAP,
    Mip,
    SitingInputError,
    SitingProblem,
    SitingResult,
    check_stop,
    coverage_matrix,
    finish,
    finish_unsolved,
    merge_identical_rows,
    merge_positions,
    nearest_open_distance,
    run_mip,
    validate_problem,
)
from facilities.siting.cover import greedy_set_cover, set_cover_mip

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
# A cost matrix is held dense (unreachable pairs at a penalty) up to this many cells.
MAX_DENSE_COST_CELLS = 60_000_000


class DemandRows:
    """The demand rows a distance model works on, and their distances to the candidates.

    Straight lines: points with weight merged by position, distances from the coordinates.
    A cost matrix: one row per weighted demand point that reaches some site, the matrix
    held dense with unreachable pairs at ``penalty`` (more than any real cost, so a model
    assigns across such a pair only when no open site is reachable; the result reports
    those points as unreachable).
    """

    def __init__(self, problem: SitingProblem) -> None:
        self.problem = problem
        self.sites = problem.candidate_xy_m
        self.m = self.sites.shape[0]
        self.excluded = np.empty(0, dtype=np.int64)
        costs = problem.costs
        if costs is None:
            self.xy, self.w, _ = merge_positions(problem)
            self.d_exist = _existing_distance(problem, self.xy)
            self._dense = None
            self.penalty = math.inf
            return
        weighted = problem.demand_weight > 0
        reach = (np.diff(costs.to_candidates.indptr) + np.diff(costs.to_existing.indptr)) > 0
        self.rows = np.flatnonzero(weighted & reach)
        self.excluded = np.flatnonzero(weighted & ~reach)
        if self.rows.size * max(self.m, 1) > MAX_DENSE_COST_CELLS:
            raise SitingInputError(
                f"费用矩阵过大：{self.rows.size} 个需求点 × {self.m} 个候选点超过 "
                f"{MAX_DENSE_COST_CELLS:,} 格，请合并需求点或减少候选点"
            )
        top = max(
            float(costs.to_candidates.data.max()) if costs.to_candidates.nnz else 0.0,
            float(costs.to_existing.data.max()) if costs.to_existing.nnz else 0.0,
        )
        self.penalty = 10.0 * top + 1.0
        self.w = problem.demand_weight[self.rows].astype(np.float64)
        self.xy = np.zeros((self.rows.size, 2))
        self.d_exist = cm.row_min(cm.select_rows(costs.to_existing, self.rows))
        self._dense = cm.to_dense(
            cm.select_rows(costs.to_candidates, self.rows), missing=self.penalty
        )

    def __len__(self) -> int:
        return int(self.w.size)

    def dense(self, pick: np.ndarray | None = None) -> np.ndarray:
        """Return rows × candidates distances (float32)."""
        if self._dense is not None:
            return self._dense if pick is None else self._dense[pick]
        xy = self.xy if pick is None else self.xy[pick]
        return _dense_distances(xy, self.sites)

    def knn(self, k: int, cols: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (distance, candidate) of each row's k nearest candidates (among ``cols``)."""
        cols = np.arange(self.m) if cols is None else np.asarray(cols, dtype=np.int64)
        k = min(k, cols.size)
        if self._dense is None:
            dist, idx = cKDTree(self.sites[cols]).query(self.xy, k=k)
            dist, idx = dist.reshape(len(self), k), idx.reshape(len(self), k)
            return dist, cols[idx]
        sub = self._dense[:, cols].astype(np.float64)
        part = np.argpartition(sub, k - 1, axis=1)[:, :k] if k < cols.size else None
        if part is None:
            part = np.tile(np.arange(cols.size), (len(self), 1))
        d = np.take_along_axis(sub, part, axis=1)
        order = np.argsort(d, axis=1, kind="stable")
        return np.take_along_axis(d, order, axis=1), cols[np.take_along_axis(part, order, axis=1)]

    def nearest_candidate(self) -> np.ndarray:
        if self._dense is None:
            return cKDTree(self.sites).query(self.xy)[0]
        return self._dense.min(axis=1).astype(np.float64)

    def cover(self, rows: np.ndarray, radius_m: float) -> sparse.csr_matrix:
        """Return the boolean matrix of ``rows`` × candidates within ``radius_m``."""
        if self._dense is None:
            return coverage_matrix(self.xy[rows], self.sites, radius_m)
        return sparse.csr_matrix(self._dense[rows] <= radius_m)

    def pair_values(self, upper: float) -> np.ndarray:
        """Return the distinct row-to-candidate distances up to ``upper``."""
        if self._dense is None:
            pairs = cKDTree(self.xy).sparse_distance_matrix(
                cKDTree(self.sites), upper, output_type="ndarray"
            )
            return np.unique(pairs["v"])
        d = self._dense[self._dense <= upper]
        return np.unique(d.astype(np.float64))

    def distances(self, selected) -> np.ndarray:
        """Return each demand point's distance to its nearest open site (penalty: none)."""
        return np.minimum(nearest_open_distance(self.problem, selected), self.penalty)

    def value(self, selected) -> float:
        """Return the total weighted distance of the whole problem with ``selected`` open."""
        d = self.distances(selected)
        w = self.problem.demand_weight
        return float((w[np.isfinite(d)] * d[np.isfinite(d)]).sum())

    def excluded_note(self) -> list[str]:
        if not self.excluded.size:
            return []
        ids = ", ".join(self.problem.demand_label(int(i)) for i in self.excluded[:10])
        return [f"{self.excluded.size} 个需求点到不了任何站点，未计入：{ids}"]


def _median_distances(rows: DemandRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (weights, distances, distance to existing sites) for the heuristics: all rows,
    or a weighted sample of them when the dense matrix would pass HEURISTIC_MAX_CELLS."""
    m, w, d_exist = rows.m, rows.w, rows.d_exist
    pick = None
    if len(rows) * m > HEURISTIC_MAX_CELLS:
        rng = np.random.default_rng(0)
        pick = rng.choice(len(rows), HEURISTIC_MAX_CELLS // m, replace=False, p=w / w.sum())
        w, d_exist = np.ones(pick.size), d_exist[pick]
    dist = rows.dense(pick)
    big = float(dist.max()) * 2 + 1.0
    base = np.where(np.isfinite(d_exist), d_exist, big).astype(np.float32)
    return w.astype(np.float32), dist, base


def _swap_improve(
    w: np.ndarray,
    dist: np.ndarray,
    base: np.ndarray,
    chosen: list[int],
    *,
    swap_rounds: int = 10,
    deadline: float = math.inf,
    should_stop: Callable[[], bool] | None = None,
) -> list[int]:
    """Return ``chosen`` improved by 1-for-1 swaps (Teitz–Bart): each open site in turn is
    replaced by the candidate that lowers the total most, until a round changes nothing."""
    chosen = list(chosen)
    for _ in range(swap_rounds):
        improved = False
        for pos in range(len(chosen)):
            check_stop(should_stop)
            if time.perf_counter() > deadline:
                return chosen
            others = chosen[:pos] + chosen[pos + 1 :]
            without = np.minimum(base, dist[:, others].min(axis=1)) if others else base
            total = w @ np.minimum(without[:, None], dist)
            total[others] = np.inf
            k = int(np.argmin(total))
            if total[k] < float(w @ np.minimum(without, dist[:, chosen[pos]])) * (1 - 1e-6):
                chosen[pos] = k
                improved = True
        if not improved:
            break
    return chosen


def _greedy_median(
    rows: DemandRows,
    p: int,
    *,
    swap_rounds: int = 10,
    should_stop: Callable[[], bool] | None = None,
) -> list[int]:
    """Return p sites by greedy addition then 1-for-1 swaps (Teitz–Bart), on dense distances."""
    w, dist, base = _median_distances(rows)
    cur = base.copy()
    chosen: list[int] = []
    for _ in range(p):
        check_stop(should_stop)
        gain = w @ (cur[:, None] - np.minimum(cur[:, None], dist))
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        cur = np.minimum(cur, dist[:, j])
    if swap_rounds:
        chosen = _swap_improve(
            w, dist, base, chosen, swap_rounds=swap_rounds, should_stop=should_stop
        )
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
    lam0: np.ndarray | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[float, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Return (bound, reduced costs ρ at the best λ, the best λ, open sets seen) by
    subgradient ascent, from ``lam0`` when given (a second pass with a better upper bound).

    The assignment constraints Σ_j z_ij = 1 are relaxed with multipliers λ_i; the
    subproblem then opens the p sites with the most negative ρ_j = Σ_i min(0, c_ij − λ_i).
    Its value is a lower bound of the p-median for every λ. Only each point's k nearest
    candidates (``cost_k``, ``idx_k``) are kept: λ_i is held at or below ``cap`` (the
    (k+1)-th nearest cost), so every farther pair has c_ij ≥ λ_i and adds nothing — the
    sparse sums are the exact L(λ), at a fraction of the dense cost.
    """
    finite_e = np.isfinite(cost_existing)
    flat_idx = idx_k.ravel()
    if lam0 is None:
        lam = np.minimum(np.minimum(cost_k[:, min(1, cost_k.shape[1] - 1)], cost_existing), cap)
    else:
        lam = np.minimum(lam0, cap)
    best_bound = -np.inf
    best_rho: np.ndarray = np.zeros(m)
    best_lam = lam
    stall = 0
    seen: list[np.ndarray] = []
    for it in range(max_iter):
        if it % 10 == 0:
            check_stop(should_stop)
        reduced = np.minimum(0.0, cost_k - lam[:, None])
        rho = np.bincount(flat_idx, weights=reduced.ravel(), minlength=m)
        opened = np.argpartition(rho, p - 1)[:p] if p < m else np.arange(p)
        exist_term = np.where(finite_e, np.minimum(0.0, cost_existing - lam), 0.0)
        bound = float(lam.sum() + exist_term.sum() + rho[opened].sum())
        if bound > best_bound + 1e-9 * abs(best_bound if np.isfinite(best_bound) else 1):
            best_bound, best_rho, best_lam, stall = bound, rho, lam, 0
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
    return best_bound, best_rho, best_lam, seen


# Subgradient iterations per Lagrangian pass; swaps from the pass's best λ between passes.
LAGRANGIAN_PASSES = (250, 400, 400, 400)
SWAP_STARTS_SEEN = 2

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
    rows = DemandRows(problem)
    m = rows.m
    if p == 0 or len(rows) == 0:
        return finish_unsolved(
            "pmedian",
            problem,
            [],
            objective=rows.value([]),
            radius_m=None,
            t0=t_start,
            notes=rows.excluded_note(),
        )
    best = _greedy_median(rows, p, swap_rounds=3, should_stop=should_stop)
    w, d_exist = rows.w, rows.d_exist
    value_of = rows.value

    best_value = heuristic = value_of(best)
    lower, status, notes = 0.0, "time_limit", rows.excluded_note()
    keep = np.arange(m)
    build_s = time.perf_counter() - t_start
    if p < m:
        k = min(m - 1, max(30, math.ceil(3 * m / p)))
        dist_k, idx_k = rows.knn(k + 1)
        cost_all = w[:, None] * dist_k
        cost_args = (cost_all[:, :k], idx_k[:, :k], cost_all[:, k], w * d_exist, m, p)
        heur = _median_distances(rows)
        lam: np.ndarray | None = None
        fix_rho: np.ndarray | None = None
        for pass_iter in LAGRANGIAN_PASSES:
            # Each pass: subgradient ascent (from the last λ), then swaps from the open set
            # of the best λ — near-optimal λ opens near-optimal sites, a far better start
            # than the greedy one; a better upper bound then steadies the next pass's steps.
            pass_lower, rho, lam, seen = _lagrangian_bound(
                *cost_args,
                best_value,
                deadline=deadline,
                max_iter=pass_iter,
                gap=mip_gap,
                lam0=lam,
                should_stop=should_stop,
            )
            if fix_rho is None or pass_lower >= lower:
                # ρ is kept with the bound of its own pass: fixing needs the pair.
                lower, fix_rho = pass_lower, rho
            lagr_open = np.argpartition(rho, p - 1)[:p].tolist()
            # Swaps from the best λ's open set and the two best sets seen on the way: local
            # optima differ by start, and one more start costs a fraction of a pass.
            seen_sets = sorted((o.tolist() for o in seen), key=value_of)[:SWAP_STARTS_SEEN]
            for opened in [lagr_open, *seen_sets]:
                opened = _swap_improve(*heur, opened, deadline=deadline, should_stop=should_stop)
                v = value_of(opened)
                if v < best_value:
                    best, best_value = list(opened), v
            if best_value - lower <= mip_gap * best_value or time.perf_counter() > deadline:
                break
        rho = fix_rho if fix_rho is not None else np.zeros(m)
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
        sel, value, sub_lower, sub_status, sub_build, k = _pmedian_mip(
            rows,
            keep,
            p=p,
            time_limit_s=deadline - time.perf_counter(),
            start_sites=list(best),
            should_stop=should_stop,
            mip_gap=mip_gap,
        )
        build_s += sub_build
        if value < best_value:
            best, best_value = sel, value
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
    rows: DemandRows,
    keep: np.ndarray,
    *,
    p: int,
    time_limit_s: float,
    start_sites: list[int],
    k_nearest: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> tuple[list[int], float, float, str, float, int]:
    """Solve p-median on HiGHS over the candidates ``keep``; return (sites, value, lower
    bound, status, build_s, k) with sites as indices of the full candidate list.

    Each demand row may only be assigned to its k nearest candidates, to an existing
    site, or to a "farther" option priced at its (k+1)-th candidate distance. That option
    underprices every farther assignment, so the restricted model is a relaxation and its
    bound is a valid lower bound of the full problem; when the solution uses it, k is
    doubled for all points and the model solved again (warm-started) while time remains.
    """
    t_start = time.perf_counter()
    keep = np.asarray(keep, dtype=np.int64)
    w, d_exist = rows.w, rows.d_exist
    m = keep.size
    local = np.full(rows.m, -1, dtype=np.int64)
    local[keep] = np.arange(m)
    best = [int(j) for j in start_sites]
    heuristic = rows.value(best)
    k = k_nearest or min(m, max(10, math.ceil(2.5 * m / max(p, 1))))
    lower = 0.0
    status, build_s, solve_s = "time_limit", 0.0, 0.0
    best_value = heuristic
    while True:
        t0 = time.perf_counter()
        kq = min(k + 1, m)
        dist, idx = rows.knn(kq, keep)
        idx = local[idx]
        far = dist[:, k] if k < m else np.full(len(rows), np.inf)
        dist, idx = dist[:, :k], idx[:, :k]
        near = dist < d_exist[:, None]
        u_idx, col = np.nonzero(near)
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
        nu = len(rows)
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
        start = _median_start(
            [int(local[j]) for j in best if local[j] >= 0],
            m,
            u_idx,
            cand,
            dz,
            e_rows,
            d_exist,
            f_rows,
            n_cols,
        )
        build_s += time.perf_counter() - t0
        remaining = time_limit_s - (time.perf_counter() - t_start)
        out = run_mip(
            mip, time_limit_s=remaining, start=start, should_stop=should_stop, mip_gap=mip_gap
        )
        solve_s += out.seconds
        if math.isfinite(out.bound):
            lower = max(lower, out.bound)
        if out.x is not None:
            sel = [int(keep[j]) for j in np.flatnonzero(out.x[:m] > 0.5)]
            value = rows.value(sel)
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
    demand: DemandRows,
    radius_m: float,
    p: int,
    time_limit_s: float,
    should_stop: Callable[[], bool] | None,
) -> tuple[str, list[int]]:
    """Return ("yes", sites) if ≤ p candidates reach every point within radius_m, else
    ("no", []) or ("unknown", []) when the time ran out first."""
    rows = np.flatnonzero(demand.d_exist > radius_m + 1e-9)
    if rows.size == 0:
        return "yes", []
    cov = demand.cover(rows, radius_m + 1e-9)
    if np.any(np.diff(cov.indptr) == 0):
        return "no", []
    a, _, _ = merge_identical_rows(cov, np.ones(rows.size))
    greedy = greedy_set_cover(a.tocsc())
    if len(greedy) <= p:
        return "yes", greedy
    mip, start = set_cover_mip(a, greedy)
    out = run_mip(mip, time_limit_s=time_limit_s, start=start, should_stop=should_stop)
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
    demand = DemandRows(problem)
    if len(demand) == 0:
        return finish_unsolved(
            "pcenter",
            problem,
            [],
            objective=0.0,
            radius_m=None,
            t0=t_start,
            notes=demand.excluded_note(),
        )
    d_exist = demand.d_exist
    best = _greedy_median(demand, p, should_stop=should_stop) if p else []

    def farthest(selected) -> float:
        return float(demand.distances(selected)[problem.demand_weight > 0].max())

    upper = farthest(best)
    heuristic = upper
    nearest_any = np.minimum(d_exist, demand.nearest_candidate())
    lower = float(nearest_any.max())
    values = np.unique(
        np.concatenate([demand.pair_values(upper), d_exist[np.isfinite(d_exist)], [upper]])
    )
    values = values[(values >= lower - 1e-9) & (values <= upper + 1e-9)]
    build_s = time.perf_counter() - t_start
    lo, hi = 0, len(values) - 1  # values[hi] is feasible (the heuristic reaches it)
    proven_lower = lower
    status = "optimal"
    while lo < hi:
        check_stop(should_stop)
        mid = (lo + hi) // 2
        remaining = time_limit_s - (time.perf_counter() - t_start)
        if remaining <= 0:
            status = "time_limit"
            break
        answer, sites_mid = _cover_within(demand, float(values[mid]), p, remaining, should_stop)
        if answer == "yes":
            hi = mid
            best = (
                list(sites_mid)
                + [j for j in best if j not in sites_mid][: max(0, p - len(sites_mid))]
            )
            upper = farthest(best)
        elif answer == "no":
            lo = mid + 1
            proven_lower = float(values[lo])
        else:
            status = "time_limit"
            break
    best = best[:p]
    upper = farthest(best)
    gap = 0.0 if status == "optimal" else (upper - proven_lower) / upper if upper > 0 else 0.0
    notes = demand.excluded_note() + (["p-center 模型不考虑容量"] if problem.capacitated else [])
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
