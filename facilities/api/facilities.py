"""REST API of the facilities app (/api/v1/facilities…, /api/v1/coverage…, /api/v1/siting…)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from facilities.models import (
    DistanceKind,
    Facility,
    FacilityStatus,
    Programme,
    Scenario,
    SitingRun,
)
from facilities.permissions import IsPlanner
from facilities.selectors.coverage import demand_arrays, programme_coverage, public_report
from facilities.selectors.scenarios import mean_distance, scenario_figures
from facilities.selectors.targets import plan_targets
from facilities.services.runs import siting_run_cancel, siting_run_create
from facilities.services.siting import DISTANCE_KINDS, SitingRequest
from facilities.services.watchdog import siting_run_fail_if_dead
from facilities.siting import SitingInputError
from facilities.siting.catalogue import SITING_MODELS, model_label, status_label
from facilities.siting_io import read_cost_table
from facilities.standards import PROGRAMMES
from facilities.tasks import enqueue_siting
from gis_portal.errors import InvalidParameter, NotFound
from gis_portal.importing.readers import read_text_grid
from gis_portal.metric_crs import to_lonlat
from gis_portal.params import (
    Choice,
    IntList,
    ParamSet,
    parse_choice,
    parse_float,
    parse_int,
    reject_unknown,
)
from gis_portal.throttles import heavy_work


class ProgrammeSerializer(serializers.ModelSerializer):
    target_label = serializers.CharField(source="get_target_population_display")
    distance_kind_label = serializers.CharField(source="get_distance_kind_display")
    unit_rule_label = serializers.CharField(source="get_unit_rule_display")

    class Meta:
        model = Programme
        fields = (
            "slug",
            "name",
            "target_population",
            "target_label",
            "custom_field",
            "service_distance_m",
            "distance_kind",
            "distance_kind_label",
            "capacity_unit",
            "capacity_per_1000",
            "unit_rule",
            "unit_rule_label",
            "plan_target",
            "sources",
        )


class FacilitySerializer(GeoFeatureModelSerializer):
    programme = serializers.CharField(source="programme.slug")
    facility_type = serializers.CharField(source="facility_type.name")
    status_label = serializers.CharField(source="get_status_display")
    operator_label = serializers.CharField(source="get_operator_display")
    county = serializers.CharField(source="county.name", default="")

    class Meta:
        model = Facility
        geo_field = "position_4490"
        fields = (
            "id",
            "name",
            "programme",
            "facility_type",
            "status",
            "status_label",
            "capacity",
            "capacity_unit",
            "operator",
            "operator_label",
            "address",
            "county",
            "is_demo",
        )


# The standard programmes (facilities.standards); a planner may add more in the admin.
PROGRAMME_SLUGS = tuple(row[0] for row in PROGRAMMES)


def programme_param(*, required: bool = False):
    # The schema lists the standard programmes; the registry decides (a planner may add one
    # in the admin, and it is accepted too).
    return Choice(
        "programme",
        PROGRAMME_SLUGS,
        required=required,
        open_choice=True,
        max_length=50,
        description="服务项目代码：标准项目之一，或规划人员在后台新增的项目",
    )


def _programme(params) -> Programme:
    slug = params.get("programme")
    if not slug:
        raise InvalidParameter("programme", "缺少此参数 (required)")
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise InvalidParameter("programme", f"未知服务项目 {slug[:40]!r}")
    return programme


class ProgrammeListView(APIView):
    permission_classes = [AllowAny]
    query_params = ParamSet()

    @extend_schema(responses=ProgrammeSerializer(many=True))
    def get(self, request):
        self.query_params.parse(request.query_params)
        return Response(ProgrammeSerializer(Programme.objects.all(), many=True).data)


class FacilityListView(APIView):
    """Facilities as GeoJSON (CGCS2000 lon/lat)."""

    permission_classes = [AllowAny]
    query_params = ParamSet(programme_param(), Choice("status", FacilityStatus.values))

    @extend_schema(responses=FacilitySerializer(many=True))
    def get(self, request):
        params = request.query_params
        status_ = self.query_params.parse(params)["status"]
        qs = Facility.objects.select_related("programme", "facility_type", "county")
        if params.get("programme"):
            qs = qs.filter(programme=_programme(params))
        if status_:
            qs = qs.filter(status=status_)
        return Response(FacilitySerializer(qs.order_by("id"), many=True).data)


@method_decorator(heavy_work("compute"), name="get")
class CoverageView(APIView):
    """Coverage of one programme: served, by area, unit rule, gap polygons, demand points."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        programme_param(required=True),
        Choice("distance_kind", DistanceKind.values, description="默认按服务项目的规定"),
    )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = request.query_params
        kind = self.query_params.parse(params)["distance_kind"]
        programme = _programme(params)
        demand = demand_arrays(with_cells=True)
        report = programme_coverage(programme, demand=demand, distance_kind=kind, with_gaps=True)
        target = demand.target(programme)
        keep = np.flatnonzero(target > 0)
        lon, lat = to_lonlat(demand.xy_m[keep, 0], demand.xy_m[keep, 1])
        served = report["_served_per_unit"][keep]
        body = public_report(report)
        # Compact demand points for the map: [lon, lat, target, served].
        body["demand_points"] = np.column_stack(
            [np.round(lon, 6), np.round(lat, 6), target[keep], np.round(served, 1)]
        ).tolist()
        return Response(body)


