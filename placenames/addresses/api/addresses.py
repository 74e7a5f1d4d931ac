"""REST API: address search, reverse lookup, checks, and the vector tiles."""

from __future__ import annotations

import gzip

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gis_portal.errors import InvalidParameter
from gis_portal.params import (
    BBox,
    Bool,
    Choice,
    Date,
    Float,
    Int,
    Param,
    ParamSet,
    Text,
    bias_params,
    parse_bias,
    parse_lon_lat,
)
from gis_portal.throttles import heavy_work
from placenames.addresses import geocodejson, lookup
from placenames.addresses.address_parse import AddressQueryError, normalize
from placenames.addresses.checks import RULES
from placenames.addresses.models import Street
from placenames.addresses.selectors import addresses as selectors
from placenames.addresses.tile_store import tile_fetch
from placenames.addresses.tiles import LAYERS as TILE_LAYERS
from placenames.addresses.tiles import MAX_ZOOM, TileError, validate_tile

HEGANG_LON = (129.4, 132.6)
HEGANG_LAT = (47.0, 48.5)
MAX_TEXT_PARAM = 100


def _area_code(name: str, label: str) -> Param:
    return Text(name, pattern=r"^\d{6,12}$", pattern_message="应为 6–12 位区划代码",
                description=f"{label}区划代码")  # fmt: skip


# A door's position must lie in the city: the schema states the city's box.
HEGANG_POSITION = ParamSet(
    Float("lon", *HEGANG_LON, required=True, description="经度（CGCS2000，鹤岗市范围内）",
          range_message=f"不在鹤岗市范围 {HEGANG_LON[0]}–{HEGANG_LON[1]} 内（经纬度是否写反？）"),
    Float("lat", *HEGANG_LAT, required=True, description="纬度（CGCS2000，鹤岗市范围内）",
          range_message=f"不在鹤岗市范围 {HEGANG_LAT[0]}–{HEGANG_LAT[1]} 内"),
)  # fmt: skip


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
        source="place_name.place_code", default=None, read_only=True, allow_null=True
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
    query_params = ParamSet(
        _area_code("county", "县（区）"),
        _area_code("township", "街道/乡镇"),
        Bool("named", default=False, description="只列新命名/更名的街路"),
        BBox(),
    )

    @extend_schema(responses=StreetFeatureSerializer(many=True))
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        streets = selectors.street_list(
            county_code=q["county"],
            township_code=q["township"],
            named_only=q["named"],
            bbox_4490=q["bbox"],
        )
        return Response(StreetFeatureSerializer(streets, many=True).data)


STRUCTURED = ("street", "number", "district", "township")


def _address_text(declared: dict, name: str) -> str | None:
    """Return an address text parameter (None when blank), refused with its name when it
    cannot be read as an address."""
    value = declared[name]
    if value is None or not value.strip():
        return None
    try:
        normalize(value)
    except AddressQueryError as exc:
        raise InvalidParameter(name, str(exc)) from None
    return value


def _structured(declared: dict) -> lookup.StructuredQuery | None:
    given = {name: _address_text(declared, name) for name in STRUCTURED}
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


FORMAT = Choice(
    "format", ["geojson", "geocodejson"], default="geojson",
    description="输出格式：GeoJSON（默认）或 GeocodeJSON",
)  # fmt: skip


class GeocodeView(_FormatIsOurs, APIView):
    """Address search: a Chinese (or pinyin) address → door plate, street, place name or area."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Text("q", max_length=MAX_TEXT_PARAM,
             description="地址，如 新华路12号之一（与按字段查询二选一）"),
        Text("street", max_length=MAX_TEXT_PARAM, description="按字段查询：街路巷名"),
        Text("number", max_length=MAX_TEXT_PARAM,
             description="按字段查询：门牌号，如 12、12-1、12号之一"),
        Text("district", max_length=MAX_TEXT_PARAM, description="按字段查询：县（区）名"),
        Text("township", max_length=MAX_TEXT_PARAM, description="按字段查询：街道/乡镇名"),
        *bias_params(HEGANG_POSITION),
        FORMAT,
        Int("limit", 1, 10, default=5, description="最多返回几条"),
    )  # fmt: skip

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        declared = self.query_params.parse(request.query_params)
        structured = _structured(declared)
        if structured is not None and declared["q"]:
            raise InvalidParameter(
                "q", "不能与按字段查询（street/number/district/township）同时使用"
            )
        q = None
        if structured is None:
            q = _address_text(declared, "q")
            if q is None:
                raise InvalidParameter("q", "缺少此参数或为空")
        limit, fmt = declared["limit"], declared["format"]
        near = parse_bias(declared)
        if near is not None:
            near = hegang_lon_lat(request.query_params)
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
    """Return (lon, lat) inside Hegang; world ranges first: in a swapped pair the latitude
    beyond ±90 is the one named."""
    parse_lon_lat(params)
    q = HEGANG_POSITION.parse({name: params[name] for name in ("lon", "lat") if name in params})
    return q["lon"], q["lat"]


class ReverseView(_FormatIsOurs, APIView):
    """What address is here: the nearest door plate, its full address and distance."""

    permission_classes = [AllowAny]
    query_params = HEGANG_POSITION + ParamSet(FORMAT)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        # World ranges first: in a swapped pair the latitude beyond ±90 is the one named.
        parse_lon_lat(request.query_params)
        declared = self.query_params.parse(request.query_params)
        lon, lat, fmt = declared["lon"], declared["lat"], declared["format"]
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


@method_decorator(heavy_work("compute"), name="get")
class ChecksView(APIView):
    """Consistency checks of plates and signs, for one street, a township or the city."""

    permission_classes = [AllowAny]
    query_params = ParamSet(
        Int("street", 1, 2**31 - 1, description="街路巷 ID"),
        _area_code("township", "街道/乡镇"),
        Choice("rule", RULES),
        Date("as_of", description="巡检逾期的判断日期"),
        Float("max_distance_m", 1, 10_000, default=50.0, description="门牌离街路的最大距离（米）"),
        Int("inspection_days", 1, 3650, default=365, description="巡检周期（天）"),
    )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        q = self.query_params.parse(request.query_params)
        rule = q["rule"]
        report = selectors.address_checks(
            street_id=q["street"],
            township_code=q["township"],
            as_of=q["as_of"],
            max_distance_m=q["max_distance_m"],
            inspection_interval_days=q["inspection_days"],
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
    query_params = ParamSet()
    # x and y must also be below 2**z (checked by validate_tile: a schema cannot say it).
    path_params = ParamSet(
        Choice("layer", TILE_LAYERS, description="图层"),
        Int("z", 0, MAX_ZOOM, description="缩放级别"),
        Int("x", 0, 2**MAX_ZOOM - 1, description="列号，小于 2^z"),
        Int("y", 0, 2**MAX_ZOOM - 1, description="行号，小于 2^z"),
    )

    @extend_schema(responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY})
    def get(self, request, layer: str, z: str, x: str, y: str):
        self.query_params.parse(request.query_params)
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
