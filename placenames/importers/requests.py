"""The database side of an officer's import: the edit scope, the current records, and the
change requests filed through the editor's machinery (``gis_portal.editing.change_services``).
"""

from __future__ import annotations

import uuid

import shapely
from django.contrib.auth.models import User

from gis_portal.editing import change_services
from gis_portal.editing.layers import PLACENAME_EDITORS, layer_get
from gis_portal.editing.models import ChangeRequest
from gis_portal.editing.permissions import user_may_edit
from gis_portal.models import OfficerScope
from placenames.importers.approvals import CurrentRecord, RequestPlan
from placenames.importers.scope import EditScope
from placenames.models import PlaceName

# Who may register an archive directly (no naming/renaming/abolishing requests).
ARCHIVE_LOADERS = change_services.APPROVER_ROLES
IMPORTERS = PLACENAME_EDITORS


def user_may_import(user: User) -> bool:
    return user_may_edit(user, IMPORTERS)


def user_may_load_archive(user: User) -> bool:
    return user_may_edit(user, ARCHIVE_LOADERS)


def import_scope(user: User) -> EditScope | None:
    """Return the user's edit scope for validation; None: the whole city."""
    if user.is_superuser:
        return None
    scope = OfficerScope.objects.filter(user=user).first()
    areas = list(scope.areas.filter(valid_to__isnull=True)) if scope else []
    if not areas:
        return None
    return EditScope(
        area_codes=frozenset(a.code for a in areas),
        names="、".join(a.name for a in areas),
        outlines_4490=[shapely.from_wkb(bytes(a.geom_4490.wkb)) for a in areas if a.geom_4490],
    )


def current_records(codes: list[str], *, with_geometry: bool) -> dict[str, CurrentRecord]:
    """Return the archive's records of ``codes`` (their geometry only when asked)."""
    fields = ["place_code", "pk", "version", "standard_name", "status", "named_on"]
    fields += ["abolished_on", "division__code"]
    if with_geometry:
        fields += ["geom_4490", "point_4490"]
    out = {}
    for row in PlaceName.objects.filter(place_code__in=codes).values_list(*fields):
        geometry = None
        if with_geometry and (row[8] or row[9]):
            geometry = shapely.from_wkb(bytes((row[8] or row[9]).wkb))
        out[row[0]] = CurrentRecord(*row[1:8], geometry=geometry)
    return out


def request_submit(plan: RequestPlan, *, user: User, file_name: str) -> ChangeRequest:
    """File one row's change request (checked now by a rolled-back trial, as in the editor;
    a place with a pending request gets no second one)."""
    [request] = change_services.change_requests_submit_batch(
        edits=[(layer_get("placenames"), plan.target_id, plan.base_version, plan.proposed)],
        reason=f"导入普查档案「{file_name[:100]}」第 {plan.line} 行",
        user=user,
        source="import_placenames",
    )
    return request


def requests_batch(request_ids: list[int]) -> uuid.UUID | None:
    """Make the requests of one import file one batch: reviewed and decided together."""
    if len(request_ids) < 2:
        return None
    batch = uuid.uuid4()
    ChangeRequest.objects.filter(pk__in=request_ids).update(batch=batch)
    return batch
