"""Factories for the streets and door plates tests: each test builds its own data."""

from __future__ import annotations

import pytest

from gis_portal.metric_crs import to_metric
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.streets import street_create

# An east–west street in 向阳区, drawn west → east (~750 m), and a point 11 m north of it.
WEST, EAST, LAT = 130.280, 130.290, 47.3400
NORTH_LAT, SOUTH_LAT = LAT + 0.0001, LAT - 0.0001


@pytest.fixture
def make_street(db):
    def make(name="新华路", coords=((WEST, LAT), (EAST, LAT)), rule=None, **kwargs):
        metric = [to_metric(*c) for c in coords]
        return street_create(
            name=name, coords_4490=coords, rule=rule or rule_beijing(metric), **kwargs
        )

    return make
