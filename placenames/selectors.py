"""Reads of the place-name archive: search, suggest, detail and what-is-here."""

from __future__ import annotations

import re
from dataclasses import dataclass

import shapely
from django.db.models import Prefetch, Q, QuerySet
from rapidfuzz.distance import Levenshtein

from boundaries.models import AdministrativeArea
from gis_portal.db_routers import read_connection
from gis_portal.errors import NotFound
from placenames import review, spelling
from placenames import romanize as rz
from placenames.exporters import ExportRow
from placenames.models import PlaceCategory, PlaceName, PlaceNameAlias, PlaceNameStatus

# The SQL below is assembled from constant fragments only (marked noqa: S608); every
# value a user supplies is a bound parameter.
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
LISTING_COUNT_CAP = 10_000


@dataclass(frozen=True)
class SearchFilters:
    category_code: str | None = None
    division_code: str | None = None
    status: str | None = None
    bbox_4490: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, radius_m


@dataclass(frozen=True)
class SearchHit:
    """What a search result shows of one place name (its representative point in 4490)."""

    pk: int
    place_code: str
    standard_name: str
    pinyin: str
    pinyin_needs_check: bool
    category_code: str
    category: str
    division_code: str
    division: str
    status: str
    is_demo: bool
    lon_lat_4490: tuple[float, float] | None

    @property
    def status_display(self) -> str:
        return str(PlaceNameStatus(self.status).label)


# The page of results in one statement: the ORM form (select_related, defer, model and
# GEOS objects, GeoJSON through GDAL) cost ~1.5 ms of Python per search request.
_HITS_SQL = """
    SELECT p.id, p.place_code, p.standard_name, p.pinyin, p.pinyin_needs_check, c.code, c.name,
           d.code, d.name, p.status, p.is_demo, ST_X(p.point_4490), ST_Y(p.point_4490)
    FROM placenames_placename p
    JOIN placenames_placecategory c ON c.id = p.category_id
    JOIN boundaries_administrativearea d ON d.id = p.division_id
    WHERE p.id = ANY(%s)
"""


def _hits(ids: list[int]) -> dict[int, SearchHit]:
    if not ids:
        return {}
    with read_connection().cursor() as cursor:
        cursor.execute(_HITS_SQL, [list(ids)])
        rows = cursor.fetchall()
    return {
        row[0]: SearchHit(*row[:11], lon_lat_4490=None if row[11] is None else (row[11], row[12]))
        for row in rows
    }


@dataclass(frozen=True)
class SearchPage:
    places: list[SearchHit]
    ranks: dict[int, int]
    total: int
    # False when a broad query matched more names than were fetched as candidates: ``total``
    # is then a lower bound ("at least"), and the API and the page say so.
    total_exact: bool = True


def query_grams(text: str) -> list[str]:
    """Return the grams the SQL ``placename_grams`` index holds that a substring must have.

    Bigrams when the query has two characters or more (the selective ones), else the one
    character; grams with whitespace are never indexed.
    """
    text = text.lower()
    size = 2 if len(text) >= 2 else 1
    grams = {text[i : i + size] for i in range(len(text) - size + 1)}
    return sorted(g for g in grams if not any(ch.isspace() for ch in g))


