"""Fixtures shared by every test folder: each builds its own data, nothing global."""

from __future__ import annotations

import pytest

from gis_portal.datasets import HEGANG_DATA_DIR


@pytest.fixture
def hegang_data_dir():
    return HEGANG_DATA_DIR


@pytest.fixture
def hegang_areas(db, hegang_data_dir):
    """Load the real Hegang areas (MCA + NBS, Amap polygons, 2020 census)."""
    from boundaries.services import areas_load_hegang

    return areas_load_hegang(data_dir=hegang_data_dir)
