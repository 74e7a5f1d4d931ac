"""Siting models against spopt (the reference, PuLP + CBC) and brute force; no database."""

from __future__ import annotations

import itertools

import numpy as np
import pulp
import pytest
from scipy.spatial.distance import cdist
from spopt.locate import LSCP, MCLP, PCenter, PMedian

from facilities import siting
from facilities.siting import median

# spopt 0.7 builds its models through PuLP's soon-deprecated constructors.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CBC = pulp.PULP_CBC_CMD(msg=False)


def _instance(seed: int, n: int = 120, m: int = 25, k: int = 2, box_m: float = 4000.0):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, box_m, (n, 2))
    cand = rng.uniform(0, box_m, (m, 2))
    existing = rng.uniform(0, box_m, (k, 2))
    weight = rng.integers(1, 30, n).astype(float)
    problem = siting.SitingProblem(demand, weight, cand, existing)
    # spopt counts predefined (existing) facilities in p and takes them as extra columns.
    cost = cdist(demand, np.vstack([cand, existing]))
    predefined = np.r_[np.zeros(m), np.ones(k)].astype(int)
    return problem, cost, predefined, k


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mclp_matches_spopt(seed):
    problem, cost, predefined, k = _instance(seed)
    ours = siting.solve_mclp(problem, p=4, radius_m=700)
    ref = MCLP.from_cost_matrix(
        cost, problem.demand_weight, 700, p_facilities=4 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert ours.covered_weight == pytest.approx(ours.objective)
    assert len(ours.selected) == 4


@pytest.mark.parametrize("seed", [1, 2])
def test_lscp_matches_spopt(seed):
    problem, cost, predefined, k = _instance(seed)
    ours = siting.solve_lscp(problem, radius_m=1500)
    ref = LSCP.from_cost_matrix(cost, 1500, predefined_facilities_arr=predefined).solve(CBC)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.problem.objective.value() - k)
    assert ours.covered_weight == pytest.approx(problem.demand_weight.sum())
    assert ours.max_distance_m <= 1500


@pytest.mark.parametrize("seed", [1, 2])
def test_pmedian_matches_spopt(seed):
    problem, cost, predefined, k = _instance(seed)
    ours = siting.solve_pmedian(problem, p=4)
    ref = PMedian.from_cost_matrix(
        cost, problem.demand_weight, p_facilities=4 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours.status == "optimal"
    assert ours.gap <= 1e-4
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-6)
    assert ours.total_weighted_distance_m == pytest.approx(ours.objective)


@pytest.mark.parametrize("seed", [1, 2])
def test_pcenter_matches_spopt(seed):
    problem, cost, predefined, k = _instance(seed, n=80, m=20)
    ours = siting.solve_pcenter(problem, p=3)
    ref = PCenter.from_cost_matrix(
        cost, p_facilities=3 + k, predefined_facilities_arr=predefined
    ).solve(CBC)
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-6)
    assert ours.max_distance_m == pytest.approx(ours.objective)


def _brute(problem, p, score):
    m = problem.candidate_xy_m.shape[0]
    return min(
        score(siting.nearest_open_distance(problem, list(c)))
        for c in itertools.combinations(range(m), p)
    )


def test_tiny_instances_match_brute_force():
    rng = np.random.default_rng(11)
    demand = rng.uniform(0, 2000, (30, 2))
    weight = rng.integers(1, 9, 30).astype(float)
    cand = rng.uniform(0, 2000, (8, 2))
    problem = siting.SitingProblem(demand, weight, cand)
    w = weight

    best_cover = -_brute(problem, 3, lambda d: -w[d <= 500].sum())
    assert siting.solve_mclp(problem, p=3, radius_m=500).objective == pytest.approx(best_cover)
    best_sum = _brute(problem, 3, lambda d: (w * d).sum())
    assert siting.solve_pmedian(problem, p=3).objective == pytest.approx(best_sum)
    best_max = _brute(problem, 3, lambda d: d.max())
    assert siting.solve_pcenter(problem, p=3).objective == pytest.approx(best_max)


def test_existing_sites_are_open_and_not_counted_in_p():
    demand = np.array([[0.0, 0.0], [5000.0, 0.0]])
    cand = np.array([[10.0, 0.0], [4990.0, 0.0]])
    existing = np.array([[0.0, 5.0]])
    problem = siting.SitingProblem(demand, np.array([1.0, 1.0]), cand, existing)
    result = siting.solve_mclp(problem, p=1, radius_m=100)
    assert result.selected == [1]  # the existing site already serves the first point
    assert result.covered_weight == 2


