"""Writes for joint inspections (联检)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from boundaries.models import (
    JOINT_INSPECTION_INTERVAL_YEARS,
    BoundaryLine,
    JointInspection,
    MarkerFinding,
    MarkerState,
)
from gis_portal.editing.scope import Footprint, any_footprint_check
from gis_portal.errors import DomainError


class InspectionInvalid(DomainError):
    code = "inspection_invalid"


def next_due_date(inspected_on: dt.date) -> dt.date:
    """Return the date the next joint inspection falls due (5 years; 29 Feb → 28 Feb)."""
    year = inspected_on.year + JOINT_INSPECTION_INTERVAL_YEARS
    try:
        return inspected_on.replace(year=year)
    except ValueError:
        return inspected_on.replace(year=year, day=28)


def inspection_record(
    *,
    line: BoundaryLine,
    inspected_on: dt.date,
    participants: str,
    summary: str,
    findings: dict[int, tuple[str, str]],
    recorded_by: str,
    today: dt.date,
    user: User | None,
) -> JointInspection:
    """Record a joint inspection of ``line`` with one finding for every marker on it.

    ``findings`` maps marker id → (state, note). Validated in full before anything is
    written; a finding for a marker of another line, or a missing one, is refused, and so
    is a line neither of whose areas is in the edit scope of ``user`` (OutsideEditScope;
    None: a system write) — the inspection is joint, either side records it.
    """
    sides = [Footprint.of(divisions=[pk]) for pk in (line.area_a_id, line.area_b_id) if pk]
    any_footprint_check(user, sides)
    if inspected_on > today:
        raise InspectionInvalid("联检日期不能晚于今天")
    if not participants.strip():
        raise InspectionInvalid("请填写参加单位及人员")
    marker_ids = set(line.markers.values_list("pk", flat=True))
    unknown = set(findings) - marker_ids
    if unknown:
        raise InspectionInvalid(f"界桩 {sorted(unknown)} 不属于界线 {line.code}")
    missing = marker_ids - set(findings)
    if missing:
        raise InspectionInvalid(f"还有 {len(missing)} 个界桩没有填写检查结果")
    bad = [s for s, _ in findings.values() if s not in MarkerState.values]
    if bad:
        raise InspectionInvalid(f"界桩状况 {bad[0]!r} 无效")
    if JointInspection.objects.filter(line=line, inspected_on=inspected_on).exists():
        raise InspectionInvalid(f"界线 {line.code} 在 {inspected_on} 已有联检记录")
    with transaction.atomic():
        inspection = JointInspection.objects.create(
            line=line,
            inspected_on=inspected_on,
            participants=participants.strip(),
            summary=summary.strip(),
            next_due=next_due_date(inspected_on),
            recorded_by=recorded_by,
        )
        MarkerFinding.objects.bulk_create(
            MarkerFinding(inspection=inspection, marker_id=mid, state=state, note=note[:300])
            for mid, (state, note) in sorted(findings.items())
        )
    return inspection
