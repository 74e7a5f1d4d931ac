"""The write skeleton of an editable layer, written once (``FeatureWrites``).

Every update and delete of a feature, from the editor, the API, the admin or an approval,
runs the same steps in the same order:

    parse the body against the layer's rules (nothing touched yet)
    → history context (who, from where, why) → transaction
    → row lock → version check → the caller's refusal of the row (``write(refuse=…)``)
    → city check of a new geometry → edit-scope check (the indexed path of
      ``gis_portal.editing.scope``)
    → the layer's own checks → its values applied (``apply``) → save
    → the layer's after-write (e.g. tile invalidation);
    a delete: row lock → version → edit scope → ``before_delete`` → delete → ``after_delete``.

A layer gives only what differs, as hooks; its ``layers.py`` hands the ``FeatureWrites`` to
its editing facet (``Layer(writes=…)``), whose update and delete services it becomes. An
approval writes values cleaned by its own rules through ``write``. New features are too
different to share one body (a plate's number is proposed, a street gets its county); they
run their checks inside ``writes.creating(...)``, which opens the same context and checks
the new geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from shapely.geometry.base import BaseGeometry

from gis_portal.editing.attributes import changes_clean, comment_clean
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.scope import Footprint, footprint_check, scope_check
from gis_portal.editing.write_checks import city_check, feature_lock, version_check
from gis_portal.history import history_context


def geos_4490(geom: BaseGeometry) -> GEOSGeometry:
    """A parsed (shapely) geometry as the EPSG:4490 GEOS geometry a model stores."""
    return GEOSGeometry(memoryview(geom.wkb), srid=4490)


def _geometry_to_column(values: dict, column: str) -> None:
    if "geometry" in values:
        values[column] = geos_4490(values.pop("geometry"))


@dataclass(frozen=True)
class FeatureWrites:
    """Update and delete of one layer's features; hooks for what the layer does differently.

    - ``prepare(values)``: turn the parsed values into model values before the transaction
      (default: the ``geometry`` value becomes the GEOS geometry of ``geometry_field``);
      raise ``InvalidEdit`` for what needs no database.
    - ``check(obj, values, topology_check=)``: the layer's rules on the locked row and the
      new values (raise ``InvalidEdit``/``Conflict``); may add derived values to ``values``.
    - ``apply(obj, values, user)``: set the values on the locked row and return the fields
      to save (default: each value on its field), e.g. a place name's rename that keeps the
      former name and recomputes its pinyin and search keys.
    - ``after_write(obj, old_geometry, new_geometry)``: after the save, inside the
      transaction (e.g. invalidate cached tiles of both places).
    - ``before_delete(obj)``: refuse a delete (``Conflict``); ``after_delete(obj,
      old_geometry)`` after it.
    - ``delete_row(obj)``: how the row is deleted (default ``obj.delete()``).
    - ``footprint(obj)``: where a feature is for the edit scope when it is more than its
      geometry (e.g. a line not yet converted is where its two areas are); default: the
      old and the new geometry.
    - ``refused_fields``: fields a body may not carry here, each with the reason (e.g. a
      street's name changes only through a renaming request).
    """

    model: Any
    geometry_field: str
    rules: Mapping[str, object]
    prepare: Callable[[dict], None] | None = None
    check: Callable[..., None] | None = None
    apply: Callable[..., list[str]] | None = None
    after_write: Callable[..., None] | None = None
    before_delete: Callable[[Any], None] | None = None
    after_delete: Callable[..., None] | None = None
    delete_row: Callable[[Any], None] | None = None
    refused_fields: Mapping[str, str] = field(default_factory=dict)
    footprint: Callable[[Any], Footprint] | None = None

    def _scope_check(self, user, obj, old_geom, new_geom) -> None:
        if self.footprint is None:
            scope_check(user, old_geom, new_geom)
        else:
            footprint_check(user, self.footprint(obj) + Footprint.of(new_geom))

    def update(self, *, changes: Mapping, **write):
        """Apply ``changes`` (attributes, geometry, comment) to a feature; return it.

        ``write``: ``pk``, ``expected_version``, ``user``, ``source`` and ``topology_check``
        as ``write`` takes them, after the body is parsed against the layer's rules.
        """
        if isinstance(changes, Mapping):
            for name, reason in self.refused_fields.items():
                if name in changes:
                    raise InvalidEdit(name, reason)
        values, comment = changes_clean(changes, self.rules)
        return self.write(values=values, comment=comment, **write)

    def write(
        self,
        *,
        pk: int,
        expected_version: int | None,
        values: dict,
        comment: str,
        user,
        source: str = "api",
        topology_check: bool = True,
        refuse: Callable[[Any], None] | None = None,
    ):
        """Write values already cleaned (by ``update``, or by an approval's own rules) to
        feature ``pk``; ``refuse(obj)`` is the caller's own check of the locked row."""
        if self.prepare is not None:
            self.prepare(values)
        else:
            _geometry_to_column(values, self.geometry_field)
        with history_context(user=user, comment=comment, source=source), transaction.atomic():
            obj = feature_lock(self.model, pk)
            version_check(obj, expected_version)
            if refuse is not None:
                refuse(obj)
            old_geom = getattr(obj, self.geometry_field)
            new_geom = values.get(self.geometry_field)
            if new_geom is not None:
                city_check(new_geom)
            self._scope_check(user, obj, old_geom, new_geom)
            if self.check is not None:
                self.check(obj, values, topology_check=topology_check)
            if self.apply is not None:
                fields = self.apply(obj, values, user)
            else:
                for name, value in values.items():
                    setattr(obj, name, value)
                fields = list(values)
            obj.save(update_fields=fields)
            obj.refresh_from_db(fields=["version"])
            if self.after_write is not None:
                self.after_write(obj, old_geom, new_geom)
        return obj

    def delete(
        self, *, pk: int, expected_version: int | None, comment, user, source: str = "api"
    ) -> None:
        """Delete feature ``pk`` unless the layer refuses (``before_delete``)."""
        comment = comment_clean(comment)
        with history_context(user=user, comment=comment, source=source), transaction.atomic():
            obj = feature_lock(self.model, pk)
            version_check(obj, expected_version)
            old_geom = getattr(obj, self.geometry_field)
            self._scope_check(user, obj, old_geom, None)
            if self.before_delete is not None:
                self.before_delete(obj)
            if self.delete_row is not None:
                self.delete_row(obj)
            else:
                obj.delete()
            if self.after_delete is not None:
                self.after_delete(obj, old_geom)

    @contextmanager
    def creating(
        self, *, user, comment: str, source: str, geometry: GEOSGeometry
    ) -> Iterator[None]:
        """The context of a new feature's write: history, transaction, city and scope checks
        of its geometry; the layer's own checks and insert run inside."""
        with history_context(user=user, comment=comment, source=source), transaction.atomic():
            city_check(geometry)
            scope_check(user, geometry)
            yield
