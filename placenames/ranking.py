"""The one ranking of place-name search and autocomplete (no Django).

A candidate arrives with the way it matched (its *kind*, found by one SQL branch of
``placenames.selectors.names``) and is ordered first by kind, then by points within the kind:

    points = prominence(category) - EDIT_POINTS × edits(query, name) + location bias

Kinds are tiers: an exact name always comes before a homophone, a homophone before a
prefix, and so on; prominence, closeness to what was typed and the location bias only
order the names inside one tier. Search ranks every candidate; autocomplete ranks the same
candidates of the tiers above the substring matches (what the typed text begins, sounds
like the beginning of, or misses by one character) and falls back to the lower tiers only
when those give too few — so its first suggestions are the search's first results.

The weights are a ranking choice, not a regulation: a city ahead of a village of the same
match ("hg": 鹤岗市 before 红光屯), one edit closer worth about half the step from a township
to a county, the location bias (as the geocoder's) at most 8 points, halving every 1,000 m.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

# Kinds, best first. The geocoder's archive fallback maps them to its scores.
(
    RANK_EXACT,  # the standard name, or its full pinyin, or its initials, as typed
    RANK_HOMOPHONE,  # the same reading (五百街 for 五柏街)
    RANK_PREFIX,  # the name, its pinyin or its initials begin with the query
    RANK_SOUND_PREFIX,  # the name's reading begins with the query's (鹤刚 → 鹤岗市)
    RANK_FUZZY,  # one character missing or extra
    RANK_SUBSTRING,  # the query inside a name
    RANK_ALIAS,  # the query inside an alias or former name only
    RANK_NEAR,  # one character of another reading, typed pinyin one letter off
) = range(8)
KIND_NAMES = {
    RANK_EXACT: "exact",
    RANK_HOMOPHONE: "homophone",
    RANK_PREFIX: "prefix",
    RANK_SOUND_PREFIX: "sound_prefix",
    RANK_FUZZY: "fuzzy",
    RANK_SUBSTRING: "substring",
    RANK_ALIAS: "alias",
    RANK_NEAR: "near",
}
# Autocomplete completes what was typed: these tiers first, the others only when too few.
COMPLETING_KINDS = frozenset(
    {RANK_EXACT, RANK_HOMOPHONE, RANK_PREFIX, RANK_SOUND_PREFIX, RANK_FUZZY}
)

EDIT_POINTS = 1.0
# Points by category code prefix (the longest prefix that matches): administrative areas
# by level, then the self-governing organisations, settlements and named features.
PROMINENCE_BY_CODE_PREFIX = {
    "212": 8.0,  # 省级行政区
    "213": 7.0,  # 地级行政区
    "214": 6.0,  # 县级行政区
    "215": 4.0,  # 乡级行政区
    "21": 2.0,  # 行政区域, 群众自治组织, 非行政区域
    "22": 1.5,  # 居民点
    "1": 1.0,  # 自然地理实体: rivers, mountains
    "235": 1.0,  # 街路巷
}
BIAS_MAX = 8.0
BIAS_HALF_M = 1000.0

_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"^[a-zü' ]+$")
_NOT_LETTER = re.compile(r"[^a-zü]")


@dataclass(frozen=True)
class Query:
    """What was typed, normalised: ``text`` lower case; ``key`` its letters when Latin."""

    text: str
    latin: bool
    key: str

    @property
    def empty(self) -> bool:
        return not self.text or (self.latin and not self.key)


def query_of(raw: str) -> Query:
    """Return the normalised query: any case, pinyin with spaces or apostrophes."""
    text = raw.strip().lower()
    latin = not _HAN.search(text) and bool(_LATIN.match(text))
    return Query(text=text, latin=latin, key=_NOT_LETTER.sub("", text) if latin else "")


class Candidate(NamedTuple):
    """One matched name with what the ranking reads of it.

    A tuple, not a frozen dataclass: a broad query makes a few thousand of them per
    request, and a frozen dataclass's __init__ was ~6 % of the served portal's CPU under
    the public load (py-spy, bench/bench_load.py).
    """

    pk: int
    kind: int
    standard_name: str
    place_code: str
    pinyin_key: str
    initials: str
    category_code: str
    distance_m: float | None = None


@lru_cache(maxsize=1024)  # a few dozen category codes; asked once per candidate
def prominence(category_code: str) -> float:
    """Return the points of a category: the longest code prefix in the table, else 0."""
    for size in range(len(category_code), 0, -1):
        points = PROMINENCE_BY_CODE_PREFIX.get(category_code[:size])
        if points is not None:
            return points
    return 0.0


def location_bias(distance_m: float | None) -> float:
    """Return the ranking points of a distance from the bias point (0 without one)."""
    if distance_m is None:
        return 0.0
    return BIAS_MAX * 0.5 ** (distance_m / BIAS_HALF_M)


def edits(query: Query, candidate: Candidate) -> int:
    """Return how far the name is from what was typed: characters, or letters of pinyin
    (the nearer of the full pinyin and the initials)."""
    if query.latin:
        return min(
            Levenshtein.distance(query.key, candidate.pinyin_key),
            Levenshtein.distance(query.key, candidate.initials),
        )
    return Levenshtein.distance(query.text, candidate.standard_name.lower())


def points(query: Query, candidate: Candidate) -> float:
    """Return the within-kind points of a candidate (higher is better)."""
    return (
        prominence(candidate.category_code)
        - EDIT_POINTS * edits(query, candidate)
        + location_bias(candidate.distance_m)
    )


def sort_key(query: Query, candidate: Candidate) -> tuple:
    """Return the order of a candidate: kind, then points, then shorter, then by name."""
    return (
        candidate.kind,
        -round(points(query, candidate), 6),
        len(candidate.standard_name),
        candidate.standard_name,
        candidate.place_code,
    )


def rank(query: Query, candidates: list[Candidate]) -> list[Candidate]:
    """Return the candidates best first, each name once at its best kind."""
    best: dict[int, Candidate] = {}
    for c in candidates:
        if c.pk not in best or c.kind < best[c.pk].kind:
            best[c.pk] = c
    return sorted(best.values(), key=lambda c: sort_key(query, c))


def rank_top(query: Query, candidates: list[Candidate], n: int) -> tuple[list[Candidate], int]:
    """Return the first ``n`` of ``rank(query, candidates)`` and how many names it ranks.

    The kind comes first in the order, so the kinds after the ones that fill the first
    ``n`` are counted but never scored: a query whose exact and prefix matches fill a page
    does not score its hundreds of substring matches.
    """
    best: dict[int, Candidate] = {}
    for c in candidates:
        kept = best.get(c.pk)
        if kept is None or c.kind < kept.kind:
            best[c.pk] = c
    by_kind: dict[int, list[Candidate]] = {}
    for c in best.values():
        by_kind.setdefault(c.kind, []).append(c)
    top: list[Candidate] = []
    for kind in sorted(by_kind):
        if len(top) >= n:
            break
        top += heapq.nsmallest(n - len(top), by_kind[kind], key=lambda c: sort_key(query, c))
    return top, len(best)


def substring_kind(query: Query, standard_name: str) -> int:
    """Return the kind of a substring match: in the name itself, or in an alias only."""
    return RANK_SUBSTRING if query.text in standard_name.lower() else RANK_ALIAS
