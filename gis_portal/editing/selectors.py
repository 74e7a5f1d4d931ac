"""Reads of change requests and announcements."""

from __future__ import annotations

from django.db.models import QuerySet

from gis_portal.editing.models import Announcement, ChangeRequest


def change_request_list(*, status: str | None = None) -> QuerySet[ChangeRequest]:
    qs = ChangeRequest.objects.select_related("submitted_by", "decided_by", "target_type")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("documents").order_by("-submitted_at")


def announcement_list() -> QuerySet[Announcement]:
    """Return the published announcements, newest first (public)."""
    return Announcement.objects.order_by("-approved_on", "-published_at")
