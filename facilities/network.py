"""Distances along the street network with networkx (no Django).

Why networkx and not pgRouting: the project's PostGIS cluster (Debian's packages) has no
pgRouting extension, and a city's street network (hundreds of streets, a few thousand
edges) fits in memory many times over. A Dijkstra search bounded by the service distance
("cutoff") from each facility visits only the streets within reach, so a programme with
a few hundred facilities takes well under a second.

Streets are noded with shapely (lines split where they cross, since drawn streets rarely
share a vertex at a crossing); a point joins the network at the nearest street vertex and
the straight walk to it is added to the distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from facilities.coverage import Pairs
from facilities.siting.roads import RoadGraph

# A point further than this from any street vertex is not on the network.
MAX_SNAP_M = 250.0
# Long segments are split so that the nearest vertex is close to the nearest point.
MAX_SEGMENT_M = 50.0


@dataclass
class StreetNetwork:
    graph: nx.Graph[int]
    node_xy: np.ndarray
    tree: cKDTree

    @classmethod
    def from_lines(cls, lines_m: list[shapely.LineString]) -> StreetNetwork:
        """Build the graph from street lines in metres (noded where they cross)."""
        noded = shapely.union_all([shapely.segmentize(line, MAX_SEGMENT_M) for line in lines_m])
        parts = shapely.get_parts(noded)
        coords: dict[tuple[float, float], int] = {}
        graph: nx.Graph[int] = nx.Graph()
        for part in parts:
            xy = np.round(shapely.get_coordinates(part), 3)
            ids = []
            for x, y in xy.tolist():
                key = (x, y)
                if key not in coords:
                    coords[key] = len(coords)
                ids.append(coords[key])
            seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
            for a, b, length in zip(ids[:-1], ids[1:], seg.tolist(), strict=True):
                if a != b:
                    graph.add_edge(a, b, weight=length)
        node_xy = np.array(list(coords), dtype=float).reshape(-1, 2)
        return cls(graph, node_xy, cKDTree(node_xy))

    @property
    def is_empty(self) -> bool:
        return self.graph.number_of_edges() == 0

    def snap(self, xy_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (nearest node id, walk in metres) per point; node −1 when off the network."""
        dist, node = self.tree.query(xy_m, distance_upper_bound=MAX_SNAP_M)
        node = np.where(np.isfinite(dist), node, -1)
        return node, np.where(np.isfinite(dist), dist, np.inf)

    def pairs(self, demand_xy_m: np.ndarray, facility_xy_m: np.ndarray, distance_m: float) -> Pairs:
        """Return demand–facility pairs within ``distance_m`` along the streets."""
        d_node, d_walk = self.snap(demand_xy_m)
        f_node, f_walk = self.snap(facility_xy_m)
        by_node: dict[int, list[int]] = {}
        for i, node in enumerate(d_node.tolist()):
            if node >= 0:
                by_node.setdefault(node, []).append(i)
        demand, facility, dist = [], [], []
        for j, node in enumerate(f_node.tolist()):
            if node < 0 or f_walk[j] > distance_m:
                continue
            reach = nx.single_source_dijkstra_path_length(
                self.graph, node, cutoff=distance_m - f_walk[j], weight="weight"
            )
            for n, d in reach.items():
                for i in by_node.get(n, ()):
                    total = d + f_walk[j] + d_walk[i]
                    if total <= distance_m:
                        demand.append(i)
                        facility.append(j)
                        dist.append(total)
        return Pairs(
            np.array(demand, dtype=np.int64),
            np.array(facility, dtype=np.int64),
            np.array(dist, dtype=float),
        )

    def road_graph(self) -> RoadGraph:
        """Return the same graph as arrays, for the bulk road costs of the siting models."""
        rows: list[tuple[int, int, float]] = [
            (int(a), int(b), float(length))
            for a, b, length in self.graph.edges.data("weight", default=0.0)
        ]
        edges = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
        return RoadGraph(
            node_xy_m=self.node_xy,
            edge_from=edges[:, 0].astype(np.int64),
            edge_to=edges[:, 1].astype(np.int64),
            edge_length_m=edges[:, 2],
        )

    def on_network(self, xy_m: np.ndarray) -> np.ndarray:
        return self.snap(xy_m)[0] >= 0
