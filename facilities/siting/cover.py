"""Coverage models: maximal covering (MCLP) and set covering (LSCP) on HiGHS."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy import sparse

from facilities.siting.capacity import solve_lscp_capacitated, solve_mclp_capacitated
from facilities.siting.core import (
    MIP_REL_GAP,
    Mip,
    SitingInputError,
    SitingProblem,
    SitingResult,
    check_stop,
    finish,
    finish_unsolved,
    merge_identical_rows,
    run_mip,
    site_coverage,
    validate_problem,
)

# --------------------------------------------------------------------------- MCLP

# The MCLP root LP is most of the solve: HiGHS's dual simplex took 4.4 s of 4.9 s on the
# 10k × 500 bench instance (12,119 iterations), its interior-point solver 0.5 s; on
# 50k × 1,000 27 s became 3.3 s. The LP is usually integral or nearly so, so the tree is
# small and the root LP solver is what matters (measured with HiGHS's own log, 1.16).
MCLP_HIGHS_OPTIONS = {"mip_lp_solver": "ipm"}


def _columns_of_rows(a_csr: sparse.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (columns, the row each belongs to) of the nonzeros in ``rows``."""
    starts = a_csr.indptr[rows]
    lengths = a_csr.indptr[rows + 1] - starts
    if lengths.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    positions = offsets + np.arange(int(lengths.sum()))
    return a_csr.indices[positions], np.repeat(rows, lengths)


def _greedy_max_cover(
    a_csc: sparse.csc_matrix, w: np.ndarray, p: int, *, swap_rounds: int = 10
) -> list[int]:
    """Return p columns chosen greedily for covered weight, improved by 1-for-1 swaps.

    The gain of every column (the weight of the uncovered rows it covers) is kept up to date
    as rows become covered or uncovered, so a pick or a swap trial costs the rows it touches
    and one pass over the columns, not a product with the whole matrix. A swap trial closes
    an open site, and opens the best column instead if that covers more than the site alone
    did (the exact 1-for-1 best swap for that site).
    """
    a_csr = a_csc.tocsr()
    n, m = a_csc.shape
    count = np.zeros(n, dtype=np.int64)
    gain = np.asarray(a_csc.T @ w, dtype=np.float64).ravel()
    is_open = np.zeros(m, dtype=bool)

    def rows_of(j: int) -> np.ndarray:
        return a_csc.indices[a_csc.indptr[j] : a_csc.indptr[j + 1]]

    def shift_gain(rows: np.ndarray, sign: float) -> None:
        if rows.size:
            cols, owner = _columns_of_rows(a_csr, rows)
            gain[:] += sign * np.bincount(cols, weights=w[owner], minlength=m)

    def open_site(j: int) -> None:
        rows = rows_of(j)
        shift_gain(rows[count[rows] == 0], -1.0)  # now covered
        count[rows] += 1
        is_open[j] = True

    def close_site(j: int) -> None:
        rows = rows_of(j)
        count[rows] -= 1
        shift_gain(rows[count[rows] == 0], +1.0)  # uncovered again
        is_open[j] = False

    def best_closed() -> int:
        return int(np.argmax(np.where(is_open, -np.inf, gain)))

    chosen: list[int] = []
    for _ in range(min(p, m)):
        j = best_closed()
        open_site(j)
        chosen.append(j)
    for _ in range(swap_rounds):
        improved = False
        for pos, j in enumerate(list(chosen)):
            close_site(j)
            loss = gain[j]  # the weight only j covered
            k = best_closed()
            if k != j and gain[k] > loss + 1e-9 * max(1.0, loss):
                open_site(k)
                chosen[pos] = k
                improved = True
            else:
                open_site(j)
        if not improved:
            break
    return chosen


