"""REST API: address search, reverse lookup, checks, and the vector tiles."""

from __future__ import annotations

import gzip
from datetime import date

from django.contrib.gis.geos import Point
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.accounts import edit_scope_check
from gis_portal.errors import InvalidParameter
from gis_portal.params import parse_float, parse_int, reject_unknown
from placenames.addresses import lookup, selectors, services
from placenames.addresses.address_parse import AddressQueryError
from placenames.addresses.checks import RULES
from placenames.addresses.models import PlateStatus
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
            "is_demo": r.is_demo,
            **r.ids,
        },
    }


class GeocodeView(APIView):
    """Address search: a Chinese (or pinyin) address → door plate, street or area."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="地址，如 新华路12号之一"
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description="最多返回几条（1–10，默认 5）"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"q", "limit"})
        q = _text(params, "q", required=True)
        limit = parse_int(params, "limit", min_value=1, max_value=10, default=5)
        try:
            parsed, results = lookup.geocode(q, limit=limit)
        except AddressQueryError as exc:
            raise InvalidParameter("q", str(exc)) from None
        return Response(
            {
                "type": "FeatureCollection",
                "query": q,
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


def _hegang_lon_lat(params) -> tuple[float, float]:
    lon = parse_float(params, "lon", min_value=-180, max_value=180)
    lat = parse_float(params, "lat", min_value=-90, max_value=90)
    if not HEGANG_LON[0] <= lon <= HEGANG_LON[1]:
        hint = "（经纬度是否写反？）" if HEGANG_LAT[0] <= lon <= HEGANG_LAT[1] else ""
        raise InvalidParameter("lon", f"不在鹤岗市范围 {HEGANG_LON[0]}–{HEGANG_LON[1]} 内{hint}")
    if not HEGANG_LAT[0] <= lat <= HEGANG_LAT[1]:
        raise InvalidParameter("lat", f"不在鹤岗市范围 {HEGANG_LAT[0]}–{HEGANG_LAT[1]} 内")
    return lon, lat


class ReverseView(APIView):
    """What address is here: the nearest door plate, its full address and distance."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        reject_unknown(request.query_params, {"lon", "lat"})
        lon, lat = _hegang_lon_lat(request.query_params)
        r = lookup.reverse(lon=lon, lat=lat)
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


# ---- writes and numbering proposals --------------------------------------------------------


class ProposeNumberView(APIView):
    """The number a new door at lon/lat on a street would get under the street's rule."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, street_id: int):
        reject_unknown(request.query_params, {"lon", "lat"})
        lon, lat = _hegang_lon_lat(request.query_params)
        p = services.plate_propose(street_id=street_id, lon=lon, lat=lat)
        return Response(
            {
                "street_id": street_id,
                "number": p.number,
                "sub_number": p.sub_number,
                "text": p.text,
                "side": p.side,
                "chainage_m": round(p.chainage_m, 2),
                "reason": p.reason,
            }
        )


class PlateInSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=HEGANG_LON[0], max_value=HEGANG_LON[1])
    lat = serializers.FloatField(min_value=HEGANG_LAT[0], max_value=HEGANG_LAT[1])
    number = serializers.IntegerField(min_value=1, max_value=99_999, required=False)
    sub_number = serializers.IntegerField(min_value=0, max_value=99, default=0)
    building = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    unit = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    status = serializers.ChoiceField(
        choices=[PlateStatus.PLANNED, PlateStatus.INSTALLED], default=PlateStatus.PLANNED
    )


class PlatesInSerializer(serializers.Serializer):
    street = serializers.IntegerField(min_value=1)
    plates = PlateInSerializer(many=True, allow_empty=False, max_length=500)


class CanEditPlates(BasePermission):
    """Signed-in users holding the add-door-plate permission (地名管理员, 系统管理员)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("addresses.add_doorplate"))


def _first_error(errors, prefix: str = "") -> tuple[str, str]:
    """Return (dotted field name, message) of the first serializer error."""
    if isinstance(errors, dict):
        key, value = next(iter(errors.items()))
        if isinstance(key, int) or str(key).isdigit():
            name = f"{prefix}[{key}]"
        elif key == "non_field_errors":
            name = prefix or "body"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        return _first_error(value, name)
    if isinstance(errors, list):
        for i, item in enumerate(errors):
            if item:
                if isinstance(item, str | ErrorDetail):
                    return prefix, str(item)
                return _first_error(item, f"{prefix}[{i}]")
    return prefix, str(errors)


class PlateCreateView(APIView):
    """Create door plates on one street, all or none; numbers proposed when omitted."""

    permission_classes = [CanEditPlates]

    @extend_schema(request=PlatesInSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        body = PlatesInSerializer(data=request.data)
        if not body.is_valid():
            field, message = _first_error(body.errors)
            raise InvalidParameter(field, message)
        data = body.validated_data
        for item in data["plates"]:
            edit_scope_check(
                user=request.user, geom_4490=Point(item["lon"], item["lat"], srid=4490)
            )
        created = services.plates_create(
            street_id=data["street"],
            requests=[services.PlateRequest(**item) for item in data["plates"]],
        )
        return Response(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [p.point_4490.x, p.point_4490.y],
                        },
                        "properties": {
                            "id": p.pk,
                            "street_id": p.street_id,
                            "number": p.number,
                            "sub_number": p.sub_number,
                            "text": str(p),
                            "side": p.side,
                            "status": p.status,
                        },
                    }
                    for p in created
                ],
            },
            status=201,
        )
