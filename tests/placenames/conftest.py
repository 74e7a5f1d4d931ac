"""Factories for the place-name tests: each test builds the records it needs."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point

from placenames.services.names import (
    AliasInput,
    PlaceNameInput,
    categories_load,
    placename_register,
)


@pytest.fixture
def make_place(hegang_areas):
    """Return a function that registers one place name (division and category by code)."""
    categories_load()

    def make(
        name: str,
        *,
        category: str = "23512",
        division: str = "230405",
        geom: GEOSGeometry | None = None,
        lon: float | None = None,
        lat: float | None = None,
        aliases: list[AliasInput] | None = None,
        **attrs,
    ):
        if geom is None and lon is not None:
            geom = Point(lon, lat, srid=4490)
        place, _ = placename_register(
            record=PlaceNameInput(
                standard_name=name,
                category_code=category,
                division_code=division,
                geom_4490=geom,
                aliases=aliases or [],
                attrs=attrs,
            )
        )
        return place

    return make
