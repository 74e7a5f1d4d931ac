"""The history of an import: every row's event names the file, who imported and how.

``history_context`` (who, why, which path) lives in ``gis_portal.history``; the bulk-history
machinery (``bulk_history``, the event columns of ``history_events_write``) too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pghistory
from django.contrib.auth.models import User
from django.db.models import AutoField, Model

from gis_portal.history import bulk_history, history_context, history_events_write


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


def _event_columns(model: type[Model]) -> list[str]:
    """The columns pghistory's row trigger snapshots: the event model's tracked fields (the
    rule of ``bench.harness.history_events_write``)."""
    event = model.pgh_event_model
    tracked = {f.name for f in model._meta.fields}
    return [
        f.column
        for f in event._meta.fields
        if f.concrete and not isinstance(f, AutoField) and f.name in tracked
    ]


# The SQL here is built from model tables and the layer's constant statements only.


def write_with_history(
    cursor,
    model: type[Model],
    *,
    label: str,
    sql: str,
    alias: str | None = None,
    params: Sequence = (),
) -> int:
    """Run one bulk INSERT or UPDATE of ``model`` (``sql``, without RETURNING; ``alias`` the
    name it gives the model's table) and record one ``label`` ("insert"/"update") history
    event per written row, in the same statement; return the count.

    Without ``alias`` (the first kernel's form) ``sql`` ends in ``RETURNING <table>.id`` and
    the events are written by a second statement over those ids (slower on large files).

    The row trigger is bypassed for the statement (``bench.harness.bulk_history``: the
    per-row trigger grows to several ms a row in a million-row transaction) and the events
    are inserted from the statement's RETURNING rows — the values written, the version the
    trigger bumped — under the context in force, created once.
    """
    if alias is None:
        return _write_then_record(cursor, model, label=label, sql=sql, params=params)
    event = model.pgh_event_model
    columns = _event_columns(model)
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f'w."{c}"' for c in columns)
    with bulk_history(model, labels=(label,)):
        cursor.execute(
            f"""
            WITH written AS ({sql} RETURNING {alias}.*),
                 ctx AS MATERIALIZED (SELECT _pgh_attach_context() AS id),
                 events AS (
                    INSERT INTO "{event._meta.db_table}"
                        ({names}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)
                    SELECT {values}, now(), %s, w."{model._meta.pk.column}", ctx.id
                    FROM written w CROSS JOIN ctx
                    RETURNING 1)
            SELECT count(*) FROM events
            """,  # noqa: S608
            [*params, label],
        )
        # pgtrigger (and pghistory) put statements of their own before it: the count is the
        # last result.
        rows = cursor.fetchall()
        while cursor.nextset():
            rows = cursor.fetchall()
        return rows[0][0]


def _write_then_record(cursor, model: type[Model], *, label: str, sql: str, params) -> int:
    ids = f"import_ids_{model._meta.db_table}"
    cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{ids}" (id bigint) ON COMMIT DROP')
    cursor.execute(f'TRUNCATE "{ids}"')
    with bulk_history(model, labels=(label,)):
        cursor.execute(
            f'WITH written AS ({sql}) INSERT INTO "{ids}" SELECT id FROM written',  # noqa: S608
            params,
        )
    cursor.execute(f'SELECT count(*) FROM "{ids}"')  # noqa: S608
    count = cursor.fetchone()[0]
    if count:
        history_events_write(
            model,
            label=label,
            where=f't.id IN (SELECT id FROM "{ids}")',  # noqa: S608
        )
    return count
