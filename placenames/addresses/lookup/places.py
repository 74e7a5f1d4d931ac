"""Area and archive answers: a district or township, a village or residential area."""

from __future__ import annotations

from django.conf import settings

from boundaries.models import AdministrativeArea, AreaLevel
from placenames import ranking
from placenames.addresses.address_parse import (
    ParsedAddress,
)
from placenames.addresses.lookup.results import (
    PROVINCE,
    GeocodeResult,
)
from placenames.addresses.numbering import format_number
from placenames.selectors.names import SearchFilters, placename_search

# Below this score the archive (villages, residential areas…) is asked as well.
ARCHIVE_BELOW = 90.0
# A door number asked of a place name is not used: the answer is that much less likely.
ARCHIVE_NUMBER_PENALTY = 20.0
ARCHIVE_SCORES = {
    ranking.RANK_EXACT: 95.0,
    ranking.RANK_HOMOPHONE: 90.0,
    ranking.RANK_ALIAS: 88.0,
    ranking.RANK_PREFIX: 80.0,
    ranking.RANK_SOUND_PREFIX: 78.0,
    ranking.RANK_FUZZY: 75.0,
    ranking.RANK_SUBSTRING: 70.0,
    ranking.RANK_NEAR: 65.0,
}
# How an answer was found, by the ranking's kind names; an alias is a former name here.
ARCHIVE_VIA = {**ranking.KIND_NAMES, ranking.RANK_ALIAS: "former"}


def _chain(area: AdministrativeArea | None) -> list[AdministrativeArea]:
    """Return the area and its parents, the city first."""
    chain = []
    while area is not None:
        chain.append(area)
        area = area.parent
    return list(reversed(chain))


def _area_parts(chain: list[AdministrativeArea]) -> dict:
    by_level = {a.level: a.name for a in chain}
    return {
        "city": by_level.get(AreaLevel.CITY, ""),
        "county": by_level.get(AreaLevel.COUNTY, ""),
        "township": by_level.get(AreaLevel.TOWNSHIP, ""),
    }


def area_result(parsed: ParsedAddress) -> GeocodeResult | None:
    name = parsed.areas[-1]
    area = (
        AdministrativeArea.objects.filter(
            valid_to__isnull=True, name=name, code__startswith=settings.HEGANG_CITY_CODE[:4]
        )
        .select_related("parent")
        .first()
    )
    if area is None:
        return None
    # Townships have no public polygon: fall back to the county's representative point.
    with_geom = area if area.geom_4490 is not None else area.parent
    if with_geom is None or with_geom.geom_4490 is None:
        return None
    point = with_geom.geom_4490.point_on_surface
    chain = _chain(area)
    return GeocodeResult(
        "area",
        70.0,
        point.x,
        point.y,
        PROVINCE + "".join(a.name for a in chain),
        {"area": area.name, "area_code": area.code, "areas": parsed.areas},
        is_demo=area.is_demo,
        ids={"area_code": area.code},
        note=""
        if area.geom_4490 is not None
        else f"{area.name}暂无边界数据，定位到{with_geom.name}",
        parts={**_area_parts(chain), "name": area.name},
    )


def archive_results(parsed: ParsedAddress, texts: list[str], *, limit: int) -> list[GeocodeResult]:
    """Return place names of the archive (villages, residential areas…) for the query texts.

    Each text is searched (the street text, and the query without areas stripped: 团结花园
    is a name of its own, not 团结镇 + 花园); a name found by both keeps its better rank.
    """
    found: dict[int, tuple[int, object]] = {}
    for text in dict.fromkeys(t for t in texts if len(t) >= 2):
        page = placename_search(q=text, filters=SearchFilters(), limit=limit, with_total=False)
        for place in page.places:
            rank = page.ranks[place.pk]
            if place.pk not in found or rank < found[place.pk][0]:
                found[place.pk] = (rank, place)
    out = []
    best = sorted(found.values(), key=lambda f: f[0])[:limit]
    divisions = {
        a.code: a
        for a in AdministrativeArea.objects.filter(
            code__in={place.division_code for _, place in best}, valid_to__isnull=True
        ).select_related("parent__parent__parent")
    }
    for rank, place in best:
        if place.lon_lat_4490 is None:
            continue
        lon, lat = place.lon_lat_4490
        chain = _chain(divisions.get(place.division_code))
        note = "地名档案中的地名（非门牌地址）"
        if parsed.number is not None:
            note += f"；门牌号 {format_number(parsed.number, parsed.sub_number)} 未用于定位"
        out.append(
            GeocodeResult(
                "placename",
                ARCHIVE_SCORES.get(rank, 60.0) - (ARCHIVE_NUMBER_PENALTY if parsed.number else 0.0),
                lon,
                lat,
                PROVINCE
                + "".join(a.name for a in chain)
                + ("" if chain and chain[-1].name == place.standard_name else place.standard_name),
                {
                    "name": place.standard_name,
                    "via": ARCHIVE_VIA.get(rank, "near"),
                    "category": place.category,
                    "areas": parsed.areas,
                },
                is_demo=place.is_demo,
                ids={"place_code": place.place_code},
                note=note,
                parts={**_area_parts(chain), "name": place.standard_name},
            )
        )
    return out
