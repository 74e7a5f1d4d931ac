"""The place-name layer of the editor: edits, naming/renaming/abolishing requests."""

from __future__ import annotations

from gis_portal.editing.layers import PLACENAME_EDITORS, Layer, layers_register
from gis_portal.editing.models import ChangeKind
from placenames import edit_services as placename_edit
from placenames.models import PlaceName

layers_register(
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
)
