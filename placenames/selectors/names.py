"""Reads of the place-name archive: search, suggest, detail and what-is-here."""

from __future__ import annotations

import re
from dataclasses import dataclass

import shapely
from django.db.models import Prefetch, Q, QuerySet

from boundaries.models import AdministrativeArea
from gis_portal.db_routers import read_connection
from gis_portal.errors import NotFound
from placenames import ranking, review, spelling
from placenames import romanize as rz
from placenames.exporters import ExportRow
from placenames.models import PlaceCategory, PlaceName, PlaceNameAlias, PlaceNameStatus
from placenames.ranking import (
    RANK_EXACT,
    RANK_FUZZY,
    RANK_HOMOPHONE,
    RANK_NEAR,
    RANK_PREFIX,
    RANK_SOUND_PREFIX,
    RANK_SUBSTRING,
)
from placenames.search_plan import prefix_upper_bound, scan_beats_index
from placenames.selectors.gram_stats import gram_stats

# The SQL below is assembled from constant fragments only (marked noqa: S608); every
# value a user supplies is a bound parameter.
_HAN = re.compile(r"[\u3400-\u9fff]")
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
# GEOS objects, GeoJSON through GDAL) cost ~1.5 ms of Python per search request. The
# category and the division are looked up per name (OFFSET 0 keeps each a lookup): as
# plain joins, the prepared statement's generic plan hashed all 529 divisions for a page
# of ten (0.23 against 0.08 ms of the database's time).
_HITS_SQL = """
    SELECT p.id, p.place_code, p.standard_name, p.pinyin, p.pinyin_needs_check, c.code, c.name,
           d.code, d.name, p.status, p.is_demo, ST_X(p.point_4490), ST_Y(p.point_4490)
    FROM placenames_placename p
    CROSS JOIN LATERAL (
        SELECT code, name FROM placenames_placecategory WHERE id = p.category_id OFFSET 0
    ) c
    CROSS JOIN LATERAL (
        SELECT code, name FROM boundaries_administrativearea WHERE id = p.division_id OFFSET 0
    ) d
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
    """One way a name can match: a WHERE condition and the kind of the names it finds."""

    kind: int
    condition: str


def _substring_condition(grams: list[str], *, filtered: bool, cap: int) -> str:
    """The substring branch's condition: through the gram index, or (a one-gram query most
    names match, no filter) a plain LIKE that PostgreSQL answers by reading the table until
    the branch's LIMIT (placenames.search_plan)."""
    if not filtered and len(grams) == 1:
        stats = gram_stats()
        frequency = stats.frequency.get(grams[0])
        if scan_beats_index(frequency=frequency, rows=stats.rows, cap=cap):
            return "p.search_names LIKE %(like)s"
    return "placename_grams(p.search_names) @> %(grams)s::text[] AND p.search_names LIKE %(like)s"


def _prefix_condition(column: str, key: str, text: str, params: dict) -> str:
    """``column`` begins with ``text``: as LIKE, and as the pattern index's range that a
    prepared statement's generic plan can use (placenames.search_plan); sets the parameters."""
    params[key] = like_escape(text) + "%"
    params[f"{key}_lo"] = text
    condition = f"{column} LIKE %({key})s AND {column}::text ~>=~ %({key}_lo)s"
    upper = prefix_upper_bound(text)
    if upper is not None:
        params[f"{key}_hi"] = upper
        condition += f" AND {column}::text ~<~ %({key}_hi)s"
    return condition


