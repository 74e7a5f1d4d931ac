"""Siting along the roads and on supplied cost matrices, checked against spopt; no database."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pulp
import pytest
from spopt.locate import LSCP, MCLP, PCenter, PMedian

from facilities import siting
from facilities.siting.allocation import allocation_dict
from facilities.siting.costs import CostMatrix, dense_to_csr, to_dense
from facilities.siting.roads import RoadGraph, network_cost_matrix
from facilities.siting_io import cost_matrix_for, read_cost_table

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CBC = pulp.PULP_CBC_CMD(msg=False)


def _grid(nx_: int = 12, ny: int = 12, spacing_m: float = 100.0, seed: int = 0, drop=0.25):
    """A street grid with a quarter of its blocks' sides missing and bent lengths."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(nx_), np.arange(ny), indexing="ij")
    xy = np.column_stack([ii.ravel(), jj.ravel()]) * spacing_m
    node = ii * ny + jj
    pairs = np.vstack(
        [
            np.column_stack([node[:-1, :].ravel(), node[1:, :].ravel()]),
            np.column_stack([node[:, :-1].ravel(), node[:, 1:].ravel()]),
        ]
    )
    pairs = pairs[rng.random(len(pairs)) >= drop]
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) * rng.uniform(1.0, 1.4, len(pairs))
    return RoadGraph(xy.astype(float), pairs[:, 0], pairs[:, 1], length)


def _connected_part(graph: RoadGraph) -> RoadGraph:
    _, label = graph.components()
    big = np.argmax(np.bincount(label))
    keep = np.flatnonzero(label == big)
    new = np.full(label.size, -1)
    new[keep] = np.arange(keep.size)
    ok = (label[graph.edge_from] == big) & (label[graph.edge_to] == big)
    return RoadGraph(
        graph.node_xy_m[keep],
        new[graph.edge_from[ok]],
        new[graph.edge_to[ok]],
        graph.edge_length_m[ok],
    )


def _problem(graph: RoadGraph, seed: int, n=90, m=18, k=2, cutoff=None, capacity=None):
    rng = np.random.default_rng(seed)
    box = graph.node_xy_m.max()
    demand = rng.uniform(0, box, (n, 2))
    cand = rng.uniform(0, box, (m, 2))
    existing = rng.uniform(0, box, (k, 2))
    weight = rng.integers(1, 20, n).astype(float)
    costs = network_cost_matrix(
        graph, demand_xy_m=demand, candidate_xy_m=cand, existing_xy_m=existing, cutoff_m=cutoff
    )
    return siting.SitingProblem(
        demand,
        weight,
        cand,
        existing,
        costs=costs,
        candidate_capacity=None if capacity is None else np.full(m, capacity),
    )


def _spopt_cost(problem: siting.SitingProblem, missing: float) -> np.ndarray:
    costs = problem.costs
    return np.hstack(
        [
            to_dense(costs.to_candidates, missing=missing, dtype=np.float64),
            to_dense(costs.to_existing, missing=missing, dtype=np.float64),
        ]
    )


def test_road_costs_equal_networkx_shortest_paths_within_the_cutoff():
    graph = _grid()
    rng = np.random.default_rng(5)
    demand, cand = rng.uniform(0, 1100, (40, 2)), rng.uniform(0, 1100, (8, 2))
    costs = network_cost_matrix(
        graph,
        demand_xy_m=demand,
        candidate_xy_m=cand,
        existing_xy_m=np.empty((0, 2)),
        cutoff_m=600.0,
    )
    g = nx.Graph()
    for a, b, w in zip(graph.edge_from, graph.edge_to, graph.edge_length_m, strict=True):
        g.add_edge(int(a), int(b), weight=float(w))
    node_of = lambda xy: np.argmin(np.hypot(*(graph.node_xy_m - xy).T))  # noqa: E731
    got = to_dense(costs.to_candidates, missing=np.inf, dtype=np.float64)
    for i, d in enumerate(demand):
        for j, c in enumerate(cand):
            a, b = node_of(d), node_of(c)
            walk = np.hypot(*(graph.node_xy_m[a] - d)) + np.hypot(*(graph.node_xy_m[b] - c))
            try:
                road = nx.dijkstra_path_length(g, int(a), int(b))
            except nx.NetworkXNoPath:
                road = np.inf
            want = road + walk
            if want <= 600.0:
                assert got[i, j] == pytest.approx(want, abs=1e-6)
            else:
                assert np.isinf(got[i, j])


