"""The boundary layers of the editor and the change requests (界线, 界桩)."""

from __future__ import annotations

from boundaries import edit_services, record_services
from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.editing.layers import BOUNDARY_EDITORS, Layer, layers_register
from gis_portal.editing.models import ChangeKind

layers_register(
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
)
