"""Division adjustments as change requests: the areas layer's editing facet.

An adjustment is proposed as a change request on the first unit it ends, its plan in
``proposed["adjustment"]`` (``boundaries.adjustments``), with the approving government's
decision attached (批准文件, required before approval). Submitting runs the adjustment in
a transaction that is rolled back, so a plan that would be refused on approval is refused
at once; approval applies it (``adjustment_services.adjustment_apply``), or, ahead of its
effective day, records it as scheduled for ``manage.py apply_due_adjustments``. Areas are never
edited field by field: every change of a division is an adjustment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils import timezone

from boundaries.adjustments import AdjustmentInvalid, plan_parse
from boundaries.models import AdministrativeArea
from boundaries.services.adjustments import adjustment_apply, adjustment_schedule, plan_error
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import ApprovedChange
from gis_portal.editing.models import ChangeAction, ChangeKind
from gis_portal.editing.scope import Footprint

PLAN_FIELD = "adjustment"
REFUSAL = "行政区域只能通过区划调整（变更申请，附批准文件）修改"
_REQUEST_NO = re.compile(r"变更申请 #(\d+)")


def area_request_kind(*, action: str, proposed: Mapping) -> str | None:
    """Every proposal on an area is a division adjustment (its plan is checked on trial)."""
    return ChangeKind.DIVISION if action == ChangeAction.UPDATE else None


def area_update_refused(**_kw):
    raise InvalidEdit("layer", REFUSAL)


def area_footprint(area: AdministrativeArea) -> Footprint:
    return Footprint.of(area.geom_4490, divisions=[area.pk, area.parent_id])


def area_apply_approved(change: ApprovedChange):
    """Apply an adjustment proposal on ``target_id`` (the first unit the plan ends)."""
    if change.action != ChangeAction.UPDATE:
        raise InvalidEdit("action", REFUSAL)
    proposed, comment, user, source = change.proposed, change.comment, change.user, change.source
    unknown = sorted(set(proposed) - {PLAN_FIELD})
    if unknown or PLAN_FIELD not in proposed:
        raise InvalidEdit("proposed", '区划调整的拟变更内容应为 {"adjustment": 调整方案}')
    try:
        plan = plan_parse(proposed[PLAN_FIELD], today=timezone.localdate(), scheduled_ok=True)
    except AdjustmentInvalid as exc:
        raise plan_error(exc) from None
    target = AdministrativeArea.objects.filter(pk=change.target_id).first()
    if target is None or target.code != plan.units[0]:
        raise InvalidEdit("units[0]", "调整方案的第一个单位应是申请所针对的行政区域")
    match = _REQUEST_NO.search(comment)
    record = {
        "plan": plan,
        "user": user,
        "comment": comment,
        "source": source,
        "change_request_id": int(match.group(1)) if match else None,
        "is_demo": target.is_demo,
    }
    if plan.effective_on > timezone.localdate():
        # Approved ahead of its day: checked now, applied on the day (apply_due_adjustments).
        adjustment_schedule(**record)
        return target
    adjustment = adjustment_apply(**record)
    return adjustment.units.filter(role="created").first().area
