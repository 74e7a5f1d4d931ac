"""REST API: address search, reverse lookup, checks, and the vector tiles."""

from __future__ import annotations

import gzip
from datetime import date

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gis_portal.errors import InvalidParameter
from gis_portal.params import parse_bbox, parse_choice, parse_float, parse_int, reject_unknown
from gis_portal.throttles import heavy_work
from placenames.addresses import geocodejson, lookup, selectors
from placenames.addresses.address_parse import AddressQueryError, normalize
from placenames.addresses.checks import RULES
from placenames.addresses.models import Street
from placenames.addresses.tile_store import tile_fetch
from placenames.addresses.tiles import TileError, validate_tile

HEGANG_LON = (129.4, 132.6)
HEGANG_LAT = (47.0, 48.5)
MAX_TEXT_PARAM = 100


def _text(params, name: str, *, required: bool = False) -> str | None:
    """Return a text parameter (≤ MAX_TEXT_PARAM characters) or None when absent."""
    value = params.get(name)
    if value is None or value.strip() == "":
        if required:
            raise InvalidParameter(name, "缺少此参数或为空")
        return None
    if len(value) > MAX_TEXT_PARAM:
        raise InvalidParameter(name, f"长度超过 {MAX_TEXT_PARAM} 个字符")
    return value


def _result_feature(r: lookup.GeocodeResult) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(r.lon, 7), round(r.lat, 7)]},
        "properties": {
            "level": r.level,
            "score": round(r.score, 1),
            "address": r.address,
            "matched": r.matched,
            "interpolated": r.interpolated,
            "note": r.note,
            "warnings": r.warnings,
            "is_demo": r.is_demo,
            **({"distance_m": r.distance_m} if r.distance_m is not None else {}),
            **r.ids,
        },
    }


class StreetFeatureSerializer(GeoFeatureModelSerializer):
    county = serializers.CharField(source="county.name", default="", read_only=True)
    township = serializers.CharField(source="township.name", default="", read_only=True)
    archive_code = serializers.CharField(
        source="place_name.place_code", default=None, read_only=True
    )
    former_names = serializers.SerializerMethodField()
    plate_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Street
        geo_field = "geom_4490"
        fields = (
            "id", "name", "name_pinyin", "county", "township", "start_description",
            "end_description", "base_end", "odd_side", "numbering_mode", "metres_per_number",
            "named_on", "approved_by", "former_names", "archive_code", "plate_count", "is_demo",
        )  # fmt: skip

    def get_former_names(self, obj) -> list[dict]:
        return [
            {"name": f.name, "used_from": f.used_from, "used_to": f.used_to}
            for f in obj.former_names.all()
        ]


class StreetListView(APIView):
    """Streets as GeoJSON with their numbering rule, former names and plate counts."""

    permission_classes = [AllowAny]
    allowed = {"county", "township", "named", "bbox"}

    @extend_schema(
        parameters=[
            OpenApiParameter("county", OpenApiTypes.STR, description="县（区）区划代码"),
            OpenApiParameter("township", OpenApiTypes.STR, description="街道/乡镇区划代码"),
            OpenApiParameter("named", OpenApiTypes.BOOL, description="只列新命名/更名的街路"),
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minLon,minLat,maxLon,maxLat"),
        ],
        responses=StreetFeatureSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, self.allowed)
        streets = selectors.street_list(
            county_code=_text(params, "county"),
            township_code=_text(params, "township"),
            named_only=parse_choice(params, "named", ["true", "false"]) == "true",
            bbox_4490=parse_bbox(params),
        )
        return Response(StreetFeatureSerializer(streets, many=True).data)


GEOCODE_PARAMS = {"q", "limit", "street", "number", "district", "township", "lon", "lat", "format"}
STRUCTURED = ("street", "number", "district", "township")


def _address_text(params, name: str) -> str | None:
    """Return an address text parameter, refused with its name for bad characters or length."""
    value = _text(params, name)
    if value is not None:
        try:
            normalize(value)
        except AddressQueryError as exc:
            raise InvalidParameter(name, str(exc)) from None
    return value


def _structured(params) -> lookup.StructuredQuery | None:
    given = {name: _address_text(params, name) for name in STRUCTURED}
    if not any(given.values()):
        return None
    if given["street"] is None:
        raise InvalidParameter("street", "按字段查询时必须给出街路名（street）")
    return lookup.StructuredQuery(**given)


