"""Capacitated siting models checked by brute force on tiny instances (no database).

Every p-subset of candidates is tried; for each, the best allocation within capacity is a
flow problem solved with networkx (max flow for MCLP/LSCP, min-cost flow for p-median), an
algorithm independent of the HiGHS model under test.
"""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pytest

from facilities import siting

RADIUS_M = 1200.0


def _instance(seed: int, *, existing: bool = False) -> siting.SitingProblem:
    rng = np.random.default_rng(seed)
    return siting.SitingProblem(
        demand_xy_m=rng.integers(0, 3000, (7, 2)).astype(float),
        demand_weight=rng.integers(1, 10, 7).astype(float),
        candidate_xy_m=rng.integers(0, 3000, (5, 2)).astype(float) + 0.5,
        candidate_capacity=rng.integers(3, 15, 5).astype(float),
        existing_xy_m=rng.integers(0, 3000, (1, 2)).astype(float) + 0.25
        if existing
        else np.empty((0, 2)),
        existing_capacity=np.array([6.0]) if existing else None,
    )


def _sites(problem, chosen):
    xy = [problem.candidate_xy_m[j] for j in chosen] + list(problem.existing_xy_m)
    cap = [problem.candidate_capacity[j] for j in chosen] + list(
        problem.existing_capacity if problem.existing_capacity is not None else []
    )
    return xy, cap


def _served(problem, chosen, radius_m) -> float:
    """Return the most demand weight the chosen sites serve within radius and capacity."""
    xy, cap = _sites(problem, chosen)
    g = nx.DiGraph()
    for i, (d, w) in enumerate(zip(problem.demand_xy_m, problem.demand_weight, strict=True)):
        g.add_edge("s", ("d", i), capacity=float(w))
        for k, site in enumerate(xy):
            if np.hypot(*(d - site)) <= radius_m:
                g.add_edge(("d", i), ("f", k), capacity=float("inf"))
    for k, c in enumerate(cap):
        g.add_edge(("f", k), "t", capacity=float(c))
    if "t" not in g or "s" not in g:
        return 0.0
    return nx.maximum_flow_value(g, "s", "t")


def _median_cost(problem, chosen) -> float:
    """Return the least total weighted distance serving all demand within capacity (inf if none)."""
    xy, cap = _sites(problem, chosen)
    total = int(problem.demand_weight.sum())
    g = nx.DiGraph()
    g.add_node("s", demand=-total)
    g.add_node("t", demand=total)
    for i, (d, w) in enumerate(zip(problem.demand_xy_m, problem.demand_weight, strict=True)):
        g.add_edge("s", ("d", i), capacity=int(w), weight=0)
        for k, site in enumerate(xy):
            # Centimetres as integers: network simplex is exact on integers.
            g.add_edge(("d", i), ("f", k), weight=round(np.hypot(*(d - site)) * 100))
    for k, c in enumerate(cap):
        g.add_edge(("f", k), "t", capacity=int(c), weight=0)
    try:
        return nx.min_cost_flow_cost(g) / 100
    except nx.NetworkXUnfeasible:
        return float("inf")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("existing", [False, True])
def test_capacitated_mclp_matches_brute_force(seed, existing):
    problem = _instance(seed, existing=existing)
    result = siting.solve_mclp(problem, p=2, radius_m=RADIUS_M)
    best = max(_served(problem, c, RADIUS_M) for c in itertools.combinations(range(5), 2))
    assert result.covered_weight == pytest.approx(best)
    assert _served(problem, result.selected, RADIUS_M) == pytest.approx(best)
    assert any("容量" in n for n in result.notes)


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_pmedian_matches_brute_force(seed):
    tight = _instance(seed, existing=seed % 2 == 1)
    # Enough capacity for some 3 sites to serve everyone, not enough for any nearest-only plan.
    problem = dataclasses.replace(tight, candidate_capacity=tight.candidate_capacity + 8)
    result = siting.solve_pmedian(problem, p=3)
    best = min(_median_cost(problem, c) for c in itertools.combinations(range(5), 3))
    assert result.total_weighted_distance_m == pytest.approx(best, abs=0.05)
    assert _median_cost(problem, result.selected) == pytest.approx(best, abs=0.05)


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_lscp_matches_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    problem = siting.SitingProblem(
        demand_xy_m=rng.uniform(0, 1000, (6, 2)),
        demand_weight=rng.integers(1, 6, 6).astype(float),
        candidate_xy_m=rng.uniform(0, 1000, (5, 2)),
        candidate_capacity=rng.integers(4, 12, 5).astype(float),
    )
    total = problem.demand_weight.sum()
    radius = 1500.0  # every candidate reaches every point: capacity alone decides
    fewest = next(
        k
        for k in range(1, 6)
        if any(
            _served(problem, c, radius) >= total - 1e-9 for c in itertools.combinations(range(5), k)
        )
    )
    result = siting.solve_lscp(problem, radius_m=radius)
    assert len(result.selected) == fewest
    assert _served(problem, result.selected, radius) == pytest.approx(total)


