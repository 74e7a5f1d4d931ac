"""Address search (geocode) and reverse lookup: reads over streets and door plates."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from boundaries.models import AdministrativeArea, AreaLevel
from boundaries.selectors import areas_at_point
from placenames.addresses.address_parse import (
    AddressQueryError,
    AreaRef,
    ParsedAddress,
    StreetEntry,
    StreetIndex,
    StreetMatch,
    area_conflicts,
    area_short_names,
    entry_pinyin,
    match_best,
    parse_alternatives,
)
from placenames.addresses.models import PlateStatus
from placenames.addresses.numbering import format_number, to_metric
from placenames.selectors import (
    RANK_ALIAS,
    RANK_EXACT,
    RANK_FUZZY,
    RANK_HOMOPHONE,
    RANK_NEAR,
    RANK_PREFIX,
    RANK_SUBSTRING,
    SearchFilters,
    placename_search,
)

PROVINCE = "黑龙江省"
INTERPOLATED_PENALTY = 10.0
ALTERNATIVE_WINDOW = 15.0
# A number past the street's last known plate is a street-level answer: scored below any
# interpolated plate, so a client that reads the score is not told it found the door.
BEYOND_RANGE_PENALTY = 20.0
# An area named in the query that the street is not in: the street may still be meant
# (people misremember districts), but the answer is doubtful and scored so.
AREA_CONFLICT_PENALTY = 20.0
# Below this score the archive (villages, residential areas…) is asked as well.
ARCHIVE_BELOW = 90.0
# A door number asked of a place name is not used: the answer is that much less likely.
ARCHIVE_NUMBER_PENALTY = 20.0
ARCHIVE_SCORES = {
    RANK_EXACT: 95.0,
    RANK_HOMOPHONE: 90.0,
    RANK_ALIAS: 88.0,
    RANK_PREFIX: 80.0,
    RANK_FUZZY: 75.0,
    RANK_SUBSTRING: 70.0,
    RANK_NEAR: 65.0,
}
ARCHIVE_VIA = {
    RANK_EXACT: "exact",
    RANK_HOMOPHONE: "homophone",
    RANK_ALIAS: "former",
    RANK_PREFIX: "prefix",
    RANK_FUZZY: "fuzzy",
    RANK_SUBSTRING: "substring",
    RANK_NEAR: "near",
}
# Location bias: up to BIAS_MAX points in the ranking (never in the score) for a result at
# the given point, halving every BIAS_HALF_M metres: it orders near-equal candidates only.
BIAS_MAX = 8.0
BIAS_HALF_M = 1000.0


# ---- the street index (names, former names, pinyin), rebuilt when streets change --------

_index_lock = threading.Lock()
_index: dict = {"version": None, "index": StreetIndex([]), "areas": {}}

_VERSION_SQL = """
    SELECT (SELECT count(*) FROM addresses_street),
           (SELECT coalesce(max(id), 0) FROM addresses_street),
           (SELECT coalesce(sum(hashtext(name)), 0) FROM addresses_street),
           (SELECT count(*) FROM addresses_streetformername)
"""
_ENTRIES_SQL = """
    SELECT s.id, s.name, s.name_pinyin, coalesce(c.name, ''), coalesce(t.name, ''), NULL
    FROM addresses_street s
    LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
    LEFT JOIN boundaries_administrativearea t ON t.id = s.township_id
    UNION ALL
    SELECT s.id, s.name, s.name_pinyin, coalesce(c.name, ''), coalesce(t.name, ''), f.name
    FROM addresses_streetformername f
    JOIN addresses_street s ON s.id = f.street_id
    LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
    LEFT JOIN boundaries_administrativearea t ON t.id = s.township_id