class _FormatIsOurs:
    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the output (geojson / geocodejson, as Nominatim's does), not DRF's
        # renderer override: both are JSON, from the first renderer.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type


FORMAT_PARAM = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["geojson", "geocodejson"],
    description="输出格式：GeoJSON（默认）或 GeocodeJSON",
)


class GeocodeView(_FormatIsOurs, APIView):
    """Address search: a Chinese (or pinyin) address → door plate, street, place name or area."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="地址，如 新华路12号之一（与按字段查询二选一）"
            ),
            OpenApiParameter("street", OpenApiTypes.STR, description="按字段查询：街路巷名"),
            OpenApiParameter(
                "number", OpenApiTypes.STR, description="按字段查询：门牌号，如 12、12-1、12号之一"
            ),
            OpenApiParameter("district", OpenApiTypes.STR, description="按字段查询：县（区）名"),
            OpenApiParameter("township", OpenApiTypes.STR, description="按字段查询：街道/乡镇名"),
            OpenApiParameter(
                "lon", OpenApiTypes.DOUBLE, description="位置偏好：经度（与 lat 同给）"
            ),
            OpenApiParameter(
                "lat", OpenApiTypes.DOUBLE, description="位置偏好：纬度（与 lon 同给）"
            ),
            FORMAT_PARAM,
            OpenApiParameter("limit", OpenApiTypes.INT, description="最多返回几条（1–10，默认 5）"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, GEOCODE_PARAMS)
        structured = _structured(params)
        if structured is not None and params.get("q"):
            raise InvalidParameter(
                "q", "不能与按字段查询（street/number/district/township）同时使用"
            )
        q = None if structured is not None else _text(params, "q", required=True)
        limit = parse_int(params, "limit", min_value=1, max_value=10, default=5)
        fmt = parse_choice(params, "format", ["geojson", "geocodejson"]) or "geojson"
        near = None
        if params.get("lon") or params.get("lat"):
            near = hegang_lon_lat(params)
        try:
            parsed, results = lookup.geocode(q, limit=limit, structured=structured, near=near)
        except AddressQueryError as exc:
            raise InvalidParameter(exc.parameter, str(exc)) from None
        query = q if structured is None else {k: v for k, v in vars(structured).items() if v}
        if fmt == "geocodejson":
            return Response(geocodejson.feature_collection(query, results))
        return Response(
            {
                "type": "FeatureCollection",
                "query": query,
                "parsed": {
                    "street": parsed.street_text,
                    "number": parsed.number,
                    "sub_number": parsed.sub_number,
                    "courtyard": parsed.courtyard,
                    "building": parsed.building,
                    "unit": parsed.unit,
                    "areas": parsed.areas,
                    "pinyin": parsed.is_pinyin,
                },
                "features": [_result_feature(r) for r in results],
            }
        )


def hegang_lon_lat(params) -> tuple[float, float]:
    lon = parse_float(params, "lon", min_value=-180, max_value=180)
    lat = parse_float(params, "lat", min_value=-90, max_value=90)
    if not HEGANG_LON[0] <= lon <= HEGANG_LON[1]:
        hint = "（经纬度是否写反？）" if HEGANG_LAT[0] <= lon <= HEGANG_LAT[1] else ""
        raise InvalidParameter("lon", f"不在鹤岗市范围 {HEGANG_LON[0]}–{HEGANG_LON[1]} 内{hint}")
    if not HEGANG_LAT[0] <= lat <= HEGANG_LAT[1]:
        raise InvalidParameter("lat", f"不在鹤岗市范围 {HEGANG_LAT[0]}–{HEGANG_LAT[1]} 内")
    return lon, lat


class ReverseView(_FormatIsOurs, APIView):
    """What address is here: the nearest door plate, its full address and distance."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
            FORMAT_PARAM,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        reject_unknown(request.query_params, {"lon", "lat", "format"})
        lon, lat = hegang_lon_lat(request.query_params)
        fmt = parse_choice(request.query_params, "format", ["geojson", "geocodejson"])
        r = lookup.reverse(lon=lon, lat=lat)
        if fmt == "geocodejson":
            found = [] if r is None else [lookup.reverse_as_result(r)]
            return Response(geocodejson.feature_collection({"lon": lon, "lat": lat}, found))
        if r is None:
            return Response({"type": "Feature", "geometry": None, "properties": {
                "query": [lon, lat], "address": None, "note": "附近没有登记的门牌"}})  # fmt: skip
        return Response(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(r.lon, 7), round(r.lat, 7)]},
                "properties": {
                    "query": [lon, lat],
                    "plate_id": r.plate_id,
                    "number": r.number_text,
                    "building": r.building,
                    "unit": r.unit,
                    "address": r.address,
                    "distance_m": r.distance_m,
                    "street": r.street,
                    "township": r.township,
                    "county": r.county,
                    "city": r.city,
                    "is_demo": r.is_demo,
                },
            }
        )


