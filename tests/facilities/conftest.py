"""Facilities tests: the seeded programmes exist in every database test (a transactional
test elsewhere flushes the rows that the data migration wrote)."""

from __future__ import annotations

import pytest

from facilities.services.standards import programmes_seed


@pytest.fixture(autouse=True)
def _programmes(request):
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    programmes_seed()