"""


def _letters(pinyin: str) -> str:
    return "".join(ch for ch in pinyin.lower() if "a" <= ch <= "z")


def street_index() -> tuple[StreetIndex, dict[str, AreaRef]]:
    """Return the street entries and the areas by name; rebuilt only when streets changed."""
    with connection.cursor() as cur:
        cur.execute(_VERSION_SQL)
        version = cur.fetchone()
        if version == _index["version"]:
            return _index["index"], _index["areas"]
        cur.execute(_ENTRIES_SQL)
        rows = cur.fetchall()
    entries = [
        StreetEntry(
            street_id=sid,
            name=former or name,
            current_name=name,
            pinyin=_letters(pinyin) if not former else entry_pinyin(former),
            county=county,
            township=township,
            is_former=former is not None,
        )
        for sid, name, pinyin, county, township, former in rows
    ]
    rows = AdministrativeArea.objects.filter(
        valid_to__isnull=True,
        level__in=[AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP],
        code__startswith=settings.HEGANG_CITY_CODE[:4],
    ).values_list("name", "level", "parent__name")
    areas = {
        name: AreaRef(
            name,
            level,
            name
            if level == AreaLevel.COUNTY
            else (parent or "")
            if level == AreaLevel.TOWNSHIP
            else "",
        )
        for name, level, parent in rows
    }
    with _index_lock:
        index = StreetIndex(entries)
        _index.update(version=version, index=index, areas=areas)
    return index, areas


# ---- geocode --------------------------------------------------------------------------------


LEVEL_RANK = {"plate": 0, "interpolated": 1, "street": 2, "placename": 3, "area": 4}


@dataclass
class GeocodeResult:
    level: str  # plate / interpolated / street / placename / area
    score: float
    lon: float
    lat: float
    address: str
    matched: dict
    is_demo: bool = False
    ids: dict = field(default_factory=dict)
    note: str = ""
    warnings: list[dict] = field(default_factory=list)  # {"code", "message"} in Chinese
    # The address's parts (city, county, township, street, number, name) for GeocodeJSON.
    parts: dict = field(default_factory=dict)
    distance_m: float | None = None  # from the location bias point, when one was given

    @property
    def interpolated(self) -> bool:
        return self.level == "interpolated"


@dataclass(frozen=True)
class StructuredQuery:
    """An address given field by field (street=, number=, district=, township=)."""

    street: str
    number: str | None = None
    district: str | None = None
    township: str | None = None


_STREET_SQL = """
    SELECT s.id, s.name, s.base_end, s.numbering_mode, s.metres_per_number, s.odd_side,
           ST_Length(s.line_4552), s.is_demo,
           coalesce(t.name, ''), coalesce(c.name, ''), coalesce(city.name, '鹤岗市')
    FROM addresses_street s
    LEFT JOIN boundaries_administrativearea t ON t.id = s.township_id
    LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
    LEFT JOIN boundaries_administrativearea city ON city.id = c.parent_id
    WHERE s.id = %s
"""
_PLATE_SQL = """
    SELECT p.id, ST_X(p.point_4490), ST_Y(p.point_4490), p.is_demo, p.building, p.unit
    FROM addresses_doorplate p
    WHERE p.street_id = %s AND p.number = %s AND p.sub_number = %s AND p.status <> %s
    ORDER BY (p.building = %s AND p.unit = %s) DESC, p.id
    LIMIT 1
"""
# Known plates of the same parity around the number, with their chainage from the base end.
_NEIGHBOURS_SQL = """
    WITH s AS (SELECT line_4552, base_end, ST_Length(line_4552) AS len
               FROM addresses_street WHERE id = %(street)s),
    known AS (
        SELECT p.number,
               CASE WHEN s.base_end = 'start'
                    THEN ST_LineLocatePoint(s.line_4552, p.point_4552) * s.len
                    ELSE (1 - ST_LineLocatePoint(s.line_4552, p.point_4552)) * s.len END AS ch
        FROM addresses_doorplate p, s
        WHERE p.street_id = %(street)s AND p.sub_number = 0 AND p.status <> %(retired)s
          AND p.number %% 2 = %(parity)s
    )
    (SELECT number, ch FROM known WHERE number <= %(below)s ORDER BY number DESC LIMIT 1)
    UNION ALL
    (SELECT number, ch FROM known WHERE number > %(number)s ORDER BY number ASC LIMIT 1)
"""
_POINT_AT_SQL = """
    SELECT ST_X(g), ST_Y(g) FROM (
        SELECT ST_Transform(ST_LineInterpolatePoint(line_4552,
            CASE WHEN base_end = 'start' THEN %(f)s ELSE 1 - %(f)s END), 4490) AS g
        FROM addresses_street WHERE id = %(street)s) q