def drop_dominated(a: sparse.csr_matrix) -> np.ndarray:
    """Return the columns to keep: a column whose row set lies within another's is dropped.

    Safe for the uncapacitated MCLP: a solution opening a dominated site j (S_j ⊆ S_k) covers
    no less with k in its place, or with any other site if k is open already. Of identical
    columns the first is kept; empty columns are dropped.
    """
    a_f = a.tocsc().astype(np.float64)
    size = np.diff(a_f.indptr)
    overlap = (a_f.T @ a_f).tocsr()
    r = np.repeat(np.arange(overlap.shape[0]), np.diff(overlap.indptr))
    c, v = overlap.indices, overlap.data
    inside = (v == size[r]) & (r != c) & ((size[c] > size[r]) | ((size[c] == size[r]) & (c < r)))
    dominated = np.zeros(a.shape[1], dtype=bool)
    dominated[r[inside]] = True
    dominated |= size == 0
    return np.flatnonzero(~dominated)


def _covered(a: sparse.csr_matrix, gw: np.ndarray, sites) -> float:
    hit = np.asarray(a[:, list(sites)].sum(axis=1)).ravel() > 0 if len(sites) else np.zeros(0)
    return float(gw[hit].sum()) if len(sites) else 0.0


def _lagrangian_mclp(
    a: sparse.csr_matrix,
    gw: np.ndarray,
    p: int,
    lower: float,
    *,
    deadline: float,
    gap: float,
    should_stop: Callable[[], bool] | None = None,
    max_iter: int = 5000,
) -> tuple[float, list[int] | None, float]:
    """Return (upper bound, best sites seen or None, their coverage) by subgradient descent.

    The links y_i ≤ Σ_{j∈S_i} x_j are relaxed with μ_i ≥ 0; for every μ,
    Σ_i max(0, w_i − μ_i) + (the p largest Σ_{i∈S_j} μ_i) bounds the MCLP from above, and
    its best value is the LP bound. The p sites of each relaxed solution are a primal
    candidate too (checked every 25 steps).
    """
    at = a.T.tocsr().astype(np.float64)
    a_f = a.tocsr().astype(np.float64)
    size_r = np.diff(a.indptr)
    mu = gw / np.maximum(size_r, 1) * 0.5
    best_ub, best_sites, best_lb = np.inf, None, lower
    theta, stall = 1.0, 0
    for it in range(max_iter):
        c = at @ mu
        top = np.argpartition(-c, p - 1)[:p] if p < c.size else np.arange(c.size)
        ub = float(np.maximum(0.0, gw - mu).sum() + c[top].sum())
        if ub < best_ub - 1e-9 * max(1.0, abs(ub)):
            best_ub, stall = ub, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
        if it % 25 == 0:
            check_stop(should_stop)
            v = _covered(a, gw, top)
            if v > best_lb:
                best_lb, best_sites = v, [int(j) for j in top]
        if best_ub - best_lb <= gap * best_ub or theta < 1e-4 or time.perf_counter() > deadline:
            break
        x = np.zeros(c.size)
        x[top] = 1.0
        grad = a_f @ x - (gw > mu)
        norm = float(grad @ grad)
        if norm == 0:
            break
        mu = np.maximum(0.0, mu - theta * (ub - best_lb) / norm * grad)
    return best_ub, best_sites, best_lb


# Above this many coverage pairs the MCLP is bounded by Lagrangian relaxation in numpy
# instead of HiGHS: on 1,000,000 × 10,000 (100k merged rows, 4.9M pairs) HiGHS had not
# finished the root LP after 70 s, the subgradient reached the LP bound in 50 s.
LAGRANGIAN_MIN_PAIRS = 1_500_000
# Rounds of 1-for-1 swaps after the greedy start (each costs the open sites' rows and one
# pass over the columns per open site; a round that improves nothing ends them).
SWAP_ROUNDS = 10


