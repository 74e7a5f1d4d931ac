"""The place-name ranking before the one ranking (commit d0262cb): the benchmark's baseline.

A frozen copy of the previous ``placename_search`` and ``placename_suggest`` (separate
rankings: autocomplete ordered its 50 first candidates by length only), so that
bench_placenames times both in the same run and counts how often each one's first
suggestion is its own search's first result. Only the benchmarks import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from gis_portal.db_routers import read_connection
from placenames import romanize as rz
from placenames import spelling
from placenames.selectors.names import (
    SearchFilters,
    SearchPage,
    _filter_sql,
    _hits,
    _listing,
    like_escape,
    query_grams,
)

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_QUERY = re.compile(r"^[a-zü' ]+$")
# Ranks: exact standard name, same pinyin (homophone), prefix, one character missing or
# extra (typo), substring, alias/former name, near miss (one character of another reading,
# one letter off in typed pinyin). A typo's near neighbours come before the many names that
# merely contain a short query.
(
    RANK_EXACT,
    RANK_HOMOPHONE,
    RANK_PREFIX,
    RANK_FUZZY,
    RANK_SUBSTRING,
    RANK_ALIAS,
    RANK_NEAR,
) = range(7)
# Candidates fetched per way of matching; a broad query ("新村": 40,000 names in a million)
# is ranked among these and its count given as "at least".
SEARCH_CANDIDATES = 500
NEAR_WHEN_FEWER = 20


@dataclass(frozen=True)
class _Branch:
    """One way a name can match: a WHERE condition and the rank of the names it finds."""

    rank: int
    condition: str


def _chinese_branches(text: str, *, fuzzy: bool) -> tuple[list[_Branch], list[_Branch], dict]:
    """Return the primary branches, the near-miss branches and the parameters of a query."""
    params: dict = {
        "q": text,
        "prefix": like_escape(text) + "%",
        "like": "%" + like_escape(text) + "%",
        "grams": query_grams(text),
    }
    # Names first, aliases and former names in the same substring branch (search_names
    # holds them all, one per line); the rank of an alias-only hit is fixed in Python.
    primary = [
        _Branch(RANK_EXACT, "p.standard_name = %(q)s"),
        _Branch(RANK_PREFIX, "p.standard_name LIKE %(prefix)s"),
        _Branch(
            RANK_SUBSTRING,
            "placename_grams(p.search_names) @> %(grams)s::text[] AND p.search_names LIKE %(like)s",
        ),
    ]
    near: list[_Branch] = []
    if fuzzy and _HAN.search(text) and rz.pinyin_key(text):
        keys = rz.fuzzy_query_keys(text)
        params["qkey"] = [rz.pinyin_key(text)]
        # A name one character longer has the query's key among its deletions ("-key"); a
        # name one character shorter has a deletion of the query as its key.
        qkey = params["qkey"][0]
        params["fuzzy_keys"] = [k for k in keys if k == "-" + qkey or ("-" not in k and k != qkey)]
        params["near_keys"] = [k for k in keys if k.startswith("-") and k != "-" + qkey]
        primary += [
            _Branch(RANK_HOMOPHONE, "p.fuzzy_keys && %(qkey)s::varchar[]"),
            _Branch(RANK_FUZZY, "p.fuzzy_keys && %(fuzzy_keys)s::varchar[]"),
        ]
        if params["near_keys"]:
            near.append(_Branch(RANK_NEAR, "p.fuzzy_keys && %(near_keys)s::varchar[]"))
    return primary, near, params


def _latin_branches(text: str, *, fuzzy: bool) -> tuple[list[_Branch], list[_Branch], dict]:
    key = re.sub(r"[^a-zü]", "", text)
    params: dict = {"key": key, "key_prefix": like_escape(key) + "%"}
    primary = [
        _Branch(RANK_EXACT, "p.pinyin_key = %(key)s"),
        _Branch(RANK_PREFIX, "p.pinyin_initials = %(key)s"),
        _Branch(RANK_SUBSTRING, "p.pinyin_key LIKE %(key_prefix)s"),
        _Branch(RANK_SUBSTRING, "p.pinyin_initials LIKE %(key_prefix)s"),
    ]
    near: list[_Branch] = []
    variants = spelling.pinyin_variants(key) if fuzzy else ()
    if variants:
        params["variants"] = list(variants)
        near.append(_Branch(RANK_NEAR, "p.pinyin_key = ANY(%(variants)s::text[])"))
    return primary, near, params


def _candidates(branches: list[_Branch], where: str, params: dict, cap: int) -> tuple[list, bool]:
    """Return (id, rank, name, code, pinyin key, initials) rows of the branches, and whether
    any branch stopped at ``cap``.

    Each branch is an index scan stopped by its LIMIT, with no ORDER BY: a broad query
    (a common generic, a one-letter prefix) costs ``cap`` rows, not every match.
    """
    parts = [
        f"(SELECT p.id, {b.rank} AS rank, p.standard_name, p.place_code, p.pinyin_key,"
        f" p.pinyin_initials, {k} AS branch FROM placenames_placename p"
        f" WHERE {b.condition}{where} LIMIT %(cap)s)"
        for k, b in enumerate(branches)
    ]
    with read_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), {**params, "cap": cap})
        rows = cursor.fetchall()
    per_branch: dict[int, int] = {}
    for row in rows:
        per_branch[row[6]] = per_branch.get(row[6], 0) + 1
    return rows, any(n >= cap for n in per_branch.values())


def _sort_key(text: str, *, latin: bool):
    """Return the in-rank order: fewest edits from the query, then shortest, then by name."""
    key = re.sub(r"[^a-zü]", "", text)

    def sort_key(item: tuple) -> tuple:
        _, rank, name, code, pinyin_key, initials = item
        if latin:
            edits = min(Levenshtein.distance(key, pinyin_key), Levenshtein.distance(key, initials))
            return (rank, edits, len(pinyin_key), name, code)
        return (rank, Levenshtein.distance(text, name), len(name), name, code)

    return sort_key


def placename_search(
    *,
    q: str | None,
    filters: SearchFilters,
    limit: int = 20,
    offset: int = 0,
    fuzzy: bool = True,
    with_total: bool = True,
) -> SearchPage:
    """Return one page of place names matching ``q`` and the filters, best first.

    Chinese text: exact standard name, then the same pinyin (homophones), prefix, one
    character missing or extra, substring of a name, alias or former name (GIN over
    character bigrams). Latin text: full pinyin, initials, then their prefixes. When fewer
    than NEAR_WHEN_FEWER names match so, near misses follow: one character of another
    reading, or one letter off in typed pinyin. Within a rank, fewest edits from the query
    first. Each way of matching fetches at most SEARCH_CANDIDATES names (or offset+limit);
    beyond that ``total`` is a lower bound and ``total_exact`` False. Without ``q`` the
    filtered archive is listed by place code, counted up to LISTING_COUNT_CAP.
    """
    where, params = _filter_sql(filters)
    if not q or not q.strip():
        return _listing(where, params, limit=limit, offset=offset, with_total=with_total)
    text = q.strip().lower()
    latin = not _HAN.search(text) and bool(_LATIN_QUERY.match(text))
    if latin and not re.sub(r"[^a-zü]", "", text):  # only apostrophes: nothing to match
        return SearchPage(places=[], ranks={}, total=0)
    make = _latin_branches if latin else _chinese_branches
    primary, near, match_params = make(text, fuzzy=fuzzy)
    params.update(match_params)
    cap = max(SEARCH_CANDIDATES, offset + limit)
    rows, truncated = _candidates(primary, where, params, cap)
    best: dict[int, tuple] = {}
    for row in rows:
        item = row[:6]
        if not latin and item[1] == RANK_SUBSTRING and text not in item[2].lower():
            item = (item[0], RANK_ALIAS, *item[2:])  # found by an alias or former name only
        if item[0] not in best or item[1] < best[item[0]][1]:
            best[item[0]] = item
    if near and len(best) < NEAR_WHEN_FEWER:
        near_rows, near_truncated = _candidates(near, where, params, cap)
        truncated = truncated or near_truncated
        for row in near_rows:
            best.setdefault(row[0], row[:6])
    ordered = sorted(best.values(), key=_sort_key(text, latin=latin))[offset : offset + limit]
    ranks = {item[0]: item[1] for item in ordered}
    by_id = _hits(list(ranks))
    return SearchPage(
        places=[by_id[i] for i in ranks if i in by_id],
        ranks=ranks,
        total=len(best),
        total_exact=not truncated,
    )


SUGGEST_CANDIDATES = 50


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete entry, with the names of its category and division."""

    place_code: str
    standard_name: str
    pinyin: str
    category: str
    division: str


