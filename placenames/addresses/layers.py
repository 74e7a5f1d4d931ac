"""The address layers of the editor: streets, street signs and door plates (edited directly)."""

from __future__ import annotations

from gis_portal.editing.layers import PLACENAME_EDITORS, Layer, layers_register
from placenames.addresses import edit_services as address_edit
from placenames.addresses.models import DoorPlate, Street, StreetSign

layers_register(
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
)
