"""The editable layers, as data: model, geometry kind, roles, rules and write services.

A ``Layer`` is the editing facet of a catalogue layer: an app declares it as the ``edit`` of
its ``CatalogueLayer`` (``gis_portal.catalogue``), which fills in the key, label, model,
geometry kind and field and registers it here. The write API, history, restore, change
requests, imports and the editor read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.feature_io import FeatureSpec
from gis_portal.editing.scope import Footprint
from gis_portal.errors import NotFound


def _applies_directly(**_kw) -> None:
    return None


def _rechecks_nothing(pks: list[int]) -> None:
    return None


@dataclass(frozen=True)
class ApprovedChange:
    """What a change request applies through its layer, on approval or on trial at submission.

    ``expected_version`` is the version the request was based on (None: a new feature);
    ``comment`` the history comment (the request's number and reason).
    """

    action: str  # ChangeAction: "create" | "update" | "delete"
    target_id: int | None
    expected_version: int | None
    proposed: Mapping[str, Any]
    comment: str
    user: Any  # the approving (or, on trial, the submitting) django User
    source: str = "approval"


@dataclass(frozen=True, kw_only=True)
class Layer:
    # Filled in from the catalogue layer this is the editing facet of.
    key: str = ""
    label: str = ""
    model: type[models.Model] | None = None
    geometry_kind: str = ""  # "point" | "line" | "polygon" | "any"
    editor_roles: tuple[str, ...]
    # The ChangeKind its change requests are filed under when ``request_kind`` names none;
    # None = the layer's edits apply directly and never go through approval (a change
    # request for it is refused).
    change_kind: str | None
    # The layer's write skeleton (``gis_portal.editing.writes.FeatureWrites``): when given,
    # ``rules``, ``update``, ``delete`` and ``footprint`` are its own (the catalogue fills
    # them in; a facet that names its own rules must give its own update too).
    writes: Any = None
    rules: Mapping[str, object] | None = None
    # update(pk=, expected_version=, changes=, user=, source=) → obj
    update: Callable | None = None
    # delete(pk=, expected_version=, comment=, user=, source=) → None
    delete: Callable | None = None
    label_of: Callable[[models.Model], str] = str
    # recheck(pks) → None: the layer's topology rules on the current rows, after a batch
    recheck: Callable[[list[int]], None] = _rechecks_nothing
    # request_kind(action=, proposed=) → ChangeKind or None: an edit that must go through
    # approval (a change request) instead of applying directly; None = applies directly.
    request_kind: Callable[..., str | None] = _applies_directly
    # apply_approved(ApprovedChange) → obj: how an approved request is applied (default:
    # update / delete).
    apply_approved: Callable | None = None
    # The model's EPSG:4490 geometry column (history, restore and diffs read it).
    geometry_field: str = "geom_4490"
    # create(changes=, user=, source=) → obj: a feature drawn in the editor; None = the
    # layer refuses direct creation with ``create_refusal`` (e.g. a new place name is a
    # naming request).
    create: Callable | None = None
    # The fields a new feature takes (the editor's form for drawn features).
    create_rules: Mapping[str, object] | None = None
    create_refusal: str = "该图层不能直接新建要素"
    # What the editor loads (one county) and shows of a feature, as GeoJSON built by
    # PostGIS; None = the layer has its own read API (boundaries). Usually declared as
    # ``feature_properties`` ((name, SQL) pairs, the label first): the catalogue builds the
    # spec from them and the layer's source (table, geometry, county).
    features: FeatureSpec | None = None
    feature_properties: tuple[tuple[str, str], ...] = ()
    # footprint(obj) → Footprint: where a feature is for the edit scope (who may write it
    # and read its change requests); None = its geometry field.
    footprint: Callable[[models.Model], Footprint] | None = None
    # review(kind=, target=, proposed=) → None: the layer's own check of a change request's
    # proposal before it is filed (InvalidEdit naming the field), e.g. the naming review.
    review: Callable[..., None] | None = None
    # announcement(kind=, target_id=) → dict: the announcement's standard fields of an
    # approved target (standard name, pinyin, division, location …); None = no defaults.
    announcement: Callable[..., dict] | None = None
    # False: a layer changed only through change requests on its own pages (division
    # adjustments of the areas), not drawn in the map editor.
    in_editor: bool = True

    def footprint_of(self, obj: models.Model) -> Footprint:
        if self.footprint is not None:
            return self.footprint(obj)
        return Footprint.of(getattr(obj, self.geometry_field, None))


BOUNDARY_EDITORS = ("boundary_officer", "administrator")
PLACENAME_EDITORS = ("placename_officer", "administrator")
FACILITY_EDITORS = ("planner", "administrator")

# The registry: each app declares its layers in its own ``layers.py`` (``layers_register``),
# imported at start-up by ``EditingConfig.ready`` (``autodiscover_modules("layers")``), in
# the order of INSTALLED_APPS. Nothing here imports a domain app.
LAYERS: dict[str, Layer] = {}
LAYER_OF_MODEL: dict[type[models.Model], Layer] = {}


def layers_register(*layers: Layer) -> None:
    """Add ``layers`` to the catalogue (an app's ``layers.py`` calls this once)."""
    for layer in layers:
        if not layer.key or layer.model is None or not layer.geometry_kind:
            raise ImproperlyConfigured("可编辑图层缺少键、模型或几何类型（应通过图层目录登记）")
        if layer.rules is None or layer.update is None or layer.delete is None:
            raise ImproperlyConfigured(f"可编辑图层 {layer.key} 缺少规则或写入服务（writes）")
        if layer.key in LAYERS or layer.model in LAYER_OF_MODEL:
            raise ImproperlyConfigured(f"图层 {layer.key} 或其模型已登记过")
        LAYERS[layer.key] = layer
        LAYER_OF_MODEL[layer.model] = layer


def layer_get(key: str) -> Layer:
    try:
        return LAYERS[key]
    except KeyError:
        raise NotFound(f"没有名为 {key[:40]} 的可编辑图层") from None


def layer_of_request(request) -> Layer:
    """Return the layer of a change request's target."""
    layer = LAYER_OF_MODEL.get(request.target_type.model_class())
    if layer is None:
        raise InvalidEdit("layer", f"对象类型 {request.target_type} 不是可编辑图层")
    return layer
