"""Location models for siting: LSCP, MCLP, p-median and p-center on HiGHS (no Django).

Every model is built directly as a sparse matrix (scipy) and passed to HiGHS in one call;
no modelling layer sits in between, which is what makes a 10,000 × 500 model build in
milliseconds instead of a minute (PERF_ANCHORS: spopt/PuLP spends 66 s there).

Conventions
- Coordinates are metres in a projected CRS; distances are straight lines in that CRS.
- Existing facilities are always open and are not counted in ``p``.
- Demand points that share exactly the same coverage set (MCLP, LSCP) or the same position
  (p-median, p-center) are merged into one row with the summed weight.
- Coverage variables are continuous in [0, 1]: with binary siting variables an optimal
  solution has them at 0 or 1 anyway, and HiGHS branches on far fewer integers.
- A greedy start (plus one-for-one swaps) is handed to HiGHS, so a run stopped by its time
  limit still returns a good solution; status and gap are read from the solver itself
  (a PuLP run stopped by its limit can be labelled "Optimal": see PERF_ANCHORS).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from facilities.siting import costs as cm

# HiGHS's own default relative MIP gap; a run that ends within it is "optimal". Callers
# may ask for a looser proven gap (``mip_gap``): "optimal" then means "within that gap",
# and the gap actually reached is always reported.
MIP_REL_GAP = 1e-4


class SitingInputError(ValueError):
    """The siting input is unusable; ``message`` is Chinese, ``details`` name the culprits."""

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class SitingInterrupted(Exception):
    """The caller asked the solver to stop (a cancelled background run)."""


def check_stop(should_stop: Callable[[], bool] | None) -> None:
    """Raise SitingInterrupted when the caller asks to stop (numpy stages have no callback)."""
    if should_stop is not None and should_stop():
        raise SitingInterrupted("求解已取消")


@dataclass(frozen=True)
class SitingProblem:
    """Demand points, candidate sites and existing (fixed open) sites in metres."""

    demand_xy_m: np.ndarray
    demand_weight: np.ndarray
    candidate_xy_m: np.ndarray
    existing_xy_m: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    demand_ids: Sequence[str] | None = None
    candidate_ids: Sequence[str] | None = None
    candidate_capacity: np.ndarray | None = None
    # Capacities in demand-weight units; None or +inf means unlimited (see ``capacity``).
    existing_capacity: np.ndarray | None = None
    existing_ids: Sequence[str] | None = None
    # Costs along the roads or supplied by the user; None measures straight lines.
    costs: cm.CostMatrix | None = None

    @property
    def capacitated(self) -> bool:
        """True when any candidate or existing site has a finite capacity."""
        caps = (self.candidate_capacity, self.existing_capacity)
        return any(c is not None and bool(np.any(np.isfinite(c))) for c in caps)

    def demand_label(self, i: int) -> str:
        return str(self.demand_ids[i]) if self.demand_ids is not None else str(i)

    def candidate_label(self, j: int) -> str:
        return str(self.candidate_ids[j]) if self.candidate_ids is not None else str(j)

    def existing_label(self, k: int) -> str:
        return str(self.existing_ids[k]) if self.existing_ids is not None else f"现有{k + 1}"

    @property
    def distance_kind(self) -> str:
        """Return "straight", "network" or "matrix"."""
        return "straight" if self.costs is None else self.costs.kind

    def restrict_candidates(self, keep) -> SitingProblem:
        """Return the same problem over the candidates ``keep`` only (in that order)."""
        keep = np.asarray(keep, dtype=np.int64)
        return SitingProblem(
            demand_xy_m=self.demand_xy_m,
            demand_weight=self.demand_weight,
            candidate_xy_m=self.candidate_xy_m[keep].reshape(-1, 2),
            existing_xy_m=self.existing_xy_m,
            demand_ids=self.demand_ids,
            candidate_ids=None
            if self.candidate_ids is None
            else [self.candidate_ids[j] for j in keep],
            candidate_capacity=None
            if self.candidate_capacity is None
            else self.candidate_capacity[keep],
            existing_capacity=self.existing_capacity,
            existing_ids=self.existing_ids,
            costs=None if self.costs is None else self.costs.restrict_candidates(keep),
        )


@dataclass
class SitingResult:
    model: str
    selected: list[int]
    status: str  # "optimal" or "time_limit"
    gap: float
    objective: float
    covered_weight: float | None
    total_weighted_distance_m: float
    max_distance_m: float
    solve_s: float
    build_s: float
    heuristic_objective: float | None = None
    notes: list[str] = field(default_factory=list)
    # Capacitated models: (demand row, global site, weight) of the split allocation.
    allocation: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def as_dict(self, problem: SitingProblem | None = None) -> dict:
        selected = [problem.candidate_label(j) for j in self.selected] if problem else self.selected
        return {
            "model": self.model,
            "selected": selected,
            "status": self.status,
            "gap": round(self.gap, 6),
            "objective": self.objective,
            "covered_weight": self.covered_weight,
            "total_weighted_distance_m": round(self.total_weighted_distance_m, 3),
            "max_distance_m": round(self.max_distance_m, 3),
            "solve_s": round(self.solve_s, 3),
            "build_s": round(self.build_s, 4),
            "heuristic_objective": self.heuristic_objective,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------- validation


def validate_problem(problem: SitingProblem, *, p: int | None, radius_m: float | None) -> None:
    """Raise SitingInputError for input no model can use (checked before any solving)."""
    d, c, e = problem.demand_xy_m, problem.candidate_xy_m, problem.existing_xy_m
    w = problem.demand_weight
    if d.ndim != 2 or d.shape[0] == 0:
        raise SitingInputError("没有需求点 (no demand points)")
    if c.ndim != 2 or c.shape[0] == 0:
        raise SitingInputError("没有候选点 (no candidate sites)")
    for name, arr in (("需求点", d), ("候选点", c), ("现有设施", e), ("权重", w)):
        if arr.size and not np.all(np.isfinite(arr)):
            raise SitingInputError(f"{name}含有非有限数值 (NaN/inf)")
    if w.shape[0] != d.shape[0]:
        raise SitingInputError("权重个数与需求点个数不一致")
    bad_w = np.flatnonzero(w < 0)
    if bad_w.size:
        raise SitingInputError(
            "需求权重不能为负数",
            demand_ids=[problem.demand_label(i) for i in bad_w[:20]],
        )
    if radius_m is not None and not (math.isfinite(radius_m) and radius_m > 0):
        raise SitingInputError(f"服务半径必须大于 0 米（收到 {radius_m}）")
    if p is not None:
        if p < 0:
            raise SitingInputError(f"p 不能为负数（收到 {p}）")
        if p > c.shape[0]:
            raise SitingInputError(f"p = {p} 大于候选点个数 {c.shape[0]}")
    for name, cap, n_sites, label, detail in (
        (
            "候选点",
            problem.candidate_capacity,
            c.shape[0],
            problem.candidate_label,
            "candidate_ids",
        ),
        ("现有设施", problem.existing_capacity, e.shape[0], int, "existing_rows"),
    ):
        if cap is None:
            continue
        if cap.shape[0] != n_sites:
            raise SitingInputError(f"{name}容量个数与{name}个数不一致")
        bad = np.flatnonzero(np.isnan(cap) | (cap < 0))
        if bad.size:
            raise SitingInputError(
                f"{name}容量不能小于 0", **{detail: [label(j) for j in bad[:20]]}
            )
    if problem.costs is not None:
        _validate_costs(problem, radius_m)
    dupes = duplicate_positions(c) if problem.distance_kind != "matrix" else []
    if dupes:
        raise SitingInputError(
            "候选点位置重复",
            candidate_ids=[[problem.candidate_label(j) for j in grp] for grp in dupes[:20]],
        )


def _validate_costs(problem: SitingProblem, radius_m: float | None) -> None:
    costs = problem.costs
    assert costs is not None
    n, m, e = (
        problem.demand_xy_m.shape[0],
        problem.candidate_xy_m.shape[0],
        problem.existing_xy_m.shape[0],
    )
    if costs.to_candidates.shape != (n, m) or costs.to_existing.shape != (n, e):
        raise SitingInputError(
            f"费用矩阵的大小（{costs.to_candidates.shape[0]} × {costs.to_candidates.shape[1]}）"
            f"与需求点、候选点个数（{n} × {m}）不一致"
        )
    for mat in (costs.to_candidates, costs.to_existing):
        if mat.nnz and not np.all(np.isfinite(mat.data)):
            raise SitingInputError("费用矩阵含有非有限数值 (NaN/inf)")
        if mat.nnz and np.any(mat.data < 0):
            raise SitingInputError("费用矩阵含有负数费用")
    if radius_m is not None and costs.cutoff is not None and radius_m > costs.cutoff + 1e-9:
        raise SitingInputError(
            f"服务半径 {radius_m:g} 米超过了道路距离的计算上限 {costs.cutoff:g} 米"
        )


def duplicate_positions(xy: np.ndarray, *, tol_m: float = 0.01) -> list[list[int]]:
    """Return groups of indices of points closer than ``tol_m`` to each other."""
    pairs = cKDTree(xy).query_pairs(tol_m, output_type="ndarray")
    if not len(pairs):
        return []
    n = xy.shape[0]
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = sparse.csgraph.connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i in np.unique(pairs):
        groups.setdefault(int(labels[i]), []).append(int(i))
    return sorted(groups.values())


# --------------------------------------------------------------------------- helpers


def coverage_matrix(
    demand_xy_m: np.ndarray, site_xy_m: np.ndarray, radius_m: float
) -> sparse.csr_matrix:
    """Return the boolean n × m matrix of (demand, site) pairs within ``radius_m``."""
    n, m = demand_xy_m.shape[0], site_xy_m.shape[0]
    if n == 0 or m == 0:
        return sparse.csr_matrix((n, m), dtype=bool)
    # The ndarray output of sparse_distance_matrix keeps coincident pairs (d = 0), which a
    # sparse-matrix output would drop; it is 2–3× faster than query_ball_point's lists.
    pairs = cKDTree(demand_xy_m).sparse_distance_matrix(
        cKDTree(site_xy_m), radius_m, output_type="ndarray"
    )
    rows, cols = pairs["i"], pairs["j"]
    order = np.lexsort((cols, rows)) if rows.size < 2_000_000 else np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
    return sparse.csr_matrix((np.ones(order.size, dtype=bool), cols[order], indptr), shape=(n, m))


# Two independent random 64-bit keys per column: a row's key is its length and the two
# wrapped sums over its columns. Two different column sets share all three with a
# probability of about 2^-128 per pair of rows (≈ 1e-27 for a million rows), far below
# any hardware error rate; a Python loop keyed by the exact column bytes took 2 s per
# million rows against 0.3 s for this.
_ROW_KEY_SEED = 20240617


def merge_identical_rows(
    mat: sparse.csr_matrix, weight: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Merge rows with the same column set; return (matrix, summed weights, row → group)."""
    n = mat.shape[0]
    if n == 0:
        return mat.tocsr(), np.zeros(0), np.zeros(0, dtype=np.int64)
    mat = mat.tocsr()
    rng = np.random.default_rng(_ROW_KEY_SEED)
    keys = rng.integers(0, np.iinfo(np.uint64).max, (2, mat.shape[1]), dtype=np.uint64)
    length = np.diff(mat.indptr)
    has = length > 0
    sums = np.zeros((2, n), dtype=np.uint64)
    if mat.nnz:
        starts = mat.indptr[:-1][has]
        for r in range(2):
            sums[r, has] = np.add.reduceat(keys[r][mat.indices], starts)
    by_key = np.lexsort((sums[1], sums[0], length))  # stable: smallest row first per key
    k0, k1, k2 = length[by_key], sums[0][by_key], sums[1][by_key]
    new_key = np.concatenate(
        [[True], (np.diff(k0) != 0) | (k1[1:] != k1[:-1]) | (k2[1:] != k2[:-1])]
    )
    sorted_group = np.cumsum(new_key) - 1
    first_row = by_key[new_key]
    # Groups numbered in the order of their first row (as the exact loop numbered them).
    order = np.argsort(first_row, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.size)
    group_of = np.empty(n, dtype=np.int64)
    group_of[by_key] = renumber[sorted_group]
    first_row = first_row[order]
    merged = mat[first_row]
    w = np.bincount(group_of, weights=weight, minlength=first_row.size)
    return merged.tocsr(), w, group_of