def solve_mclp(
    problem: SitingProblem,
    *,
    p: int,
    radius_m: float,
    time_limit_s: float = 60.0,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return the p candidates that, with the existing sites, cover the most demand weight."""
    validate_problem(problem, p=p, radius_m=radius_m)
    if problem.capacitated:
        return solve_mclp_capacitated(
            problem,
            p=p,
            radius_m=radius_m,
            time_limit_s=time_limit_s,
            should_stop=should_stop,
            mip_gap=mip_gap,
        )
    t0 = time.perf_counter()
    w = problem.demand_weight.astype(np.float64)
    by_existing = site_coverage(problem, radius_m, existing=True)
    already = np.asarray(by_existing.sum(axis=1)).ravel() > 0
    cov = site_coverage(problem, radius_m)
    rows = np.flatnonzero(~already & (np.diff(cov.indptr) > 0) & (w > 0))
    fixed_weight = float(w[already].sum())
    a, gw, _ = merge_identical_rows(cov[rows], w[rows])
    m_all = a.shape[1]
    cols = drop_dominated(a) if a.nnz else np.arange(0)
    if cols.size < m_all:
        a, gw, _ = merge_identical_rows(a[:, cols], gw)
    g, m = a.shape
    notes = [f"去除被覆盖范围包含的候选点后余 {m}/{m_all} 个；需求合并为 {g} 行"]
    if m <= p:
        # Every useful site can open: the rest of p are any of the others.
        useful = set(cols.tolist())
        chosen = list(cols) + [j for j in range(m_all) if j not in useful][: p - m]
        return finish_unsolved(
            "mclp",
            problem,
            chosen,
            objective=fixed_weight + float(gw.sum()),
            radius_m=radius_m,
            t0=t0,
            notes=notes,
        )
    if g == 0 or p == 0:
        return finish_unsolved(
            "mclp",
            problem,
            list(range(p)) if g == 0 else [],
            objective=fixed_weight,
            radius_m=radius_m,
            t0=t0,
            notes=["候选点无法覆盖更多需求，任选 p 个"] if g == 0 and p else [],
        )
    a_csc = a.tocsc()
    start_sites = _greedy_max_cover(a_csc, gw, p, swap_rounds=SWAP_ROUNDS)
    heuristic = _covered(a, gw, start_sites)
    if a.nnz > LAGRANGIAN_MIN_PAIRS:
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        upper, sites, value = _lagrangian_mclp(
            a, gw, p, heuristic, deadline=t0 + time_limit_s, gap=mip_gap, should_stop=should_stop
        )
        chosen = sites if sites is not None else start_sites
        gap = (upper - value) / upper if upper > 0 else 0.0
        notes.append("上界由拉格朗日松弛求得（问题过大，未调用 HiGHS）")
        return finish(
            "mclp",
            problem,
            [int(cols[j]) for j in chosen],
            status="optimal" if gap <= mip_gap else "time_limit",
            gap=gap,
            objective=fixed_weight + value,
            radius_m=radius_m,
            solve_s=time.perf_counter() - t1,
            build_s=build_s,
            heuristic_objective=fixed_weight + heuristic,
            notes=notes,
        )
    # Columns: x_0..x_{m-1} (binary), y_0..y_{g-1} (continuous [0, 1]).
    # Rows: y_g - Σ_{j∈S_g} x_j ≤ 0 ; Σ x_j = p.
    link = sparse.hstack([-a.astype(np.float64), sparse.identity(g, format="csr")], format="csr")
    card = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(g)])[None, :])
    mip = Mip(
        cost=np.concatenate([np.zeros(m), gw]),
        a_csr=sparse.vstack([link, card], format="csr"),
        row_lo=np.concatenate([np.full(g, -np.inf), [p]]),
        row_hi=np.concatenate([np.zeros(g), [p]]),
        col_lo=np.zeros(m + g),
        col_hi=np.ones(m + g),
        integer=np.concatenate([np.ones(m, bool), np.zeros(g, bool)]),
        maximize=True,
    )
    start = np.zeros(m + g)
    start[start_sites] = 1
    start[m:] = (np.asarray(a[:, start_sites].sum(axis=1)).ravel() > 0).astype(float)
    build_s = time.perf_counter() - t0
    out = run_mip(
        mip,
        time_limit_s=time_limit_s,
        start=start,
        should_stop=should_stop,
        mip_gap=mip_gap,
        options=MCLP_HIGHS_OPTIONS,
    )
    selected = (
        [int(j) for j in np.flatnonzero(out.x[:m] > 0.5)] if out.x is not None else start_sites
    )
    return finish(
        "mclp",
        problem,
        [int(cols[j]) for j in selected],
        status=out.status,
        gap=out.gap,
        objective=fixed_weight + (out.objective if out.x is not None else heuristic),
        radius_m=radius_m,
        solve_s=out.seconds,
        build_s=build_s,
        heuristic_objective=fixed_weight + heuristic,
        notes=notes,
    )


# --------------------------------------------------------------------------- LSCP


def unreachable_demand(problem: SitingProblem, radius_m: float) -> np.ndarray:
    """Return indices of weighted demand points no candidate and no existing site reaches."""
    w = problem.demand_weight
    by_existing = site_coverage(problem, radius_m, existing=True)
    by_candidate = site_coverage(problem, radius_m)
    reach = np.diff(by_existing.indptr) + np.diff(by_candidate.indptr)
    return np.flatnonzero((reach == 0) & (w > 0))


def greedy_set_cover(a_csc: sparse.csc_matrix) -> list[int]:
    g, _ = a_csc.shape
    at = a_csc.T.tocsr().astype(np.float64)
    covered = np.zeros(g, dtype=bool)
    chosen: list[int] = []
    while not covered.all():
        gain = at @ (~covered).astype(np.float64)
        j = int(np.argmax(gain))
        chosen.append(j)
        covered[a_csc.indices[a_csc.indptr[j] : a_csc.indptr[j + 1]]] = True
    # Drop sites whose rows are all covered by the others (redundant after later picks).
    count = np.asarray(a_csc[:, chosen].sum(axis=1)).ravel()
    for j in sorted(chosen, key=lambda k: a_csc.indptr[k + 1] - a_csc.indptr[k]):
        rows_j = a_csc.indices[a_csc.indptr[j] : a_csc.indptr[j + 1]]
        if np.all(count[rows_j] >= 2):
            count[rows_j] -= 1
            chosen.remove(j)
    return chosen


def set_cover_mip(a: sparse.csr_matrix, greedy: list[int]) -> tuple[Mip, np.ndarray]:
    """Return the set-cover MIP of ``a`` (each row covered at least once, fewest sites)
    and its start vector from the ``greedy`` cover."""
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
    return mip, start


def solve_lscp(
    problem: SitingProblem,
    *,
    radius_m: float,
    time_limit_s: float = 60.0,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
) -> SitingResult:
    """Return the fewest candidates that, with the existing sites, reach every demand point.

    Raises SitingInputError naming the demand points that no candidate can reach.
    """
    validate_problem(problem, p=None, radius_m=radius_m)
    t0 = time.perf_counter()
    lost = unreachable_demand(problem, radius_m)
    if lost.size:
        raise SitingInputError(
            f"无解：{lost.size} 个需求点在 {radius_m:g} 米内没有任何候选点或现有设施",
            demand_ids=[problem.demand_label(i) for i in lost[:50]],
            unreachable_count=int(lost.size),
        )
    if problem.capacitated:
        return solve_lscp_capacitated(
            problem,
            radius_m=radius_m,
            time_limit_s=time_limit_s,
            should_stop=should_stop,
            mip_gap=mip_gap,
        )
    w = problem.demand_weight
    by_existing = site_coverage(problem, radius_m, existing=True)
    cov = site_coverage(problem, radius_m)
    rows = np.flatnonzero((np.diff(by_existing.indptr) == 0) & (w > 0))
    a, _, _ = merge_identical_rows(cov[rows], np.ones(rows.size))
    if a.shape[0] == 0:
        return finish_unsolved(
            "lscp",
            problem,
            [],
            objective=0.0,
            radius_m=radius_m,
            t0=t0,
            notes=["现有设施已覆盖全部需求"],
        )
    greedy = greedy_set_cover(a.tocsc())
    mip, start = set_cover_mip(a, greedy)
    build_s = time.perf_counter() - t0
    out = run_mip(
        mip, time_limit_s=time_limit_s, start=start, should_stop=should_stop, mip_gap=mip_gap
    )
    selected = [int(j) for j in np.flatnonzero(out.x > 0.5)] if out.x is not None else greedy
    return finish(
        "lscp",
        problem,
        selected,
        status=out.status,
        gap=out.gap,
        objective=len(selected),
        radius_m=radius_m,
        solve_s=out.seconds,
        build_s=build_s,
        heuristic_objective=float(len(greedy)),
    )