"""


def _street_row(street_id: int) -> tuple:
    with connection.cursor() as cur:
        cur.execute(_STREET_SQL, [street_id])
        return cur.fetchone()


def _point_at(street_id: int, fraction: float) -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute(_POINT_AT_SQL, {"f": min(max(fraction, 0.0), 1.0), "street": street_id})
        return cur.fetchone()


def _full_address(city: str, county: str, township: str, street: str, number: str = "") -> str:
    return f"{PROVINCE}{city}{county}{township}{street}{number}"


def _interpolate(row: tuple, parsed: ParsedAddress) -> tuple[float, str, int | None] | None:
    """Return (chainage_m, note, last known number) for a missing plate number.

    The last known number is None when the number lies within the street's plates; None
    is returned when nothing is known.
    """
    street_id, _, _, mode, metres, _, length = row[:7]
    n = parsed.number
    if mode == "per_metre" and metres:
        # 按米放号: the number itself says where the door is; past the end it is no door.
        slot = (n - 1) // 2
        chainage = slot * metres + metres / 2
        if chainage > length + metres:
            last = int(length // metres) * 2 + (n % 2 or 2) - 2
            return length, f"按米放号，本街长 {length:.0f} 米", max(last, 1)
        return min(chainage, length), f"按米放号推算（每号 {metres:g} 米）", None
    with connection.cursor() as cur:
        cur.execute(
            _NEIGHBOURS_SQL,
            {
                "street": street_id,
                "retired": PlateStatus.RETIRED,
                "parity": n % 2,
                "number": n,
                # 27号之九 stands beside 27号: its base number counts as known.
                "below": n if parsed.sub_number else n - 1,
            },
        )
        rows = cur.fetchall()
    lower = next(((num, ch) for num, ch in rows if num <= n), None)
    if lower and lower[0] == n:
        return lower[1], f"定位到主号 {n}号 处", None
    upper = next(((num, ch) for num, ch in rows if num > n), None)
    if lower and upper:
        t = (n - lower[0]) / (upper[0] - lower[0])
        return (
            lower[1] + t * (upper[1] - lower[1]),
            f"在 {lower[0]}号 与 {upper[0]}号 之间按号数比例内插",
            None,
        )
    if lower or upper:
        num, ch = lower or upper
        return ch, f"定位到最近的已知门牌 {num}号", num
    return None


def _conflict_warnings(parsed: ParsedAddress, refs: dict, county: str, township: str) -> list:
    return [
        {"code": "area_conflict", "message": m}
        for m in area_conflicts(parsed.areas, refs, county=county, township=township)
    ]


def _street_results(match: StreetMatch, parsed: ParsedAddress, refs: dict) -> GeocodeResult:
    row = _street_row(match.entry.street_id)
    street_id, name, *_ = row
    length, is_demo, township, county, city = row[6:11]
    matched = {"street": name, "via": match.how, "areas": parsed.areas}
    if match.entry.is_former:
        matched["former_name"] = match.entry.name
    ids = {"street_id": street_id}
    parts = {"city": city, "county": county, "township": township, "street": name}
    warnings = _conflict_warnings(parsed, refs, county, township)
    score = match.score - (AREA_CONFLICT_PENALTY if warnings else 0.0)
    if parsed.number is not None:
        number_text = format_number(parsed.number, parsed.sub_number)
        matched["number"] = number_text
        with connection.cursor() as cur:
            cur.execute(
                _PLATE_SQL,
                [
                    street_id,
                    parsed.number,
                    parsed.sub_number,
                    PlateStatus.RETIRED,
                    parsed.building,
                    parsed.unit,
                ],
            )
            plate = cur.fetchone()
        if plate:
            return GeocodeResult(
                "plate",
                score,
                plate[1],
                plate[2],
                _full_address(city, county, township, name, number_text),
                matched,
                is_demo=plate[3],
                ids={**ids, "plate_id": plate[0]},
                warnings=warnings,
                parts={**parts, "number": number_text},
            )
        found = _interpolate(row, parsed)
        if found is not None:
            chainage, note, last_known = found
            lon, lat = _point_at(street_id, chainage / length if length else 0.5)
            if last_known is not None:
                matched["number_found"] = False
                message = (
                    f"门牌 {number_text} 超出本街已知门牌范围（最近的已知门牌 {last_known}号），"
                    "只匹配到街路"
                )
                return GeocodeResult(
                    "street",
                    max(score - BEYOND_RANGE_PENALTY, 0.0),
                    lon,
                    lat,
                    _full_address(city, county, township, name),
                    matched,
                    is_demo=is_demo,
                    ids=ids,
                    note=f"{message}；{note}",
                    warnings=[*warnings, {"code": "number_beyond_range", "message": message}],
                    parts=parts,
                )
            return GeocodeResult(
                "interpolated",
                max(score - INTERPOLATED_PENALTY, 0.0),
                lon,
                lat,
                _full_address(city, county, township, name, number_text),
                matched,
                is_demo=is_demo,
                ids=ids,
                note=f"门牌 {number_text} 未登记；{note}",
                warnings=warnings,
                parts={**parts, "number": number_text},
            )
    lon, lat = _point_at(street_id, 0.5)
    note = "未给出门牌号，定位到街路中点" if parsed.number is None else "街路上没有可参照的门牌"
    return GeocodeResult(
        "street",
        score - (5.0 if parsed.number is not None else 0.0),
        lon,
        lat,
        _full_address(city, county, township, name),
        matched,
        is_demo=is_demo,
        ids=ids,
        note=note,
        warnings=warnings,
        parts=parts,
    )


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


def _area_result(parsed: ParsedAddress) -> GeocodeResult | None:
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


def _archive_results(parsed: ParsedAddress, texts: list[str], *, limit: int) -> list[GeocodeResult]:
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
    for rank, place in sorted(found.values(), key=lambda f: f[0])[:limit]:
        point = place.point_4490
        if point is None:
            continue
        chain = _chain(place.division)
        note = "地名档案中的地名（非门牌地址）"
        if parsed.number is not None:
            note += f"；门牌号 {format_number(parsed.number, parsed.sub_number)} 未用于定位"
        out.append(
            GeocodeResult(
                "placename",
                ARCHIVE_SCORES.get(rank, 60.0) - (ARCHIVE_NUMBER_PENALTY if parsed.number else 0.0),
                point.x,
                point.y,
                PROVINCE
                + "".join(a.name for a in chain)
                + ("" if chain and chain[-1].name == place.standard_name else place.standard_name),
                {
                    "name": place.standard_name,
                    "via": ARCHIVE_VIA.get(rank, "near"),
                    "category": place.category.name,
                    "areas": parsed.areas,
                },
                is_demo=place.is_demo,
                ids={"place_code": place.place_code},
                note=note,
                parts={**_area_parts(chain), "name": place.standard_name},
            )
        )
    return out


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
    results = [_street_results(m, parsed, refs) for m in matches]
    area_only = bool(parsed.areas) and not parsed.street_text  # 向阳区: the area itself
    if not parsed.is_pinyin and not area_only and (not matches or matches[0].score < ARCHIVE_BELOW):
        texts = [r.street_text for r in readings if not r.areas] + [parsed.street_text]
        results += _archive_results(parsed, texts, limit=limit)
    if not results and parsed.areas:
        area = _area_result(parsed)
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
    """Set each result's distance_m from ``near`` and return its ranking bonus by id()."""
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
        out[id(r)] = BIAS_MAX * 0.5 ** (r.distance_m / BIAS_HALF_M)
    return out


