"""Reads of divisions and their record: what a code meant on a day, the adjustments, the
townships by county, and one line's parties, documents and inspections."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F, Prefetch, QuerySet

from boundaries.models import (
    AdjustmentArea,
    AdministrativeArea,
    BoundaryDocument,
    BoundaryLine,
    DivisionAdjustment,
    InspectionParticipant,
    JointInspection,
    LineParty,
)


def _adjustment_summary(adj: DivisionAdjustment) -> dict:
    return {
        "id": adj.pk,
        "kind": adj.kind,
        "kind_display": adj.get_kind_display(),
        "effective_on": adj.effective_on.isoformat(),
        "approval_ref": adj.approval_ref,
        "change_request_id": adj.change_request_id,
    }


def code_history(*, code: str, on: dt.date | None = None) -> dict:
    """Return every unit that held ``code`` (oldest first), the adjustments that started and
    ended each, and the one holding it ``on`` that day (None: no unit had the code then).

    Two queries: the units of the code (index ``area_code_history``) and their adjustments.
    A unit loaded from the division tables has no start date: it held the code from before
    the archive's records.
    """
    units = list(
        AdministrativeArea.objects.filter(code=code, is_neighbour=False)
        .select_related("parent")
        .defer("geom_4490", "parent__geom_4490")
        .order_by(F("valid_from").asc(nulls_first=True), "pk")
    )
    links = (
        AdjustmentArea.objects.filter(area__in=units)
        .select_related("adjustment")
        .order_by("adjustment__effective_on")
    )
    started: dict[int, DivisionAdjustment] = {}
    ended: dict[int, DivisionAdjustment] = {}
    for link in links:
        (started if link.role == "created" else ended)[link.area_id] = link.adjustment
    held = None
    rows = []
    for u in units:
        row = {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "level_display": u.get_level_display(),
            "kind": u.kind,
            "parent_code": u.parent.code if u.parent else None,
            "parent_name": u.parent.name if u.parent else None,
            "valid_from": u.valid_from.isoformat() if u.valid_from else None,
            "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            "is_current": u.valid_to is None,
            "started_by": _adjustment_summary(started[u.pk]) if u.pk in started else None,
            "ended_by": _adjustment_summary(ended[u.pk]) if u.pk in ended else None,
        }
        rows.append(row)
        if (
            on is not None
            and (u.valid_from is None or u.valid_from <= on)
            and (u.valid_to is None or on <= u.valid_to)
        ):
            held = row
    return {"code": code, "on": on.isoformat() if on else None, "unit": held, "units": rows}


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