def test_points_off_the_graph_and_a_disconnected_graph_are_reported():
    graph = _grid(drop=0.0)
    # Cut the grid in two: drop every edge between column 5 and 6.
    x = graph.node_xy_m[:, 0]
    keep = ~(
        ((x[graph.edge_from] == 500) & (x[graph.edge_to] == 600))
        | ((x[graph.edge_from] == 600) & (x[graph.edge_to] == 500))
    )
    cut = RoadGraph(
        graph.node_xy_m, graph.edge_from[keep], graph.edge_to[keep], graph.edge_length_m[keep]
    )
    demand = np.array([[100.0, 100.0], [1000.0, 100.0], [5000.0, 5000.0]])
    cand = np.array([[150.0, 150.0], [9000.0, 0.0]])
    costs = network_cost_matrix(
        cut,
        demand_xy_m=demand,
        candidate_xy_m=cand,
        existing_xy_m=np.empty((0, 2)),
        cutoff_m=None,
        demand_ids=["近", "对岸", "远"],
        candidate_ids=["C1", "C2"],
    )
    r = costs.report
    assert r["off_network_demand_ids"] == ["远"]
    assert r["off_network_candidate_ids"] == ["C2"]
    assert r["components"] == 2
    assert [c["demand_ids"] for c in r["component_list"]] in (
        [["近"], ["对岸"]],
        [["对岸"], ["近"]],
    )
    assert r["stranded_demand_ids"] == ["对岸"]
    assert costs.to_candidates.nnz == 1  # only 近 → C1


@pytest.mark.parametrize("seed", [1, 2])
def test_network_mclp_and_lscp_match_spopt_on_the_same_road_costs(seed):
    graph = _connected_part(_grid(seed=seed))
    problem = _problem(graph, seed, cutoff=500.0)
    cost = _spopt_cost(problem, missing=1e6)
    m, k = 18, 2
    predefined = np.r_[np.zeros(m), np.ones(k)].astype(int)
    ours = siting.solve_mclp(problem, p=3, radius_m=400)
    ref = MCLP.from_cost_matrix(
        cost, problem.demand_weight, 400, p_facilities=3 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    # LSCP on the points some site reaches within 500 m.
    reach = np.flatnonzero((cost <= 500).any(axis=1))
    sub = siting.SitingProblem(
        problem.demand_xy_m[reach],
        problem.demand_weight[reach],
        problem.candidate_xy_m,
        problem.existing_xy_m,
        costs=CostMatrix(
            dense_to_csr(np.where(cost[reach, :m] <= 500, cost[reach, :m], np.nan)),
            dense_to_csr(np.where(cost[reach, m:] <= 500, cost[reach, m:], np.nan)),
        ),
    )
    ours_l = siting.solve_lscp(sub, radius_m=500)
    ref_l = LSCP.from_cost_matrix(cost[reach], 500, predefined_facilities_arr=predefined).solve(CBC)
    assert ours_l.objective == pytest.approx(ref_l.problem.objective.value() - k)


@pytest.mark.parametrize("seed", [1, 2])
def test_network_pmedian_and_pcenter_match_spopt_on_the_same_road_costs(seed):
    graph = _connected_part(_grid(seed=seed))
    problem = _problem(graph, seed, n=60, m=15)
    m, k = 15, 2
    predefined = np.r_[np.zeros(m), np.ones(k)].astype(int)
    on = problem.costs.to_candidates.getnnz(axis=1) > 0
    assert on.all()  # a connected graph: every point reaches every site
    cost = _spopt_cost(problem, missing=1e6)
    ours = siting.solve_pmedian(problem, p=3)
    ref = PMedian.from_cost_matrix(
        cost, problem.demand_weight, p_facilities=3 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-6)
    ours_c = siting.solve_pcenter(problem, p=3)
    ref_c = PCenter.from_cost_matrix(
        cost, p_facilities=3 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours_c.objective == pytest.approx(ref_c.problem.objective.value(), rel=1e-6)
    # Road distances are never shorter than the straight line between the same points.
    straight = siting.solve_pmedian(
        siting.SitingProblem(
            problem.demand_xy_m,
            problem.demand_weight,
            problem.candidate_xy_m,
            problem.existing_xy_m,
        ),
        p=3,
    )
    assert ours.objective >= straight.objective - 1e-6


def test_capacitated_pmedian_on_roads_keeps_every_load_within_capacity():
    graph = _connected_part(_grid(seed=3))
    problem = _problem(graph, 3, n=50, m=12, k=0, capacity=200.0)
    result = siting.solve_pmedian(problem, p=4)
    table = allocation_dict(problem, result, radius_m=None)
    assert len(table["loads"]) == 4
    assert all(row["load"] <= 200.0 + 1e-6 for row in table["loads"])
    assert sum(r["load"] for r in table["loads"]) == pytest.approx(problem.demand_weight.sum())
    assert table["unserved_count"] == 0


def test_the_allocation_sends_each_point_to_its_nearest_open_site_by_road():
    graph = _connected_part(_grid(seed=4))
    problem = _problem(graph, 4, n=40, m=10, k=1)
    result = siting.solve_pmedian(problem, p=2)
    table = allocation_dict(problem, result, radius_m=None)
    dense = _spopt_cost(problem, missing=np.inf)
    open_cols = [*result.selected, 10]
    best = dense[:, open_cols].min(axis=1)
    by_demand = {r["demand"]: r for r in table["rows"]}
    for i in range(40):
        assert by_demand[str(i)]["cost"] == pytest.approx(best[i], abs=0.1)
    assert sum(r["load"] for r in table["loads"]) == pytest.approx(problem.demand_weight.sum())


# --------------------------------------------------------------------------- supplied matrices


def _records(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return [r for r in csv.reader(io.StringIO(text))]


def test_a_wide_cost_matrix_solves_like_spopt_from_cost_matrix():
    rng = np.random.default_rng(8)
    cost = rng.uniform(0, 50, (30, 6)).round(2)
    header = "demand," + ",".join(f"S{j}" for j in range(6))
    lines = [header] + [f"D{i}," + ",".join(str(v) for v in cost[i]) for i in range(30)]
    table = read_cost_table(_records("\n".join(lines)))
    weight = rng.integers(1, 9, 30).astype(float)
    costs = cost_matrix_for(
        table,
        demand_ids=[f"D{i}" for i in range(30)],
        demand_weight=weight,
        candidate_ids=[f"S{j}" for j in range(6)],
        existing_ids=[],
    )
    problem = siting.SitingProblem(
        np.zeros((30, 2)),
        weight,
        np.arange(12.0).reshape(6, 2),
        costs=costs,
        demand_ids=[f"D{i}" for i in range(30)],
        candidate_ids=[f"S{j}" for j in range(6)],
    )
    ours = siting.solve_pmedian(problem, p=2)
    ref = PMedian.from_cost_matrix(cost, weight, p_facilities=2).solve(CBC)
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-6)
    ours_m = siting.solve_mclp(problem, p=2, radius_m=10)
    ref_m = MCLP.from_cost_matrix(cost, weight, 10, p_facilities=2).solve(CBC)
    assert ours_m.objective == pytest.approx(ref_m.problem.objective.value())


def test_a_long_cost_matrix_leaves_unlisted_pairs_unreachable():
    text = "demand_id,site_id,cost\nA,S1,3\nA,S2,0\nB,S2,5\n"
    costs = cost_matrix_for(
        read_cost_table(_records(text)),
        demand_ids=["A", "B"],
        demand_weight=np.ones(2),
        candidate_ids=["S1", "S2"],
        existing_ids=[],
    )
    dense = to_dense(costs.to_candidates, missing=np.inf, dtype=np.float64)
    assert dense.tolist() == [[3.0, 0.0], [np.inf, 5.0]]
    problem = siting.SitingProblem(
        np.zeros((2, 2)), np.ones(2), np.array([[0.0, 0.0], [1.0, 1.0]]), costs=costs
    )
    assert siting.solve_mclp(problem, p=1, radius_m=1).objective == 1.0  # A at S2 (cost 0)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("demand,S1,S2\nA,1,-2\n", "不能为负数"),
        ("demand,S1,S2\nA,1,nan\n", "不是有限数值"),
        ("demand,S1,S2\nA,1,\n", "费用为空"),
        ("demand,S1,S2\nA,1,abc\n", "不是数字"),
        ("demand_id,site_id,cost\nA,S1,1\nA,S1,2\n", "重复"),
        ("demand,S1,S1\nA,1,2\n", "重复"),
    ],
)
def test_bad_cost_cells_get_a_chinese_error_naming_the_cell(text, fragment):
    with pytest.raises(siting.SitingInputError, match=fragment):
        read_cost_table(_records(text))


