"""Writes to the place-name app."""

from __future__ import annotations

from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import transaction

from placenames.gazetteer import read_geonames_tsv
from placenames.models import GeoNamesPlace

GEONAMES_SOURCE = "GeoNames cities1000 (CC-BY 4.0)"


def geonames_load(*, path: Path) -> int:
    """Upsert the GeoNames points of ``path``; return how many rows were loaded."""
    rows = read_geonames_tsv(path)
    with transaction.atomic():
        for row in rows:
            GeoNamesPlace.objects.update_or_create(
                geonames_id=row.geonames_id,
                defaults={
                    "name": row.name,
                    "name_zh": row.name_zh,
                    "alternate_names": row.alternate_names,
                    "feature_code": row.feature_code,
                    "population": row.population,
                    "geom_4490": Point(row.lon, row.lat, srid=4490),
                    "source": GEONAMES_SOURCE,
                },
            )
    return len(rows)
