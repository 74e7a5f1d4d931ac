"""REST API for officers: door plates created by the rules, and number proposals."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.errors import InvalidParameter
from gis_portal.params import Int, ParamSet
from placenames.addresses.api.addresses import (
    HEGANG_LAT,
    HEGANG_LON,
    HEGANG_POSITION,
    hegang_lon_lat,
)
from placenames.addresses.models import Condition, PlateStatus
from placenames.addresses.services import plates as plate_services
from placenames.addresses.services import signs as sign_services


class ProposeNumberView(APIView):
    """The number a new door at lon/lat on a street would get under the street's rule."""

    permission_classes = [AllowAny]
    query_params = HEGANG_POSITION
    path_params = ParamSet(Int("street_id", 1, 2**31 - 1, description="街路巷 ID"))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, street_id: int):
        lon, lat = hegang_lon_lat(request.query_params)
        p = plate_services.plate_propose(street_id=street_id, lon=lon, lat=lat)
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
        created = plate_services.plates_create(
            street_id=data["street"],
            requests=[plate_services.PlateRequest(**item) for item in data["plates"]],
            user=request.user,
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


class InspectionInSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    condition = serializers.ChoiceField(choices=Condition.choices)
    inspector = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class CanInspectSigns(BasePermission):
    """Signed-in users holding the add-inspection permission (地名管理员, 系统管理员)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_perm("addresses.add_signinspection")
        )


class SignInspectionCreateView(APIView):
    """Record an inspection (巡检) of a street sign; the sign takes the inspected condition."""

    permission_classes = [CanInspectSigns]

    @extend_schema(request=InspectionInSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, sign_id: int):
        body = InspectionInSerializer(data=request.data)
        if not body.is_valid():
            field, message = _first_error(body.errors)
            raise InvalidParameter(field, message)
        data = body.validated_data
        if data["inspected_on"] > timezone.localdate():
            raise InvalidParameter("inspected_on", "巡检日期不能晚于今天")
        record = sign_services.sign_inspect(
            sign_id=sign_id,
            on=data["inspected_on"],
            condition=data["condition"],
            user=request.user,
            inspector=data["inspector"],
            note=data["note"],
        )
        return Response(
            {
                "id": record.pk,
                "sign_id": sign_id,
                "inspected_on": record.inspected_on,
                "condition": record.condition,
                "inspector": record.inspector,
            },
            status=201,
        )
