"""Reads of place-name sign coverage: per county, category and year; the missing signs.

``sign_coverage_rate(county, year)`` is the plan indicator (四.(七)2 地名标志覆盖率) that
other code calls (the yearly indicators of facilities read it). One statement answers the
whole city: each place with the sign kinds standing at the year's end, aggregated here by
the rules of placenames/sign_coverage.py; ``sign_coverage_naive`` is the per-object path
kept as the benchmark's baseline and the tests' cross-check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from boundaries.models import AdministrativeArea, AreaLevel
from placenames import sign_coverage as rules
from placenames.addresses.models import SignStatus, StreetSign
from placenames.models import PlaceCategory, PlaceName, PlaceSign

# The SQL twin of rules.sign_counts_in / rules.place_exists_in (the tests hold them equal).
_SIGN_STANDS = """
    s.status <> 'planned'
    AND (s.installed_on IS NULL OR s.installed_on <= %(end)s)
    AND CASE WHEN s.status = 'removed' THEN s.removed_on IS NOT NULL AND s.removed_on > %(end)s
             ELSE s.removed_on IS NULL OR s.removed_on > %(end)s END
"""
# Built from constants only (no input reaches the text); values go as parameters.
_PLACES_SQL = """
    SELECT p.id, p.place_code, p.standard_name, c.code, c.name, p.division_id,
           ST_X(p.point_4490), ST_Y(p.point_4490), p.is_demo,
           ARRAY(SELECT DISTINCT s.kind FROM placenames_placesign s
                 WHERE s.place_id = p.id AND {sign_stands}) AS kinds,
           EXISTS (SELECT 1 FROM addresses_street st
                   JOIN addresses_streetsign g ON g.street_id = st.id
                   WHERE st.place_name_id = p.id AND g.status = 'installed'
                     AND (g.installed_on IS NULL OR g.installed_on <= %(end)s)) AS street_signed
    FROM placenames_placename p
    JOIN placenames_placecategory c ON c.id = p.category_id
    WHERE c.code LIKE ANY(%(prefixes)s)
      AND (p.named_on IS NULL OR p.named_on <= %(end)s)
      AND CASE WHEN p.abolished_on IS NOT NULL THEN p.abolished_on > %(end)s
               ELSE p.status = 'in_use' END
    ORDER BY p.place_code
""".replace("{sign_stands}", _SIGN_STANDS)


@dataclass(frozen=True)
class County:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class PlaceSignState:
    id: int
    place_code: str
    name: str
    category_code: str
    category_name: str
    group: str
    group_label: str
    sign_kind: str
    county: County | None
    lon: float | None
    lat: float | None
    is_demo: bool
    covered: bool


def county_of_areas() -> dict[int, County]:
    """Return {area id: its county} for every county, township and village (a walk up)."""
    areas = {
        a["id"]: a
        for a in AdministrativeArea.objects.values("id", "code", "name", "level", "parent_id")
    }
    out: dict[int, County] = {}
    for area_id in areas:
        node = areas.get(area_id)
        while node is not None and node["level"] not in (AreaLevel.COUNTY, AreaLevel.CITY):
            node = areas.get(node["parent_id"])
        if node is not None and node["level"] == AreaLevel.COUNTY:
            out[area_id] = County(node["id"], node["code"], node["name"])
    return out


def _state(row, counties: dict[int, County]) -> PlaceSignState | None:
    pid, code, name, cat_code, cat_name, division_id, lon, lat, is_demo, kinds, street = row
    rule = rules.sign_rule_of(cat_code)
    if rule is None:  # the LIKE prefixes and the table agree; kept for safety of reading
        return None
    group, kind, label = rule
    covered = kind in kinds or (kind == "street" and street)
    return PlaceSignState(
        pid, code, name, cat_code, cat_name, group, label, kind,
        counties.get(division_id), lon, lat, is_demo, covered,
    )  # fmt: skip


def place_sign_states(*, year: int, county_code: str | None = None) -> list[PlaceSignState]:
    """Return every place that needs a sign at the end of ``year``, with whether it has one."""
    counties = county_of_areas()
    params = {"end": rules.year_end(year), "prefixes": [p + "%" for p in rules.SIGN_KINDS]}
    with connection.cursor() as cur:
        cur.execute(_PLACES_SQL, params)
        rows = cur.fetchall()
    states = [s for s in (_state(r, counties) for r in rows) if s is not None]
    if county_code:
        states = [s for s in states if s.county is not None and s.county.code == county_code]
    return states


def coverage_cells(states: list[PlaceSignState]) -> list[rules.CoverageCell]:
    tally: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for s in states:
        county = s.county or County(0, "", "（未归县区）")
        counts = tally[(county.code, county.name, s.group, s.group_label)]
        counts[0] += 1
        counts[1] += s.covered
    return [
        rules.CoverageCell(code, name, group, label, places, covered)
        for (code, name, group, label), (places, covered) in sorted(tally.items())
    ]


# The whole city in one grouped statement: the standing signs and the street-signed records
# are each read once (hash joins), not per place, so a million places stay well under 2 s.
_COVERAGE_SQL = """
    WITH rule(category_id, kind) AS (SELECT * FROM unnest(%(category_ids)s::bigint[], %(kinds)s::text[])),
    standing AS (
        SELECT DISTINCT s.place_id, s.kind FROM placenames_placesign s WHERE {sign_stands}
    ),
    street_signed AS (
        SELECT DISTINCT st.place_name_id AS place_id FROM addresses_street st
        JOIN addresses_streetsign g ON g.street_id = st.id
        WHERE st.place_name_id IS NOT NULL AND g.status = 'installed'
          AND (g.installed_on IS NULL OR g.installed_on <= %(end)s)
    )
    SELECT p.division_id, p.category_id, count(*),
           count(*) FILTER (WHERE sd.place_id IS NOT NULL
                             OR (r.kind = 'street' AND ss.place_id IS NOT NULL))
    FROM placenames_placename p
    JOIN rule r ON r.category_id = p.category_id
    LEFT JOIN standing sd ON sd.place_id = p.id AND sd.kind = r.kind
    LEFT JOIN street_signed ss ON ss.place_id = p.id AND r.kind = 'street'
    WHERE (p.named_on IS NULL OR p.named_on <= %(end)s)
      AND CASE WHEN p.abolished_on IS NOT NULL THEN p.abolished_on > %(end)s
               ELSE p.status = 'in_use' END
    GROUP BY p.division_id, p.category_id
