"""History and versions of every edited feature, for all apps: trackers, trigger, context.

Ground-floor machinery: the reference and domain apps declare their models with
``@pghistory.track(*history_trackers())`` and ``Meta.triggers = [version_bump_trigger()]``,
and every write service runs inside ``history_context``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.contrib.gis.db import models
from django.core.exceptions import ImproperlyConfigured

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
