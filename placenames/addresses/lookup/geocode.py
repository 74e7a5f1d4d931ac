"""Address search: the readings of a query, their best answers, the location bias."""

from __future__ import annotations

from django.db import connection

from boundaries.models import AreaLevel
from gis_portal.metric_crs import to_metric
from placenames.addresses.address_parse import (
    AddressQueryError,
    AreaRef,
    ParsedAddress,
    area_short_names,
    match_best,
    parse_alternatives,
)
from placenames.addresses.lookup.index import street_index
from placenames.addresses.lookup.places import ARCHIVE_BELOW, archive_results, area_result
from placenames.addresses.lookup.results import (
    LEVEL_RANK,
    GeocodeResult,
    StructuredQuery,
)
from placenames.addresses.lookup.streets import street_results
from placenames.ranking import location_bias

ALTERNATIVE_WINDOW = 15.0


def _readings(
    q: str | None, structured: StructuredQuery | None, refs: dict[str, AreaRef]
) -> list[ParsedAddress]:
    if structured is None:
        return parse_alternatives(q, area_names=list(refs))
    named = []
    for parameter, value, levels in (
        ("district", structured.district, {AreaLevel.COUNTY}),
        ("township", structured.township, {AreaLevel.TOWNSHIP}),
    ):
        if value is None:
            continue
        ref = _area_named(value, refs, levels)
        if ref is None:
            raise AddressQueryError(
                f"不是鹤岗市的{'县（区）' if parameter == 'district' else '街道/乡镇'}：{value[:20]}",
                parameter,
            )
        named.append(ref.name)
    text = structured.street.strip()
    if structured.number is not None:
        number = structured.number.strip()
        if text.isascii():
            text = f"{text} {number}"  # pinyin: JINGU LU 269
        else:
            text += number if "号" in number else f"{number}号"
    readings = parse_alternatives(text, area_names=list(refs))
    if structured.number is not None and readings[0].number is None:
        raise AddressQueryError("门牌号应为数字，如 12、12-1、12号之一", "number")
    for reading in readings:
        reading.areas = [*named, *(a for a in reading.areas if a not in named)]
    return readings


def _area_named(value: str, refs: dict[str, AreaRef], levels: set) -> AreaRef | None:
    value = value.strip()
    for ref in refs.values():
        if ref.level in levels and (value == ref.name or value in area_short_names(ref.name)):
            return ref
    return None


def geocode(
    q: str | None = None,
    *,
    limit: int = 5,
    structured: StructuredQuery | None = None,
    near: tuple[float, float] | None = None,
) -> tuple[ParsedAddress, list[GeocodeResult]]:
    """Return the parsed query and its results, best first.

    Door plate, else the street (a number past its known plates, or none), else a name of
    the archive, else the area. ``near`` (lon, lat) orders near-equal results by distance.
    """
    index, refs = street_index()
    readings = _readings(q, structured, refs)
    parsed, matches = match_best(readings, index, limit=limit)
    if matches:
        # Alternatives far below the best match are noise (幸福街 for 新华街): not looked up.
        matches = [m for m in matches if m.score >= matches[0].score - ALTERNATIVE_WINDOW]
    results = [street_results(m, parsed, refs) for m in matches]
    area_only = bool(parsed.areas) and not parsed.street_text  # 向阳区: the area itself
    if not parsed.is_pinyin and not area_only and (not matches or matches[0].score < ARCHIVE_BELOW):
        texts = [r.street_text for r in readings if not r.areas] + [parsed.street_text]
        results += archive_results(parsed, texts, limit=limit)
    if not results and parsed.areas:
        area = area_result(parsed)
        results = [area] if area else []
    bonus = _bias(results, near)
    results.sort(key=lambda r: (-(r.score + bonus.get(id(r), 0.0)), LEVEL_RANK[r.level]))
    if results:
        # Alternatives far below the best are noise (幸福街 for 新华街), not candidates.
        results = [r for r in results if r.score >= results[0].score - ALTERNATIVE_WINDOW]
    return parsed, results[:limit]


_LINE_DISTANCE_SQL = """
    SELECT ST_Distance(line_4552, ST_SetSRID(ST_MakePoint(%s, %s), 4552))
    FROM addresses_street WHERE id = %s
"""


def _bias(results: list[GeocodeResult], near: tuple[float, float] | None) -> dict[int, float]:
    """Set each result's distance_m from ``near`` and return its ranking bonus by id().

    The bonus is the place-name search's (``placenames.ranking.location_bias``): in the
    ranking only, never in the score, so it orders near-equal candidates only.
    """
    if near is None or not results:
        return {}
    x0, y0 = (float(v) for v in to_metric(*near))
    out = {}
    for r in results:
        if r.level == "street":
            # A street answer is as near as its line, not its midpoint.
            with connection.cursor() as cur:
                cur.execute(_LINE_DISTANCE_SQL, [x0, y0, r.ids["street_id"]])
                distance = cur.fetchone()[0]
        else:
            x, y = to_metric(r.lon, r.lat)
            distance = float(((x - x0) ** 2 + (y - y0) ** 2) ** 0.5)
        r.distance_m = round(distance, 1)
        out[id(r)] = location_bias(r.distance_m)
    return out
