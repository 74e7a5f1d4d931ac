"""Demand-to-site costs as sparse matrices: along a road graph or supplied by the user (no Django).

A ``CostMatrix`` holds, per demand point, the sites it can reach and at what cost (metres
along the roads, or any non-negative unit of a supplied matrix). A pair that is not stored
is unreachable: no model assigns across it. Costs of zero are stored explicitly (a demand
point at a site), so every helper here keeps explicit zeros (scipy's arithmetic may not).

Without a ``CostMatrix`` the models measure straight lines from the coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class CostMatrix:
    """Costs from n demand points to m candidates and to e existing sites; absent = unreachable."""

    to_candidates: sparse.csr_matrix  # n × m, float64
    to_existing: sparse.csr_matrix  # n × e, float64
    kind: str = "matrix"  # "network" (metres along the roads) or "matrix" (supplied)
    # Pairs costlier than this were never computed (network costs built with a cutoff).
    cutoff: float | None = None
    # What was excluded and why: ids of points off the graph, graph components (see network).
    report: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.to_candidates.shape[0])

    def restrict_candidates(self, keep: np.ndarray) -> CostMatrix:
        """Return the matrix over the candidates ``keep`` (in that order)."""
        return CostMatrix(
            select_columns(self.to_candidates, keep),
            self.to_existing,
            kind=self.kind,
            cutoff=self.cutoff,
            report=self.report,
        )


def csr_from_pairs(rows, cols, cost, shape: tuple[int, int]) -> sparse.csr_matrix:
    """Return an n × m CSR of ``cost`` at (rows, cols), zeros kept, duplicates refused."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    cost = np.asarray(cost, dtype=np.float64)
    order = np.lexsort((cols, rows))
    rows, cols, cost = rows[order], cols[order], cost[order]
    if rows.size > 1 and np.any((np.diff(rows) == 0) & (np.diff(cols) == 0)):
        raise ValueError("duplicate (demand, site) pair")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    return sparse.csr_matrix((cost, cols, indptr), shape=shape)


def dense_to_csr(matrix: np.ndarray) -> sparse.csr_matrix:
    """Return the CSR of a dense cost array, NaN/inf cells left out (unreachable)."""
    rows, cols = np.nonzero(np.isfinite(matrix))
    return csr_from_pairs(rows, cols, matrix[rows, cols], matrix.shape)


def select_columns(mat: sparse.csr_matrix, keep: np.ndarray) -> sparse.csr_matrix:
    """Return ``mat[:, keep]`` with columns renumbered 0..len(keep)-1, explicit zeros kept."""
    keep = np.asarray(keep, dtype=np.int64)
    new_of = np.full(mat.shape[1], -1, dtype=np.int64)
    new_of[keep] = np.arange(keep.size)
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
    cols = new_of[mat.indices]
    mask = cols >= 0
    return csr_from_pairs(rows[mask], cols[mask], mat.data[mask], (mat.shape[0], keep.size))


def select_rows(mat: sparse.csr_matrix, rows: np.ndarray) -> sparse.csr_matrix:
    """Return ``mat[rows]`` (explicit zeros kept)."""
    rows = np.asarray(rows, dtype=np.int64)
    lengths = np.diff(mat.indptr)[rows]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    take = (
        np.concatenate([np.arange(mat.indptr[r], mat.indptr[r + 1]) for r in rows])
        if rows.size and indptr[-1]
        else np.empty(0, dtype=np.int64)
    )
    return sparse.csr_matrix(
        (mat.data[take], mat.indices[take], indptr), shape=(rows.size, mat.shape[1])
    )


def within(mat: sparse.csr_matrix, limit: float) -> sparse.csr_matrix:
    """Return the boolean matrix of stored pairs with cost ≤ ``limit`` (zero costs included)."""
    ok = mat.data <= limit
    running = np.concatenate([[0], np.cumsum(ok, dtype=np.int64)])
    indptr = running[mat.indptr]
    out = sparse.csr_matrix(
        (np.ones(int(indptr[-1]), dtype=bool), mat.indices[ok], indptr), shape=mat.shape
    )
    out.sort_indices()
    return out


def row_min(mat: sparse.csr_matrix, cols: np.ndarray | None = None) -> np.ndarray:
    """Return each row's least stored cost (over ``cols`` if given); inf for none."""
    if cols is not None:
        mat = select_columns(mat, np.asarray(cols, dtype=np.int64))
    out = np.full(mat.shape[0], np.inf)
    if mat.nnz == 0:
        return out
    has = np.diff(mat.indptr) > 0
    mins = np.minimum.reduceat(mat.data, mat.indptr[:-1][has])
    out[has] = mins
    return out


def row_argmin(mat: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Return (least cost, its column) per row; (inf, -1) for a row with no stored pair."""
    n = mat.shape[0]
    cost = np.full(n, np.inf)
    col = np.full(n, -1, dtype=np.int64)
    if mat.nnz == 0:
        return cost, col
    rows = np.repeat(np.arange(n), np.diff(mat.indptr))
    order = np.lexsort((mat.data, rows))
    first = order[np.unique(rows[order], return_index=True)[1]]
    cost[rows[first]] = mat.data[first]
    col[rows[first]] = mat.indices[first]
    return cost, col


def pairs_of(mat: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (rows, cols, costs) of the stored pairs."""
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
    return rows, mat.indices.astype(np.int64), mat.data.astype(np.float64)


def to_dense(mat: sparse.csr_matrix, *, missing: float, dtype=np.float32) -> np.ndarray:
    """Return the dense array with ``missing`` where a pair is unreachable."""
    out = np.full(mat.shape, missing, dtype=dtype)
    rows, cols, cost = pairs_of(mat)
    out[rows, cols] = cost
    return out