def _chinese_branches(
    q: ranking.Query, *, fuzzy: bool, filtered: bool, cap: int
) -> tuple[list[_Branch], dict]:
    """Return the branches (every kind, near misses last) and the parameters of a query."""
    text = q.text
    grams = query_grams(text)
    params: dict = {
        "q": text,
        "like": "%" + like_escape(text) + "%",
        "grams": grams,
    }
    # Names first, aliases and former names in the same substring branch (search_names
    # holds them all, one per line); an alias-only hit is told apart in ranking.
    branches = [
        _Branch(RANK_EXACT, "p.standard_name = %(q)s"),
        _Branch(RANK_PREFIX, _prefix_condition("p.standard_name", "prefix", text, params)),
        _Branch(RANK_SUBSTRING, _substring_condition(grams, filtered=filtered, cap=cap)),
    ]
    key = rz.pinyin_key(text) if _HAN.search(text) else ""
    if fuzzy and key:
        keys = rz.fuzzy_query_keys(text)
        params["qkey"] = [key]
        # A name one character longer has the query's key among its deletions ("-key"); a
        # name one character shorter has a deletion of the query as its key.
        params["fuzzy_keys"] = [k for k in keys if k == "-" + key or ("-" not in k and k != key)]
        params["near_keys"] = [k for k in keys if k.startswith("-") and k != "-" + key]
        branches += [
            _Branch(RANK_HOMOPHONE, "p.fuzzy_keys && %(qkey)s::varchar[]"),
            _Branch(RANK_FUZZY, "p.fuzzy_keys && %(fuzzy_keys)s::varchar[]"),
        ]
        if len(text) >= 2:
            # The reading of what was typed begins the name's (鹤刚 → 鹤岗市); one typed
            # character alone would begin a tenth of the archive's readings.
            sound_prefix = _prefix_condition("p.pinyin_key", "key_prefix", key, params)
            branches.append(_Branch(RANK_SOUND_PREFIX, sound_prefix))
        if params["near_keys"]:
            branches.append(_Branch(RANK_NEAR, "p.fuzzy_keys && %(near_keys)s::varchar[]"))
    return branches, params


def _latin_branches(q: ranking.Query, *, fuzzy: bool) -> tuple[list[_Branch], dict]:
    params: dict = {"key": q.key}
    branches = [
        _Branch(RANK_EXACT, "p.pinyin_key = %(key)s"),
        _Branch(RANK_EXACT, "p.pinyin_initials = %(key)s"),
        _Branch(RANK_PREFIX, _prefix_condition("p.pinyin_key", "key_prefix", q.key, params)),
        _Branch(RANK_PREFIX, _prefix_condition("p.pinyin_initials", "key_prefix", q.key, params)),
    ]
    variants = spelling.pinyin_variants(q.key) if fuzzy else ()
    if variants:
        params["variants"] = list(variants)
        branches.append(_Branch(RANK_NEAR, "p.pinyin_key = ANY(%(variants)s::text[])"))
    return branches, params


def _bias_sql(bias: tuple[float, float] | None) -> tuple[str, dict]:
    if bias is None:
        return "NULL::float8", {}
    # On the sphere: the bias only orders near-equal names, metres to a few per mille do.
    return (
        "ST_Distance(p.point_4490::geography,"
        " ST_SetSRID(ST_MakePoint(%(bias_lon)s, %(bias_lat)s), 4490)::geography, false)",
        {"bias_lon": bias[0], "bias_lat": bias[1]},
    )


def _candidates(
    branches: list[_Branch],
    where: str,
    params: dict,
    *,
    cap: int,
    bias: tuple[float, float] | None,
    query: ranking.Query,
) -> tuple[list[ranking.Candidate], bool]:
    """Return the candidates of the branches, and whether any branch stopped at ``cap``.

    Each branch is an index scan stopped by its LIMIT, with no ORDER BY: a broad query
    (a common generic, a one-letter prefix) costs ``cap`` rows, not every match. Search and
    suggest both read their candidates here.
    """
    if not branches:
        return [], False
    distance, bias_params = _bias_sql(bias)
    parts = [
        f"(SELECT p.id, {b.kind}, p.standard_name, p.place_code, p.pinyin_key,"  # noqa: S608
        f" p.pinyin_initials, c.code, {distance}, {k} FROM placenames_placename p"
        " JOIN placenames_placecategory c ON c.id = p.category_id"
        f" WHERE {b.condition}{where} LIMIT %(cap)s)"
        for k, b in enumerate(branches)
    ]
    with read_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), {**params, **bias_params, "cap": cap})
        rows = cursor.fetchall()
    per_branch: dict[int, int] = {}
    out = []
    for pk, kind, name, code, key, initials, category, distance_m, branch in rows:
        per_branch[branch] = per_branch.get(branch, 0) + 1
        if kind == RANK_SUBSTRING and not query.latin:
            kind = ranking.substring_kind(query, name)
        out.append(ranking.Candidate(pk, kind, name, code, key, initials, category, distance_m))
    return out, any(n >= cap for n in per_branch.values())


def _branches(
    q: ranking.Query, *, fuzzy: bool, cap: int, filtered: bool = False
) -> tuple[list[_Branch], dict]:
    """The branches of a query; ``filtered`` and ``cap`` (each branch's LIMIT) choose how a
    Chinese query's substring branch reads the archive."""
    if q.latin:
        return _latin_branches(q, fuzzy=fuzzy)
    return _chinese_branches(q, fuzzy=fuzzy, filtered=filtered, cap=cap)


