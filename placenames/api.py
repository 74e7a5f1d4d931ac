"""REST API of the place-name archive (/api/v1/placenames…, /api/v1/romanize)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.selectors import areas_at_point
from gis_portal.errors import InvalidParameter
from gis_portal.params import (
    MAX_PARAM_LENGTH,
    parse_bbox,
    parse_choice,
    parse_float,
    parse_int,
    reject_unknown,
)
from gis_portal.throttles import heavy_work
from placenames import selectors
from placenames.exporters import FORMATS, SHAPEFILE_ENCODINGS, export_bytes
from placenames.models import PlaceName, PlaceNameStatus
from placenames.romanize import romanize

MAX_PAGE_SIZE = 100
MAX_RADIUS_M = 50_000


def _feature(place: PlaceName, *, geometry, extra: dict | None = None) -> dict:
    return {
        "type": "Feature",
        "id": place.place_code,
        "geometry": json.loads(geometry.geojson) if geometry else None,
        "properties": {
            "place_code": place.place_code,
            "standard_name": place.standard_name,
            "pinyin": place.pinyin,
            "pinyin_needs_check": place.pinyin_needs_check,
            "category_code": place.category.code,
            "category": place.category.name,
            "division_code": place.division.code,
            "division": place.division.name,
            "status": place.status,
            "status_display": place.get_status_display(),
            "is_demo": place.is_demo,
            **(extra or {}),
        },
    }


def detail_feature(place: PlaceName) -> dict:
    """Return the full record of a place name as a GeoJSON Feature (surveyed geometry)."""
    feature = _feature(place, geometry=place.geom_4490 or place.point_4490)
    division = place.division
    feature["properties"].update(
        {
            "abbreviation": place.abbreviation,
            "generic_pinyin": place.generic_pinyin,
            "ethnic_script": place.ethnic_script,
            "division_path": " / ".join(
                a.name for a in (division.parent, division) if a is not None
            ),
            "census_class": place.category.census_class,
            "other_divisions": [
                {"code": a.code, "name": a.name} for a in place.other_divisions.all()
            ],
            "named_on": place.named_on,
            "established_year": place.established_year,
            "abolished_on": place.abolished_on,
            "origin": place.origin,
            "meaning": place.meaning,
            "history": place.history,
            "description": place.description,
            "coordinate_system": place.coordinate_system,
            "survey_method": place.get_survey_method_display() if place.survey_method else "",
            "source": place.source,
            "remarks": place.remarks,
            "registered_on": place.registered_on,
            "registrar": place.registrar,
            "registering_unit": place.registering_unit,
            "representative_point": json.loads(place.point_4490.geojson)
            if place.point_4490
            else None,
            "aliases": [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "kind_display": a.get_kind_display(),
                    "pinyin": a.pinyin,
                    "valid_from": a.valid_from,
                    "valid_to": a.valid_to,
                    "note": a.note,
                }
                for a in place.aliases.all()
            ],
        }
    )
    return feature


SEARCH_PARAMS = {
    "q",
    "category",
    "division",
    "status",
    "bbox",
    "lon",
    "lat",
    "radius_m",
    "page",
    "page_size",
    "fuzzy",
}


def parse_search(params) -> tuple[str | None, selectors.SearchFilters]:
    """Return the query text and filters of a search request (400 naming a bad one)."""
    q = params.get("q")
    if q is not None:
        if len(q) > MAX_PARAM_LENGTH:
            raise InvalidParameter("q", f"长度超过 {MAX_PARAM_LENGTH} 个字符")
        if "\x00" in q:
            raise InvalidParameter("q", "含有不允许的控制字符")
        q = q.strip() or None
    for name in ("category", "division"):
        value = params.get(name)
        if value and not value.isdigit():
            raise InvalidParameter(name, "应为数字代码")
    near = None
    if any(params.get(k) for k in ("lon", "lat", "radius_m")):
        lon = parse_float(params, "lon", min_value=-180, max_value=180)
        lat = parse_float(params, "lat", min_value=-90, max_value=90)
        radius_m = parse_float(params, "radius_m", min_value=1, max_value=MAX_RADIUS_M)
        near = (lon, lat, radius_m)
    filters = selectors.SearchFilters(
        category_code=params.get("category") or None,
        division_code=params.get("division") or None,
        status=parse_choice(params, "status", PlaceNameStatus.values),
        bbox_4490=parse_bbox(params),
        near=near,
    )
    return q, filters


_SEARCH_SCHEMA = [
    OpenApiParameter("q", OpenApiTypes.STR, description="中文、全拼或拼音首字母；容错"),
    OpenApiParameter("category", OpenApiTypes.STR, description="类别代码（含下级类别）"),
    OpenApiParameter("division", OpenApiTypes.STR, description="行政区划代码（含下级）"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(PlaceNameStatus.values)),
    OpenApiParameter("bbox", OpenApiTypes.STR, description="minLon,minLat,maxLon,maxLat"),
    OpenApiParameter("lon", OpenApiTypes.DOUBLE),
    OpenApiParameter("lat", OpenApiTypes.DOUBLE),
    OpenApiParameter("radius_m", OpenApiTypes.DOUBLE, description="距 lon/lat 的半径（米）"),
]


class PlaceNameListView(APIView):
    """Search the archive; GeoJSON features at the representative points, best first."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            *_SEARCH_SCHEMA,
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
            OpenApiParameter("fuzzy", OpenApiTypes.BOOL),
        ],
        operation_id="placename_search",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, SEARCH_PARAMS)
        q, filters = parse_search(params)
        page = parse_int(params, "page", min_value=1, max_value=10_000, default=1)
        page_size = parse_int(params, "page_size", min_value=1, max_value=MAX_PAGE_SIZE, default=20)
        fuzzy = parse_choice(params, "fuzzy", ["true", "false"]) != "false"
        result = selectors.placename_search(
            q=q, filters=filters, limit=page_size, offset=(page - 1) * page_size, fuzzy=fuzzy
        )
        return Response(
            {
                "type": "FeatureCollection",
                "count": result.total,
                # False for a broad query: more names match than were ranked; count is "at least".
                "count_exact": result.total_exact,
                "page": page,
                "page_size": page_size,
                "features": [
                    _feature(p, geometry=p.point_4490, extra={"match_rank": result.ranks[p.pk]})
                    for p in result.places
                ],
            }
        )