def like_escape(text: str) -> str:
    """Escape LIKE wildcards so ``%``, ``_`` and ``\\`` in a query match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _descendant_ids(model, root_ids: list[int]) -> list[int]:
    ids, frontier = set(root_ids), list(root_ids)
    while frontier:
        frontier = list(
            model.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return sorted(ids)


def _filter_sql(filters: SearchFilters) -> tuple[str, dict]:
    """Return the WHERE fragments (AND-joined) and parameters of the filters."""
    clauses, params = [], {}
    if filters.category_code:
        roots = list(
            PlaceCategory.objects.filter(code=filters.category_code).values_list("pk", flat=True)
        )
        if not roots:
            raise NotFound(f"类别 {filters.category_code} 不存在", parameter="category")
        clauses.append("p.category_id = ANY(%(category_ids)s)")
        params["category_ids"] = _descendant_ids(PlaceCategory, roots)
    if filters.division_code:
        roots = list(
            AdministrativeArea.objects.filter(
                code=filters.division_code, valid_to__isnull=True
            ).values_list("pk", flat=True)
        )
        if not roots:
            raise NotFound(f"行政区 {filters.division_code} 不存在", parameter="division")
        clauses.append("p.division_id = ANY(%(division_ids)s)")
        params["division_ids"] = _descendant_ids(AdministrativeArea, roots)
    if filters.status:
        clauses.append("p.status = %(status)s")
        params["status"] = filters.status
    if filters.bbox_4490:
        clauses.append("p.point_4490 && ST_MakeEnvelope(%(b0)s, %(b1)s, %(b2)s, %(b3)s, 4490)")
        params.update(zip(("b0", "b1", "b2", "b3"), filters.bbox_4490, strict=True))
    if filters.near:
        # Geography measures metres on the ellipsoid; the expression index serves it.
        clauses.append(
            "ST_DWithin(p.point_4490::geography,"
            " ST_SetSRID(ST_MakePoint(%(near_lon)s, %(near_lat)s), 4490)::geography,"
            " %(near_radius_m)s)"
        )
        params.update(
            near_lon=filters.near[0], near_lat=filters.near[1], near_radius_m=filters.near[2]
        )
    return "".join(f" AND {c}" for c in clauses), params


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
        f"(SELECT p.id, {b.rank} AS rank, p.standard_name, p.place_code, p.pinyin_key,"  # noqa: S608
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


def _listing(where: str, params: dict, *, limit: int, offset: int, with_total: bool) -> SearchPage:
    """Return the filtered archive by place code (no query text), counted up to a cap."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM placenames_placename p WHERE TRUE{where}"  # noqa: S608
            " ORDER BY p.place_code LIMIT %(limit)s OFFSET %(offset)s",
            {**params, "limit": limit, "offset": offset},
        )
        ids = [row[0] for row in cursor.fetchall()]
        total, exact = offset + len(ids), True
        if with_total:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM placenames_placename p"  # noqa: S608
                f" WHERE TRUE{where} LIMIT %(count_cap)s) c",
                {**params, "count_cap": LISTING_COUNT_CAP + 1},
            )
            total = cursor.fetchone()[0]
            exact = total <= LISTING_COUNT_CAP
            total = min(total, LISTING_COUNT_CAP)
    by_id = _hits(ids)
    return SearchPage(
        places=[by_id[i] for i in ids if i in by_id],
        ranks=dict.fromkeys(ids, 0),
        total=total,
        total_exact=exact,
    )