def _parse_date(params, name: str) -> date | None:
    raw = _text(params, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(name, "日期格式应为 YYYY-MM-DD") from None


@method_decorator(heavy_work("compute"), name="get")
class ChecksView(APIView):
    """Consistency checks of plates and signs, for one street, a township or the city."""

    permission_classes = [AllowAny]
    allowed = {"street", "township", "rule", "as_of", "max_distance_m", "inspection_days"}

    @extend_schema(
        parameters=[
            OpenApiParameter("street", OpenApiTypes.INT, description="街路巷 ID"),
            OpenApiParameter("township", OpenApiTypes.STR, description="街道/乡镇区划代码"),
            OpenApiParameter("rule", OpenApiTypes.STR, enum=list(RULES)),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="巡检逾期的判断日期"),
            OpenApiParameter("max_distance_m", OpenApiTypes.DOUBLE),
            OpenApiParameter("inspection_days", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, self.allowed)
        street_id = parse_int(params, "street", required=False, min_value=1)
        township = _text(params, "township")
        rule = _text(params, "rule")
        if rule is not None and rule not in RULES:
            raise InvalidParameter("rule", f"取值应为 {', '.join(RULES)} 之一")
        report = selectors.address_checks(
            street_id=street_id,
            township_code=township,
            as_of=_parse_date(params, "as_of"),
            max_distance_m=parse_float(
                params, "max_distance_m", required=False, min_value=1, max_value=10_000
            )
            or 50.0,
            inspection_interval_days=parse_int(
                params, "inspection_days", min_value=1, max_value=3650, default=365
            ),
        )
        names = selectors.street_names()
        findings = [f for f in report.findings if rule is None or f.rule == rule]
        return Response(
            {
                "as_of": report.as_of.isoformat(),
                "streets_checked": report.streets_checked,
                "plates_checked": report.plates_checked,
                "signs_checked": report.signs_checked,
                "rules": [
                    {"rule": k, "label": v, "count": report.counts()[k]} for k, v in RULES.items()
                ],
                "findings": [
                    {
                        "rule": f.rule,
                        "label": f.label,
                        "street_id": f.street_id,
                        "street": names.get(f.street_id, ""),
                        "kind": f.kind,
                        "id": f.object_id,
                        "related_ids": list(f.related_ids),
                        "message": f.message,
                        "lon": report.positions.get((f.kind, f.object_id), (None, None))[0],
                        "lat": report.positions.get((f.kind, f.object_id), (None, None))[1],
                    }
                    for f in findings
                ],
            }
        )


class TileView(APIView):
    """A Mapbox vector tile of door plates or street signs (/tiles/{layer}/{z}/{x}/{y}.pbf)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY})
    def get(self, request, layer: str, z: str, x: str, y: str):
        reject_unknown(request.query_params, set())
        values = {}
        for name, raw in (("z", z), ("x", x), ("y", y)):
            if not raw.isdigit() or len(raw) > 8:
                raise InvalidParameter(name, "应为非负整数")
            values[name] = int(raw)
        try:
            tile = validate_tile(layer, values["z"], values["x"], values["y"])
        except TileError as exc:
            raise InvalidParameter(exc.parameter, str(exc)) from None
        data = tile_fetch(tile)  # gzip-compressed as cached; b"" for an empty tile
        gzipped = bool(data) and "gzip" in request.headers.get("Accept-Encoding", "")
        if data and not gzipped:
            data = gzip.decompress(data)
        response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
        if gzipped:
            response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding"
        # Tiles change when plates are edited: browsers revalidate after a minute.
        response["Cache-Control"] = "public, max-age=60"
        return response
