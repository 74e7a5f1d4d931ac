"""The history of an import: every row's event names the file, who imported and how.

``history_context`` (who, why, which path) lives in ``gis_portal.history`` and the
bulk-history machinery in ``bench.harness`` for now; both move to the ground floor, and
this module is the one place the kernel imports them from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pghistory
from django.contrib.auth.models import User
from django.db.models import Model

from bench.harness import bulk_history, history_events_write
from gis_portal.history import history_context


@contextmanager
def import_history(
    *, source: str, file_name: str, layer: str, user: User | None, username: str
) -> Iterator[None]:
    """Record every write inside as ``source`` from ``file_name`` by ``user`` (or ``username``)."""
    with (
        history_context(
            user=user, comment=f"导入文件「{file_name}」", source=source, username=username
        ),
        pghistory.context(file=file_name, layer=layer),
    ):
        yield


def _ids_table(model: type[Model]) -> str:
    return f"import_ids_{model._meta.db_table}"


# The SQL here is built from model tables and the layer's constant statements only.


def write_with_history(
    cursor, model: type[Model], *, label: str, sql: str, params: Sequence = ()
) -> int:
    """Run one bulk INSERT or UPDATE of ``model`` ending in ``RETURNING <table>.id`` and
    record one ``label`` ("insert"/"update") history event per returned row; return the count.

    The row trigger is bypassed for the statement and the events written by one
    INSERT … SELECT instead (``bench.harness.bulk_history``: the per-row trigger grows to
    several ms a row in a million-row transaction), with the context in force.
    """
    ids = _ids_table(model)
    cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{ids}" (id bigint) ON COMMIT DROP')
    cursor.execute(f'TRUNCATE "{ids}"')
    with bulk_history(model, labels=(label,)):
        cursor.execute(
            f'WITH written AS ({sql}) INSERT INTO "{ids}" SELECT id FROM written',  # noqa: S608
            params,
        )
    # Not cursor.rowcount: pgtrigger prefixes its own statement while triggers are ignored.
    cursor.execute(f'SELECT count(*) FROM "{ids}"')  # noqa: S608
    count = cursor.fetchone()[0]
    if count:
        history_events_write(
            model,
            label=label,
            where=f't.id IN (SELECT id FROM "{ids}")',  # noqa: S608
        )
    return count