def placename_search(
    *,
    q: str | None,
    filters: SearchFilters,
    limit: int = 20,
    offset: int = 0,
    fuzzy: bool = True,
    with_total: bool = True,
    bias: tuple[float, float] | None = None,
) -> SearchPage:
    """Return one page of place names matching ``q`` and the filters, best first.

    Chinese text: exact standard name, the same pinyin (homophones), prefix, a reading
    that begins the name's, one character missing or extra, substring of a name, alias or
    former name (GIN over character bigrams). Latin text in any case: full pinyin or
    initials, then their prefixes. When fewer than NEAR_WHEN_FEWER names match so, near
    misses follow: one character of another reading, or one letter off in typed pinyin.
    The order is ``placenames.ranking``'s: by kind, then prominence, fewest edits and the
    location bias (``bias`` = lon, lat). Each way of matching fetches at most
    SEARCH_CANDIDATES names (or offset+limit); beyond that ``total`` is a lower bound and
    ``total_exact`` False. Without ``q`` the filtered archive is listed by place code,
    counted up to LISTING_COUNT_CAP.
    """
    where, params = _filter_sql(filters)
    if not q or not q.strip():
        return _listing(where, params, limit=limit, offset=offset, with_total=with_total)
    query = ranking.query_of(q)
    if query.empty:  # only apostrophes: nothing to match
        return SearchPage(places=[], ranks={}, total=0)
    cap = max(SEARCH_CANDIDATES, offset + limit)
    branches, match_params = _branches(query, fuzzy=fuzzy, filtered=bool(where), cap=cap)
    params.update(match_params)
    primary = [b for b in branches if b.kind != RANK_NEAR]
    near = [b for b in branches if b.kind == RANK_NEAR]
    found, truncated = _candidates(primary, where, params, cap=cap, bias=bias, query=query)
    if near and len({c.pk for c in found}) < NEAR_WHEN_FEWER:
        near_found, near_truncated = _candidates(
            near, where, params, cap=cap, bias=bias, query=query
        )
        found += near_found
        truncated = truncated or near_truncated
    top, total = ranking.rank_top(query, found, offset + limit)
    page = top[offset : offset + limit]
    ranks = {c.pk: c.kind for c in page}
    by_id = _hits(list(ranks))
    return SearchPage(
        places=[by_id[i] for i in ranks if i in by_id],
        ranks=ranks,
        total=total,
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


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete entry, with the names of its category and division."""

    place_code: str
    standard_name: str
    pinyin: str
    category: str
    division: str
    kind: int = RANK_EXACT


def placename_suggest(
    *, q: str, limit: int = 10, bias: tuple[float, float] | None = None
) -> list[Suggestion]:
    """Return up to ``limit`` names for autocomplete, in the search's order.

    The search's own branches and ranking, asked lazily: first the kinds that complete
    what was typed (exact, homophone, prefix of the name, its pinyin or initials, a
    reading that begins the name's, one character missing or extra), then substrings and
    aliases, then near misses, each only while fewer than ``limit`` names were found. The
    later kinds rank below the earlier ones, so the suggestions are the first ``limit``
    results the search gives (for each branch's first SEARCH_CANDIDATES names).
    """
    query = ranking.query_of(q)
    if query.empty:
        return []
    branches, params = _branches(query, fuzzy=True, cap=SEARCH_CANDIDATES)
    stages = [
        [b for b in branches if b.kind in ranking.COMPLETING_KINDS],
        [b for b in branches if b.kind not in ranking.COMPLETING_KINDS and b.kind != RANK_NEAR],
        [b for b in branches if b.kind == RANK_NEAR],
    ]
    found: list[ranking.Candidate] = []
    for stage in stages:
        if len({c.pk for c in found}) >= limit:
            break
        more, _ = _candidates(stage, "", params, cap=SEARCH_CANDIDATES, bias=bias, query=query)
        found += more
    best, _ = ranking.rank_top(query, found, limit)
    by_id = _hits([c.pk for c in best])
    return [
        Suggestion(
            place_code=hit.place_code,
            standard_name=hit.standard_name,
            pinyin=hit.pinyin,
            category=hit.category,
            division=hit.division,
            kind=c.kind,
        )
        for c in best
        if (hit := by_id.get(c.pk)) is not None
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