# Each candidate row carries what the answer shows (id, standard name, pinyin key, code,
# pinyin, category, division): the suggestions need no second query and no model objects.
_SUGGEST_SELECT = (
    "(SELECT p.id, p.standard_name, p.pinyin_key, p.place_code, p.pinyin, c.name, d.name"
    " FROM placenames_placename p"
    " JOIN placenames_placecategory c ON c.id = p.category_id"
    " JOIN boundaries_administrativearea d ON d.id = p.division_id WHERE "
)


def placename_suggest(*, q: str, limit: int = 10) -> list[Suggestion]:
    """Return up to ``limit`` names for autocomplete: exact, then prefix, then substring.

    Each step is an index range scan stopped by LIMIT (no ORDER BY over every match: a
    one-character prefix can match a tenth of the archive); the few candidates are ranked
    here, shortest first. Exact and prefix matches are asked in one statement (the exact
    ones rank first anyway); the substring step runs only when they are too few.
    """
    text = q.strip().lower()
    prefix = like_escape(text) + "%"
    if _HAN.search(text) or not _LATIN_QUERY.match(text):
        steps = [
            (
                _SUGGEST_SELECT
                + "p.standard_name = %s LIMIT %s) UNION ALL "
                + _SUGGEST_SELECT
                + "p.standard_name LIKE %s LIMIT %s)",
                [text, SUGGEST_CANDIDATES, prefix, SUGGEST_CANDIDATES],
            ),
            (
                _SUGGEST_SELECT + "placename_grams(p.search_names)"
                " @> %s::text[] AND p.search_names LIKE %s LIMIT %s)",
                [query_grams(text), "%" + prefix, SUGGEST_CANDIDATES],
            ),
        ]
    else:
        key = re.sub(r"[^a-zü]", "", text)
        key_prefix = like_escape(key) + "%"
        steps = [
            (_SUGGEST_SELECT + "p.pinyin_key LIKE %s LIMIT %s)", [key_prefix, SUGGEST_CANDIDATES]),
            (
                _SUGGEST_SELECT + "p.pinyin_initials LIKE %s LIMIT %s)",
                [key_prefix, SUGGEST_CANDIDATES],
            ),
        ]
    candidates: dict[int, tuple] = {}
    for sql, params in steps:
        if len(candidates) >= limit:
            break
        with read_connection().cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                candidates.setdefault(row[0], row[1:])
    ranked = sorted(
        candidates,
        key=lambda pk: (
            candidates[pk][0] != text,
            not candidates[pk][0].startswith(text) and not candidates[pk][1].startswith(text),
            len(candidates[pk][0]),
            candidates[pk][0],
            pk,
        ),
    )[:limit]
    return [
        Suggestion(
            place_code=code, standard_name=name, pinyin=pinyin, category=category, division=division
        )
        for name, _, code, pinyin, category, division in (candidates[pk] for pk in ranked)
    ]