def merge_positions(problem: SitingProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (unique positions with weight > 0, summed weights, their source rows)."""
    keep = np.flatnonzero(problem.demand_weight > 0)
    xy = np.round(problem.demand_xy_m[keep], 3)
    uniq, first, inverse = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=problem.demand_weight[keep], minlength=len(uniq))
    return uniq, w, keep[first]


def site_coverage(
    problem: SitingProblem, radius_m: float, *, existing: bool = False
) -> sparse.csr_matrix:
    """Return the boolean demand × site matrix within ``radius_m`` (candidates or existing)."""
    if problem.costs is not None:
        mat = problem.costs.to_existing if existing else problem.costs.to_candidates
        return cm.within(mat, radius_m)
    sites = problem.existing_xy_m if existing else problem.candidate_xy_m
    return coverage_matrix(problem.demand_xy_m, sites, radius_m)


def nearest_open(problem: SitingProblem, selected: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return (distance, site) of each demand point's nearest open site; site index is global:
    candidates 0..m-1, existing m..m+e-1; (inf, -1) where no open site is reachable."""
    m = problem.candidate_xy_m.shape[0]
    sel = np.asarray(list(selected), dtype=np.int64)
    if problem.costs is not None:
        dc, jc = cm.row_argmin(cm.select_columns(problem.costs.to_candidates, sel))
        de, je = cm.row_argmin(problem.costs.to_existing)
        site_c = np.where(jc >= 0, sel[np.maximum(jc, 0)] if sel.size else -1, -1)
        use_e = de < dc
        dist = np.where(use_e, de, dc)
        site = np.where(use_e, m + je, site_c)
        return dist, np.where(np.isfinite(dist), site, -1)
    open_xy = np.vstack([problem.candidate_xy_m[sel].reshape(-1, 2), problem.existing_xy_m])
    glob = np.concatenate([sel, m + np.arange(problem.existing_xy_m.shape[0])])
    if open_xy.shape[0] == 0:
        n = problem.demand_xy_m.shape[0]
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, k = cKDTree(open_xy).query(problem.demand_xy_m)
    return dist, glob[k]


def nearest_open_distance(problem: SitingProblem, selected: Sequence[int]) -> np.ndarray:
    """Return each demand point's distance in metres to the nearest open site (inf: none)."""
    if problem.costs is not None:
        return nearest_open(problem, selected)[0]
    open_xy = np.vstack([problem.existing_xy_m, problem.candidate_xy_m[list(selected)]])
    if open_xy.shape[0] == 0:
        return np.full(problem.demand_xy_m.shape[0], np.inf)
    dist, _ = cKDTree(open_xy).query(problem.demand_xy_m)
    return dist


def finish_unsolved(
    model: str,
    problem: SitingProblem,
    selected: Sequence[int],
    *,
    objective: float,
    radius_m: float | None,
    t0: float,
    notes: list[str] | None = None,
) -> SitingResult:
    """Return the result of a run decided without a solver (optimal, no gap, no solve time);
    ``t0`` is the ``time.perf_counter()`` at which the run began."""
    return finish(
        model,
        problem,
        selected,
        status="optimal",
        gap=0.0,
        objective=objective,
        radius_m=radius_m,
        solve_s=0.0,
        build_s=time.perf_counter() - t0,
        notes=notes,
    )


def finish(
    model: str,
    problem: SitingProblem,
    selected: Sequence[int],
    *,
    status: str,
    gap: float,
    objective: float,
    radius_m: float | None,
    solve_s: float,
    build_s: float,
    heuristic_objective: float | None = None,
    notes: list[str] | None = None,
) -> SitingResult:
    dist = nearest_open_distance(problem, selected)
    w = problem.demand_weight
    covered = float(w[dist <= radius_m].sum()) if radius_m is not None else None
    finite = np.isfinite(dist)
    return SitingResult(
        model=model,
        selected=sorted(int(j) for j in selected),
        status=status,
        gap=max(0.0, float(gap)),
        objective=float(objective),
        covered_weight=covered,
        total_weighted_distance_m=float((w[finite] * dist[finite]).sum()),
        max_distance_m=float(dist[(w > 0) & finite].max()) if np.any((w > 0) & finite) else 0.0,
        solve_s=solve_s,
        build_s=build_s,
        heuristic_objective=heuristic_objective,
        notes=notes or [],
    )


@dataclass
class Mip:
    """A MIP in HiGHS's own arrays: min/max c·x, row_lo ≤ A x ≤ row_hi, bounds, integrality."""

    cost: np.ndarray
    a_csr: sparse.csr_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray  # bool per column
    maximize: bool = False


@dataclass
class MipOutcome:
    status: str  # optimal | time_limit | infeasible
    x: np.ndarray | None
    objective: float
    bound: float
    gap: float
    seconds: float


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """Return a silent Highs; the first one prints a banner to fd 1, which would corrupt --json."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_shown = True
    h.silent()
    return h


def run_mip(
    mip: Mip,
    *,
    time_limit_s: float,
    start: np.ndarray | None = None,
    should_stop: Callable[[], bool] | None = None,
    mip_gap: float = MIP_REL_GAP,
    options: dict | None = None,
) -> MipOutcome:
    """Solve ``mip`` on HiGHS; ``options`` are extra HiGHS options (e.g. the root LP solver).

    Raises SitingInterrupted when ``should_stop`` stopped the run.
    """
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("threads", 1)
    for name, value in (options or {}).items():
        if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {name}={value!r}")
    lp = highspy.HighsLp()
    lp.num_col_ = int(mip.cost.size)
    lp.num_row_ = int(mip.a_csr.shape[0])
    lp.col_cost_ = mip.cost.astype(np.float64)
    lp.col_lower_ = mip.col_lo.astype(np.float64)
    lp.col_upper_ = mip.col_hi.astype(np.float64)
    lp.row_lower_ = mip.row_lo.astype(np.float64)
    lp.row_upper_ = mip.row_hi.astype(np.float64)
    csc = mip.a_csr.tocsc()
    csc.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in mip.integer
    ]
    lp.sense_ = highspy.ObjSense.kMaximize if mip.maximize else highspy.ObjSense.kMinimize
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = start.astype(np.float64).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    if should_stop is not None:

        def interrupt(event):
            if should_stop():
                event.interrupt()

        h.cbMipInterrupt.subscribe(interrupt)
        h.cbSimplexInterrupt.subscribe(interrupt)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    st = h.getModelStatus()
    info = h.getInfo()
    has_x = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_x else None
    if st == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif st == highspy.HighsModelStatus.kInfeasible:
        status = "infeasible"
    elif st in (
        highspy.HighsModelStatus.kInterrupt,
        # highspy 1.16's bundled _core stub lists no kHighsInterrupt, but the enum has it (19,
        # set when a callback interrupts the run).
        highspy.HighsModelStatus.kHighsInterrupt,  # type: ignore[attr-defined]
    ):
        raise SitingInterrupted("求解已取消")
    else:
        status = "time_limit"
    gap = float(info.mip_gap) if has_x and math.isfinite(info.mip_gap) else math.inf
    return MipOutcome(
        status=status,
        x=x,
        objective=float(info.objective_function_value),
        bound=float(info.mip_dual_bound),
        # The gap HiGHS reached (it may be > 0 when "optimal" means within a looser mip_gap).
        gap=gap if math.isfinite(gap) else (0.0 if status == "optimal" else math.inf),
        seconds=seconds,
    )
