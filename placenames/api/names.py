"""REST API of the place-name archive (/api/v1/placenames…, /api/v1/romanize)."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.selectors.areas import areas_at_point
from gis_portal.errors import InvalidParameter
from gis_portal.params import (
    NONBLANK_PATTERN,
    BBox,
    Bool,
    Choice,
    Float,
    Int,
    ParamSet,
    Text,
    bias_params,
    parse_bias,
    parse_float,
    reject_unknown,
)
from gis_portal.throttles import heavy_work
from placenames.exporters import FORMATS, SHAPEFILE_ENCODINGS, export_bytes
from placenames.models import PlaceName, PlaceNameStatus
from placenames.ranking import KIND_NAMES
from placenames.romanize import is_settlement_category, romanize
from placenames.selectors import names as selectors

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


def search_feature(hit: selectors.SearchHit, *, match_rank: int) -> dict:
    """Return one search result as a GeoJSON Feature at its representative point."""
    point = hit.lon_lat_4490
    return {
        "type": "Feature",
        "id": hit.place_code,
        "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
        "properties": {
            "place_code": hit.place_code,
            "standard_name": hit.standard_name,
            "pinyin": hit.pinyin,
            "pinyin_needs_check": hit.pinyin_needs_check,
            "category_code": hit.category_code,
            "category": hit.category,
            "division_code": hit.division_code,
            "division": hit.division,
            "status": hit.status,
            "status_display": hit.status_display,
            "is_demo": hit.is_demo,
            "match_rank": match_rank,
            "match": KIND_NAMES[match_rank],
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


CODE_PATTERN = r"^\d{1,12}$"
# A point anywhere (the archive may hold names beyond the city): the location bias of
# search and autocomplete, and with radius_m the centre of the distance filter.
POSITION = ParamSet(
    Float("lon", -180, 180, required=True, description="经度（CGCS2000）"),
    Float("lat", -90, 90, required=True, description="纬度（CGCS2000）"),
)
SEARCH_PARAMS = ParamSet(
    Text("q", description="中文、全拼或拼音首字母；容错"),
    Text("category", pattern=CODE_PATTERN, pattern_message="应为数字代码",
         description="类别代码（含下级类别）"),
    Text("division", pattern=CODE_PATTERN, pattern_message="应为数字代码",
         description="行政区划代码（含下级）"),
    Choice("status", PlaceNameStatus.values),
    BBox(),
    *bias_params(POSITION),
    Float("radius_m", 1, MAX_RADIUS_M, description="距 lon/lat 的半径（米）：只列范围内的地名"),
    Bool("fuzzy", default=True, description="容错匹配"),
)  # fmt: skip
LIST_PARAMS = SEARCH_PARAMS + ParamSet(
    Int("page", 1, 10_000, default=1),
    Int("page_size", 1, MAX_PAGE_SIZE, default=20),
)


def search_filters(q: dict) -> tuple[str | None, selectors.SearchFilters]:
    """Return the query text and filters from parsed SEARCH_PARAMS (400 naming a bad one).

    lon/lat alone are a location bias (``search_bias``); with radius_m also a filter.
    """
    near = None
    bias = parse_bias(q)
    if q["radius_m"] is not None:
        if bias is None:
            raise InvalidParameter("lon", "缺少此参数 (radius_m 须与 lon、lat 一起给出)")
        near = (*bias, q["radius_m"])
    filters = selectors.SearchFilters(
        category_code=q["category"],
        division_code=q["division"],
        status=q["status"],
        bbox_4490=q["bbox"],
        near=near,
    )
    return (q["q"] or "").strip() or None, filters


class PlaceNameListView(APIView):
    """Search the archive; GeoJSON features at the representative points, best first."""

    permission_classes = [AllowAny]
    query_params = LIST_PARAMS

    @extend_schema(operation_id="placename_search", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = request.query_params
        declared = self.query_params.parse(params)
        q, filters = search_filters(declared)
        page, page_size = declared["page"], declared["page_size"]
        fuzzy = declared["fuzzy"]
        result = selectors.placename_search(
            q=q,
            filters=filters,
            limit=page_size,
            offset=(page - 1) * page_size,
            fuzzy=fuzzy,
            bias=parse_bias(declared),
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
                    search_feature(p, match_rank=result.ranks[p.pk]) for p in result.places
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

    query_params = SEARCH_PARAMS + ParamSet(
        Choice("format", FORMATS, required=True),
        Choice("encoding", SHAPEFILE_ENCODINGS, description="Shapefile 属性表编码，默认 utf-8"),
    )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request):
        params = request.query_params
        declared = self.query_params.parse(params)
        fmt = declared["format"]
        encoding = declared["encoding"] or "utf-8"
        q, filters = search_filters(declared)
        fuzzy = declared["fuzzy"]
        page = selectors.placename_search(
            q=q,
            filters=filters,
            limit=MAX_EXPORT_ROWS + 1,
            fuzzy=fuzzy,
            with_total=False,
            bias=parse_bias(declared),
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
    query_params = ParamSet(
        Text("q", required=True, pattern=NONBLANK_PATTERN, pattern_message="缺少此参数 (required)",
             description="已输入的文字"),
        Int("limit", 1, 20, default=10),
        *bias_params(POSITION),
    )  # fmt: skip

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        declared = self.query_params.parse(request.query_params)
        q = declared["q"].strip() or None
        limit = declared["limit"]
        if q is None:
            raise InvalidParameter("q", "缺少此参数 (required)")
        bias = parse_bias(declared)
        places = selectors.placename_suggest(q=q, limit=limit, bias=bias)
        return Response(
            {
                "q": q,
                "suggestions": [
                    {
                        "place_code": p.place_code,
                        "standard_name": p.standard_name,
                        "pinyin": p.pinyin,
                        "category": p.category,
                        "division": p.division,
                        "match": KIND_NAMES[p.kind],
                    }
                    for p in places
                ],
            }
        )


class PlaceNameNearView(APIView):
    """What is here: the place names within ``radius_m`` of a point, nearest first."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Float("lon", -180, 180, required=True),
        Float("lat", -90, 90, required=True),
        Float("radius_m", 1, MAX_RADIUS_M, default=500.0, description="半径（米）"),
        Int("limit", 1, MAX_PAGE_SIZE, default=20),
    )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        near = selectors.placenames_near(
            lon=q["lon"], lat=q["lat"], radius_m=q["radius_m"], limit=q["limit"]
        )
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
    query_params = ParamSet()
    path_params = ParamSet(Text("place_code", max_length=30, description="地名代码"))

    @extend_schema(operation_id="placename_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, place_code: str):
        self.query_params.parse(request.query_params)
        return Response(detail_feature(selectors.placename_detail(place_code=place_code)))


class RomanizeSerializer(serializers.Serializer):
    name = serializers.CharField()
    pinyin = serializers.CharField()
    generic_pinyin = serializers.CharField()
    needs_check = serializers.BooleanField()
    unsettled = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    settlement = serializers.BooleanField()


class RomanizeView(APIView):
    """Romanise a Chinese place name by the 1984 rules."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Text("name", required=True, pattern=NONBLANK_PATTERN, pattern_message="缺少此参数 (required)",
             description="中文地名"),
        Text("category", pattern=r"^\d{5}$", pattern_message="应为 5 位类别代码",
             description="地名类别代码：农村居民点（222xx）按自然村拼写"),
        Bool("settlement", description="按自然村、集镇拼写（音节全部连写）；不给出时按类别"),
    )  # fmt: skip

    @extend_schema(responses=RomanizeSerializer)
    def get(self, request):
        declared = self.query_params.parse(request.query_params)
        name = declared["name"].strip()
        settlement = declared["settlement"]
        if settlement is None:
            settlement = is_settlement_category(declared["category"] or "")
        try:
            result = romanize(name, settlement=settlement)
        except ValueError as exc:
            raise InvalidParameter("name", str(exc)) from None
        return Response(RomanizeSerializer({**asdict(result), "settlement": settlement}).data)


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
