"""Reads of change requests and announcements."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from gis_portal.editing.models import Announcement, ChangeRequest, ChangeStatus
from gis_portal.errors import NotFound

PENDING = (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW)


def change_request_list(
    *,
    status: str | None = None,
    kind: str | None = None,
    model=None,
    target_id: int | None = None,
    pending: bool = False,
) -> QuerySet[ChangeRequest]:
    qs = ChangeRequest.objects.select_related("submitted_by", "decided_by", "target_type")
    if status:
        qs = qs.filter(status=status)
    if pending:
        qs = qs.filter(status__in=PENDING)
    if kind:
        qs = qs.filter(kind=kind)
    if model is not None:
        qs = qs.filter(target_type=ContentType.objects.get_for_model(model))
    if target_id is not None:
        qs = qs.filter(target_id=target_id)
    return qs.prefetch_related("documents").order_by("-submitted_at", "-pk")


@dataclass
class RequestDetail:
    request: ChangeRequest
    current: dict | None  # the target now (fields the proposal touches + geometry), or None
    proposed_geometry: dict | None
    diff: list[dict]  # [{field, label, before, after}]
    batch_ids: list[int]


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def change_request_detail(*, request_id: int) -> RequestDetail:
    """A request with what it would change: each proposed field before → after, and the
    target's geometry now next to the proposed one (both GeoJSON, EPSG:4490)."""
    request = (
        ChangeRequest.objects.select_related("submitted_by", "decided_by", "target_type")
        .prefetch_related("documents")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(f"变更申请 {request_id} 不存在")
    from gis_portal.editing.change_services import layer_of_request

    layer = layer_of_request(request)
    target = None
    if request.target_id is not None:
        target = layer.model.objects.filter(pk=request.target_id).first()
    proposed = request.proposed_data or {}
    diff = []
    model_fields = {f.name: f for f in layer.model._meta.concrete_fields}
    for name, after in proposed.items():
        if name == "geometry":
            continue
        field = model_fields.get(name)
        label = str(field.verbose_name) if field is not None else name
        before = _plain(getattr(target, name, None)) if target is not None else None
        diff.append({"field": name, "label": label, "before": before, "after": after})
    current = None
    if target is not None:
        geom = getattr(target, layer.geometry_field, None)
        if geom is None and hasattr(target, "point_4490"):
            geom = target.point_4490
        current = {
            "label": layer.label_of(target),
            "version": target.version,
            "geometry": json.loads(geom.json) if geom is not None else None,
        }
    geometry = proposed.get("geometry")
    if isinstance(geometry, str):
        from django.contrib.gis.geos import GEOSGeometry

        try:
            geometry = json.loads(GEOSGeometry(geometry).json)
        except (ValueError, TypeError):
            geometry = None
    batch_ids = (
        list(
            ChangeRequest.objects.filter(batch=request.batch)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if request.batch
        else [request.pk]
    )
    return RequestDetail(
        request=request,
        current=current,
        proposed_geometry=geometry if isinstance(geometry, dict) else None,
        diff=diff,
        batch_ids=batch_ids,
    )


def announcement_list() -> QuerySet[Announcement]:
    """Return the published announcements, newest first (public)."""
    return Announcement.objects.order_by("-approved_on", "-published_at")
