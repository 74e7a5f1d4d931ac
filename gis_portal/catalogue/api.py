"""GET /api/v1/layers…: the catalogue as the caller may see it (thin views).

The list and one layer's description feed the map legends and layer switchers; the
features endpoint pages through a layer as GeoJSON. A staff layer is, for anyone else, a
404 in the same words as an unknown key (the schema names no layer either).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.catalogue.registry import catalogue_layer_for
from gis_portal.catalogue.selectors import (
    MAX_PAGE,
    catalogue_description,
    layer_description,
    layer_features_geojson,
)
from gis_portal.params import BBox, Int, ParamSet, Text

LAYER_KEY = ParamSet(
    Text(
        "layer",
        max_length=40,
        pattern=r"^[a-z][a-z0-9-]{0,39}$",
        pattern_message="应为图层键，如 door-plates",
        description="图层键（见 /api/v1/layers）",
    )
)


class CatalogueListView(APIView):
    """Every layer the caller may read: label, geometry, fields with labels, map hints."""

    permission_classes = [AllowAny]
    query_params = ParamSet()

    @extend_schema(operation_id="catalogue_layers", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        self.query_params.parse(request.query_params)
        return Response({"layers": catalogue_description(request.user)})


class CatalogueLayerView(APIView):
    """One layer's description with its extent (EPSG:4490)."""

    permission_classes = [AllowAny]
    query_params = ParamSet()
    path_params = LAYER_KEY

    @extend_schema(operation_id="catalogue_layer", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str):
        self.query_params.parse(request.query_params)
        entry = catalogue_layer_for(layer, request.user)
        return Response(layer_description(entry, user=request.user, extent=True))


class CatalogueFeaturesView(APIView):
    """One page of a layer's features as GeoJSON (choice codes shown as their labels)."""

    permission_classes = [AllowAny]
    path_params = LAYER_KEY
    query_params = ParamSet(
        BBox(),
        Int("limit", 1, MAX_PAGE, default=100),
        Int("offset", 0, 100_000_000, default=0),
    )

    @extend_schema(
        operation_id="catalogue_layer_features",
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request, layer: str):
        q = self.query_params.parse(request.query_params)
        entry = catalogue_layer_for(layer, request.user)
        body, matched = layer_features_geojson(
            entry, user=request.user, bbox_4490=q["bbox"], limit=q["limit"], offset=q["offset"]
        )
        response = HttpResponse(body, content_type="application/geo+json")
        response["X-Total-Count"] = str(matched)
        return response
