"""The facilities layer of the editor (民政设施, edited directly by planners)."""

from __future__ import annotations

from facilities import edit_services as facility_edit
from facilities.models import Facility
from gis_portal.editing.layers import FACILITY_EDITORS, Layer, layers_register

layers_register(
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
