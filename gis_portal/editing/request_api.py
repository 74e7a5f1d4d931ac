"""Change requests API (/api/v1/editing/requests…): submit, attach, review, decide, publish."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.editing import change_services, selectors
from gis_portal.editing.api import request_body
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import LAYERS
from gis_portal.editing.models import ChangeKind, ChangeRequest, ChangeStatus
from gis_portal.errors import InvalidParameter
from gis_portal.input_safety import SafeMultiPartParser
from gis_portal.limits import accepts_upload
from gis_portal.params import Bool, Choice, Int, ParamSet, reject_unknown


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/editor/requests/documents/{obj.pk}"


class ChangeRequestSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    layer = serializers.SerializerMethodField()
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = (
            "id",
            "kind",
            "kind_display",
            "action",
            "layer",
            "target_id",
            "target_label",
            "base_version",
            "proposed_data",
            "reason",
            "status",
            "status_display",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "reviewed_at",
            "batch",
            "action_display",
            "approving_authority",
            "published_at",
            "documents",
            "is_demo",
        )

    def get_layer(self, obj) -> str:
        return change_services.layer_of_request(obj).key


def _body(request, allowed: set[str]) -> dict:
    body = request_body(request)
    if not isinstance(body, dict):
        raise InvalidEdit("body", "请求体应为 JSON 对象")
    reject_unknown(body, allowed)
    return body


class ChangeRequestListView(APIView):
    """List the change requests the user may read (see ``selectors``) or submit one (the
    layer's editors)."""

    permission_classes = [IsAuthenticated]

    @property
    def query_params(self) -> dict[str, ParamSet]:
        # A property: the layer registry is filled by autodiscovery after import.
        return {
            "get": ParamSet(
                Choice("status", ChangeStatus.values),
                Choice("kind", ChangeKind.values),
                Choice("layer", tuple(LAYERS)),
                Int("target_id", 1, 2**31 - 1, description="须与 layer 一起给出"),
                Bool("pending", default=False, description="只列待处理的申请"),
            )
        }

    @extend_schema(responses=ChangeRequestSerializer(many=True))
    def get(self, request):
        q = self.query_params["get"].parse(request.query_params)
        wanted, kind, layer, target_id = q["status"], q["kind"], q["layer"], q["target_id"]
        pending = q["pending"]
        if target_id is not None and layer is None:
            raise InvalidParameter("target_id", "须与 layer 一起给出")
        rows = selectors.change_request_list(
            user=request.user,
            status=wanted,
            kind=kind,
            model=LAYERS[layer].model if layer else None,
            target_id=target_id,
            pending=pending,
        )
        return Response(ChangeRequestSerializer(rows, many=True).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=ChangeRequestSerializer)
    def post(self, request):
        body = _body(request, {"layer", "target_id", "action", "proposed", "reason"})
        target_id = body.get("target_id")
        if target_id is not None and (
            not isinstance(target_id, int) or isinstance(target_id, bool)
        ):
            raise InvalidEdit("target_id", "target_id 应为整数（命名新地名时不给出）")
        created = change_services.change_request_submit(
            layer_key=str(body.get("layer") or ""),
            target_id=target_id,
            action=body.get("action") or "update",
            proposed=body.get("proposed") or {},
            reason=body.get("reason"),
            user=request.user,
        )
        return Response(ChangeRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class ChangeRequestDetailView(APIView):
    """One change request with its documents, the batch it came in, and the target as it
    is now next to the proposal (the requests page's diff and map)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        reject_unknown(request.query_params, set())
        detail = selectors.change_request_detail(request_id=pk, user=request.user)
        data = ChangeRequestSerializer(detail.request).data
        data["current"] = detail.current
        data["proposed_geometry"] = detail.proposed_geometry
        data["diff"] = detail.diff
        data["batch_ids"] = detail.batch_ids
        data["may_decide"] = change_services.user_may_decide(request.user)
        return Response(data)


class ChangeRequestActionView(APIView):
    """POST …/requests/{id}/{review|approve|reject|publish}."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="editing_request_transition",
        request=OpenApiTypes.OBJECT,
        responses=ChangeRequestSerializer,
    )
    def post(self, request, pk: int, action: str):
        user = request.user
        if action == "review":
            _body(request, set())
            done = change_services.change_request_review(request_id=pk, user=user)
        elif action == "approve":
            body = _body(request, {"note", "approving_authority"})
            done = change_services.change_request_approve(
                request_id=pk,
                user=user,
                note=body.get("note") or "",
                approving_authority=body.get("approving_authority") or "",
            )
        elif action == "reject":
            body = _body(request, {"note"})
            done = change_services.change_request_reject(
                request_id=pk, user=user, note=body.get("note")
            )
        else:  # publish (the URL pattern admits only these four)
            body = _body(request, {"announcement"})
            done = change_services.change_request_publish(
                request_id=pk, user=user, announcement=body.get("announcement")
            )
        return Response(ChangeRequestSerializer(done).data)


@accepts_upload
class ChangeDocumentView(APIView):
    """Attach a document (multipart: kind, title, file) to a pending request."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeMultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=DocumentSerializer)
    def post(self, request, pk: int):
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidEdit("file", "缺少文件")
        doc = change_services.change_document_attach(
            request_id=pk,
            kind=request.data.get("kind") or "",
            file=upload,
            title=request.data.get("title") or "",
            user=request.user,
        )
        return Response(DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)
