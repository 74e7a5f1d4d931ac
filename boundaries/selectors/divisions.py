"""Reads of divisions and their record: what a code meant on a day, the adjustments, the
townships by county, and one line's parties, documents and inspections."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Prefetch, QuerySet

from boundaries.adjustments import unit_label
from boundaries.models import (
    AdjustmentArea,
    AdjustmentKind,
    AdjustmentRole,
    AdjustmentStatus,
    AdministrativeArea,
    AreaLevel,
    BoundaryDocument,
    BoundaryLine,
    DivisionAdjustment,
    InspectionParticipant,
    JointInspection,
    LineParty,
)
from gis_portal.db_routers import read_connection

# The units of the code with the adjustments that started and ended each, in one call of a
# PL/pgSQL function (migrations/boundaries/0006): the server keeps its plan, which costs
# more than the lookup itself when planned per call. The ORM form (two querysets, model
# instances) cost ~25 ms of Python per lookup on a loaded machine.
_CODE_HISTORY_SQL = "SELECT * FROM boundaries_code_history(%s)"
_KIND_LABELS = dict(AdjustmentKind.choices)
_LEVEL_LABELS = dict(AreaLevel.choices)


def _adjustment_summary(values: tuple) -> dict | None:
    pk, kind, effective_on, approval_ref, request_id = values
    if pk is None:
        return None
    return {
        "id": pk,
        "kind": kind,
        "kind_display": str(_KIND_LABELS[kind]),
        "effective_on": effective_on.isoformat(),
        "approval_ref": approval_ref,
        "change_request_id": request_id,
    }


def code_history(*, code: str, on: dt.date | None = None) -> dict:
    """Return every unit that held ``code`` (oldest first), the adjustments that started and
    ended each, and the one holding it ``on`` that day (None: no unit had the code then).

    A unit loaded from the division tables has no start date: it held the code from before
    the archive's records.
    """
    with read_connection().cursor() as cur:
        cur.execute(_CODE_HISTORY_SQL, [code])
        rows = cur.fetchall()
    held = None
    units = []
    for r in rows:
        valid_from, valid_to = r[6], r[7]
        unit = {
            "code": r[0],
            "name": r[1],
            "level": r[2],
            "level_display": str(_LEVEL_LABELS[r[2]]),
            "kind": r[3],
            "parent_code": r[4],
            "parent_name": r[5],
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_to": valid_to.isoformat() if valid_to else None,
            "is_current": valid_to is None,
            "started_by": _adjustment_summary(r[8:13]),
            "ended_by": _adjustment_summary(r[13:18]),
        }
        units.append(unit)
        if (
            on is not None
            and (valid_from is None or valid_from <= on)
            and (valid_to is None or on <= valid_to)
        ):
            held = unit
    return {"code": code, "on": on.isoformat() if on else None, "unit": held, "units": units}


def code_history_per_object(*, code: str, on: dt.date) -> str | None:
    """Return the name that held ``code`` on ``on``, object by object (the bench baseline:
    every unit of the code, then each of its adjustments, one query each)."""
    name = None
    for pk in AdministrativeArea.objects.filter(code=code).values_list("pk", flat=True):
        unit = AdministrativeArea.objects.get(pk=pk)
        for link in AdjustmentArea.objects.filter(area=unit):
            DivisionAdjustment.objects.get(pk=link.adjustment_id)
        if (unit.valid_from is None or unit.valid_from <= on) and (
            unit.valid_to is None or on <= unit.valid_to
        ):
            name = unit.name
    return name


def adjustment_list() -> QuerySet[DivisionAdjustment]:
    """Return the recorded adjustments, newest first, with the units each ended and created."""
    return DivisionAdjustment.objects.prefetch_related(
        Prefetch(
            "units",
            queryset=AdjustmentArea.objects.select_related("area").order_by("role", "area__code"),
        )
    ).order_by("-effective_on", "-pk")


def adjustments_labelled(adjustments: list[DivisionAdjustment]) -> list[DivisionAdjustment]:
    """Give each adjustment ``ended_labels`` and ``created_labels`` (向阳区（230402）…).

    An applied adjustment names the units it linked; a scheduled one has only its plan, so
    the units it will end are named as they are now (one query for all of them) and the
    new ones as the plan names them.
    """
    codes = {
        code
        for a in adjustments
        if a.status == AdjustmentStatus.SCHEDULED
        for code in a.plan.get("units", [])
    }
    current = dict(
        AdministrativeArea.objects.filter(code__in=codes, valid_to__isnull=True).values_list(
            "code", "name"
        )
    )
    for a in adjustments:
        if a.status == AdjustmentStatus.SCHEDULED:
            a.ended_labels = [unit_label(current.get(c, ""), c) for c in a.plan.get("units", [])]
            a.created_labels = [
                unit_label(u.get("name", ""), u.get("code", ""))
                for u in a.plan.get("new_units", [])
            ]
        else:
            links = list(a.units.all())
            a.ended_labels = [
                unit_label(u.area.name, u.area.code)
                for u in links
                if u.role == AdjustmentRole.ENDED
            ]
            a.created_labels = [
                unit_label(u.area.name, u.area.code)
                for u in links
                if u.role != AdjustmentRole.ENDED
            ]
    return adjustments


def township_overview() -> list[dict]:
    """Return each county with its current townships: polygon status and area (km²)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.code, c.name, t.code, t.name, t.kind, t.geom_4490 IS NOT NULL,
                   t.geom_is_demo, ST_Area(t.geom_4490::geography) / 1e6,
                   (SELECT count(*) FROM boundaries_boundaryline l
                    WHERE l.area_a_id = t.id OR l.area_b_id = t.id)
            FROM boundaries_administrativearea c
            JOIN boundaries_administrativearea t ON t.parent_id = c.id
            WHERE c.level = 'county' AND c.valid_to IS NULL
              AND t.level = 'township' AND t.valid_to IS NULL
            ORDER BY c.code, t.code
            """
        )
        rows = cur.fetchall()
    counties: dict[str, dict] = {}
    for c_code, c_name, code, name, kind, has_geom, demo, area_km2, lines in rows:
        county = counties.setdefault(
            c_code, {"code": c_code, "name": c_name, "townships": [], "demo": 0, "missing": 0}
        )
        county["townships"].append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "polygon": "demo" if has_geom and demo else "surveyed" if has_geom else "none",
                "area_km2": None if area_km2 is None else round(area_km2, 2),
                "lines": lines,
            }
        )
        county["demo"] += bool(has_geom and demo)
        county["missing"] += not has_geom
    return list(counties.values())


def line_record(*, code: str) -> BoundaryLine | None:
    """Return a line with its parties, documents and inspections (with participants)."""
    return (
        BoundaryLine.objects.select_related("area_a", "area_b")
        .prefetch_related(
            Prefetch("parties", queryset=LineParty.objects.select_related("area")),
            Prefetch("documents", queryset=BoundaryDocument.objects.order_by("-uploaded_at")),
            Prefetch(
                "inspections",
                queryset=JointInspection.objects.order_by("-inspected_on").prefetch_related(
                    Prefetch(
                        "participant_records",
                        queryset=InspectionParticipant.objects.select_related("area"),
                    ),
                    "documents",
                ),
            ),
        )
        .filter(code=code)
        .first()
    )
