"""How common each character gram of the archive's names is, from PostgreSQL's statistics.

ANALYZE keeps, for the GIN expression index ``placename_search_grams_gin``, the most
common grams and the share of names holding each (``pg_stats.most_common_elems``), and the
table's row estimate (``pg_class.reltuples``). The search reads them to choose how its
substring branch runs (placenames.search_plan); they are read once per process and
again after GRAM_STATS_TTL_S, as autovacuum's ANALYZE refreshes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gis_portal.db_routers import read_connection

GRAM_INDEX = "placename_search_grams_gin"
GRAM_STATS_TTL_S = 600.0


@dataclass(frozen=True)
class GramStats:
    rows: float  # the archive's estimated row count (0 before the first ANALYZE)
    frequency: dict[str, float] = field(default_factory=dict)
    read_at: float = 0.0  # time.monotonic()


_cached: GramStats | None = None


def gram_stats() -> GramStats:
    """Return the archive's gram frequencies, read at most every GRAM_STATS_TTL_S."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached.read_at < GRAM_STATS_TTL_S:
        return _cached
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT greatest(c.reltuples, 0), s.most_common_elems::text::text[],"
            " s.most_common_elem_freqs FROM pg_class c"
            " LEFT JOIN pg_stats s ON s.tablename = %s AND s.attname = 'placename_grams'"
            " WHERE c.oid = 'placenames_placename'::regclass",
            [GRAM_INDEX],
        )
        row = cursor.fetchone()
    rows, grams, freqs = row if row else (0.0, None, None)
    # The frequencies are followed by their minimum, maximum and the null share: zip stops.
    frequency = dict(zip(grams or [], freqs or [], strict=False))
    _cached = GramStats(rows=float(rows), frequency=frequency, read_at=now)
    return _cached


def gram_stats_forget() -> None:
    """Read the statistics again on next use (after an ANALYZE, in tests)."""
    global _cached
    _cached = None