MAX_EXPORT_ROWS = 50_000


@method_decorator(heavy_work("export"), name="get")
class PlaceNameExportView(APIView):
    """Export a search result (same parameters as the search) as a file."""

    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the file format here, not DRF's renderer override; errors are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        parameters=[
            *_SEARCH_SCHEMA,
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), required=True),
            OpenApiParameter("encoding", OpenApiTypes.STR, enum=list(SHAPEFILE_ENCODINGS)),
            OpenApiParameter("fuzzy", OpenApiTypes.BOOL),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        params = request.query_params
        allowed = (SEARCH_PARAMS - {"page", "page_size"}) | {"format", "encoding"}
        reject_unknown(params, allowed)
        fmt = parse_choice(params, "format", list(FORMATS))
        if fmt is None:
            raise InvalidParameter("format", "缺少此参数 (required)")
        encoding = parse_choice(params, "encoding", list(SHAPEFILE_ENCODINGS)) or "utf-8"
        q, filters = parse_search(params)
        fuzzy = parse_choice(params, "fuzzy", ["true", "false"]) != "false"
        page = selectors.placename_search(
            q=q, filters=filters, limit=MAX_EXPORT_ROWS + 1, fuzzy=fuzzy, with_total=False
        )
        if len(page.places) > MAX_EXPORT_ROWS:
            raise InvalidParameter("q", f"结果超过 {MAX_EXPORT_ROWS} 条，请缩小查询范围后再导出")
        rows = selectors.placename_export_rows(place_ids=[p.pk for p in page.places])
        content_type, suffix = FORMATS[fmt]
        response = HttpResponse(
            export_bytes(rows, fmt=fmt, encoding=encoding), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="placenames.{suffix}"'
        return response


class PlaceNameSuggestView(APIView):
    """Autocomplete: up to ``limit`` names for what has been typed so far."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"q", "limit"})
        q, _ = parse_search({"q": params.get("q", "")})
        limit = parse_int(params, "limit", min_value=1, max_value=20, default=10)
        if q is None:
            raise InvalidParameter("q", "缺少此参数 (required)")
        places = selectors.placename_suggest(q=q, limit=limit)
        return Response(
            {
                "q": q,
                "suggestions": [
                    {
                        "place_code": p.place_code,
                        "standard_name": p.standard_name,
                        "pinyin": p.pinyin,
                        "category": p.category.name,
                        "division": p.division.name,
                    }
                    for p in places
                ],
            }
        )


class PlaceNameNearView(APIView):
    """What is here: the place names within ``radius_m`` of a point, nearest first."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("radius_m", OpenApiTypes.DOUBLE),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"lon", "lat", "radius_m", "limit"})
        lon = parse_float(params, "lon", min_value=-180, max_value=180)
        lat = parse_float(params, "lat", min_value=-90, max_value=90)
        radius_m = parse_float(
            params, "radius_m", required=False, min_value=1, max_value=MAX_RADIUS_M
        )
        limit = parse_int(params, "limit", min_value=1, max_value=MAX_PAGE_SIZE, default=20)
        near = selectors.placenames_near(lon=lon, lat=lat, radius_m=radius_m or 500, limit=limit)
        return Response(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature(p, geometry=p.point_4490, extra={"distance_m": round(d, 1)})
                    for p, d in near
                ],
            }
        )


