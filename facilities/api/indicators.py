"""REST API of the yearly plan indicators (/api/v1/indicators…: list, entry, import,
history) and the import of the standards workbook (/api/v1/standards/import)."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from facilities.models import Indicator, IndicatorValue
from facilities.permissions import IsPlanner
from facilities.services.indicators import (
    IndicatorRow,
    indicator_file_import,
    indicator_values_enter,
)
from facilities.services.standards_io import standards_import
from gis_portal.errors import InvalidParameter, NotFound
from gis_portal.importing.uploads import import_request, upload_saved
from gis_portal.limits import accepts_upload
from gis_portal.params import (
    Int,
    ParamSet,
    Text,
    reject_unknown,
    reject_unsafe_params,
)
from gis_portal.throttles import heavy_work


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ("slug", "name", "definition", "sources")


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.slug")
    indicator_name = serializers.CharField(source="indicator.name")
    county = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    value_percent = serializers.FloatField()
    entered_by = serializers.CharField(source="entered_by.username", default="")

    class Meta:
        model = IndicatorValue
        fields = (
            "id",
            "indicator",
            "indicator_name",
            "county",
            "county_name",
            "year",
            "value_percent",
            "note",
            "entered_by",
            "entered_at",
            "source",
            "is_demo",
        )


class IndicatorListView(APIView):
    """The plan's non-spatial indicators (each entered yearly per county, in percent)."""

    permission_classes = [AllowAny]
    query_params = ParamSet()

    @extend_schema(responses=IndicatorSerializer(many=True))
    def get(self, request):
        self.query_params.parse(request.query_params)
        return Response(IndicatorSerializer(Indicator.objects.all(), many=True).data)


ENTRY_FIELDS = {"indicator", "county", "year", "value_percent", "note"}


class IndicatorValueListView(APIView):
    """Yearly figures (GET, filtered) and one new figure (POST, planners only)."""

    query_params = ParamSet(
        Text("indicator", max_length=60, description="指标代码或名称"),
        Text("county", max_length=60, description="县（区）代码或名称"),
        Int("year", minimum=1900, maximum=2100),
    )

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsPlanner()]

    @extend_schema(responses=IndicatorValueSerializer(many=True))
    def get(self, request):
        params = self.query_params.parse(request.query_params)
        qs = IndicatorValue.objects.select_related("indicator", "county", "entered_by")
        if params["indicator"]:
            name = params["indicator"]
            qs = qs.filter(Q(indicator__slug=name) | Q(indicator__name=name))
        if params["county"]:
            name = params["county"]
            qs = qs.filter(Q(county__code=name) | Q(county__name=name))
        if params["year"]:
            qs = qs.filter(year=params["year"])
        rows = qs.order_by("indicator__sort_order", "-year", "county__code")[:2000]
        return Response(IndicatorValueSerializer(rows, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: IndicatorValueSerializer})
    def post(self, request):
        if not isinstance(request.data, Mapping):
            raise InvalidParameter("body", "请求体应为 JSON 对象")
        data = {k: "" if v is None else str(v) for k, v in request.data.items()}
        reject_unknown(data, ENTRY_FIELDS)
        reject_unsafe_params(data)
        for key in ENTRY_FIELDS:
            if len(data.get(key, "")) > 200:
                raise InvalidParameter(key, "长度超过 200 个字符")
        row = IndicatorRow(line=1, **{k: data.get(k, "") for k in ENTRY_FIELDS})
        done = indicator_values_enter(rows=[row], user=request.user, source="填报表单")
        value = IndicatorValue.objects.select_related("indicator", "county", "entered_by").get(
            pk=done["ids"][0]
        )
        return Response(IndicatorValueSerializer(value).data, status=status.HTTP_201_CREATED)


@accepts_upload
@method_decorator(heavy_work("compute"), name="post")
class IndicatorImportView(APIView):
    """Import yearly figures from Excel or CSV (指标、县（区）、年份、数值（%）、备注): all or none.

    multipart: ``file``, ``dry_run`` (true|false). 200 with the count when written (or a
    dry run); 400 with every problem by row and column when refused (nothing written).
    """

    permission_classes = [IsPlanner]
    parser_classes = [MultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        upload, flags = import_request(
            request.data, request.FILES, missing="请上传 xlsx 或 csv 文件"
        )
        with upload_saved(upload) as path:
            report = indicator_file_import(
                path=path, user=request.user, file_name=upload.name, dry_run=flags["dry_run"]
            )
        return Response(report)


class IndicatorValueHistoryView(APIView):
    """Every recorded version of one yearly figure: value, who, when, through which path."""

    permission_classes = [AllowAny]
    query_params = ParamSet()

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        self.query_params.parse(request.query_params)
        events = IndicatorValue.pgh_event_model.objects.filter(pgh_obj_id=pk).order_by(
            "pgh_created_at", "pgh_id"
        )
        if not events.exists():
            raise NotFound(f"没有编号为 {pk} 的年度指标记录")
        labels = {"insert": "填报", "update": "修改", "delete": "删除"}
        events = list(events.select_related("pgh_context"))
        # A service names the user in its context; a request's context (the admin) holds the
        # user's id and the URL, set by pghistory's middleware.
        contexts = [e.pgh_context.metadata if e.pgh_context else {} for e in events]
        names = dict(
            get_user_model()
            .objects.filter(pk__in={c.get("user") for c in contexts if c.get("user")})
            .values_list("pk", "username")
        )
        return Response(
            [
                {
                    "action": labels.get(e.pgh_label, e.pgh_label),
                    "value_percent": float(e.value_percent),
                    "year": e.year,
                    "note": e.note,
                    "at": timezone.localtime(e.pgh_created_at).isoformat(),
                    "by": c.get("username") or names.get(c.get("user"), ""),
                    "source": c.get("source")
                    or ("后台" if str(c.get("url", "")).startswith("/admin/") else ""),
                }
                for e, c in zip(events, contexts, strict=True)
            ]
        )


@accepts_upload
@method_decorator(heavy_work("compute"), name="post")
class StandardsImportView(APIView):
    """Import the standards workbook (sheets 服务项目与标准, 设施类型): all or none.

    multipart: ``file`` (xlsx, as exported at /facilities/standards.xlsx), ``dry_run``.
    """

    permission_classes = [IsPlanner]
    parser_classes = [MultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        upload, flags = import_request(
            request.data, request.FILES, missing="请上传 xlsx 文件（以导出的标准表为模板）"
        )
        with upload_saved(upload) as path:
            report = standards_import(path=path, dry_run=flags["dry_run"])
        return Response(report)
