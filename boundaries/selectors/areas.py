"""Reads of administrative areas, and the approved Beijing 1954 conversions imports use."""

from __future__ import annotations

from functools import partial

import numpy as np
from django.contrib.gis.geos import Point, Polygon
from django.db.models import OuterRef, QuerySet, Subquery
from pyproj.exceptions import ProjError

from boundaries.conversion import ParameterSpec, convert_coordinates, spec_check
from boundaries.crs import BEIJING1954, CRS_TABLE, CrsDef, CrsError
from boundaries.models import (
    LEVEL_RANK,
    AdministrativeArea,
    AreaLevel,
    AreaPiece,
    AreaPopulation,
    TransformationParameterSet,
)
from boundaries.transform_fit import MODEL_4P, MODEL_7P, FitError, pipeline_transformer
from gis_portal.db_routers import read_connection
from gis_portal.importing.crs import DatumConversion


def _with_population(qs: QuerySet) -> QuerySet:
    latest = AreaPopulation.objects.filter(area=OuterRef("pk")).order_by("-census_year")
    return qs.annotate(
        population=Subquery(latest.values("population")[:1]),
        census_year=Subquery(latest.values("census_year")[:1]),
    )


def area_list(
    *,
    level: str | None = None,
    parent_code: str | None = None,
    bbox_4490: tuple[float, float, float, float] | None = None,
    with_geometry_only: bool = False,
) -> QuerySet[AdministrativeArea]:
    """Return current areas filtered by level, parent code and bounding box."""
    qs = AdministrativeArea.objects.filter(
        valid_to__isnull=True, is_neighbour=False
    ).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if bbox_4490:
        qs = qs.filter(geom_4490__intersects=Polygon.from_bbox(bbox_4490))
    if with_geometry_only:
        qs = qs.filter(geom_4490__isnull=False)
    return _with_population(qs).order_by("code")


def areas_at_point(*, lon: float, lat: float) -> list[AdministrativeArea]:
    """Return the current areas whose polygon covers the point, city first."""
    point = Point(lon, lat, srid=4490)
    # The pieces (ST_Subdivide) keep each covers-test small; the GiST index finds them.
    hit_ids = AreaPiece.objects.filter(geom_4490__covers=point).values("area_id")
    areas = list(
        _with_population(AdministrativeArea.objects.filter(valid_to__isnull=True, pk__in=hit_ids))
        .select_related("parent")
        .defer("geom_4490", "parent__geom_4490")
    )
    return sorted(areas, key=lambda a: (LEVEL_RANK[a.level], a.code))


# The public "which areas are here" lookup in one statement: the ORM form of the same query
# (two population subqueries, select_related, defer) cost ~2 ms of Python per request to
# compile, against ~0.3 ms for PostgreSQL to answer it.
_SUMMARIES_AT_POINT_SQL = """
    SELECT a.code, a.name, a.level, a.kind, parent.code, pop.population, pop.census_year
    FROM boundaries_administrativearea a
    LEFT JOIN boundaries_administrativearea parent ON parent.id = a.parent_id
    LEFT JOIN LATERAL (
        SELECT p.population, p.census_year FROM boundaries_areapopulation p
        WHERE p.area_id = a.id ORDER BY p.census_year DESC LIMIT 1
    ) pop ON true
    WHERE a.valid_to IS NULL AND a.id IN (
        SELECT piece.area_id FROM boundaries_areapiece piece
        WHERE ST_Covers(piece.geom_4490, ST_SetSRID(ST_MakePoint(%s, %s), 4490))
    )
"""


def area_summaries_at_point(*, lon: float, lat: float) -> list[dict]:
    """Return the current areas covering the point as summaries (AreaSummarySerializer's
    fields), city first: what ``areas_at_point`` finds, without building model instances."""
    with read_connection().cursor() as cur:
        cur.execute(_SUMMARIES_AT_POINT_SQL, [lon, lat])
        rows = cur.fetchall()
    out = [
        {
            "code": code,
            "name": name,
            "level": level,
            "level_display": str(AreaLevel(level).label),
            "kind": kind,
            "parent_code": parent_code,
            "population": population,
        }
        for code, name, level, kind, parent_code, population, _ in rows
    ]
    return sorted(out, key=lambda a: (LEVEL_RANK[a["level"]], a["code"]))


def areas_at_point_unindexed(*, lon: float, lat: float) -> list[str]:
    """Return the codes of areas covering the point by testing every whole polygon.

    The naive approach, kept as the benchmark baseline for ``areas_at_point``.
    """
    point = Point(lon, lat, srid=4490)
    return list(
        AdministrativeArea.objects.filter(
            valid_to__isnull=True, geom_4490__covers=point
        ).values_list("code", flat=True)
    )


def beijing1954_conversions() -> dict[int, DatumConversion]:
    """Return, per Beijing 1954 system, the approved parameter set that converts it.

    A set fitted for that very system comes first, else a 7-parameter set (a datum change,
    valid for every Beijing 1954 system); the most recently approved wins. A 4-parameter
    set is a plane fit and converts only the grid it was fitted in. Every layer's import
    passes these to the readers (a Beijing 1954 .prj) and the 坐标系 column.
    """
    approved = [
        ps
        for ps in TransformationParameterSet.objects.filter(approved_at__isnull=False).order_by(
            "-approved_at", "-pk"
        )
        if _usable(ps)
    ]
    conversions = {}
    for crs in CRS_TABLE.values():
        if crs.datum != BEIJING1954:
            continue
        own = [ps for ps in approved if ps.source_crs == crs.code]
        datum_wide = [ps for ps in approved if ps.model == MODEL_7P]
        chosen = (own or datum_wide or [None])[0]
        if chosen is not None:
            conversions[crs.epsg] = DatumConversion(
                source_epsg=crs.epsg,
                set_id=chosen.pk,
                set_name=chosen.name,
                convert=partial(_convert, _spec(chosen), crs),
            )
    return conversions


def _spec(ps: TransformationParameterSet) -> ParameterSpec:
    return ParameterSpec(ps.model, ps.parameters, ps.source_crs, ps.target_crs, ps.pipeline)


def _usable(ps: TransformationParameterSet) -> bool:
    try:
        spec_check(_spec(ps))
        if ps.model == MODEL_4P:  # applied through its stored pipeline
            pipeline_transformer(ps.pipeline)
    except (FitError, CrsError, ProjError):
        return False
    return True


def _convert(spec: ParameterSpec, source: CrsDef, x, y) -> tuple[np.ndarray, np.ndarray]:
    converted = convert_coordinates(spec, source, x, y)
    return converted.lon, converted.lat