# ---- reverse --------------------------------------------------------------------------------

_REVERSE_SQL = """
    SELECT p.id, p.number, p.sub_number, p.building, p.unit, p.is_demo,
           ST_X(p.point_4490), ST_Y(p.point_4490), ST_Distance(p.point_4552, q.g),
           s.id, s.name, coalesce(t.name, ''), coalesce(t.code, ''),
           coalesce(c.name, ''), coalesce(c.code, ''),
           coalesce(city.name, ''), coalesce(city.code, '')
    FROM (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4552) AS g) q
    CROSS JOIN LATERAL (
        SELECT * FROM addresses_doorplate d
        WHERE d.status <> %s
        ORDER BY d.point_4552 <-> q.g
        LIMIT 1
    ) p
    JOIN addresses_street s ON s.id = p.street_id
    LEFT JOIN boundaries_administrativearea t ON t.id = s.township_id
    LEFT JOIN boundaries_administrativearea c ON c.id = s.county_id
    LEFT JOIN boundaries_administrativearea city ON city.id = c.parent_id
"""


@dataclass
class ReverseResult:
    plate_id: int
    number_text: str
    building: str
    unit: str
    lon: float
    lat: float
    distance_m: float
    street: dict
    township: dict
    county: dict
    city: dict
    address: str
    is_demo: bool


def reverse(*, lon: float, lat: float) -> ReverseResult | None:
    """Return the nearest active door plate (metric KNN on EPSG:4552) with its full address."""
    # Projected here (cached pyproj transformer): PostGIS would build its PROJ object per query.
    x_m, y_m = to_metric(lon, lat)
    with connection.cursor() as cur:
        cur.execute(_REVERSE_SQL, [x_m, y_m, PlateStatus.RETIRED])
        row = cur.fetchone()
    if row is None:
        return None
    (pid, number, sub, building, unit, is_demo, plon, plat, dist,
     sid, sname, tname, tcode, cname, ccode, cityname, citycode) = row  # fmt: skip
    if not ccode:
        # A street entered without its county: take the areas from the polygons.
        for area in areas_at_point(lon=plon, lat=plat):
            if area.level == AreaLevel.COUNTY:
                cname, ccode = area.name, area.code
            elif area.level == AreaLevel.CITY:
                cityname, citycode = area.name, area.code
    number_text = format_number(number, sub)
    return ReverseResult(
        plate_id=pid,
        number_text=number_text,
        building=building,
        unit=unit,
        lon=plon,
        lat=plat,
        distance_m=round(dist, 1),
        street={"id": sid, "name": sname},
        township={"code": tcode, "name": tname},
        county={"code": ccode, "name": cname},
        city={"code": citycode, "name": cityname},
        address=_full_address(cityname, cname, tname, sname, number_text),
        is_demo=is_demo,
    )
