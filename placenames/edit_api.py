"""The editor's place-name API: /api/v1/editing/placenames (list in a bbox) and …/{id}.

GET returns GeoJSON (the surveyed point, line or polygon) with the version as ETag; PATCH
and DELETE need If-Match (428 without, 412 stale, checked before the body) and the
地名管理员 or 系统管理员 role. Names themselves change only through change requests: a PATCH
that renames or abolishes is submitted as one (202, see gis_portal.editing.change_services).
"""

from __future__ import annotations

import json

from django.contrib.gis.geos import Polygon
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.editing.api import FeatureEditView
from gis_portal.editing.layers import LAYERS
from gis_portal.editing.permissions import LayerEditPermission
from gis_portal.params import parse_bbox, reject_unknown
from placenames.models import PlaceName

EDITOR_LIST_LIMIT = 5000
_FIELDS = (
    "place_code",
    "standard_name",
    "abbreviation",
    "pinyin",
    "pinyin_needs_check",
    "ethnic_script",
    "status",
    "named_on",
    "established_year",
    "abolished_on",
    "origin",
    "meaning",
    "history",
    "description",
    "survey_method",
    "media_note",
    "source",
    "remarks",
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


class PlaceNameEditListView(APIView):
    """Place names with their surveyed geometry in a bbox, for the editor (signed-in)."""

    permission_classes = [LayerEditPermission]
    editor_roles = LAYERS["placenames"].editor_roles

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minLon,minLat,maxLon,maxLat"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        reject_unknown(request.query_params, {"bbox"})
        qs = _queryset().exclude(geom_4490__isnull=True, point_4490__isnull=True)
        bbox = parse_bbox(request.query_params, "bbox")
        if bbox is not None:
            qs = qs.filter(point_4490__intersects=Polygon.from_bbox(bbox))
        rows = list(qs.order_by("pk")[: EDITOR_LIST_LIMIT + 1])
        return Response(
            {
                "type": "FeatureCollection",
                "features": [placename_feature(p, full=False) for p in rows[:EDITOR_LIST_LIMIT]],
                "truncated": len(rows) > EDITOR_LIST_LIMIT,
            }
        )
