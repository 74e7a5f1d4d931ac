"""manage.py solve_siting on CSV files: the JSON a planner scripts against, and bad input."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from facilities.siting_io import gk_zone_epsg

pytestmark = pytest.mark.django_db

KEYS = {
    "selected",
    "status",
    "gap",
    "objective",
    "covered_weight",
    "total_weighted_distance_m",
    "max_distance_m",
    "solve_s",
}


def _write(path, header, rows):
    path.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(3)
    demand = [
        (
            f"d{i}",
            round(130.27 + rng.uniform(0, 0.05), 6),
            round(47.33 + rng.uniform(0, 0.04), 6),
            1 + i % 5,
        )
        for i in range(80)
    ]
    cands = [
        (
            f"c{i}",
            round(130.27 + rng.uniform(0, 0.05), 6),
            round(47.33 + rng.uniform(0, 0.04), 6),
            40,
        )
        for i in range(15)
    ]
    return {
        "demand": _write(tmp_path / "demand.csv", "id,x,y,weight", demand),
        "candidates": _write(tmp_path / "cand.csv", "id,x,y,capacity", cands),
        "existing": _write(tmp_path / "existing.csv", "id,x,y", [("e1", 130.29, 47.35)]),
        "tmp": tmp_path,
    }


def _inputs(demand, candidates) -> list[str]:
    return ["--demand", str(demand), "--candidates", str(candidates)]


PMEDIAN_ONE = ["--model", "pmedian", "--p", "1"]


def _run(*args):
    out = StringIO()
    call_command("solve_siting", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    "model_args",
    [
        ["lscp", "--radius-m", "1500"],
        ["mclp", "--p", "2", "--radius-m", "600"],
        ["pmedian", "--p", "2"],
        ["pcenter", "--p", "2"],
    ],
)
def test_every_model_prints_the_specified_json(files, model_args):
    model, *rest = model_args
    result = _run(
        "--model", model, *_inputs(files["demand"], files["candidates"]),
        "--existing", str(files["existing"]), *rest,
    )  # fmt: skip
    assert set(result) >= KEYS
    assert result["status"] == "optimal"
    assert all(s.startswith("c") for s in result["selected"])
    assert result["metric_crs"] == "EPSG:4552"  # 130.3°E lies in the CM 129°E zone
    if model == "lscp":
        assert result["max_distance_m"] <= 1500
        assert result["covered_weight"] == sum(1 + i % 5 for i in range(80))
    if model in ("mclp", "pmedian", "pcenter"):
        assert len(result["selected"]) == 2


def test_projected_coordinates_are_used_as_metres(tmp_path):
    demand = _write(
        tmp_path / "d.csv",
        "id,x,y,weight",
        [("a", 596_000, 5_245_000, 1), ("b", 599_000, 5_245_000, 1)],
    )
    cand = _write(
        tmp_path / "c.csv",
        "id,x,y",
        [("near_a", 596_100, 5_245_000), ("mid", 597_500, 5_245_000)],
    )
    result = _run("--model", "pcenter", "--p", "1", "--crs", "EPSG:4552", *_inputs(demand, cand))
    assert result["selected"] == ["mid"]
    assert result["max_distance_m"] == pytest.approx(1500.0)
    assert result["total_weighted_distance_m"] == pytest.approx(3000.0)


def test_gauss_kruger_zone_follows_the_data():
    assert gk_zone_epsg(130.2) == 4552
    assert gk_zone_epsg(131.9) == 4553


def _fails(*args) -> str:
    with pytest.raises(CommandError) as err:
        call_command("solve_siting", *args, "--json", stdout=StringIO())
    return str(err.value)


def test_p_larger_than_candidates_is_refused(files):
    msg = _fails(
        "--model", "mclp", "--p", "99", "--radius-m", "500",
        *_inputs(files["demand"], files["candidates"]),
    )  # fmt: skip
    assert "大于候选点个数" in msg


@pytest.mark.parametrize("radius", ["0", "-10"])
def test_zero_or_negative_distance_is_refused(files, radius):
    msg = _fails(
        "--model", "lscp", "--radius-m", radius, *_inputs(files["demand"], files["candidates"])
    )
    assert "服务半径必须大于 0" in msg


def test_negative_capacity_is_refused(files):
    cand = _write(
        files["tmp"] / "neg.csv",
        "id,x,y,capacity",
        [("c1", 130.3, 47.34, 10), ("c2", 130.31, 47.35, -1)],
    )
    msg = _fails(*PMEDIAN_ONE, *_inputs(files["demand"], cand))
    assert "容量不能小于 0" in msg and "c2" in msg


def test_duplicate_candidate_positions_are_refused(files):
    cand = _write(
        files["tmp"] / "dup.csv",
        "id,x,y",
        [("c1", 130.3, 47.34), ("c2", 130.3, 47.34), ("c3", 130.31, 47.35)],
    )
    msg = _fails(*PMEDIAN_ONE, *_inputs(files["demand"], cand))
    assert "重复" in msg and "c1" in msg and "c2" in msg


def test_candidates_outside_the_city_are_refused(files, hegang_areas):
    cand = _write(
        files["tmp"] / "out.csv", "id,x,y", [("in", 130.3, 47.34), ("harbin", 126.63, 45.75)]
    )
    msg = _fails(*PMEDIAN_ONE, *_inputs(files["demand"], cand))
    assert "不在鹤岗市范围内" in msg and "harbin" in msg and '"in"' not in msg


def test_infeasible_lscp_names_the_points(files):
    demand = _write(
        files["tmp"] / "far.csv",
        "id,x,y,weight",
        [("ok", 130.30, 47.34, 1), ("remote", 130.9, 47.9, 3)],
    )
    cand = _write(files["tmp"] / "c1.csv", "id,x,y", [("c1", 130.3005, 47.3401)])
    msg = _fails("--model", "lscp", "--radius-m", "800", *_inputs(demand, cand))
    assert "无解" in msg and "remote" in msg and '"ok"' not in msg


def test_bad_csv_names_the_line(files):
    bad = _write(
        files["tmp"] / "bad.csv", "id,x,y,weight", [("a", 130.3, 47.3, 1), ("b", "abc", 47.3, 1)]
    )
    msg = _fails(*PMEDIAN_ONE, *_inputs(bad, files["candidates"]))
    assert "第 3 行" in msg


def test_capacities_from_the_files_limit_what_a_site_serves(files):
    """A site with capacity 5 serves at most 5; a blank capacity cell means no limit."""
    cand = _write(
        files["tmp"] / "cap.csv",
        "id,x,y,capacity",
        [("small", 130.29, 47.35, 5), ("free", 130.31, 47.36, "")],
    )
    existing = _write(files["tmp"] / "ex.csv", "id,x,y,capacity", [("e1", 130.28, 47.34, 3)])
    capped = _run(
        "--model", "mclp", "--p", "1", "--radius-m", "5000",
        *_inputs(files["demand"], cand), "--existing", str(existing),
    )  # fmt: skip
    assert capped["selected"] == ["free"]
    assert capped["covered_weight"] <= sum(1 + i % 5 for i in range(80))
    assert any("容量" in n for n in capped["notes"])
    only_small = _write(
        files["tmp"] / "small.csv", "id,x,y,capacity", [("small", 130.29, 47.35, 5)]
    )
    result = _run(
        "--model", "mclp", "--p", "1", "--radius-m", "50000",
        *_inputs(files["demand"], only_small), "--existing", str(existing),
    )  # fmt: skip
    assert result["selected"] == ["small"] and result["covered_weight"] == pytest.approx(8.0)
