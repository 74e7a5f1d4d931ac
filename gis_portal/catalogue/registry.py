"""The layer catalogue: every app declares its layers in its own ``layers.py``.

``catalogue_register(CatalogueLayer(...))`` adds a layer; its editing facet (``edit``) goes
to the editor's registry (``gis_portal.editing.layers``) with the catalogue's key, label and
model, so a layer is declared once. ``catalogue_autodiscover`` imports every installed app's
``layers`` module at start-up (as ``django.contrib.admin`` does with ``admin.py``), in the
order of INSTALLED_APPS. Nothing here imports a domain app.

Who may read what is decided here and only here (``catalogue_visible``,
``catalogue_layer_for``): a caller who may not read a layer is told it does not exist, in
the same words as an unknown key, so a response never reveals a staff layer.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from gis_portal.accounts import user_roles
from gis_portal.catalogue.spec import STAFF_READERS, CatalogueLayer
from gis_portal.errors import NotFound

CATALOGUE: dict[str, CatalogueLayer] = {}
# What the editor draws for a layer of each geometry type.
GEOMETRY_KIND = {
    "Point": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "Geometry": "any",
}


def catalogue_register(*layers: CatalogueLayer) -> None:
    """Add ``layers`` to the catalogue (an app's ``layers.py`` calls this once)."""
    # Imported here: the editor's registry reads the catalogue's declarations, not the
    # other way round; the import is deferred so that the catalogue module loads alone.
    from gis_portal.editing.layers import layers_register

    for layer in layers:
        if layer.key in CATALOGUE:
            raise ImproperlyConfigured(f"图层 {layer.key} 已登记过")
        if layer.edit is not None:
            edit = dataclasses.replace(
                layer.edit,
                key=layer.key,
                label=layer.label,
                model=layer.model,
                geometry_kind=layer.edit.geometry_kind or GEOMETRY_KIND[layer.geometry_type],
                geometry_field=_column_of(layer.source.geometry_4490) or layer.edit.geometry_field,
                **_edit_parts(layer),
            )
            layers_register(edit)
            layer = dataclasses.replace(layer, edit=edit)
        CATALOGUE[layer.key] = layer


def _edit_parts(layer: CatalogueLayer) -> dict:
    """What the editing facet takes from its write skeleton and from the layer's source.

    ``writes`` gives the rules, update, delete and footprint (unless the facet names its
    own; its own rules need its own update); the ``feature_properties`` with the source's table, geometry and county make the
    editor's ``FeatureSpec`` (unless the facet gives one).
    """
    from gis_portal.editing.feature_io import FeatureSpec

    edit, parts = layer.edit, {}
    if edit.writes is not None:
        if edit.rules is not None and edit.update is None:
            # The editor would show one set of rules and the save check another.
            raise ImproperlyConfigured(
                f"图层 {layer.key} 另给了编辑规则（rules），也须给出按这些规则保存的 update"
            )
        parts = {
            "rules": edit.rules if edit.rules is not None else edit.writes.rules,
            "update": edit.update or edit.writes.update,
            "delete": edit.delete or edit.writes.delete,
            "footprint": edit.footprint or edit.writes.footprint,
        }
    if edit.features is None and edit.feature_properties:
        if layer.source.county is None:
            raise ImproperlyConfigured(f"图层 {layer.key} 的来源没有县级区域，编辑器无法按县载入")
        parts["features"] = FeatureSpec(
            table=layer.source.table,
            geometry=layer.source.geometry_4490,
            properties=edit.feature_properties,
            county=layer.source.county,
        )
    return parts


def _column_of(expression: str) -> str | None:
    """The model column of a ``t.<column>`` geometry expression (history and restore read
    it); None for an expression over several columns (the edit facet names its field)."""
    head, _, column = expression.partition(".")
    return column if head == "t" and column.isidentifier() else None


def catalogue_unregister(key: str) -> None:
    """Remove a layer (tests that register an example layer clean up with this)."""
    from gis_portal.editing.layers import LAYER_OF_MODEL, LAYERS

    layer = CATALOGUE.pop(key)
    if layer.edit is not None:
        LAYERS.pop(key, None)
        LAYER_OF_MODEL.pop(layer.model, None)


def catalogue_autodiscover() -> None:
    autodiscover_modules("layers")


def user_is_staff_reader(user) -> bool:
    """Whether ``user`` reads staff fields: signed in, active, and holding a staff role."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(set(user_roles(user)) & set(STAFF_READERS))


def may_read(layer: CatalogueLayer, user) -> bool:
    if layer.read_roles is None:
        return True
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(set(user_roles(user)) & set(layer.read_roles))


def catalogue_visible(user) -> list[CatalogueLayer]:
    """The layers ``user`` may read (anonymous: the public ones), in registration order."""
    return [layer for layer in CATALOGUE.values() if may_read(layer, user)]


def catalogue_layer_for(key: str, user) -> CatalogueLayer:
    """Return layer ``key`` if ``user`` may read it; else the same 404 as an unknown key."""
    layer = CATALOGUE.get(key)
    if layer is None or not may_read(layer, user):
        raise NotFound(f"没有名为 {str(key)[:40]} 的图层")
    return layer


# The sharing API (OGC API Features): a staff layer is read there only with an API key of
# this scope, by an account that may read the layer, or by a department account when the
# layer is one every staff role reads (STAFF_READERS): lines and markers are shared with
# other departments, a layer kept to some roles is not.
SHARED_READ_SCOPE = "ogc:read"
DEPARTMENT_ROLE = "department"


def may_read_shared(layer: CatalogueLayer, user, *, scopes: frozenset[str]) -> bool:
    """Whether ``user``, calling with a key of ``scopes``, may read ``layer`` when shared."""
    if layer.read_roles is None:
        return True
    if SHARED_READ_SCOPE not in scopes:
        return False
    if may_read(layer, user):
        return True
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return layer.read_roles == STAFF_READERS and DEPARTMENT_ROLE in user_roles(user)


def catalogue_shared_visible(user, *, scopes: frozenset[str]) -> list[CatalogueLayer]:
    """The layers the sharing API lists to ``user`` with a key of ``scopes``."""
    return [layer for layer in CATALOGUE.values() if may_read_shared(layer, user, scopes=scopes)]


def catalogue_shared_layer_for(key: str, user, *, scopes: frozenset[str]) -> CatalogueLayer:
    """Layer ``key`` if the sharing API may give it to ``user``; else the 404 of an unknown key."""
    layer = CATALOGUE.get(key)
    if layer is None or not may_read_shared(layer, user, scopes=scopes):
        raise NotFound(f"没有名为 {str(key)[:40]} 的图层")
    return layer
