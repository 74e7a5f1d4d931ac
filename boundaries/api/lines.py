"""REST API of boundary lines, markers and the topology report (/api/v1/boundaries/…)."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from boundaries.models import BoundaryLine, BoundaryMarker, BoundaryVersion
from boundaries.selectors import lines as line_selectors
from gis_portal.errors import InvalidParameter
from gis_portal.params import Float, ParamSet, Text
from gis_portal.throttles import heavy_work


class LinePartySerializer(serializers.Serializer):
    area_code = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    is_neighbour = serializers.BooleanField(source="area.is_neighbour")
    department = serializers.CharField()
    signed_agreement = serializers.BooleanField()


class LineFeatureSerializer(GeoFeatureModelSerializer):
    parties = LinePartySerializer(many=True, read_only=True)
    area_a_name = serializers.CharField(source="area_a.name", read_only=True)
    area_b_name = serializers.CharField(source="area_b.name", read_only=True)
    marker_count = serializers.IntegerField(read_only=True)
    next_due = serializers.DateField(read_only=True, allow_null=True)
    converted_with_name = serializers.CharField(
        source="converted_with.name", read_only=True, default=None
    )

    class Meta:
        model = BoundaryLine
        geo_field = "geom_4490"
        fields = (
            "id",
            "code",
            "name",
            "area_a_name",
            "area_b_name",
            "level",
            "agreement_ref",
            "original_crs",
            "converted_with_name",
            "converted_at",
            "marker_count",
            "next_due",
            "parties",
            "is_demo",
            "version",
        )


class MarkerFeatureSerializer(GeoFeatureModelSerializer):
    line_code = serializers.CharField(source="line.code", read_only=True)
    type_display = serializers.CharField(source="get_type_code_display", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = BoundaryMarker
        geo_field = "geom_4490"
        fields = (
            "id",
            "number",
            "line_code",
            "sequence",
            "type_code",
            "type_display",
            "material",
            "original_x",
            "original_y",
            "original_crs",
            "cgcs_x_m",
            "cgcs_y_m",
            "cgcs_crs",
            "state",
            "is_demo",
            "version",
        )

    def get_state(self, obj) -> str | None:
        return self.context.get("states", {}).get(obj.pk)


class LineListView(APIView):
    """Boundary lines as GeoJSON (CGCS2000 lon/lat; null geometry until converted)."""

    # Surveyed marker coordinates are for officers, not the public map.
    permission_classes = [IsAuthenticated]
    query_params = ParamSet()

    @extend_schema(responses=LineFeatureSerializer(many=True))
    def get(self, request):
        self.query_params.parse(request.query_params)
        return Response(LineFeatureSerializer(line_selectors.line_list(), many=True).data)


class MarkerListView(APIView):
    """Boundary markers as GeoJSON, optionally of one line; with the latest inspection state."""

    # Surveyed marker coordinates are for officers, not the public map.
    permission_classes = [IsAuthenticated]
    query_params = ParamSet(Text("line", max_length=50, description="界线编号"))

    @extend_schema(responses=MarkerFeatureSerializer(many=True))
    def get(self, request):
        line = self.query_params.parse(request.query_params)["line"]
        if line and not BoundaryLine.objects.filter(code=line).exists():
            raise InvalidParameter("line", f"没有编号为 {line[:30]} 的界线")
        markers = line_selectors.marker_list(line_code=line)
        context = {"states": line_selectors.marker_latest_states()}
        return Response(MarkerFeatureSerializer(markers, many=True, context=context).data)


_TOLERANCES = {"area_tol_m": "area_m", "line_tol_m": "line_m", "marker_tol_m": "marker_m",
               "version_tol_m": "version_m"}  # fmt: skip
# What the API's schema and the topology pages call each parameter.
TOPOLOGY_PARAM_LABELS = {"area_tol_m": "空隙/重叠容差 (m)", "line_tol_m": "界线与公共边容差 (m)",
                         "marker_tol_m": "界桩离线容差 (m)", "version_tol_m": "版本差异容差 (m)",
                         "versions": "比较的两个版本"}  # fmt: skip
TOPOLOGY_PARAMS = ParamSet(
    *(
        Float(
            name,
            0.01,
            10_000,
            default=getattr(line_selectors.TopologyTolerances(), field),
            description=TOPOLOGY_PARAM_LABELS[name],
        )
        for name, field in _TOLERANCES.items()
    ),
    Text("versions", max_length=100, description="两个版本名称，逗号分隔"),
)


def topology_tolerance_fields(params) -> list[dict]:
    """The tolerance fields of a topology page's form: name, label and the value asked
    (else the default), as typed even when it was refused."""
    defaults = line_selectors.TopologyTolerances()
    return [
        {
            "name": name,
            "label": TOPOLOGY_PARAM_LABELS[name],
            "value": params.get(name) or getattr(defaults, field),
        }
        for name, field in _TOLERANCES.items()
    ]


def topology_params(params) -> tuple[line_selectors.TopologyTolerances, tuple[str, str] | None]:
    """Parse the topology tolerances (metres) and the two versions to compare."""
    q = TOPOLOGY_PARAMS.parse(params)
    values = {field: q[name] for name, field in _TOLERANCES.items()}
    versions = None
    raw = q["versions"]
    if raw:
        parts = [p.strip() for p in raw.split(",")]
        known = set(BoundaryVersion.objects.values_list("name", flat=True))
        if len(parts) != 2 or not set(parts) <= known:
            raise InvalidParameter(
                "versions", f"应为两个以逗号分隔的版本名称，可用：{'、'.join(sorted(known))}"
            )
        versions = (parts[0], parts[1])
    return line_selectors.TopologyTolerances(**values), versions


@method_decorator(heavy_work("compute"), name="get")
class TopologyView(APIView):
    """Topology checks: tiling, lines on shared edges, markers on lines, numbering, versions."""

    # Surveyed marker coordinates are for officers, not the public map.
    permission_classes = [IsAuthenticated]
    query_params = TOPOLOGY_PARAMS

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        tol, versions = topology_params(request.query_params)
        return Response(line_selectors.topology_report(tol=tol, versions=versions))
