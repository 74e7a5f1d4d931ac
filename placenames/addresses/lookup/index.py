"""The street index (names, former names, pinyin) and the areas, rebuilt when streets change."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection

from boundaries.models import AdministrativeArea, AreaLevel
from placenames.addresses.address_parse import (
    AreaRef,
    StreetEntry,
    StreetIndex,
    entry_pinyin,
)

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
