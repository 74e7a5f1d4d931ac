"""Address search (geocode) and reverse lookup: reads over streets and door plates."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from boundaries.models import AdministrativeArea, AreaLevel
from boundaries.selectors import areas_at_point
from gis_portal.metric_crs import to_metric
from placenames.addresses.address_parse import (
    ParsedAddress,
    StreetEntry,
    StreetIndex,
    StreetMatch,
    entry_pinyin,
    match_streets,
    parse,
)
from placenames.addresses.models import PlateStatus
from placenames.addresses.numbering import format_number

PROVINCE = "黑龙江省"
INTERPOLATED_PENALTY = 10.0
ALTERNATIVE_WINDOW = 15.0


# ---- the street index (names, former names, pinyin), rebuilt when streets change --------

_index_lock = threading.Lock()
_index: dict = {"version": None, "index": StreetIndex([]), "areas": []}

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


def street_index() -> tuple[StreetIndex, list[str]]:
    """Return the street entries and the area names; rebuilt only when streets changed."""
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
    areas = list(
        AdministrativeArea.objects.filter(
            valid_to__isnull=True,
            level__in=[AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP],
            code__startswith=settings.HEGANG_CITY_CODE[:4],
        ).values_list("name", flat=True)
    )
    with _index_lock:
        index = StreetIndex(entries)
        _index.update(version=version, index=index, areas=areas)
    return index, areas


# ---- geocode --------------------------------------------------------------------------------


@dataclass
class GeocodeResult:
    level: str  # plate / interpolated / street / area
    score: float
    lon: float
    lat: float
    address: str
    matched: dict
    is_demo: bool = False
    ids: dict = field(default_factory=dict)
    note: str = ""

    @property
    def interpolated(self) -> bool:
        return self.level == "interpolated"


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
    (SELECT number, ch FROM known WHERE number < %(number)s ORDER BY number DESC LIMIT 1)
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


def _interpolate(row: tuple, parsed: ParsedAddress) -> tuple[float, str] | None:
    """Return (chainage_m, note) for a missing plate number, or None when nothing is known."""
    street_id, _, _, mode, metres, _, length = row[:7]
    n = parsed.number
    if mode == "per_metre" and metres:
        # 按米放号: the number itself says where the door is.
        slot = (n - 1) // 2
        return min(slot * metres + metres / 2, length), f"按米放号推算（每号 {metres:g} 米）"
    with connection.cursor() as cur:
        cur.execute(
            _NEIGHBOURS_SQL,
            {"street": street_id, "retired": PlateStatus.RETIRED, "parity": n % 2, "number": n},
        )
        rows = cur.fetchall()
    lower = next(((num, ch) for num, ch in rows if num < n), None)
    upper = next(((num, ch) for num, ch in rows if num > n), None)
    if lower and upper:
        t = (n - lower[0]) / (upper[0] - lower[0])
        return (
            lower[1] + t * (upper[1] - lower[1]),
            f"在 {lower[0]}号 与 {upper[0]}号 之间按号数比例内插",
        )
    if lower or upper:
        num, ch = lower or upper
        return ch, f"超出已知门牌范围，定位到最近的已知门牌 {num}号"
    return None


def _street_results(match: StreetMatch, parsed: ParsedAddress) -> GeocodeResult:
    row = _street_row(match.entry.street_id)
    street_id, name, *_ = row
    length, is_demo, township, county, city = row[6:11]
    matched = {"street": name, "via": match.how, "areas": parsed.areas}
    if match.entry.is_former:
        matched["former_name"] = match.entry.name
    ids = {"street_id": street_id}
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
                match.score,
                plate[1],
                plate[2],
                _full_address(city, county, township, name, number_text),
                matched,
                is_demo=plate[3],
                ids={**ids, "plate_id": plate[0]},
            )
        found = _interpolate(row, parsed)
        if found is not None:
            chainage, note = found
            lon, lat = _point_at(street_id, chainage / length if length else 0.5)
            return GeocodeResult(
                "interpolated",
                max(match.score - INTERPOLATED_PENALTY, 0.0),
                lon,
                lat,
                _full_address(city, county, township, name, number_text),
                matched,
                is_demo=is_demo,
                ids=ids,
                note=f"门牌 {number_text} 未登记；{note}",
            )
    lon, lat = _point_at(street_id, 0.5)
    note = "未给出门牌号，定位到街路中点" if parsed.number is None else "街路上没有可参照的门牌"
    return GeocodeResult(
        "street",
        match.score - (5.0 if parsed.number is not None else 0.0),
        lon,
        lat,
        _full_address(city, county, township, name),
        matched,
        is_demo=is_demo,
        ids=ids,
        note=note,
    )


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
    chain = []
    node = area
    while node is not None:
        chain.append(node.name)
        node = node.parent
    return GeocodeResult(
        "area",
        70.0,
        point.x,
        point.y,
        PROVINCE + "".join(reversed(chain)),
        {"area": area.name, "area_code": area.code, "areas": parsed.areas},
        is_demo=area.is_demo,
        ids={"area_code": area.code},
        note=""
        if area.geom_4490 is not None
        else f"{area.name}暂无边界数据，定位到{with_geom.name}",
    )


def geocode(q: str, *, limit: int = 5) -> tuple[ParsedAddress, list[GeocodeResult]]:
    """Return the parsed query and its results, best first: plate, else street, else area."""
    index, area_names = street_index()
    parsed = parse(q, area_names=area_names)
    matches = match_streets(parsed, index, limit=limit)
    if matches:
        # Alternatives far below the best match are noise (幸福街 for 新华街): not looked up.
        matches = [m for m in matches if m.score >= matches[0].score - ALTERNATIVE_WINDOW]
    results = [_street_results(m, parsed) for m in matches]
    if not results and parsed.areas:
        area = _area_result(parsed)
        results = [area] if area else []
    level_rank = {"plate": 0, "interpolated": 1, "street": 2, "area": 3}
    results.sort(key=lambda r: (-r.score, level_rank[r.level]))
    if results:
        # Alternatives far below the best are noise (幸福街 for 新华街), not candidates.
        results = [r for r in results if r.score >= results[0].score - ALTERNATIVE_WINDOW]
    return parsed, results[:limit]


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
