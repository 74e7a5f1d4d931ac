"""REST API of administrative areas (/api/v1/areas…)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from boundaries import selectors
from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.params import parse_bbox, parse_choice, parse_lon_lat, reject_unknown


class AreaPropertiesMixin(serializers.Serializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    population = serializers.IntegerField(read_only=True, allow_null=True)
    census_year = serializers.IntegerField(read_only=True, allow_null=True)


class AreaFeatureSerializer(AreaPropertiesMixin, GeoFeatureModelSerializer):
    class Meta:
        model = AdministrativeArea
        geo_field = "geom_4490"
        fields = (
            "code",
            "name",
            "level",
            "level_display",
            "kind",
            "parent_code",
            "code_authority",
            "nbs_code",
            "population",
            "census_year",
            "source",
            "is_demo",
        )


class AreaSummarySerializer(AreaPropertiesMixin, serializers.ModelSerializer):
    class Meta:
        model = AdministrativeArea
        fields = ("code", "name", "level", "level_display", "kind", "parent_code", "population")


_LEVEL_PARAM = OpenApiParameter("level", OpenApiTypes.STR, enum=list(AreaLevel.values))


class AreaListView(APIView):
    """Administrative areas as GeoJSON (CGCS2000 lon/lat)."""

    permission_classes = [AllowAny]
    allowed_params = {"level", "parent", "bbox", "has_geometry"}

    @extend_schema(
        parameters=[
            _LEVEL_PARAM,
            OpenApiParameter("parent", OpenApiTypes.STR, description="上级区划代码"),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minLon,minLat,maxLon,maxLat"),
            OpenApiParameter("has_geometry", OpenApiTypes.BOOL),
        ],
        responses=AreaFeatureSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, self.allowed_params)
        level = parse_choice(params, "level", AreaLevel.values)
        parent = params.get("parent") or None
        bbox = parse_bbox(params)
        has_geometry = parse_choice(params, "has_geometry", ["true", "false"]) == "true"
        areas = selectors.area_list(
            level=level, parent_code=parent, bbox_4490=bbox, with_geometry_only=has_geometry
        )
        return Response(AreaFeatureSerializer(areas, many=True).data)


class AreaAtPointView(APIView):
    """Which administrative areas contain a point (lon/lat in CGCS2000)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
        ],
        responses=AreaSummarySerializer(many=True),
    )
    def get(self, request):
        reject_unknown(request.query_params, {"lon", "lat"})
        lon, lat = parse_lon_lat(request.query_params)
        areas = selectors.area_summaries_at_point(lon=lon, lat=lat)
        return Response({"lon": lon, "lat": lat, "areas": areas})