def test_capacity_changes_the_answer():
    """Two demand clusters: uncapacitated one big site suffices, capacity forces a second."""
    problem = siting.SitingProblem(
        demand_xy_m=np.array([[0.0, 0.0], [100.0, 0.0]]),
        demand_weight=np.array([10.0, 10.0]),
        candidate_xy_m=np.array([[50.0, 0.0], [0.0, 50.0], [100.0, 50.0]]),
        candidate_capacity=np.array([12.0, 10.0, 10.0]),
    )
    assert len(siting.solve_lscp(problem, radius_m=500).selected) == 2
    unlimited = siting.SitingProblem(
        demand_xy_m=problem.demand_xy_m,
        demand_weight=problem.demand_weight,
        candidate_xy_m=problem.candidate_xy_m,
        candidate_capacity=np.full(3, np.inf),  # a blank capacity column means unlimited
    )
    assert not unlimited.capacitated
    assert siting.solve_lscp(unlimited, radius_m=500).selected == [0]
    mclp = siting.solve_mclp(problem, p=1, radius_m=500)
    assert mclp.selected == [0] and mclp.covered_weight == pytest.approx(12.0)


def test_short_capacity_is_a_clear_error():
    problem = siting.SitingProblem(
        demand_xy_m=np.array([[0.0, 0.0]]),
        demand_weight=np.array([30.0]),
        candidate_xy_m=np.array([[10.0, 0.0], [0.0, 10.0]]),
        candidate_capacity=np.array([10.0, 10.0]),
    )
    with pytest.raises(siting.SitingInputError, match="容量"):
        siting.solve_lscp(problem, radius_m=100)
    with pytest.raises(siting.SitingInputError, match="容量"):
        siting.solve_pmedian(problem, p=2)


def test_negative_existing_capacity_is_refused():
    problem = siting.SitingProblem(
        demand_xy_m=np.array([[0.0, 0.0]]),
        demand_weight=np.array([3.0]),
        candidate_xy_m=np.array([[10.0, 0.0]]),
        existing_xy_m=np.array([[5.0, 5.0]]),
        existing_capacity=np.array([-2.0]),
    )
    with pytest.raises(siting.SitingInputError, match="现有设施容量不能小于 0"):
        siting.solve_mclp(problem, p=1, radius_m=100)


def test_pcenter_says_it_ignores_capacity():
    problem = _instance(0)
    result = siting.solve_pcenter(problem, p=2)
    assert "p-center 模型不考虑容量" in result.notes


@pytest.mark.parametrize("seed", range(4))
def test_served_within_capacity_is_the_max_flow(seed):
    problem = _instance(seed, existing=True)
    for chosen in ([], [0], [1, 3]):
        assert siting.served_within_capacity(problem, chosen, RADIUS_M) == pytest.approx(
            _served(problem, chosen, RADIUS_M)
        )


def test_a_too_large_capacitated_pmedian_is_refused(monkeypatch):
    from facilities.siting import capacity

    monkeypatch.setattr(capacity, "MAX_MEDIAN_PAIRS", 10)
    with pytest.raises(siting.SitingInputError, match="带容量的 p-中位模型过大"):
        siting.solve_pmedian(_instance(0), p=2)
