"""Demand-to-site costs along a road graph, in bulk, with scipy's Dijkstra (no Django).

The graph is the one the coverage analysis uses (``facilities.network.StreetNetwork``,
passed here as node coordinates and edge arrays). Points join it at the nearest node within
``snap_max_m``; the straight walk to the node is added to the road distance at both ends.

Why scipy.sparse.csgraph.dijkstra and not pgRouting: both were measured in the same bench
run (bench/bench_siting.py, ``siting.network_costs_scipy_s``). Over the whole graph scipy
was six times slower than pgr_drivingDistance (9.0 s against 1.5 s for 992 sources within
1 km on 105,616 edges), because it returns a dense row over every node per source; searching
each batch of nearby sources on the part of the graph within reach (see ``_searches``)
brought the whole build, snapping and pair assembly included, to about 4 s, with no graph
table to load into the database per run and the pairs already in the arrays the models use.

Off-graph points and graph components are reported, never silently dropped: the report
names the demand and site ids no road reaches and, when the graph is disconnected, each
component's node count and which ids lie on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from facilities.siting.costs import CostMatrix, csr_from_pairs

# A point further than this from any graph node is off the network (as in the coverage).
SNAP_MAX_M = 250.0
CHUNK_CELLS = 20_000_000
MAX_IDS_REPORTED = 50


@dataclass(frozen=True)
class RoadGraph:
    """An undirected road graph: node coordinates (metres) and edges with lengths (metres)."""

    node_xy_m: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_length_m: np.ndarray

    @property
    def n_edges(self) -> int:
        return int(self.edge_from.size)

    def adjacency(self) -> sparse.csr_matrix:
        n = self.node_xy_m.shape[0]
        # Parallel edges: scipy's csr keeps the duplicates summed, so keep the shortest.
        a = np.minimum(self.edge_from, self.edge_to)
        b = np.maximum(self.edge_from, self.edge_to)
        order = np.lexsort((self.edge_length_m, b, a))
        a, b, w = a[order], b[order], self.edge_length_m[order]
        first = np.concatenate([[True], (np.diff(a) != 0) | (np.diff(b) != 0)])
        a, b, w = a[first], b[first], w[first]
        # A zero-length edge would vanish in a sparse matrix: give it a millimetre.
        w = np.maximum(w, 1e-3)
        return sparse.csr_matrix((w, (a, b)), shape=(n, n))

    def components(self) -> tuple[int, np.ndarray]:
        """Return (number of components, component label per node)."""
        return csgraph.connected_components(self.adjacency(), directed=False)


def _snap(tree: cKDTree, xy: np.ndarray, snap_max_m: float) -> tuple[np.ndarray, np.ndarray]:
    if xy.shape[0] == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    dist, node = tree.query(xy, distance_upper_bound=snap_max_m)
    ok = np.isfinite(dist)
    return np.where(ok, node, -1).astype(np.int64), np.where(ok, dist, np.inf)


def _ids(ids: Sequence[str] | None, idx: np.ndarray) -> list[str]:
    return [str(ids[i]) if ids is not None else str(i) for i in idx[:MAX_IDS_REPORTED]]


def network_cost_matrix(
    graph: RoadGraph,
    *,
    demand_xy_m: np.ndarray,
    candidate_xy_m: np.ndarray,
    existing_xy_m: np.ndarray,
    cutoff_m: float | None,
    demand_ids: Sequence[str] | None = None,
    candidate_ids: Sequence[str] | None = None,
    existing_ids: Sequence[str] | None = None,
    snap_max_m: float = SNAP_MAX_M,
) -> CostMatrix:
    """Return road distances (metres) from every demand point to every site within ``cutoff_m``.

    ``cutoff_m`` None computes every reachable pair (p-median, p-center); a coverage model
    passes its radius, which bounds each search to the roads within reach.
    """
    n, m, e = demand_xy_m.shape[0], candidate_xy_m.shape[0], existing_xy_m.shape[0]
    tree = cKDTree(graph.node_xy_m)
    d_node, d_walk = _snap(tree, demand_xy_m, snap_max_m)
    s_node, s_walk = _snap(tree, np.vstack([candidate_xy_m, existing_xy_m]), snap_max_m)
    adj = graph.adjacency()
    n_comp, label = csgraph.connected_components(adj, directed=False)
    limit = np.inf if cutoff_m is None else float(cutoff_m)

    src_ok = np.flatnonzero(s_node >= 0)
    dem_ok = np.flatnonzero(d_node >= 0)
    u_nodes, u_inv = np.unique(d_node[dem_ok], return_inverse=True)
    # Demand points grouped by their node: members of unique node u are
    # dem_ok[order[start[u]:start[u + 1]]].
    order = np.argsort(u_inv, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(u_inv, minlength=u_nodes.size))])
    rows_all, cols_all, cost_all = [], [], []
    src_nodes, src_inv = np.unique(s_node[src_ok], return_inverse=True)
    s_order = np.argsort(src_inv, kind="stable")
    s_start = np.concatenate([[0], np.cumsum(np.bincount(src_inv, minlength=src_nodes.size))])
    for nodes, c0, dist, cols in _searches(graph, adj, src_nodes, u_nodes, limit):
        sub = dist[:, cols[1]] if cols[1].size else np.empty((nodes.size, 0))
        si, ui = np.nonzero(np.isfinite(sub))
        road = sub[si, ui]
        ui = cols[0][ui]
        # Each (source node, demand node) pair stands for every demand point at the node …
        rep, pos = _expand(start, ui)
        demand = dem_ok[order[pos]]
        road_d = road[rep] + d_walk[demand]
        src_of = c0[si[rep]]
        # … and every site at the source node.
        rep2, pos2 = _expand(s_start, src_of)
        site = src_ok[s_order[pos2]]
        total = road_d[rep2] + s_walk[site]
        keep = total <= limit
        rows_all.append(demand[rep2][keep])
        cols_all.append(site[keep])
        cost_all.append(total[keep])
    rows = np.concatenate(rows_all) if rows_all else np.empty(0, dtype=np.int64)
    cols = np.concatenate(cols_all) if cols_all else np.empty(0, dtype=np.int64)
    cost = np.concatenate(cost_all) if cost_all else np.empty(0)
    is_cand = cols < m
    to_c = csr_from_pairs(rows[is_cand], cols[is_cand], cost[is_cand], (n, m))
    to_e = csr_from_pairs(rows[~is_cand], cols[~is_cand] - m, cost[~is_cand], (n, e))

    off_d = np.flatnonzero(d_node < 0)
    off_c = np.flatnonzero(s_node[:m] < 0)
    off_e = np.flatnonzero(s_node[m:] < 0)
    report: dict = {
        "graph_nodes": int(graph.node_xy_m.shape[0]),
        "graph_edges": graph.n_edges,
        "components": int(n_comp),
        "off_network_demand_ids": _ids(demand_ids, off_d),
        "off_network_demand_count": int(off_d.size),
        "off_network_candidate_ids": _ids(candidate_ids, off_c),
        "off_network_candidate_count": int(off_c.size),
        "off_network_existing_ids": _ids(existing_ids, off_e),
        "off_network_existing_count": int(off_e.size),
    }
    if n_comp > 1:
        report["component_list"] = _components(
            label, d_node, s_node, m, demand_ids, candidate_ids, existing_ids
        )
    # Demand on the graph whose component holds no site at all: no cutoff would help.
    site_comps = set(label[s_node[s_node >= 0]].tolist())
    stranded = np.array(
        [i for i in dem_ok.tolist() if int(label[d_node[i]]) not in site_comps], dtype=np.int64
    )
    report["stranded_demand_ids"] = _ids(demand_ids, stranded)
    report["stranded_demand_count"] = int(stranded.size)
    return CostMatrix(to_c, to_e, kind="network", cutoff=cutoff_m, report=report)


def _searches(graph: RoadGraph, adj, src_nodes, u_nodes, limit):
    """Yield (source nodes, their positions in src_nodes, distances, (demand-node positions,
    their columns in the distances)) for every batch of bounded searches.

    With a finite limit and every edge at least as long as the straight line between its
    ends (true of drawn streets), a node within ``limit`` of a source by road is within
    ``limit`` of it in a straight line: each batch of nearby sources then searches only the
    part of the graph inside its bounding box grown by ``limit``. That keeps scipy's dense
    result rows short — over the whole graph they were most of the time (9 s against 1.5 s
    for pgRouting on the bench graph; 0.6 s tiled).
    """
    xy = graph.node_xy_m
    straight = np.hypot(*(xy[graph.edge_from] - xy[graph.edge_to]).T)
    tiled = np.isfinite(limit) and bool(np.all(graph.edge_length_m >= straight - 1e-6))
    if not tiled:
        chunk = max(1, CHUNK_CELLS // max(1, xy.shape[0]))
        every = (np.arange(u_nodes.size), u_nodes)
        for c0 in range(0, src_nodes.size, chunk):
            nodes = src_nodes[c0 : c0 + chunk]
            dist = csgraph.dijkstra(adj, directed=False, indices=nodes, limit=limit)
            yield nodes, np.arange(c0, c0 + nodes.size), dist, every
        return
    tile = 2.0 * limit
    cell = np.floor(xy[src_nodes] / tile).astype(np.int64)
    _, tile_of = np.unique(cell, axis=0, return_inverse=True)
    tile_of = tile_of.ravel()
    demand_xy = xy[u_nodes]
    for t in range(int(tile_of.max()) + 1 if tile_of.size else 0):
        pos = np.flatnonzero(tile_of == t)
        lo = xy[src_nodes[pos]].min(axis=0) - limit
        hi = xy[src_nodes[pos]].max(axis=0) + limit
        inside = np.flatnonzero(np.all((xy >= lo) & (xy <= hi), axis=1))
        local = np.full(xy.shape[0], -1, dtype=np.int64)
        local[inside] = np.arange(inside.size)
        sub_adj = adj[inside][:, inside]
        dist = csgraph.dijkstra(sub_adj, directed=False, indices=local[src_nodes[pos]], limit=limit)
        u_in = np.flatnonzero(np.all((demand_xy >= lo) & (demand_xy <= hi), axis=1))
        u_in = u_in[local[u_nodes[u_in]] >= 0]
        yield src_nodes[pos], pos, dist, (u_in, local[u_nodes[u_in]])


def _expand(group_start: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (index into ``group``, member position) for every member of every group listed."""
    counts = group_start[group + 1] - group_start[group]
    rep = np.repeat(np.arange(group.size), counts)
    offsets = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return rep, group_start[group][rep] + offsets


def _components(label, d_node, s_node, m, demand_ids, candidate_ids, existing_ids) -> list[dict]:
    """Return the components that hold points, largest first: nodes and the ids on each."""
    sizes = np.bincount(label)
    out = []
    comps_with_points = set(label[d_node[d_node >= 0]].tolist()) | set(
        label[s_node[s_node >= 0]].tolist()
    )
    for comp in sorted(comps_with_points, key=lambda c: -sizes[c]):
        d = np.flatnonzero((d_node >= 0) & (label[np.maximum(d_node, 0)] == comp))
        s = np.flatnonzero((s_node >= 0) & (label[np.maximum(s_node, 0)] == comp))
        out.append(
            {
                "nodes": int(sizes[comp]),
                "demand_count": int(d.size),
                "demand_ids": _ids(demand_ids, d),
                "candidate_count": int((s < m).sum()),
                "candidate_ids": _ids(candidate_ids, s[s < m]),
                "existing_count": int((s >= m).sum()),
                "existing_ids": _ids(existing_ids, s[s >= m] - m),
            }
        )
    return out[:MAX_IDS_REPORTED]
