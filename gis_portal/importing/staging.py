"""The COPY-speed writer: validated rows go to a temporary staging table by COPY.

A layer's ``write`` then moves them into its tables with a few set-based statements
(INSERT … SELECT, UPDATE … FROM), and its database checks (duplicates, references) are
queries over the staging table — a million rows cost seconds, not a million round trips.
The table lives inside the import's transaction (ON COMMIT DROP): a failed, refused or
killed import leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

STAGING_TABLE = "import_staging"


def staging_create(cursor, columns: Sequence[tuple[str, str]]) -> str:
    """Create the staging table (``line`` first, then ``columns`` as (name, SQL type))."""
    defs = ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    cursor.execute(f'DROP TABLE IF EXISTS "{STAGING_TABLE}"')
    cursor.execute(
        f'CREATE TEMP TABLE "{STAGING_TABLE}" (line integer PRIMARY KEY, {defs}) ON COMMIT DROP'
    )
    return STAGING_TABLE


class StagingCopy:
    """A COPY … FROM STDIN into the staging table, written row by row."""

    def __init__(self, cursor, table: str, columns: Sequence[str]) -> None:
        names = ", ".join(f'"{c}"' for c in ("line", *columns))
        self._copy_cm = cursor.copy(f'COPY "{table}" ({names}) FROM STDIN')
        self.rows = 0

    def __enter__(self) -> StagingCopy:
        self._copy = self._copy_cm.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._copy_cm.__exit__(*exc)

    def write(self, line: int, values: Iterable[object]) -> None:
        self._copy.write_row((line, *values))
        self.rows += 1


def staged_lines(cursor, sql: str, params: Sequence = ()) -> list[tuple]:
    """Run a check over the staging table; return its rows (line first)."""
    cursor.execute(sql, params)
    return cursor.fetchall()
