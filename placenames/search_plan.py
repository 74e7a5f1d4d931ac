"""How the substring branch of a search reads the archive: the bigram index or the table (pure).

A name contains the query when the GIN index of its character grams holds every gram of
the query (``placename_grams``). PostgreSQL answers that with a bitmap of *every* matching
name before the branch's LIMIT can stop it: for a gram that a twentieth of a million names
carry (中心, 大街) that is 40,000 entries, about 16 ms, to keep 500 of them. Reading the
table in order until ``cap`` names match stops after about ``cap / f`` rows instead.

Both costs are about a fraction of a microsecond per row or entry (measured on the bench
archive: 0.43 µs per row scanned, 0.40 µs per bitmap entry), so the scan wins when
``cap / f < f × rows``, i.e. when the gram's frequency ``f`` exceeds ``sqrt(cap / rows)``:
2.2 % or more in a million names, 30 % in the demo's 5,611. Only a one-gram query with no
filter takes the scan: a rare combination of common grams, or a filter, could make the
scan read the whole table. Either way the same names are found, in the table's order.
"""

from __future__ import annotations

import math

# How many bitmap entries one row scanned costs (0.43 / 0.40 µs, see above).
SCAN_ROW_PER_BITMAP_ENTRY = 1.0


def scan_beats_index(*, frequency: float | None, rows: float, cap: int) -> bool:
    """Whether reading the table until ``cap`` matches beats the index's whole bitmap.

    ``frequency`` is the share of names holding the query's one gram (None: not among the
    statistics' most common grams, so rare: the index wins); ``rows`` the archive's size.
    """
    if frequency is None or frequency <= 0 or rows <= 0 or cap <= 0:
        return False
    return frequency > math.sqrt(cap * SCAN_ROW_PER_BITMAP_ENTRY / rows)
