"""Reads of change requests and announcements.

Who may read a change request and its documents: the officer who submitted it, those who
decide requests (系统管理员), and the editors of its layer whose edit scope covers its
target — the feature as it is now, or for a naming the place and district proposed. Anyone
else is told the request does not exist (404), so ids say nothing about what is filed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Q, QuerySet

from gis_portal.areas import current_areas
from gis_portal.editing.layers import LAYERS, layer_of_request
from gis_portal.editing.models import Announcement, ChangeDocument, ChangeRequest, ChangeStatus
from gis_portal.editing.permissions import user_may_decide, user_may_edit
from gis_portal.editing.scope import Footprint, footprints_in_scope, scope_area_ids
from gis_portal.errors import NotFound

PENDING = (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW)
LIST_LIMIT = 500


def _proposed_geometry(proposed: dict) -> GEOSGeometry | None:
    """The place a naming proposes (GeoJSON or EWKT, EPSG:4490)."""
    raw = proposed.get("geometry")
    if not isinstance(raw, dict | str):
        return None
    try:
        geom = GEOSGeometry(json.dumps(raw) if isinstance(raw, dict) else raw)
    except (ValueError, TypeError):
        return None  # validated at submission; an unreadable one covers nothing
    geom.srid = 4490  # the only SRID a submission accepts
    return geom


def change_request_footprints(requests: list[ChangeRequest]) -> list[Footprint]:
    """Where each request's target is for the edit scope: the feature as it is now, else
    (a naming not approved yet, a feature since deleted) the place and district proposed.
    One query per layer and one for the proposed districts."""
    targets: dict[str, dict] = {}
    for layer_key in {layer_of_request(r).key for r in requests}:
        layer = LAYERS[layer_key]
        ids = [r.target_id for r in requests if layer_of_request(r) is layer and r.target_id]
        targets[layer_key] = layer.model.objects.in_bulk(ids) if ids else {}
    codes = {str((r.proposed_data or {}).get("division") or "") for r in requests}
    division_ids = dict(current_areas().filter(code__in=codes).values_list("code", "pk"))
    out = []
    for r in requests:
        layer = layer_of_request(r)
        target = targets[layer.key].get(r.target_id) if r.target_id else None
        if target is not None:
            out.append(layer.footprint_of(target))
            continue
        proposed = r.proposed_data or {}
        out.append(
            Footprint.of(
                _proposed_geometry(proposed),
                divisions=[division_ids.get(str(proposed.get("division") or ""))],
            )
        )
    return out


def _readable(user: User, requests: list[ChangeRequest]) -> list[bool]:
    if not user or not user.is_authenticated or not user.is_active:
        return [False] * len(requests)
    if user_may_decide(user):
        return [True] * len(requests)
    editable = {key for key, layer in LAYERS.items() if user_may_edit(user, layer.editor_roles)}
    out = [r.submitted_by_id == user.pk or layer_of_request(r).key in editable for r in requests]
    area_ids = scope_area_ids(user)
    if area_ids is None:
        return out
    to_test = [
        r for r, ok in zip(requests, out, strict=True) if ok and r.submitted_by_id != user.pk
    ]
    footprints = change_request_footprints(to_test)
    inside = footprints_in_scope(area_ids, footprints)
    verdict = {
        r.pk: ok and not f.is_empty for r, f, ok in zip(to_test, footprints, inside, strict=True)
    }
    return [verdict.get(r.pk, ok) for r, ok in zip(requests, out, strict=True)]


def change_request_readable(user: User, request: ChangeRequest) -> bool:
    """Whether ``user`` may see ``request`` and its documents (see the module docstring)."""
    return _readable(user, [request])[0]


def _editable_types(user: User) -> list[ContentType]:
    models = [layer.model for layer in LAYERS.values() if user_may_edit(user, layer.editor_roles)]
    return list(ContentType.objects.get_for_models(*models).values()) if models else []


def change_request_list(
    *,
    user: User,
    status: str | None = None,
    kind: str | None = None,
    model=None,
    target_id: int | None = None,
    pending: bool = False,
    limit: int = LIST_LIMIT,
) -> list[ChangeRequest]:
    """The requests ``user`` may read, newest first, at most ``limit``.

    Deciders see all; others their own and, of the layers they edit, those in their scope:
    filtered in SQL by layer, then, for a scoped officer, by the footprints of the targets
    (a few queries per ``limit`` requests).
    """
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
    qs = qs.prefetch_related("documents").order_by("-submitted_at", "-pk")
    if user_may_decide(user):
        return list(qs[:limit])
    qs = qs.filter(Q(submitted_by=user) | Q(target_type__in=_editable_types(user)))
    if scope_area_ids(user) is None:
        return list(qs[:limit])
    out: list[ChangeRequest] = []
    offset = 0
    while len(out) < limit:
        chunk = list(qs[offset : offset + limit])
        if not chunk:
            break
        out += [r for r, ok in zip(chunk, _readable(user, chunk), strict=True) if ok]
        offset += limit
    return out[:limit]


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


def change_request_detail(*, request_id: int, user: User) -> RequestDetail:
    """A request with what it would change: each proposed field before → after, and the
    target's geometry now next to the proposed one (both GeoJSON, EPSG:4490).

    NotFound for a request ``user`` may not read, as for one that does not exist."""
    request = (
        ChangeRequest.objects.select_related("submitted_by", "decided_by", "target_type")
        .prefetch_related("documents")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not change_request_readable(user, request):
        raise NotFound(f"变更申请 {request_id} 不存在")
    layer = layer_of_request(request)
    target = None
    if request.target_id is not None:
        target = layer.model.objects.filter(pk=request.target_id).first()
    proposed = request.proposed_data or {}
    diff = []
    model_fields = {f.name: f for f in layer.model._meta.concrete_fields}
    # A bulk import's proposal carries the surveyed original as one nested object: each
    # of its fields is shown under the model's own label.
    flat = {}
    for name, after in proposed.items():
        flat.update(after if name == "survey" and isinstance(after, dict) else {name: after})
    for name, after in flat.items():
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


def change_document_for(*, document_id: int, user: User) -> ChangeDocument:
    """The document ``user`` asked for; NotFound if it does not exist or its request is
    not one ``user`` may read."""
    doc = (
        ChangeDocument.objects.select_related("request__target_type").filter(pk=document_id).first()
    )
    if doc is None or not doc.file or not change_request_readable(user, doc.request):
        raise NotFound("材料不存在")
    return doc


def announcement_list() -> QuerySet[Announcement]:
    """Return the published announcements, newest first (public)."""
    return Announcement.objects.order_by("-approved_on", "-published_at")
