"""The place-name admin: version-checked change form; names are read-only there."""

from __future__ import annotations

import pytest

from tests.editing.placename_builders import place_create

pytestmark = pytest.mark.django_db


def test_change_form_carries_the_version_and_keeps_the_name_read_only(hegang_areas, client_as):
    place = place_create("向阳小区")
    admin_client = client_as("chief", "administrator")
    html = admin_client.get(f"/admin/placenames/placename/{place.pk}/change/").content.decode()
    assert 'name="seen_version"' in html and 'value="1"' in html
    assert 'name="standard_name"' not in html and "向阳小区" in html
    add = admin_client.get("/admin/placenames/placename/add/").content.decode()
    assert 'name="standard_name"' in add