class CountyIndicatorSerializer(serializers.Serializer):
    county = serializers.CharField()
    code = serializers.CharField()
    value_percent = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    is_demo = serializers.BooleanField()


class PlanTargetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        ["spatial", "indicator"], help_text="spatial：按设施台账计量；indicator：年度统计指标"
    )
    basis = serializers.CharField(help_text="“十四五”目标，或“十三五”已建成（应不少于）")
    period = serializers.CharField()
    figure = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="比例、数量或百分比；无数据时为 null")
    goal = serializers.CharField()
    met = serializers.BooleanField(allow_null=True, help_text="null：规划未给出数值目标或无数据")
    met_label = serializers.CharField(help_text="达到 / 未达到 / —")
    source = serializers.CharField()
    is_demo = serializers.BooleanField(help_text="数值含演示数据")
    year = serializers.IntegerField(required=False, allow_null=True)
    counties = CountyIndicatorSerializer(many=True, required=False)


@method_decorator(heavy_work("compute"), name="get")
class PlanTargetsView(APIView):
    permission_classes = [AllowAny]
    query_params = ParamSet()

    @extend_schema(responses=PlanTargetSerializer(many=True))
    def get(self, request):
        self.query_params.parse(request.query_params)
        return Response(PlanTargetSerializer(plan_targets(), many=True).data)


def _run_json(run: SitingRun) -> dict:
    scenario = getattr(run, "scenario", None)
    return {
        "id": run.pk,
        "name": run.name,
        "programme": run.programme.slug,
        "status": run.status,
        "status_label": run.get_status_display(),
        "progress": round(run.progress, 3),
        "message": run.message,
        "parameters": public_parameters(run.parameters),
        "scenario": scenario.pk if scenario else None,
    }


def public_parameters(params: dict) -> dict:
    """Return a run's parameters with a supplied cost matrix summarised, not repeated."""
    out = dict(params)
    matrix = out.pop("cost_matrix", None)
    if matrix:
        out["cost_matrix_pairs"] = len(matrix["cost"])
    return out


MAX_COST_FILE_BYTES = 30 * 1024 * 1024


