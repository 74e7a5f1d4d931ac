"""A feature's history (selector) and restoring an earlier version (service).

History rows come from pghistory's trigger-filled event tables, so they include writes made
outside the services (admin, bulk updates, the coordinate conversion, raw SQL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.contrib.auth.models import User
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import GEOSGeometry
from shapely.geometry import mapping

from gis_portal.editing.diff import SnapshotDiff, snapshot_diff
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import Layer

GEOMETRY_FIELD = "geom_4490"
EVENT_LABELS = {"insert": "创建", "update": "修改", "delete": "删除"}
# Bookkeeping columns that change with every write and say nothing to the officer.
NOT_DIFFED = {"version"}


@dataclass
class TimelineEntry:
    event_id: int
    at: dt.datetime
    action: str
    action_label: str
    version: int
    username: str
    comment: str
    source: str
    url: str
    diff: SnapshotDiff


def _snapshot_fields(layer: Layer) -> list:
    # The fields the event table keeps (a model may leave derived columns out of history).
    tracked = {f.attname for f in layer.model.pgh_event_model._meta.concrete_fields}
    return [f for f in layer.model._meta.concrete_fields if f.name != "id" and f.attname in tracked]


def _snapshot(event, fields, geometry_field: str = GEOMETRY_FIELD) -> dict:
    out = {}
    for f in fields:
        if f.attname == geometry_field:
            wkb = event.geom_wkb
            out[f.attname] = shapely.from_wkb(bytes(wkb)) if wkb is not None else None
        else:
            out[f.attname] = getattr(event, f.attname)
    return out


def feature_timeline(*, layer: Layer, pk: int) -> list[TimelineEntry]:
    """Return every recorded change of one feature, oldest first, each with its diff."""
    fields = _snapshot_fields(layer)
    # Geometry as WKB straight from PostGIS: skips building a GEOS object per version.
    events = (
        layer.model.pgh_event_model.objects.filter(pgh_obj_id=pk)
        .select_related("pgh_context")
        .defer(layer.geometry_field)
        .annotate(geom_wkb=AsWKB(layer.geometry_field))
        .order_by("pgh_id")
    )
    events = list(events)
    # Web requests outside the services (admin) carry only the user id (pghistory middleware).
    user_ids = {
        e.pgh_context.metadata.get("user")
        for e in events
        if e.pgh_context and not e.pgh_context.metadata.get("username")
    } - {None}
    usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
    out: list[TimelineEntry] = []
    previous = None
    for event in events:
        snap = _snapshot(event, fields, layer.geometry_field)
        compared = {k: v for k, v in snap.items() if k not in NOT_DIFFED}
        meta = event.pgh_context.metadata if event.pgh_context else {}
        out.append(
            TimelineEntry(
                event_id=event.pgh_id,
                at=event.pgh_created_at,
                action=event.pgh_label,
                action_label=EVENT_LABELS.get(event.pgh_label, event.pgh_label),
                version=snap.get("version"),
                username=meta.get("username") or usernames.get(meta.get("user"), ""),
                comment=meta.get("comment") or "",
                source=meta.get("source") or ("web" if meta.get("url") else "database"),
                url=meta.get("url") or "",
                diff=snapshot_diff(previous, compared, geometry_field=layer.geometry_field),
            )
        )
        previous = compared
    return out


def _as_input(value):
    if isinstance(value, GEOSGeometry):
        return mapping(shapely.from_wkb(bytes(value.wkb)))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def feature_restore(
    *,
    layer: Layer,
    pk: int,
    event_id: int,
    expected_version: int | None,
    user: User | None,
    comment: str = "",
    write=None,
):
    """Write the editable fields of an earlier version back as a new, validated change.

    ``write`` (default: the layer's update) receives the changes; the API passes one that
    turns a restore needing approval (a boundary) into a change request.
    """
    event = layer.model.pgh_event_model.objects.filter(pgh_obj_id=pk, pgh_id=event_id).first()
    if event is None:
        raise InvalidEdit("event_id", f"该要素没有编号为 {event_id} 的历史版本")
    changes = {}
    for name in layer.rules:
        attname = layer.geometry_field if name == "geometry" else name
        value = getattr(event, attname)
        if name == "geometry" and value is None:
            continue
        changes[name] = _as_input(value)
    reason = f"恢复到版本 {event.version}"
    changes["comment"] = f"{reason}：{comment}" if comment else reason
    return (write or layer.update)(
        pk=pk, expected_version=expected_version, changes=changes, user=user, source="restore"
    )
