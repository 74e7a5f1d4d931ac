"""Plain builders shared by the editor's unit and browser tests."""

from __future__ import annotations

from boundaries.demo_loader import boundary_demo_load
from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.accounts import roles_sync, user_create_with_role


def demo_boundaries() -> tuple[BoundaryLine, BoundaryMarker]:
    """Load the demo lines and markers; return a line with markers and its first marker."""
    boundary_demo_load()
    line = BoundaryLine.objects.filter(markers__isnull=False).order_by("code").first()
    marker = BoundaryMarker.objects.filter(line=line).order_by("sequence").first()
    return line, marker


def role_user(username: str, role: str, area_codes: list[str] | None = None):
    roles_sync()
    return user_create_with_role(
        username=username, password="unused-pass-9", role=role, area_codes=area_codes
    )