def _cost_table(upload):
    """Return the uploaded cost matrix (CSV or Excel) parsed, or None when none was sent."""
    if upload is None:
        return None
    if not hasattr(upload, "read"):
        raise InvalidParameter("cost_matrix", "应为上传的 .csv 或 .xlsx 文件")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidParameter(
            "cost_matrix", f"不支持的文件类型 {suffix or '（无扩展名）'}，应为 .csv 或 .xlsx"
        )
    if upload.size > MAX_COST_FILE_BYTES:
        raise InvalidParameter("cost_matrix", "文件超过 30 MB")
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            grid = read_text_grid(Path(tmp.name))
        except ValueError as exc:  # FileRefused: a Chinese message naming the problem
            raise InvalidParameter("cost_matrix", str(exc)) from None
    try:
        return read_cost_table(grid)
    except SitingInputError as exc:
        raise InvalidParameter("cost_matrix", exc.message) from None


def _flag(data, name: str) -> bool:
    raw = data.get(name, "")
    if raw in ("", "false", "False", "0", "off"):
        return False
    if raw in ("true", "True", "1", "on"):
        return True
    raise InvalidParameter(name, "取值应为 true 或 false")


def _candidates(raw) -> list[list[float]] | None:
    """Return candidate [lon, lat] pairs (CGCS2000) from the request, or None for the grid."""
    if raw in (None, "", []):
        return None
    if not isinstance(raw, list) or not all(
        isinstance(c, list | tuple) and len(c) == 2 and all(isinstance(v, int | float) for v in c)
        for c in raw
    ):
        raise InvalidParameter("candidates", "应为 [[经度, 纬度], …] 数组（CGCS2000）")
    if len(raw) > 20_000:
        raise InvalidParameter("candidates", "候选点不能超过 20000 个")
    return [[float(c[0]), float(c[1])] for c in raw]


class SitingRunListView(APIView):
    """Start a background siting run on a programme (planners only)."""

    permission_classes = [IsPlanner]
    allowed = {
        "programme",
        "name",
        "model",
        "p",
        "radius_m",
        "time_limit",
        "capacity_per_site",
        "candidates",
        "distance",
        "exclude_unreachable",
        "cost_matrix",
    }

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        if not isinstance(request.data, Mapping):
            raise InvalidParameter("body", "请求体应为 JSON 对象")
        # JSON numbers and form strings alike go through the same parameter parsers.
        raw_candidates = request.data.get("candidates")
        upload = request.FILES.get("cost_matrix") if hasattr(request, "FILES") else None
        data = {
            k: "" if v is None else str(v)
            for k, v in request.data.items()
            if k not in ("candidates", "cost_matrix")
        }
        extra = {"candidates": ""} if raw_candidates else {}
        if "cost_matrix" in request.data:
            extra["cost_matrix"] = ""
            if upload is None:
                raise InvalidParameter("cost_matrix", "应为上传的 .csv 或 .xlsx 文件（multipart）")
        reject_unknown({**data, **extra}, self.allowed)
        candidates = _candidates(raw_candidates)
        programme = _programme(data)
        model = parse_choice(data, "model", list(SITING_MODELS))
        if model is None:
            raise InvalidParameter("model", "缺少此参数 (required)")
        p = parse_int(data, "p", required=False, min_value=1, max_value=500)
        radius = parse_float(data, "radius_m", required=False, min_value=1, max_value=100_000)
        limit = parse_float(data, "time_limit", required=False, min_value=1, max_value=3600) or 60
        per_site = parse_int(data, "capacity_per_site", required=False, min_value=0)
        distance = parse_choice(data, "distance", list(DISTANCE_KINDS)) or "straight"
        exclude = _flag(data, "exclude_unreachable")
        cost_table = _cost_table(upload)
        if radius is None and SITING_MODELS[model].radius_from_standard:
            radius = float(programme.service_distance_m)
        run = siting_run_create(
            programme=programme,
            name=str(data.get("name") or ""),
            request=SitingRequest(
                model=model,
                p=p,
                radius_m=radius,
                time_limit_s=limit,
                distance=distance,
                exclude_unreachable=exclude,
            ),
            capacity_per_site=per_site,
            cost_table=cost_table,
            candidates_lonlat=candidates,
            user=request.user,
            enqueue=enqueue_siting,
        )
        return Response(_run_json(run), status=status.HTTP_201_CREATED)


