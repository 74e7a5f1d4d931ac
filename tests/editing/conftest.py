"""Fixtures of the editor tests: the real areas, the demo lines/markers and role accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from placenames.models import PlaceCategory
from placenames.services.names import categories_load
from tests.editing.factories import demo_boundaries, role_user
from tests.editing.scope_builders import district_centre
from tests.editing.test_layers_addresses_builders import GONGNONG, XIANGYANG


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


@pytest.fixture
def place_categories(db):
    # Loaded by a migration, but emptied by transactional (browser) tests' flush.
    if not PlaceCategory.objects.exists():
        categories_load()


@pytest.fixture
def gn_centre(hegang_areas):
    """A point well inside 工农区."""
    return district_centre(GONGNONG)


@pytest.fixture
def xiangyang(hegang_areas, client_as):
    """A 地名管理员 whose edit scope is 向阳区."""
    return client_as("officer_xiangyang", "placename_officer", [XIANGYANG])


@pytest.fixture
def officer(hegang_areas, client_as):
    """zhang, a 地名管理员 whose edit scope is 向阳区."""
    return client_as("zhang", "placename_officer", [XIANGYANG])
