"""Fixtures of the editor tests: the real areas, the demo lines/markers and role accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.editing.factories import demo_boundaries, role_user


@pytest.fixture
def boundary_demo(hegang_areas):
    return demo_boundaries()


@pytest.fixture
def make_user(db):
    return role_user


@pytest.fixture
def client_as(make_user):
    def login(username: str, role: str, area_codes: list[str] | None = None) -> Client:
        client = Client()
        client.force_login(make_user(username, role, area_codes))
        return client

    return login
