"""The street index (names, former names, pinyin) and the areas, rebuilt when streets change."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection

from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.public_cache import data_generation
from placenames.addresses.address_parse import (
    AreaRef,
    StreetEntry,
    StreetIndex,
    entry_pinyin,
)

# ---- the street index (names, former names, pinyin), rebuilt when streets change --------

_index_lock = threading.Lock()
_index: dict = {"generation": None, "version": None, "index": StreetIndex([]), "areas": {}}

# What the index is built from (streets, their former names, the areas' names); read only
# when the data generation moved since the last look, and the index rebuilt only when it
# differs: a door-plate edit moves the generation but leaves the streets as they were.
_VERSION_SQL = """
    SELECT (SELECT count(*) FROM addresses_street),
           (SELECT coalesce(max(id), 0) FROM addresses_street),
           (SELECT coalesce(sum(hashtext(name)), 0) FROM addresses_street),
           (SELECT count(*) FROM addresses_streetformername),
           (SELECT coalesce(sum(hashtext(name)), 0) FROM addresses_streetformername),
           (SELECT coalesce(sum(hashtext(name || level)), 0) FROM boundaries_administrativearea
            WHERE valid_to IS NULL)
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
    """Return the street entries and the areas by name; rebuilt only when they changed.

    A lookup on unchanged data costs one primary-key read (the data generation of
    gis_portal/public_cache.py, bumped by every committed write to these tables); the scan
    of the streets behind ``_VERSION_SQL`` (~1 ms of the database per geocode on 3,368
    streets) runs once per generation. Inside a transaction the committed generation cannot
    tell what the transaction itself wrote, so there the version is always read.
    """
    generation = None if connection.in_atomic_block else data_generation(connection)
    if generation is not None and generation == _index["generation"]:
        return _index["index"], _index["areas"]
    with connection.cursor() as cur:
        cur.execute(_VERSION_SQL)
        version = cur.fetchone()
        if version == _index["version"]:
            with _index_lock:
                _index["generation"] = generation
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
        _index.update(generation=generation, version=version, index=index, areas=areas)
    return index, areas
