"""The editor's place-name API: /api/v1/editing/placenames (list in a bbox) and …/{id}.

GET returns GeoJSON (the surveyed point, line or polygon) with the version as ETag; PATCH
and DELETE need If-Match (428 without, 412 stale, checked before the body) and the
地名管理员 or 系统管理员 role. Names themselves change only through change requests: a PATCH
that renames or abolishes is submitted as one (202, see gis_portal.editing.change_services).
"""

from __future__ import annotations

import json

from rest_framework.views import APIView

from gis_portal.editing.api import FeatureEditView
from gis_portal.editing.layers import LAYERS
from placenames.models import PlaceName
from placenames.services.names import CENSUS_ATTR_FIELDS

EDITOR_LIST_LIMIT = 5000
# What the editor shows of a name: its census attributes without the registration and
# coordinate bookkeeping (the archive's own pages show those).
_NOT_EDITED = frozenset({"coordinate_system", "registered_on", "registrar", "registering_unit"})
_FIELDS = (
    "place_code",
    "standard_name",
    "pinyin",
    "pinyin_needs_check",
    *(name for name in CENSUS_ATTR_FIELDS if name not in _NOT_EDITED),
    "is_demo",
    "version",
)


def placename_feature(place: PlaceName, *, full: bool = True) -> dict:
    geom = place.geom_4490 or place.point_4490
    props = {
        "status_display": place.get_status_display(),
        "category": place.category.code,
        "category_name": place.category.name,
        "division": place.division.code,
        "division_name": place.division.name,
    }
    fields = _FIELDS if full else ("place_code", "standard_name", "status", "is_demo", "version")
    for name in fields:
        value = getattr(place, name)
        props[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return {
        "type": "Feature",
        "id": place.pk,
        "geometry": json.loads(geom.json) if geom is not None else None,
        "properties": props,
    }


def _queryset():
    return PlaceName.objects.select_related("category", "division").defer(
        "division__geom_4490", "search_names", "fuzzy_keys"
    )


class PlaceNameEditView(FeatureEditView, APIView):
    layer = LAYERS["placenames"]

    def get_queryset(self):
        return _queryset()

    def represent(self, obj) -> dict:
        return placename_feature(obj)
