"""REST API of administrative areas (/api/v1/areas…)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from boundaries.models import AdministrativeArea, AreaLevel
from boundaries.selectors import areas as selectors
from boundaries.selectors import divisions as division_selectors
from gis_portal.params import BBox, Bool, Choice, Date, Float, ParamSet, Text


class AreaPropertiesMixin(serializers.Serializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
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
            "geom_is_demo",
        )


class AreaSummarySerializer(AreaPropertiesMixin, serializers.ModelSerializer):
    class Meta:
        model = AdministrativeArea
        fields = ("code", "name", "level", "level_display", "kind", "parent_code", "population")


AREA_CODE_PATTERN = r"^\d{6,12}$"


class AreaListView(APIView):
    """Administrative areas as GeoJSON (CGCS2000 lon/lat)."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Choice("level", AreaLevel.values),
        Text(
            "parent",
            pattern=AREA_CODE_PATTERN,
            pattern_message="应为 6–12 位区划代码",
            description="上级区划代码",
        ),
        BBox(),
        Bool("has_geometry", default=False),
    )

    @extend_schema(responses=AreaFeatureSerializer(many=True))
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        areas = selectors.area_list(
            level=q["level"],
            parent_code=q["parent"],
            bbox_4490=q["bbox"],
            with_geometry_only=q["has_geometry"],
        )
        return Response(AreaFeatureSerializer(areas, many=True).data)


class AreasAtPointSerializer(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    areas = AreaSummarySerializer(many=True, help_text="由大到小：市、县（区）、乡镇（街道）…")


class AreaAtPointView(APIView):
    """Which administrative areas contain a point (lon/lat in CGCS2000)."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Float("lon", -180, 180, required=True, description="经度（CGCS2000）"),
        Float("lat", -90, 90, required=True, description="纬度（CGCS2000）"),
    )

    @extend_schema(responses=AreasAtPointSerializer)
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        lon, lat = q["lon"], q["lat"]
        areas = selectors.area_summaries_at_point(lon=lon, lat=lat)
        return Response({"lon": lon, "lat": lat, "areas": areas})


class CodeHistoryAdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    effective_on = serializers.DateField()
    approval_ref = serializers.CharField()
    change_request_id = serializers.IntegerField(allow_null=True)


class CodeHistoryUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    level_display = serializers.CharField()
    kind = serializers.CharField()
    parent_code = serializers.CharField(allow_null=True)
    parent_name = serializers.CharField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True, help_text="空：档案记录以前已设立")
    valid_to = serializers.DateField(allow_null=True, help_text="空：现行")
    is_current = serializers.BooleanField()
    started_by = CodeHistoryAdjustmentSerializer(allow_null=True)
    ended_by = CodeHistoryAdjustmentSerializer(allow_null=True)


class CodeHistorySerializer(serializers.Serializer):
    code = serializers.CharField()
    on = serializers.DateField(allow_null=True)
    unit = CodeHistoryUnitSerializer(allow_null=True, help_text="该日使用此代码的单位")
    units = CodeHistoryUnitSerializer(many=True, help_text="使用过此代码的全部单位，由早到晚")


class CodeHistoryView(APIView):
    """What a division code meant on a day ("what was 230402 on 2015-01-01"), and every
    unit that has held it, with the adjustments that started and ended each."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Text(
            "code",
            required=True,
            pattern=r"^\d{6}(\d{3})?$",
            pattern_message="应为 6 位或 9 位区划代码",
            description="区划代码",
        ),
        Date("on", description="日期（YYYY-MM-DD），省略则只列历史"),
    )

    @extend_schema(responses=CodeHistorySerializer)
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        return Response(division_selectors.code_history(code=q["code"], on=q["on"]))
