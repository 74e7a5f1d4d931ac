"""The checks every feature write makes, in every app: lock the row, compare the version,
keep the geometry inside the city.

They raise the editor's named errors (``NotFound``, ``PreconditionFailed``, ``InvalidEdit``),
so the editor, the API, the admin and approvals refuse an edit with the same message.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from gis_portal.editing.errors import InvalidEdit, PreconditionFailed
from gis_portal.errors import NotFound

# How far (metres) an edited geometry may stray outside the city outline: Amap's outline and
# surveyed lines differ by metres. Settings may override it.
CITY_TOLERANCE_M = getattr(settings, "EDIT_CITY_TOLERANCE_M", 50.0)


def feature_lock(model, pk: int):
    """Return the row ``pk`` of ``model`` locked for update; NotFound if there is none."""
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{model._meta.verbose_name} {pk} 不存在")
    return obj


def version_check(obj, expected_version: int | None) -> None:
    """Raise PreconditionFailed if ``obj`` is no longer at the version the editor started from."""
    if expected_version is not None and obj.version != expected_version:
        what = obj._meta.verbose_name or "要素"
        raise PreconditionFailed(
            f"该{what}已被他人修改（当前版本 {obj.version}，您编辑的是版本 {expected_version}）",
            current_version=obj.version,
        )


def city_check(geom: GEOSGeometry) -> None:
    """Raise InvalidEdit if ``geom`` leaves the city (within ``CITY_TOLERANCE_M``).

    Passes where the city has no outline loaded yet.
    """
    # CASE keeps the buffered test (costly on the 5,800-vertex outline) for the rare edit
    # that leaves the plain polygon.
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT CASE WHEN ST_Covers(a.geom_4490, g.geom) THEN true
                        ELSE ST_Covers(ST_SetSRID(ST_Buffer(a.geom_4490::geography, %s)::geometry, 4490), g.geom)
                   END
            FROM boundaries_administrativearea a,
                 (SELECT ST_GeomFromEWKB(%s) AS geom) g
            WHERE a.code = %s AND a.valid_to IS NULL AND a.geom_4490 IS NOT NULL
            """,
            [CITY_TOLERANCE_M, geom.ewkb, settings.HEGANG_CITY_CODE],
        )
        row = cur.fetchone()
    if row is not None and not row[0]:
        raise InvalidEdit("geometry", "几何超出鹤岗市范围")
