"""GeocodeJSON output of the geocoder (the draft spec Nominatim and Photon emit; no Django).

Spec: https://github.com/geocoders/geocodejson-spec/tree/master/draft (version 0.1.0).
The spec's keys are not exclusive: each feature's ``geocoding`` also carries this
service's ``match_level``, ``score`` and ``warnings``. Administrative levels follow
OpenStreetMap's admin_level for China: 4 province, 5 prefecture city, 6 county/district,
8 township (街道/乡镇).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

VERSION = "0.1.0"
ATTRIBUTION = "鹤岗市民政局地名与门牌地址数据"
PROVINCE = "黑龙江省"
# GeocodeJSON "type" of each result level.
TYPES = {
    "plate": "house",
    "interpolated": "house",
    "street": "street",
    "placename": "locality",
}


class Result(Protocol):
    level: str
    score: float
    lon: float
    lat: float
    address: str
    ids: dict
    parts: dict
    warnings: list[dict]
    note: str
    is_demo: bool
    distance_m: float | None


def _type(r: Result) -> str:
    if r.level != "area":
        return TYPES[r.level]
    if r.parts.get("township"):
        return "district"
    return "county" if r.parts.get("county") else "city"


def _id(r: Result) -> str:
    for key in ("plate_id", "place_code", "area_code"):
        if key in r.ids:
            return f"{key.removesuffix('_id').removesuffix('_code')}:{r.ids[key]}"
    number = r.parts.get("number", "") if r.level == "interpolated" else ""
    return f"street:{r.ids.get('street_id')}" + (f":{number}" if number else "")


def feature(r: Result) -> dict[str, Any]:
    """Return one result as a GeocodeJSON feature."""
    parts = r.parts
    street = parts.get("street") or None
    number = parts.get("number") or None
    name = parts.get("name") or (f"{street}{number or ''}" if street else None)
    admin = {"level4": PROVINCE}
    for level, key in (("level5", "city"), ("level6", "county"), ("level8", "township")):
        if parts.get(key):
            admin[level] = parts[key]
    geocoding = {
        "id": _id(r),
        "type": _type(r),
        "confidence": round(max(min(r.score, 100.0), 0.0) / 100, 3),
        "label": r.address,
        "name": name,
        "housenumber": number,
        "street": street,
        "city": parts.get("city") or None,
        "county": parts.get("county") or None,
        "district": parts.get("township") or None,
        "state": PROVINCE,
        "country": "中国",
        "country_code": "cn",
        "admin": admin,
        "match_level": r.level,
        "score": round(r.score, 1),
        "warnings": r.warnings,
        "note": r.note,
        "is_demo": r.is_demo,
    }
    if r.distance_m is not None:
        geocoding["distance_m"] = r.distance_m
    return {
        "type": "Feature",
        "properties": {"geocoding": geocoding},
        "geometry": {"type": "Point", "coordinates": [round(r.lon, 7), round(r.lat, 7)]},
    }


def feature_collection(query: str | dict, results: Sequence[Result]) -> dict[str, Any]:
    """Return the results as a GeocodeJSON FeatureCollection (warnings of all in messages)."""
    warn = [w["message"] for r in results[:1] for w in r.warnings]
    geocoding: dict[str, Any] = {"version": VERSION, "attribution": ATTRIBUTION, "query": query}
    if warn:
        geocoding["messages"] = {"warn": warn}
    return {
        "type": "FeatureCollection",
        "geocoding": geocoding,
        "features": [feature(r) for r in results],
    }