class SitingRunDetailView(APIView):
    permission_classes = [IsPlanner]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = SitingRun.objects.select_related("programme", "scenario").filter(pk=pk).first()
        if run is None:
            raise NotFound(f"没有编号为 {pk} 的选址计算")
        # A poll is when a planner waits on the run: a dead worker must not keep it "running".
        return Response(_run_json(siting_run_fail_if_dead(run=run)))


class SitingRunCancelView(APIView):
    permission_classes = [IsPlanner]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        if not SitingRun.objects.filter(pk=pk).exists():
            raise NotFound(f"没有编号为 {pk} 的选址计算")
        run = siting_run_cancel(run_id=pk)
        return Response(_run_json(run))


def scenario_json(s: Scenario) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "programme": s.programme.slug,
        "model": s.model,
        "model_label": model_label(s.model),
        "status": s.result.get("status"),
        "status_label": status_label(s.result.get("status") or ""),
        "gap": s.result.get("gap"),
        "sites": len(s.new_sites),
        "new_sites": s.new_sites,
        "served_before": round(s.served_before),
        "served_after": round(s.served_after),
        "target_population": round(s.target_population),
        "served_share_after": round(s.served_after / s.target_population, 4)
        if s.target_population
        else None,
        "new_capacity": s.new_capacity,
        "capacitated": bool(s.result.get("capacitated")),
        "distance_kind": s.result.get("distance_kind", "straight"),
        "distance_label": DISTANCE_KINDS.get(s.result.get("distance_kind", "straight")),
        "mean_distance_m": mean_distance(s.result),
        "figures": scenario_figures(s),
        "max_distance_m": s.result.get("max_distance_m"),
        "unserved_count": (s.result.get("allocation") or {}).get("unserved_count"),
        "loads": (s.result.get("allocation") or {}).get("loads", []),
        "parameters": public_parameters(s.parameters),
        "created_at": s.created_at.isoformat(),
    }


def scenario_detail_json(s: Scenario) -> dict:
    """Return a scenario with what its map draws: sites, allocation lines, before/after."""
    alloc = s.result.get("allocation") or {}
    return {
        **scenario_json(s),
        "allocation": {
            "rows": [
                {k: r[k] for k in ("demand", "site", "site_kind", "weight", "cost")}
                for r in alloc.get("rows", [])
            ],
            "rows_total": alloc.get("rows_total", 0),
            "lines": alloc.get("lines", []),
            "unserved_ids": alloc.get("unserved_ids", []),
        },
        "coverage_points": s.result.get("coverage_points", []),
        "network_report": s.result.get("network_report"),
    }


class ScenarioListView(APIView):
    permission_classes = [IsPlanner]
    query_params = ParamSet(
        programme_param(),
        IntList("ids", max_items=10, description="逗号分隔的方案编号（并排比较，最多 10 个）"),
    )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = request.query_params
        ids = self.query_params.parse(params)["ids"]
        qs = Scenario.objects.select_related("programme")
        if params.get("programme"):
            qs = qs.filter(programme=_programme(params))
        if ids:
            qs = qs.filter(pk__in=ids)
        return Response([scenario_json(s) for s in qs[:50]])


class ScenarioDetailView(APIView):
    """One scenario with its allocation (demand → site) and before/after coverage points."""

    permission_classes = [IsPlanner]

    @extend_schema(operation_id="scenario_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        s = Scenario.objects.select_related("programme").filter(pk=pk).first()
        if s is None:
            raise NotFound(f"没有编号为 {pk} 的选址方案")
        return Response(scenario_detail_json(s))
