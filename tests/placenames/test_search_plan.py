"""How a search reads the archive: the broad substring from the table, a prefix as an index
range that prepared statements can use; either way the same names while every match is a
candidate (beyond the candidate cap, which matches are read first is the plan's)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gis_portal.db_backend.base import server_bound_statements
from placenames import search_plan
from placenames.search_plan import prefix_upper_bound, scan_beats_index
from placenames.selectors import gram_stats, names


def test_the_scan_wins_only_for_a_gram_common_enough_for_the_archive_size():
    # A million names and 500 candidates: the break-even share is sqrt(500 / 1e6) ≈ 2.2 %.
    assert scan_beats_index(frequency=0.04, rows=1_000_000, cap=500)  # 中心, 大街
    assert not scan_beats_index(frequency=0.01, rows=1_000_000, cap=500)
    # The demo's 5,611 names: only a gram in more than ~30 % of them.
    assert not scan_beats_index(frequency=0.04, rows=5_611, cap=500)
    assert scan_beats_index(frequency=0.35, rows=5_611, cap=500)
    # No statistics (never analysed, or a gram too rare to be listed): the index.
    assert not scan_beats_index(frequency=None, rows=1_000_000, cap=500)
    assert not scan_beats_index(frequency=0.5, rows=0, cap=500)


@pytest.fixture
def fresh_gram_stats():
    gram_stats.gram_stats_forget()
    yield
    gram_stats.gram_stats_forget()


def _search(q: str, *, page: int = 1, division: str | None = None):
    """One page of three, as the search API asks it (its answer cache left out)."""
    with CaptureQueriesContext(connection) as queries:
        result = names.placename_search(
            q=q, filters=names.SearchFilters(division_code=division), limit=3, offset=3 * (page - 1)
        )
    branches = next(q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"])
    found = [hit.standard_name for hit in result.places]
    return found, result.total, result.total_exact, "placename_grams" in branches


@pytest.mark.django_db
def test_a_broad_gram_is_read_from_the_table_with_the_same_answers(
    make_place, monkeypatch, fresh_gram_stats
):
    # Six candidates: both pages of three read the same six, so no name shows twice.
    monkeypatch.setattr(names, "SEARCH_CANDIDATES", 6)
    for k in range(24):
        make_place(f"{'东西南北'[k % 4]}{k}号活动中心{'甲乙'[k % 2]}")
    for k in range(8):
        make_place(f"向阳{k}号路")
    with connection.cursor() as cur:
        cur.execute("ANALYZE placenames_placename")
    stats = gram_stats.gram_stats()
    assert stats.frequency["中心"] > 0.5 and stats.rows >= 32

    scanned = [_search("中心", page=k) for k in (1, 2)]
    assert all(not used_index for *_, used_index in scanned)
    first, second = scanned[0][0], scanned[1][0]
    assert len(first) == 3 and not set(first) & set(second)
    assert scanned[0][2] is False  # more than the 6 candidates: "at least"

    # Read either way, the same answers while every match is a candidate (beyond the cap,
    # which matches are read first is the plan's: the table's order or the grams').
    monkeypatch.setattr(names, "SEARCH_CANDIDATES", 50)
    answers = {}
    for scan in (True, False):
        monkeypatch.setattr(names, "scan_beats_index", lambda scan=scan, **_: scan)
        pages = [_search("中心", page=k) for k in (1, 2)]
        assert all(used_index is not scan for *_, used_index in pages)
        answers[scan] = [(found, count, exact) for found, count, exact, _ in pages]
    assert answers[True] == answers[False]
    assert answers[True][0][1:] == (24, True)


@pytest.mark.django_db
def test_a_filtered_or_many_gram_query_keeps_the_index(make_place, monkeypatch, fresh_gram_stats):
    monkeypatch.setattr(search_plan, "SCAN_ROW_PER_BITMAP_ENTRY", 0.0)  # the scan would "win"
    make_place("活动中心")
    with connection.cursor() as cur:
        cur.execute("ANALYZE placenames_placename")
    assert _search("中心", division="230405")[3]
    assert _search("动中心")[3]


def test_the_prefix_bound_is_the_least_string_above_every_string_with_the_prefix():
    assert prefix_upper_bound("南山") == "南屲"  # 山 U+5C71 → U+5C72
    assert prefix_upper_bound("nan") == "nao"
    assert prefix_upper_bound("a_") == "a`"  # wildcards are plain characters in a range
    # No character follows U+10FFFF: the one before it is raised instead.
    assert prefix_upper_bound("a\U0010ffff") == "b"
    assert prefix_upper_bound("\U0010ffff") is None
    assert prefix_upper_bound("") is None
    # UTF-8 holds no surrogates: after U+D7FF comes U+E000.
    assert prefix_upper_bound("\ud7ff") == "\ue000"
    for prefix in ("南山", "nan", "a_", "a\U0010ffff", "\ud7ff"):
        bound = prefix_upper_bound(prefix)
        assert prefix.encode() < bound.encode()
        assert not bound.startswith(prefix)
        assert (prefix + "\U0010ffff").encode() < bound.encode()


@pytest.mark.django_db
def test_a_prepared_prefix_search_finds_exactly_the_names_beginning_with_the_text(make_place):
    """As the served portal runs it: bound on the server, prepared, with the generic plan."""
    for name in ("南山", "南山路", "南山_区", "南屲村", "南宁街", "西南山"):
        make_place(name)
    with connection.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_generic_plan")
    try:
        with server_bound_statements():
            runs = [
                names.placename_search(q=q, filters=names.SearchFilters(), limit=20, fuzzy=False)
                for q in ("南山", "南山", "南山_", "南山_", "南山%")
            ]
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET plan_cache_mode")

    def prefixed(page):
        return sorted(
            h.standard_name
            for h in page.places
            if page.ranks[h.pk] in (names.RANK_EXACT, names.RANK_PREFIX)
        )

    assert prefixed(runs[0]) == prefixed(runs[1]) == ["南山", "南山_区", "南山路"]
    assert prefixed(runs[2]) == prefixed(runs[3]) == ["南山_区"]  # "_" is no wildcard
    assert prefixed(runs[4]) == []
