"""Two requests giving the same number at the same moment: the street row lock lets one win."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from placenames.addresses.errors import DuplicatePlateNumber
from placenames.addresses.models import DoorPlate
from placenames.addresses.services.plates import PlateRequest, plate_create

from .conftest import EAST, NORTH_LAT

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_requests_for_one_number_create_one_plate(make_street):
    street = make_street()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(lon: float) -> None:
        try:
            barrier.wait()
            plate_create(street_id=street.pk, request=PlateRequest(lon, NORTH_LAT, number=5))
            outcomes.append("created")
        except DuplicatePlateNumber:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(EAST - d,)) for d in (0.001, 0.002)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["created", "refused"]
    assert DoorPlate.objects.filter(street=street, number=5).count() == 1