def test_missing_and_unknown_ids_in_a_cost_matrix_are_named():
    table = read_cost_table(_records("demand,S1\nA,1\n"))
    with pytest.raises(siting.SitingInputError, match=r"缺少编号.*B.*S2") as exc:
        cost_matrix_for(
            table,
            demand_ids=["A", "B"],
            demand_weight=np.ones(2),
            candidate_ids=["S1", "S2"],
            existing_ids=[],
        )
    assert exc.value.details["demand_ids"] == ["B"]
    assert exc.value.details["site_ids"] == ["S2"]
    with pytest.raises(siting.SitingInputError, match=r"没有的编号.*X"):
        cost_matrix_for(
            read_cost_table(_records("demand,S1,X\nA,1,2\n")),
            demand_ids=["A"],
            demand_weight=np.ones(1),
            candidate_ids=["S1"],
            existing_ids=[],
        )


def test_a_radius_beyond_the_road_cutoff_is_refused():
    graph = _connected_part(_grid(seed=1))
    problem = _problem(graph, 1, cutoff=300.0)
    with pytest.raises(siting.SitingInputError, match="计算上限"):
        siting.solve_mclp(problem, p=2, radius_m=400)


def test_served_within_capacity_measures_along_the_same_roads():
    graph = _connected_part(_grid(seed=6))
    problem = _problem(graph, 6, n=60, m=12, k=0, cutoff=400.0, capacity=60.0)
    result = siting.solve_mclp(problem, p=3, radius_m=400)
    served = siting.served_within_capacity(problem, result.selected, 400)
    assert served == pytest.approx(result.covered_weight)
    straight = siting.SitingProblem(
        problem.demand_xy_m,
        problem.demand_weight,
        problem.candidate_xy_m,
        candidate_capacity=problem.candidate_capacity,
    )
    # By straight lines more demand is within 400 m than along the roads.
    assert siting.served_within_capacity(straight, result.selected, 400) >= served