def _list_queryset() -> QuerySet[PlaceName]:
    return PlaceName.objects.select_related("category", "division").defer(
        "geom_4490", "division__geom_4490", "search_names", "fuzzy_keys"
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


def placename_detail(*, place_code: str) -> PlaceName:
    """Return the full record of one place name with its aliases, or raise NotFound."""
    place = (
        PlaceName.objects.select_related("category", "division", "division__parent")
        .defer("division__geom_4490", "division__parent__geom_4490")
        .prefetch_related(
            Prefetch("aliases", queryset=PlaceNameAlias.objects.order_by("valid_from", "name"))
        )
        .filter(place_code=place_code)
        .first()
    )
    if place is None:
        raise NotFound(f"地名代码 {place_code} 不存在")
    return place


def placenames_near(
    *, lon: float, lat: float, radius_m: float, limit: int = 20
) -> list[tuple[PlaceName, float]]:
    """Return the place names within ``radius_m`` of a point, nearest first, with distances."""
    # Distance to the surveyed geometry (a street passing by counts), else to the point;
    # each test is served by its own geography expression index.
    sql = (
        "SELECT p.id, ST_Distance(coalesce(p.geom_4490, p.point_4490)::geography, pt.g)"
        " AS distance_m FROM placenames_placename p,"
        " (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490)::geography AS g) pt"
        " WHERE ST_DWithin(p.geom_4490::geography, pt.g, %(radius_m)s)"
        " OR (p.geom_4490 IS NULL AND ST_DWithin(p.point_4490::geography, pt.g, %(radius_m)s))"
        " ORDER BY distance_m, p.standard_name LIMIT %(limit)s"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, {"lon": lon, "lat": lat, "radius_m": radius_m, "limit": limit})
        rows = cursor.fetchall()
    by_id = {p.pk: p for p in _list_queryset().filter(pk__in=[r[0] for r in rows])}
    return [(by_id[pk], distance) for pk, distance in rows if pk in by_id]


def placename_naive_search(*, q: str, limit: int = 20) -> list[int]:
    """Return ids by an unindexed ILIKE scan: the benchmark baseline of placename_search."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT id FROM placenames_placename"
            " WHERE search_names ILIKE %s OR pinyin_key ILIKE %s OR pinyin_initials ILIKE %s"
            " ORDER BY standard_name LIMIT %s",
            ["%" + like_escape(q) + "%"] * 3 + [limit],
        )
        return [r[0] for r in cursor.fetchall()]


def placename_export_rows(*, place_ids: list[int]) -> list[ExportRow]:
    """Return the export rows of the given places, in the given order."""
    places = {
        p.pk: p
        for p in PlaceName.objects.filter(pk__in=place_ids)
        .select_related("category", "division")
        .defer("division__geom_4490")
        .prefetch_related("aliases")
    }
    rows = []
    for pk in place_ids:
        p = places.get(pk)
        if p is None:
            continue
        geom = p.geom_4490 or p.point_4490
        rows.append(
            ExportRow(
                place_code=p.place_code,
                standard_name=p.standard_name,
                pinyin=p.pinyin,
                category_code=p.category.code,
                category=p.category.name,
                division_code=p.division.code,
                division=p.division.name,
                status=p.get_status_display(),
                aliases="；".join(f"{a.name}（{a.get_kind_display()}）" for a in p.aliases.all()),
                origin=p.origin,
                meaning=p.meaning,
                history=p.history,
                source=p.source,
                is_demo="是" if p.is_demo else "否",
                lon=round(p.point_4490.x, 7) if p.point_4490 else None,
                lat=round(p.point_4490.y, 7) if p.point_4490 else None,
                geometry=shapely.from_wkb(bytes(geom.wkb)) if geom else None,
            )
        )
    return rows


@dataclass(frozen=True)
class ReviewResult:
    name: str
    pinyin: str
    pinyin_needs_check: bool
    category: str
    division: str
    scope_rule: str
    findings: list[review.Finding]

    @property
    def acceptable(self) -> bool:
        return not any(f.level == "error" for f in self.findings)


def _match(place: PlaceName) -> dict:
    return {
        "place_code": place.place_code,
        "standard_name": place.standard_name,
        "pinyin": place.pinyin,
        "division": place.division.name,
        "category": place.category.name,
        "status": place.get_status_display(),
    }


def placename_review(*, name: str, category_code: str, division_code: str) -> ReviewResult:
    """Review a proposed name: duplicates and homophones within the regulated scope, then
    stacked generics, enterprise/person names and rare characters."""
    category = PlaceCategory.objects.filter(code=category_code).first()
    if category is None:
        raise NotFound(f"类别 {category_code} 不存在", parameter="category")
    division = (
        AdministrativeArea.objects.filter(code=division_code, valid_to__isnull=True)
        .defer("geom_4490")
        .first()
    )
    if division is None:
        raise NotFound(f"行政区 {division_code} 不存在", parameter="division")
    try:
        roman = rz.romanize(name, settlement=rz.is_settlement_category(category.code))
        unspellable = ""
    except rz.RomanizeInputError as exc:
        # The review reports it as a finding (the name cannot be registered as it is)
        # instead of failing: a reviewer sees every problem of the name at once.
        roman = rz.Romanized(name, "", "", True, ())
        unspellable = str(exc)
    scope, rule = review.scope_for(category.code)
    counties = review.scope_counties(scope, division.code[:6])
    same_class = PlaceName.objects.filter(
        category__census_class=category.census_class, status="in_use"
    ).select_related("division", "category")
    if counties is not None:
        prefix_q = Q()
        for county in counties:
            prefix_q |= Q(place_code__startswith=county)
        same_class = same_class.filter(prefix_q)
    findings: list[review.Finding] = []
    duplicates = list(same_class.filter(standard_name=name)[:20])
    if duplicates:
        findings.append(
            review.Finding("error", "duplicate", f"重名：{rule}", [_match(p) for p in duplicates])
        )
    homophones = list(
        same_class.filter(pinyin_key=rz.pinyin_key(name)).exclude(standard_name=name)[:20]
    )
    if homophones:
        findings.append(
            review.Finding("warning", "homophone", f"同音：{rule}", [_match(p) for p in homophones])
        )
    findings += review.name_findings(name)
    if unspellable:
        findings.append(review.Finding("error", "unspellable", f"无法拼写罗马字母：{unspellable}"))
    elif roman.needs_check:
        findings.append(
            review.Finding(
                "info", "pinyin_check", f"拼写需人工核对（{roman.reason}）：{roman.pinyin}"
            )
        )
    return ReviewResult(
        name=name,
        pinyin=roman.pinyin,
        pinyin_needs_check=roman.needs_check,
        category=f"{category.code} {category.name}",
        division=f"{division.code} {division.name}",
        scope_rule=rule,
        findings=findings,
    )
