"""The editable layers, as data: model, geometry kind, roles, rules and write services.

Adding a layer (place names, streets, door plates, facilities next) means adding one entry
here; the write API, history, restore, change requests and the editor read this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models

from boundaries import edit_services, record_services
from boundaries.models import BoundaryLine, BoundaryMarker
from facilities import edit_services as facility_edit
from facilities.models import Facility
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.feature_io import FeatureSpec
from gis_portal.editing.models import ChangeKind
from gis_portal.editing.scope import Footprint
from gis_portal.errors import NotFound
from placenames import edit_services as placename_edit
from placenames.addresses import edit_services as address_edit
from placenames.addresses.models import DoorPlate, Street, StreetSign
from placenames.models import PlaceName


def _applies_directly(**_kw) -> None:
    return None


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    model: type[models.Model]
    geometry_kind: str  # "point" | "line"
    editor_roles: tuple[str, ...]
    # The ChangeKind its change requests are filed under when ``request_kind`` names none;
    # None = the layer's edits apply directly and never go through approval (a change
    # request for it is refused).
    change_kind: str | None
    rules: Mapping[str, object]
    # update(pk=, expected_version=, changes=, user=, source=) → obj
    update: Callable
    # delete(pk=, expected_version=, comment=, user=, source=) → None
    delete: Callable
    label_of: Callable[[models.Model], str]
    # recheck(pks) → None: the layer's topology rules on the current rows, after a batch
    recheck: Callable[[list[int]], None]
    # request_kind(action=, proposed=) → ChangeKind or None: an edit that must go through
    # approval (a change request) instead of applying directly; None = applies directly.
    request_kind: Callable[..., str | None] = _applies_directly
    # apply_approved(action=, target_id=, expected_version=, proposed=, comment=, user=)
    # → obj: how an approved request is applied (default: update / delete).
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
    # PostGIS; None = the layer has its own read API (boundaries).
    features: FeatureSpec | None = None
    # footprint(obj) → Footprint: where a feature is for the edit scope (who may write it
    # and read its change requests); None = its geometry field.
    footprint: Callable[[models.Model], Footprint] | None = None

    def footprint_of(self, obj: models.Model) -> Footprint:
        if self.footprint is not None:
            return self.footprint(obj)
        return Footprint.of(getattr(obj, self.geometry_field, None))


BOUNDARY_EDITORS = ("boundary_officer", "administrator")
PLACENAME_EDITORS = ("placename_officer", "administrator")
FACILITY_EDITORS = ("planner", "administrator")

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
            footprint=edit_services.line_footprint,
            create_refusal="界线依据界线协议书录入（边界导入或管理后台），不能在地图上直接新建",
            # Every change of a boundary goes in as a change request (approval applies it);
            # a new line only from a bulk import, which gives its code and areas.
            request_kind=record_services.line_request_kind,
            apply_approved=record_services.line_apply_approved,
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
            footprint=edit_services.marker_footprint,
            create_refusal="界桩依据联检成果录入（边界导入或管理后台），不能在地图上直接新建",
            request_kind=record_services.marker_request_kind,
            apply_approved=record_services.marker_apply_approved,
        ),
        Layer(
            key="placenames",
            label="地名",
            model=PlaceName,
            geometry_kind="any",  # point, line or polygon, as the category allows
            editor_roles=PLACENAME_EDITORS,
            change_kind=ChangeKind.RENAMING,
            rules=placename_edit.EDIT_RULES,
            update=lambda *, pk, **kw: placename_edit.placename_update(place_id=pk, **kw),
            delete=lambda *, pk, **kw: placename_edit.placename_delete(place_id=pk, **kw),
            label_of=lambda obj: f"{obj.standard_name}（{obj.place_code}）",
            recheck=lambda pks: None,
            request_kind=placename_edit.request_kind_of,
            apply_approved=placename_edit.placename_apply_approved,
            create_refusal="新地名须经审批：请提交命名申请（附综合评估、专家论证、征求意见报告）",
            # Drawn in the editor, a new name is saved as a naming request with these fields.
            create_rules=placename_edit.CREATE_RULES,
            features=placename_edit.PLACENAME_FEATURES,
            footprint=placename_edit.placename_footprint,
        ),
        Layer(
            key="streets",
            label="街路巷",
            model=Street,
            geometry_kind="line",
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            rules=address_edit.STREET_RULES,
            update=lambda *, pk, **kw: address_edit.street_update(street_id=pk, **kw),
            delete=lambda *, pk, **kw: address_edit.street_delete(street_id=pk, **kw),
            label_of=lambda obj: obj.name,
            recheck=address_edit.streets_recheck,
            create=address_edit.street_create,
            create_rules=address_edit.STREET_CREATE_RULES,
            features=address_edit.STREET_FEATURES,
        ),
        Layer(
            key="street-signs",
            label="路牌",
            model=StreetSign,
            geometry_kind="point",
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            rules=address_edit.SIGN_RULES,
            update=lambda *, pk, **kw: address_edit.sign_update(sign_id=pk, **kw),
            delete=lambda *, pk, **kw: address_edit.sign_delete(sign_id=pk, **kw),
            label_of=lambda obj: f"{obj.text_zh} {obj.get_kind_display()}",
            recheck=lambda pks: None,
            geometry_field="point_4490",
            create=address_edit.sign_create,
            create_rules=address_edit.SIGN_CREATE_RULES,
            features=address_edit.SIGN_FEATURES,
        ),
        Layer(
            key="door-plates",
            label="门牌",
            model=DoorPlate,
            geometry_kind="point",
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            rules=address_edit.PLATE_RULES,
            update=lambda *, pk, **kw: address_edit.plate_update(plate_id=pk, **kw),
            delete=lambda *, pk, **kw: address_edit.plate_delete(plate_id=pk, **kw),
            label_of=str,
            recheck=address_edit.plates_recheck,
            geometry_field="point_4490",
            create=address_edit.plate_create,
            create_rules=address_edit.PLATE_CREATE_RULES,
            features=address_edit.PLATE_FEATURES,
        ),
        Layer(
            key="facilities",
            label="民政设施",
            model=Facility,
            geometry_kind="point",
            editor_roles=FACILITY_EDITORS,
            change_kind=None,
            rules=facility_edit.FACILITY_RULES,
            update=lambda *, pk, **kw: facility_edit.facility_update(facility_id=pk, **kw),
            delete=lambda *, pk, **kw: facility_edit.facility_delete(facility_id=pk, **kw),
            label_of=lambda obj: obj.name,
            recheck=lambda pks: None,
            geometry_field="position_4490",
            create=facility_edit.facility_create,
            create_rules=facility_edit.FACILITY_CREATE_RULES,
            features=facility_edit.FACILITY_FEATURES,
        ),
    )
}
LAYER_OF_MODEL = {layer.model: layer for layer in LAYERS.values()}


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
