"""Fixtures of the editor tests: the real areas, the demo lines/markers and role accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from boundaries.demo_loader import boundary_demo_load
from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.accounts import roles_sync, user_create_with_role


@pytest.fixture
def boundary_demo(hegang_areas):
    boundary_demo_load()
    line = BoundaryLine.objects.filter(markers__isnull=False).order_by("code").first()
    marker = BoundaryMarker.objects.filter(line=line).order_by("sequence").first()
    return line, marker


@pytest.fixture
def make_user(db):
    roles_sync()

    def make(username: str, role: str, area_codes: list[str] | None = None):
        return user_create_with_role(
            username=username, password="unused-pass-9", role=role, area_codes=area_codes
        )

    return make


@pytest.fixture
def client_as(make_user):
    def login(username: str, role: str, area_codes: list[str] | None = None) -> Client:
        client = Client()
        client.force_login(make_user(username, role, area_codes))
        return client

    return login
