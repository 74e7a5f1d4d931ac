"""Fixtures shared by every test folder: each builds its own data, nothing global."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_migrate

from gis_portal.datasets import HEGANG_DATA_DIR


def _reseed_after_flush(sender, using="default", **kwargs):
    """Put back the code tables the data migrations wrote (place categories, programmes and
    the plan's standards) after a transactional test's flush emptied them, and empty the
    job queue the flush leaves alone (procrastinate's tables are unmanaged), so the next
    test in this database finds the same start whatever the order (pytest-xdist schedules
    files freely)."""
    if sender.label != "facilities" or using != "default":
        return  # post_migrate comes once per app; once per flush is enough
    from django.db import connections

    from facilities.models import Programme
    from facilities.services.standards import programmes_seed
    from placenames.models import PlaceCategory
    from placenames.services.names import categories_load

    with connections[using].cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,"
            " procrastinate_workers RESTART IDENTITY CASCADE"
        )
    if not PlaceCategory.objects.exists():
        categories_load()
    if not Programme.objects.exists():
        programmes_seed()


post_migrate.connect(_reseed_after_flush, dispatch_uid="tests-reseed-after-flush")


@pytest.fixture
def hegang_data_dir():
    return HEGANG_DATA_DIR


@pytest.fixture
def hegang_areas(db, hegang_data_dir):
    """Load the real Hegang areas (MCA + NBS, Amap polygons, 2020 census)."""
    from boundaries.services.areas import areas_load_hegang

    return areas_load_hegang(data_dir=hegang_data_dir)