class PlaceNameDetailView(APIView):
    """The full census record of one place name, with its geometry."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="placename_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, place_code: str):
        reject_unknown(request.query_params, set())
        return Response(detail_feature(selectors.placename_detail(place_code=place_code)))


class RomanizeSerializer(serializers.Serializer):
    name = serializers.CharField()
    pinyin = serializers.CharField()
    generic_pinyin = serializers.CharField()
    needs_check = serializers.BooleanField()
    unsettled = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()


class RomanizeView(APIView):
    """Romanise a Chinese place name by the 1984 rules."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, required=True)],
        responses=RomanizeSerializer,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"name"})
        name = (params.get("name") or "").strip()
        if not name:
            raise InvalidParameter("name", "缺少此参数 (required)")
        if len(name) > MAX_PARAM_LENGTH:
            raise InvalidParameter("name", f"长度超过 {MAX_PARAM_LENGTH} 个字符")
        try:
            result = romanize(name)
        except ValueError as exc:
            raise InvalidParameter("name", str(exc)) from None
        return Response(RomanizeSerializer(result).data)


def review_payload(result: selectors.ReviewResult) -> dict:
    return {
        "name": result.name,
        "pinyin": result.pinyin,
        "pinyin_needs_check": result.pinyin_needs_check,
        "category": result.category,
        "division": result.division,
        "scope_rule": result.scope_rule,
        "acceptable": result.acceptable,
        "findings": [
            {"level": f.level, "code": f.code, "message": f.message, "matches": f.matches}
            for f in result.findings
        ],
    }


def parse_review(data) -> dict:
    """Return name, category and division code of a review request (400 naming a bad one)."""
    allowed = {"name", "category", "division", "lon", "lat"}
    reject_unknown(data, allowed)
    name = str(data.get("name") or "").strip()
    if not name:
        raise InvalidParameter("name", "缺少此参数 (required)")
    if len(name) > 50 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise InvalidParameter("name", "地名应为不超过 50 个字、不含空白或控制字符的文字")
    category = str(data.get("category") or "").strip()
    if not category.isdigit() or len(category) != 5:
        raise InvalidParameter("category", "应为 5 位类别代码")
    division = str(data.get("division") or "").strip()
    if not division:
        if data.get("lon") in (None, "") or data.get("lat") in (None, ""):
            raise InvalidParameter("division", "请给出所在行政区代码，或位置 lon/lat")
        point = {"lon": str(data.get("lon")), "lat": str(data.get("lat"))}
        lon = parse_float(point, "lon", min_value=-180, max_value=180)
        lat = parse_float(point, "lat", min_value=-90, max_value=90)
        areas = areas_at_point(lon=lon, lat=lat)
        if not areas:
            raise InvalidParameter("lon", "该位置不在鹤岗市范围内")
        division = areas[-1].code
    elif not division.isdigit():
        raise InvalidParameter("division", "应为数字代码")
    return {"name": name, "category_code": category, "division_code": division}


class PlaceNameReviewView(APIView):
    """Naming review for officers: duplicates, homophones and the naming rules."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        if not hasattr(request.data, "get"):
            raise InvalidParameter("name", "请求体应为 JSON 对象")
        result = selectors.placename_review(**parse_review(request.data))
        return Response(review_payload(result))
