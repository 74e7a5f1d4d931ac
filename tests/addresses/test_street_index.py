"""The street index behind geocoding: read once per data generation, rebuilt only when streets change.

These tests commit (transaction=True): the data generation moves when a writing
transaction commits, and inside an open transaction the index is always checked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from placenames.addresses.lookup import street_index
from placenames.addresses.models import DoorPlate
from placenames.addresses.services.streets import street_rename
from tests.editing.test_layers_addresses_builders import NORTH_LAT, plate, street


def _index_and_statements():
    with CaptureQueriesContext(connection) as queries:
        index, _ = street_index()
    assert "gis_portal_datageneration" in queries[0]["sql"]  # always the first read
    return index, len(queries)


@pytest.mark.django_db(transaction=True)
def test_unchanged_data_costs_one_read_and_a_street_change_rebuilds_the_index(hegang_areas):
    road = street("松鹤路")
    on_road = plate(road, 130.2850, NORTH_LAT)
    first, statements = _index_and_statements()
    assert "松鹤路" in first.names
    assert statements > 2  # generation, version, the entries and areas

    again, statements = _index_and_statements()
    assert again is first
    assert statements == 1  # the data generation only

    # A door-plate edit moves the generation; the streets are as they were: checked, kept.
    DoorPlate.objects.filter(pk=on_road.pk).update(building="3号楼")
    kept, statements = _index_and_statements()
    assert kept is first
    assert statements == 2  # the generation and the version of the streets

    street_rename(street_id=road.pk, new_name="松鹤大街", on=dt.date(2026, 12, 1))
    renamed, _ = _index_and_statements()
    assert "松鹤大街" in renamed.names
    assert renamed.entries[renamed.names.index("松鹤路")].is_former


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_its_own_new_street_is_in_the_index(hegang_areas):
    street_index()  # built, and tagged with the committed generation
    with transaction.atomic():
        street("鹤翔路")
        index, _ = street_index()
        assert "鹤翔路" in index.names
