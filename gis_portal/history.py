"""History and versions of every edited feature, for all apps: trackers, trigger, context.

Ground-floor machinery: the reference and domain apps declare their models with
``@pghistory.track(*history_trackers())`` and ``Meta.triggers = [version_bump_trigger()]``,
and every write service runs inside ``history_context``. Bulk writes (imports, the bench
generators) bypass the row triggers and write the same events set-wise (``bulk_history``,
``history_events_write``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.contrib.gis.db import models
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import AutoField, Model

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Every write from every path (editor, API, admin, bulk update, conversion, raw SQL) lands in
# the <Model>Event table through a row trigger; context (user, path, comment) is attached
# by pghistory.context. The version trigger bumps ``version`` on every UPDATE, so optimistic
# locking holds even for writes that bypass the services.
# (Trackers keep per-model state: a fresh set for each model.)


class TrackedFieldsChanged(pgtrigger.AnyChange):
    """The update-event condition: any tracked field changed, written to survive pg_restore.

    pgtrigger's own condition compares each field with ``IS DISTINCT FROM``, which resolves
    ``=`` by name when the trigger is created. pg_restore creates triggers with an empty
    search_path, where PostGIS's ``geometry = geometry`` is not visible and cannot be
    written schema-qualified inside ``IS DISTINCT FROM``: the CREATE TRIGGER fails and the
    restored table writes no history. Geometries are therefore compared as their EWKB
    (the ``geometry::bytea`` cast is found without the search path, and bytea equality
    lives in pg_catalog); EWKB differs whenever a vertex, the vertex order or the SRID does.
    A model whose every field is tracked keeps ``OLD.* IS DISTINCT FROM NEW.*``: a record
    comparison resolves its column operators when it runs, not by name.
    """

    def resolve(self, model: type[models.Model]) -> str:
        names = {model._meta.get_field(name).name for name in self.fields or ()}
        if not names or names == {f.name for f in model._meta.fields}:
            return "OLD.* IS DISTINCT FROM NEW.*"
        parts = []
        for field in sorted((model._meta.get_field(name) for name in names), key=lambda f: f.name):
            if not isinstance(field, models.Field):  # a reverse relation has no column
                raise ImproperlyConfigured(
                    f"{model.__name__} 的历史记录跟踪 {field.name!r}，它不是本表的列"
                )
            column = f'"{field.column}"'
            if isinstance(field, models.GeometryField):
                parts.append(f"OLD.{column}::bytea IS DISTINCT FROM NEW.{column}::bytea")
            else:
                parts.append(f"OLD.{column} IS DISTINCT FROM NEW.{column}")
        return " OR ".join(parts)


def history_trackers() -> tuple[pghistory.RowEvent, ...]:
    """Return a fresh set of insert, update and delete trackers for one model."""
    return (
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(condition=TrackedFieldsChanged()),
        pghistory.DeleteEvent(),
    )


def version_bump_trigger() -> pgtrigger.Trigger:
    """Return the trigger that bumps ``version`` on every UPDATE of a row."""
    return pgtrigger.Trigger(
        name="version_bump",
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        func="NEW.version := OLD.version + 1; RETURN NEW;",
    )


def history_context(*, user: User | None, comment: str, source: str, username: str = ""):
    """Return the pghistory context recording who changed what, why and through which path."""
    return pghistory.context(
        user=user.pk if user else None,
        username=user.get_username() if user else username,
        comment=comment,
        source=source,
    )


# ---- bulk writes with their history ------------------------------------------------------
#
# Bulk writes (imports, the bench generators) write up to a million rows in one statement or COPY. The per-row history
# trigger costs more per row the longer the transaction: its context lookup runs in a
# PL/pgSQL EXCEPTION block (a subtransaction per row) that upserts the context row, and in a
# 1M-row statement that grew from ~0.3 ms to several ms per row (10,000 plates 2.8 s, 20,000
# plates 8.2 s, context set). So bulk writes ignore the row triggers (``bulk_history``) and
# write the same events — every tracked column, the label, the row id, the context —
# with one INSERT … SELECT per table (``history_events_write``).


def bulk_history(*models: type[Model], labels: tuple[str, ...] = ("insert", "delete")):
    """Return a context manager ignoring the row history triggers of ``labels`` on ``models``."""
    return pgtrigger.ignore(
        *(f"{m._meta.label}:{label}_{label}" for m in models for label in labels)
    )


def history_events_write(model: type[Model], *, label: str, where: str, params=()) -> int:
    """Write a ``label`` history event for every row of ``model`` matching ``where``; return the count.

    The columns are those pghistory's row trigger writes (the event model's tracked fields);
    the context is the one in force (``pghistory.context``), created once for the statement.
    Call it after a bulk insert, or before a bulk delete, run under ``bulk_history``.
    """
    # Set on every model decorated with ``pghistory.track`` (unknown to the type stubs).
    event: type[Model] = getattr(model, "pgh_event_model")  # noqa: B009
    tracked = {f.name for f in model._meta.fields}
    columns = [
        f.column
        for f in event._meta.fields
        if f.concrete and not isinstance(f, AutoField) and f.name in tracked
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f't."{c}"' for c in columns)
    # Identifiers come from the model's metadata; ``where`` is the caller's constant SQL
    # (values go in ``params``).
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH ctx AS MATERIALIZED (SELECT _pgh_attach_context() AS id)
            INSERT INTO "{event._meta.db_table}"
                ({names}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)
            SELECT {values}, now(), %s, t."{model._meta.pk.column}", ctx.id
            FROM "{model._meta.db_table}" t, ctx
            WHERE {where}
            """,  # noqa: S608
            [label, *params],
        )
        return cur.rowcount
