"""The officer's edit scope: the one rule every write and every change-request read uses.

An officer's scope (``OfficerScope``) is a set of administrative areas; a user without one,
or with no areas in it, may act in the whole city, as may a superuser and the system itself
(``user=None``: imports, commands). For everyone else a feature is in scope when

- every geometry it has or is given (before and after the edit) lies inside one of the
  areas, and
- every division it is filed under (a place name's 所在行政区) is one of the areas or lies
  under one (a township or village of a county in scope).

So a place name with no geometry, or only a representative point, is still scoped by its
division, and a feature whose record says one district while its geometry lies in another
is in scope only for an officer of both. An area without a polygon covers no geometry: the
check fails closed rather than opening the city.

Geometries are tested against the subdivided area pieces (``AreaPiece``, ≤ 64 vertices:
the index answers the common case) and, for a geometry that straddles pieces, against the
areas' whole polygons, in PostGIS; many footprints are tested in two queries (the request
list of a scoped officer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import Q

from gis_portal.accounts import OutsideEditScope
from gis_portal.areas import area_model
from gis_portal.models import OfficerScope


@dataclass(frozen=True)
class Footprint:
    """Where a feature is, for the scope rule: its geometries and the divisions it is filed
    under (ids of the area model, ``gis_portal.areas``)."""

    geoms: tuple[GEOSGeometry, ...] = ()
    division_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, *geoms: GEOSGeometry | None, divisions: Iterable[int | None] = ()) -> Footprint:
        return cls(
            geoms=tuple(g for g in geoms if g is not None),
            division_ids=tuple(d for d in divisions if d is not None),
        )

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(self.geoms + other.geoms, self.division_ids + other.division_ids)

    @property
    def is_empty(self) -> bool:
        return not self.geoms and not self.division_ids


def scope_area_ids(user: User | None) -> list[int] | None:
    """Return the ids of the areas ``user`` may act in, or None for the whole city."""
    if user is None or user.is_superuser:
        return None
    if not user.is_authenticated:
        return []  # never reached through the views; refuse rather than open the city
    ids = [
        pk
        for pk in OfficerScope.objects.filter(user=user).values_list("areas", flat=True)
        if pk is not None
    ]
    return ids or None


def _covered_divisions(area_ids: list[int], division_ids: set[int]) -> set[int]:
    """The divisions that are one of the areas or lie under one (city → village is four
    levels, so three parents are enough)."""
    if not division_ids:
        return set()
    return set(
        area_model()
        .objects.filter(pk__in=division_ids)
        .filter(
            Q(pk__in=area_ids)
            | Q(parent_id__in=area_ids)
            | Q(parent__parent_id__in=area_ids)
            | Q(parent__parent__parent_id__in=area_ids)
        )
        .values_list("pk", flat=True)
    )


def _covered_geometries(area_ids: list[int], geoms: list[GEOSGeometry]) -> list[bool]:
    """Whether each geometry lies inside one of the areas, all in one query: the indexed
    pieces first, the whole polygon only for a geometry no single piece covers."""
    if not geoms:
        return []
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT g.i FROM unnest(%s::int[], %s::bytea[]) AS g(i, wkb)
            WHERE EXISTS (
                SELECT 1 FROM boundaries_areapiece p
                WHERE p.area_id = ANY(%s) AND ST_Covers(p.geom_4490, ST_GeomFromEWKB(g.wkb)))
               OR EXISTS (
                SELECT 1 FROM boundaries_administrativearea a
                WHERE a.id = ANY(%s) AND ST_Covers(a.geom_4490, ST_GeomFromEWKB(g.wkb)))
            """,
            [list(range(len(geoms))), [bytes(g.ewkb) for g in geoms], area_ids, area_ids],
        )
        covered = {row[0] for row in cur.fetchall()}
    return [i in covered for i in range(len(geoms))]


def footprints_in_scope(area_ids: list[int] | None, footprints: list[Footprint]) -> list[bool]:
    """Whether each footprint lies inside the areas (None: the whole city, always); two
    queries however many footprints."""
    if area_ids is None:
        return [True] * len(footprints)
    divisions = _covered_divisions(area_ids, {d for f in footprints for d in f.division_ids})
    inside = [set(f.division_ids) <= divisions for f in footprints]
    owners = [i for i, f in enumerate(footprints) for _g in f.geoms]
    geoms = [g for f in footprints for g in f.geoms]
    for i, covered in zip(owners, _covered_geometries(area_ids, geoms), strict=True):
        inside[i] = inside[i] and covered
    return inside


def footprint_in_scope(area_ids: list[int] | None, footprint: Footprint) -> bool:
    """Whether ``footprint`` lies inside the areas (None: the whole city, always)."""
    return footprints_in_scope(area_ids, [footprint])[0]


def scope_check(
    user: User | None, *geoms: GEOSGeometry | None, divisions: Iterable[int | None] = ()
) -> None:
    """Raise OutsideEditScope unless every geometry and every division (area ids) lies
    inside the user's edit areas."""
    footprint_check(user, Footprint.of(*geoms, divisions=divisions))


def footprint_check(user: User | None, footprint: Footprint) -> None:
    """Raise OutsideEditScope unless ``footprint`` lies inside the user's edit areas."""
    if not footprint.is_empty:
        any_footprint_check(user, [footprint])


def any_footprint_check(user: User | None, footprints: list[Footprint]) -> None:
    """Raise OutsideEditScope unless one of ``footprints`` lies inside the user's edit
    areas (a boundary line is either side's: its joint inspection is recorded by either)."""
    area_ids = scope_area_ids(user)
    if area_ids is None or any(footprints_in_scope(area_ids, footprints)):
        return
    names = "、".join(
        area_model().objects.filter(pk__in=area_ids).order_by("code").values_list("name", flat=True)
    )
    raise OutsideEditScope(f"该要素不在您的编辑范围（{names}）内")


def staged_outside_scope(cursor, area_ids: list[int], geoms_sql: str) -> list[int]:
    """Return the lines of an import whose geometry lies outside the areas — the same rule
    as ``footprints_in_scope``, over a whole staging table in one query.

    ``geoms_sql`` selects ``(line, geom)`` pairs (EPSG:4490); a line with several geometries
    (a record before and after the import) is outside when any of them is.
    """
    cursor.execute(
        f"""
        SELECT DISTINCT g.line FROM ({geoms_sql}) AS g(line, geom)
        WHERE NOT EXISTS (
            SELECT 1 FROM boundaries_areapiece p
            WHERE p.area_id = ANY(%s) AND ST_Covers(p.geom_4490, g.geom))
          AND NOT EXISTS (
            SELECT 1 FROM boundaries_administrativearea a
            WHERE a.id = ANY(%s) AND ST_Covers(a.geom_4490, g.geom))
        ORDER BY g.line
        """,  # noqa: S608 — geoms_sql is the layer's constant statement
        [area_ids, area_ids],
    )
    return [row[0] for row in cursor.fetchall()]


def scope_names(area_ids: list[int]) -> str:
    """Return the areas' names for a refusal: 向阳区、工农区."""
    return "、".join(
        area_model().objects.filter(pk__in=area_ids).order_by("code").values_list("name", flat=True)
    )
