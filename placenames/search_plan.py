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

A prefix (``standard_name LIKE '南山%'``) is also written as the range of the pattern index
it covers, ``['南山', '南屲')`` (``prefix_upper_bound``). PostgreSQL derives that range
itself only from a constant pattern; the served portal's public lookups run prepared
(gis_portal/db_backend), and the generic plan PostgreSQL keeps for such a statement, with
the pattern a parameter, read the whole table instead: 0.6–1.3 ms of the database's time
per prefix branch of every search on the demo's 5,611 names (auto_explain of the load
bench's queries), far more on a larger archive.
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


# The last code point, and the surrogates UTF-8 cannot hold (PostgreSQL's text is UTF-8 here).
_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def prefix_upper_bound(prefix: str) -> str | None:
    """Return the least string above every string that begins with ``prefix``, or None.

    In byte order (the pattern operators ``~<~``, ``~>=~``), which for UTF-8 is code point
    order: the strings beginning with ``prefix`` are exactly those in ``[prefix, bound)``.
    The bound is ``prefix`` with its last character raised by one, after dropping trailing
    characters that cannot be raised; None when there is no bound (empty, or all U+10FFFF).
    """
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if code in _SURROGATES:
            code = _SURROGATES.stop
        if code <= _MAX_CODE_POINT:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return None