def test_infeasible_lscp_names_the_unreachable_points():
    demand = np.array([[0.0, 0.0], [100.0, 0.0], [9000.0, 9000.0]])
    cand = np.array([[50.0, 0.0]])
    problem = siting.SitingProblem(demand, np.ones(3), cand, demand_ids=["a", "b", "far"])
    with pytest.raises(siting.SitingInputError) as err:
        siting.solve_lscp(problem, radius_m=500)
    assert err.value.details["demand_ids"] == ["far"]
    assert "无解" in err.value.message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"p": 5, "radius_m": 100}, "大于候选点个数"),
        ({"p": 1, "radius_m": 0}, "服务半径必须大于 0"),
        ({"p": 1, "radius_m": -5}, "服务半径必须大于 0"),
    ],
)
def test_bad_parameters_are_refused(kwargs, fragment):
    problem = siting.SitingProblem(np.zeros((2, 2)), np.ones(2), np.array([[1.0, 1], [2, 2]]))
    with pytest.raises(siting.SitingInputError, match=fragment):
        siting.solve_mclp(problem, **kwargs)


def test_duplicate_candidates_and_negative_capacity_are_refused():
    cand = np.array([[1.0, 1.0], [1.0, 1.0], [5.0, 5.0]])
    problem = siting.SitingProblem(
        np.zeros((1, 2)), np.ones(1), cand, candidate_ids=["c1", "c2", "c3"]
    )
    with pytest.raises(siting.SitingInputError, match="重复") as err:
        siting.solve_pmedian(problem, p=1)
    assert err.value.details["candidate_ids"] == [["c1", "c2"]]
    problem = siting.SitingProblem(
        np.zeros((1, 2)),
        np.ones(1),
        cand[1:],
        candidate_ids=["c2", "c3"],
        candidate_capacity=np.array([3.0, -1.0]),
    )
    with pytest.raises(siting.SitingInputError, match="容量") as err:
        siting.solve_pmedian(problem, p=1)
    assert err.value.details["candidate_ids"] == ["c3"]


def test_time_limited_run_reports_time_limit_and_a_gap():
    rng = np.random.default_rng(5)
    demand = rng.uniform(0, 20000, (3000, 2))
    cand = rng.uniform(0, 20000, (300, 2))
    problem = siting.SitingProblem(demand, rng.integers(1, 9, 3000).astype(float), cand)
    result = siting.solve_mclp(problem, p=15, radius_m=1000, time_limit_s=0.05)
    assert result.status in {"optimal", "time_limit"}
    if result.status == "time_limit":
        assert result.gap > 0
    assert len(result.selected) == 15
    assert result.objective >= result.heuristic_objective - 1e-6


def test_the_mclp_start_swaps_out_a_greedy_first_pick_that_is_not_optimal():
    # Three sites 2 km apart on a line, 1 km radius: the middle one reaches four villages
    # (greedy takes it first), but the two outer ones together reach all six.
    from scipy import sparse

    from facilities.siting.cover import _greedy_max_cover

    # rows: villages 0..5; columns: west, middle, east.
    covers = {0: [0, 1], 1: [0, 1], 2: [1, 2], 3: [1, 2], 4: [0], 5: [2]}
    rows = [r for r, cs in covers.items() for _ in cs]
    cols = [c for cs in covers.values() for c in cs]
    a = sparse.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(6, 3))
    w = np.ones(6)
    assert sorted(_greedy_max_cover(a, w, 2, swap_rounds=0)) in ([0, 1], [1, 2])
    assert sorted(_greedy_max_cover(a, w, 2)) == [0, 2]


@pytest.mark.parametrize("model", ["mclp", "pmedian", "pcenter", "lscp"])
def test_a_stop_request_interrupts_every_model(model):
    problem, _, _, _ = _instance(4)
    kwargs = {"p": 3} if model != "lscp" else {}
    if model in ("mclp", "lscp"):
        kwargs["radius_m"] = 1500
    calls = []

    def stop() -> bool:
        calls.append(1)
        return True

    try:
        siting.solve(model, problem, should_stop=stop, **kwargs)
    except siting.SitingInterrupted:
        return
    # A model solved entirely in presolve never calls back: then there was nothing to stop.
    assert not calls


def test_pmedian_swaps_leave_no_improving_single_swap():
    """From a poor start the swap search ends where no 1-for-1 exchange lowers the total."""
    rng = np.random.default_rng(17)
    demand, cand = rng.uniform(0, 3000, (200, 2)), rng.uniform(0, 3000, (30, 2))
    weight = rng.integers(1, 10, 200).astype(np.float32)
    dist = cdist(demand, cand).astype(np.float32)
    base = np.full(200, dist.max() * 2 + 1, dtype=np.float32)

    def total(sites):
        return float((weight * dist[:, sites].min(axis=1)).sum())

    start = [0, 1, 2, 3]
    swapped = median._swap_improve(weight, dist, base, start)
    assert total(swapped) < total(start)
    for pos, j in itertools.product(range(4), range(30)):
        if j in swapped:
            continue
        trial = [*swapped[:pos], j, *swapped[pos + 1 :]]
        assert total(trial) >= total(swapped) * (1 - 1e-5)