""".replace("{sign_stands}", _SIGN_STANDS)


def sign_coverage(*, year: int, county_code: str | None = None) -> list[rules.CoverageCell]:
    """Return the coverage per county and sign category at the end of ``year``."""
    categories = {}
    for cat_id, code in PlaceCategory.objects.values_list("id", "code"):
        rule = rules.sign_rule_of(code)
        if rule is not None:
            categories[cat_id] = rule
    params = {
        "end": rules.year_end(year),
        "category_ids": list(categories),
        "kinds": [rule[1] for rule in categories.values()],
    }
    with connection.cursor() as cur:
        cur.execute(_COVERAGE_SQL, params)
        rows = cur.fetchall()
    counties = county_of_areas()
    tally: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for division_id, category_id, places, covered in rows:
        county = counties.get(division_id) or County(0, "", "（未归县区）")
        if county_code and county.code != county_code:
            continue
        group, _, label = categories[category_id]
        counts = tally[(county.code, county.name, group, label)]
        counts[0] += places
        counts[1] += covered
    return [
        rules.CoverageCell(code, name, group, label, places, covered)
        for (code, name, group, label), (places, covered) in sorted(tally.items())
    ]


def sign_coverage_rate(county: str | AdministrativeArea | None, year: int) -> float | None:
    """Return the plan indicator 地名标志覆盖率 (0–1) of a county (code or area; None: the
    whole city) at the end of ``year``; None when no place there needs a sign."""
    code = county.code if isinstance(county, AdministrativeArea) else county
    return rules.coverage_total(sign_coverage(year=year, county_code=code))[2]


def signs_missing(
    *, year: int, county_code: str | None = None, group: str | None = None
) -> list[PlaceSignState]:
    """Return the places without a sign of their kind at the end of ``year``."""
    return [
        s
        for s in place_sign_states(year=year, county_code=county_code)
        if not s.covered and (group is None or s.group == group)
    ]


def signs_include_demo() -> bool:
    """Return whether demo records take part in the coverage (the page says so)."""
    return (
        PlaceSign.objects.filter(is_demo=True).exists()
        or PlaceName.objects.filter(is_demo=True).exists()
    )


def sign_coverage_naive(*, year: int, limit: int | None = None) -> list[rules.CoverageCell]:
    """Return ``sign_coverage`` computed object by object (the baseline: queries per place);
    ``limit`` takes the first places by code only (the benchmark scales a sample)."""
    counties = county_of_areas()
    states = []
    for place in PlaceName.objects.select_related("category").order_by("place_code")[:limit]:
        rule = rules.sign_rule_of(place.category.code)
        if rule is None or not rules.place_exists_in(
            named_on=place.named_on, abolished_on=place.abolished_on, status=place.status,
            year=year,
        ):  # fmt: skip
            continue
        group, kind, label = rule
        covered = any(
            rules.sign_counts_in(
                installed_on=s.installed_on, removed_on=s.removed_on, status=s.status, year=year
            )
            for s in PlaceSign.objects.filter(place=place, kind=kind)
        )
        if not covered and kind == "street":
            end = rules.year_end(year)
            covered = any(
                s.installed_on is None or s.installed_on <= end
                for s in StreetSign.objects.filter(
                    street__place_name=place, status=SignStatus.INSTALLED
                )
            )
        states.append(
            PlaceSignState(
                place.pk,
                place.place_code,
                place.standard_name,
                place.category.code,
                place.category.name,
                group,
                label,
                kind,
                counties.get(place.division_id),
                None,
                None,
                place.is_demo,
                covered,
            )
        )
    return coverage_cells(states)
