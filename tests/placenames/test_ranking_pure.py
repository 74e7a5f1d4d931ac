"""The one ranking's arithmetic, without a database."""

from __future__ import annotations

import random

from placenames import ranking as rk


def cand(pk, kind, name, key, initials, category="23512", distance_m=None):
    return rk.Candidate(pk, kind, name, f"{pk:020d}", key, initials, category, distance_m)


def test_queries_are_read_in_any_case_with_spaces_and_apostrophes():
    assert rk.query_of(" HeGang ") == rk.Query("hegang", True, "hegang")
    assert rk.query_of("XING'AN QU").key == "xinganqu"
    assert rk.query_of("鹤岗").latin is False
    assert rk.query_of("' '").empty


def test_prominence_takes_the_longest_code_prefix():
    assert rk.prominence("21300") > rk.prominence("21400") > rk.prominence("21500")
    assert rk.prominence("21500") > rk.prominence("21610") > rk.prominence("23512")
    assert rk.prominence("99999") == 0.0


def test_the_bias_halves_every_thousand_metres_and_is_nothing_without_a_point():
    assert rk.location_bias(0) == rk.BIAS_MAX
    assert abs(rk.location_bias(1000) - rk.BIAS_MAX / 2) < 1e-9
    assert rk.location_bias(None) == 0.0


def test_kind_outranks_prominence_bias_and_edits():
    q = rk.query_of("hg")
    city = cand(1, rk.RANK_PREFIX, "鹤岗市", "hegangshi", "hgs", "21300")
    village = cand(2, rk.RANK_PREFIX, "红光屯", "hongguangtun", "hgt", "22200")
    exact = cand(3, rk.RANK_EXACT, "黄沟", "huanggou", "hg", "23512", distance_m=50_000)
    names = [c.standard_name for c in rk.rank(q, [village, city, exact])]
    assert names == ["黄沟", "鹤岗市", "红光屯"]
    # Within one kind a user standing in the village sees it first.
    here = cand(2, rk.RANK_PREFIX, "红光屯", "hongguangtun", "hgt", "22200", distance_m=0)
    names = [c.standard_name for c in rk.rank(q, [city, here, exact])]
    assert names == ["黄沟", "红光屯", "鹤岗市"]


def test_a_name_found_twice_keeps_its_better_kind():
    q = rk.query_of("鹤刚")
    fuzzy = cand(1, rk.RANK_FUZZY, "鹤岗市", "hegangshi", "hgs", "21300")
    sound = cand(1, rk.RANK_SOUND_PREFIX, "鹤岗市", "hegangshi", "hgs", "21300")
    assert [c.kind for c in rk.rank(q, [fuzzy, sound])] == [rk.RANK_SOUND_PREFIX]


def test_an_alias_only_substring_is_told_apart():
    q = rk.query_of("新兴")
    assert rk.substring_kind(q, "新兴路") == rk.RANK_SUBSTRING
    assert rk.substring_kind(q, "解放路") == rk.RANK_ALIAS


def test_the_top_of_the_ranking_is_the_full_ranking_cut_and_counts_every_name():
    rng = random.Random(7)
    names = ["鹤岗", "鹤岗市", "南山", "南山区", "向阳", "新华村", "新村", "兴山区", "东山"]
    categories = ["21300", "21400", "21500", "21610", "23512", "99999"]
    for trial in range(200):
        query = rk.query_of(rng.choice(["鹤岗", "南山", "xin", "新村", "hg"]))
        candidates = [
            cand(
                rng.randrange(40),  # a name found by several ways keeps its best kind
                rng.randrange(8),
                rng.choice(names),
                "hegang",
                "hg",
                rng.choice(categories),
                rng.choice([None, rng.uniform(0, 5000)]),
            )
            for _ in range(rng.randrange(0, 60))
        ]
        full = rk.rank(query, candidates)
        for n in (1, 5, 10, 25, 100):
            top, total = rk.rank_top(query, candidates, n)
            assert top == full[:n], (trial, n)
            assert total == len(full)
