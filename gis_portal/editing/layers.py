"""The editable layers, as data: model, geometry kind, roles, rules and write services.

Adding a layer (place names, streets, door plates, facilities next) means adding one entry
here; the write API, history, restore, change requests and the editor read this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models

from boundaries import edit_services
from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.editing.models import ChangeKind
from gis_portal.errors import NotFound


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    model: type[models.Model]
    geometry_kind: str  # "point" | "line"
    editor_roles: tuple[str, ...]
    change_kind: str
    rules: Mapping[str, object]
    # update(pk=, expected_version=, changes=, user=, source=) → obj
    update: Callable
    # delete(pk=, expected_version=, comment=, user=, source=) → None
    delete: Callable
    label_of: Callable[[models.Model], str]
    # recheck(pks) → None: the layer's topology rules on the current rows, after a batch
    recheck: Callable[[list[int]], None]


BOUNDARY_EDITORS = ("boundary_officer", "administrator")

LAYERS: dict[str, Layer] = {
    layer.key: layer
    for layer in (
        Layer(
            key="boundary-lines",
            label="行政区域界线",
            model=BoundaryLine,
            geometry_kind="line",
            editor_roles=BOUNDARY_EDITORS,
            change_kind=ChangeKind.BOUNDARY_LINE,
            rules=edit_services.LINE_RULES,
            update=lambda *, pk, **kw: edit_services.line_update(line_id=pk, **kw),
            delete=lambda *, pk, **kw: edit_services.line_delete(line_id=pk, **kw),
            label_of=lambda obj: f"{obj.code} {obj.name}",
            recheck=lambda pks: edit_services.topology_recheck(line_ids=pks, marker_ids=[]),
        ),
        Layer(
            key="boundary-markers",
            label="界桩",
            model=BoundaryMarker,
            geometry_kind="point",
            editor_roles=BOUNDARY_EDITORS,
            change_kind=ChangeKind.BOUNDARY_MARKER,
            rules=edit_services.MARKER_RULES,
            update=lambda *, pk, **kw: edit_services.marker_update(marker_id=pk, **kw),
            delete=lambda *, pk, **kw: edit_services.marker_delete(marker_id=pk, **kw),
            label_of=lambda obj: obj.number,
            recheck=lambda pks: edit_services.topology_recheck(line_ids=[], marker_ids=pks),
        ),
    )
}
LAYER_OF_MODEL = {layer.model: layer for layer in LAYERS.values()}


def layer_get(key: str) -> Layer:
    try:
        return LAYERS[key]
    except KeyError:
        raise NotFound(f"没有名为 {key[:40]} 的可编辑图层") from None
