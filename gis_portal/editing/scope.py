"""The officer's edit scope checked by the subdivided area pieces (selector; no writes).

``gis_portal.accounts.edit_scope_check`` fetches each scope area's whole polygon and tests
it with GEOS in Python (~9 ms a geometry on a county outline). Here one indexed query on
``AreaPiece`` (ST_Subdivide pieces, ≤ 64 vertices) answers the common case — a geometry
inside one piece — and anything else falls back to the exact check, so the answer and
the refusal message are the same.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry

from boundaries.models import AreaPiece
from gis_portal.accounts import edit_scope_check
from gis_portal.models import OfficerScope


def scope_check(user: User | None, *geoms: GEOSGeometry | None) -> None:
    """Raise OutsideEditScope unless every geometry lies inside the user's edit areas."""
    geoms = tuple(g for g in geoms if g is not None)
    if user is None or user.is_superuser or not geoms:
        return
    area_ids = [
        pk
        for pk in OfficerScope.objects.filter(user=user).values_list("areas", flat=True)
        if pk is not None
    ]
    if not area_ids:
        return  # no scope: the whole city
    pieces = AreaPiece.objects.filter(area_id__in=area_ids)
    for geom in geoms:
        if not pieces.filter(geom_4490__covers=geom).exists():
            edit_scope_check(user=user, geom_4490=geom)  # exact test; raises if outside
