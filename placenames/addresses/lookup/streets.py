"""Street answers: the door plate, an interpolated number, or the street itself."""

from __future__ import annotations

from django.db import connection

from placenames.addresses.address_parse import (
    ParsedAddress,
    StreetMatch,
    area_conflicts,
)
from placenames.addresses.lookup.results import (
    GeocodeResult,
    full_address,
)
from placenames.addresses.models import PlateStatus
from placenames.addresses.numbering import format_number

INTERPOLATED_PENALTY = 10.0
# A number past the street's last known plate is a street-level answer: scored below any
# interpolated plate, so a client that reads the score is not told it found the door.
BEYOND_RANGE_PENALTY = 20.0
# An area named in the query that the street is not in: the street may still be meant
# (people misremember districts), but the answer is doubtful and scored so.
AREA_CONFLICT_PENALTY = 20.0

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


def street_results(match: StreetMatch, parsed: ParsedAddress, refs: dict) -> GeocodeResult:
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

    def on_street(points: float, lon: float, lat: float, note: str, warned: list) -> GeocodeResult:
        """The street found without its door plate: a point on it, the address without number."""
        return GeocodeResult(
            "street",
            points,
            lon,
            lat,
            full_address(city, county, township, name),
            matched,
            is_demo=is_demo,
            ids=ids,
            note=note,
            warnings=warned,
            parts=parts,
        )

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
                full_address(city, county, township, name, number_text),
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
                return on_street(
                    max(score - BEYOND_RANGE_PENALTY, 0.0),
                    lon,
                    lat,
                    f"{message}；{note}",
                    [*warnings, {"code": "number_beyond_range", "message": message}],
                )
            return GeocodeResult(
                "interpolated",
                max(score - INTERPOLATED_PENALTY, 0.0),
                lon,
                lat,
                full_address(city, county, township, name, number_text),
                matched,
                is_demo=is_demo,
                ids=ids,
                note=f"门牌 {number_text} 未登记；{note}",
                warnings=warnings,
                parts={**parts, "number": number_text},
            )
    lon, lat = _point_at(street_id, 0.5)
    note = "未给出门牌号，定位到街路中点" if parsed.number is None else "街路上没有可参照的门牌"
    return on_street(score - (5.0 if parsed.number is not None else 0.0), lon, lat, note, warnings)
