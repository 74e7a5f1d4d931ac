"""Generic write API of an editable layer, and the history endpoints (/api/v1/editing/…).

Order on a write: authentication → role permission → If-Match (428/412) → body validation
→ locked write with history. Layers supply a GeoJSON serializer and their write services.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.editing import batch, change_services, history
from gis_portal.editing.attributes import ChoiceRule, DateRule, NumberRule, TextRule
from gis_portal.editing.concurrency import OptimisticLockMixin, etag_format
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.feature_io import county_id_of, feature_collection_json, feature_dict
from gis_portal.editing.history_labels import field_label, value_shown
from gis_portal.editing.layers import LAYERS, Layer, layer_get
from gis_portal.editing.permissions import LayerEditPermission
from gis_portal.errors import NotFound
from gis_portal.params import Choice, ParamSet, Text, reject_unknown


class LayerPathMixin:
    """Views under /api/v1/editing/<layer>/…: the schema lists the registered layers."""

    @property
    def path_params(self) -> ParamSet:
        # A property: the registry is filled by autodiscovery after this module is imported.
        return ParamSet(Choice("layer", tuple(LAYERS), description="图层"))


def request_body(request) -> object:
    """Return the parsed body; an oversized one is refused with a message, not a bare 400."""
    try:
        return request.data
    except RequestDataTooBig:
        raise InvalidEdit(
            "body", "请求体过大（超过上传上限）：几何顶点过多，请简化后再提交"
        ) from None
    except ParseError:
        raise InvalidEdit("body", "请求体不是有效的 JSON") from None


class LayerObjectMixin(OptimisticLockMixin):
    """Resolve the layer and the object of the URL; provide the conflict representation."""

    permission_classes = [LayerEditPermission]
    layer: Layer
    feature_serializer: type[serializers.Serializer]

    @property
    def editor_roles(self) -> tuple[str, ...]:
        return self.get_layer().editor_roles

    @property
    def etag_kind(self) -> str:
        return self.get_layer().key

    def get_layer(self) -> Layer:
        return self.layer

    def get_queryset(self):
        return self.get_layer().model.objects.all()

    def get_locked_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise NotFound(f"{self.get_layer().label} {self.kwargs['pk']} 不存在")
        return obj

    def represent(self, obj) -> dict:
        return self.feature_serializer(obj).data

    def conflict_representation(self, obj) -> dict:
        return self.represent(obj)

    def with_etag(self, response: Response, obj) -> Response:
        response["ETag"] = self.etag_of(obj)
        return response


class FeatureEditView(LayerObjectMixin, APIView):
    """One feature: GET (GeoJSON + ETag), PATCH and DELETE (If-Match required)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        reject_unknown(request.query_params, set())
        obj = self.get_locked_object()
        return self.with_etag(Response(self.represent(obj)), obj)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request, pk: int):
        reject_unknown(request.query_params, set())
        submitted = change_services.edit_or_request(
            layer=self.get_layer(),
            pk=pk,
            expected_version=self.expected_version,
            changes=request_body(request),
            user=request.user,
            source="api",
        )
        obj = self.get_locked_object()
        if submitted is not None:
            # Needs approval (renaming, abolishing, boundaries): 202, the feature unchanged.
            body = {"request": change_services.request_summary(submitted), **self.represent(obj)}
            return self.with_etag(Response(body, status=status.HTTP_202_ACCEPTED), obj)
        return self.with_etag(Response(self.represent(obj)), obj)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={204: None})
    def delete(self, request, pk: int):
        reject_unknown(request.query_params, set())
        body = request_body(request)
        data = body if isinstance(body, dict) else {}
        layer = self.get_layer()
        if layer.request_kind(action="delete", proposed={}) is not None:
            submitted = change_services.change_request_submit(
                layer_key=layer.key,
                target_id=pk,
                action="delete",
                proposed={},
                reason=data.get("comment"),
                user=request.user,
                base_version=self.expected_version,
            )
            body = {"request": change_services.request_summary(submitted)}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        layer.delete(
            pk=pk,
            expected_version=self.expected_version,
            comment=data.get("comment"),
            user=request.user,
            source="api",
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def timeline_json(entries: list[history.TimelineEntry], *, layer: Layer) -> list[dict]:
    """Return the timeline as JSON: each changed field with its label and values as read
    (``before``/``after`` as stored, ``before_shown``/``after_shown`` for people)."""
    out = []
    for e in entries:
        geometry = None
        if e.diff.geometry is not None:
            g = e.diff.geometry
            geometry = {
                "before": g.before,
                "after": g.after,
                "vertices_before": g.vertices_before,
                "vertices_after": g.vertices_after,
                "max_shift_m": g.max_shift_m,
            }
        out.append(
            {
                "event_id": e.event_id,
                "at": e.at.isoformat(),
                "action": e.action,
                "action_label": e.action_label,
                "version": e.version,
                "username": e.username,
                "comment": e.comment,
                "source": e.source,
                "changed": {
                    k: {
                        "label": field_label(layer, k),
                        "before": _plain(v[0]),
                        "after": _plain(v[1]),
                        "before_shown": _plain(value_shown(layer, k, v[0])),
                        "after_shown": _plain(value_shown(layer, k, v[1])),
                    }
                    for k, v in e.diff.changed.items()
                },
                "geometry": geometry,
            }
        )
    return out


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class HistoryView(LayerPathMixin, APIView):
    """The timeline of one feature with a diff per version (signed-in users)."""

    permission_classes = [LayerEditPermission]
    editor_roles: tuple[str, ...] = ()

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str, pk: int):
        reject_unknown(request.query_params, set())
        lay = layer_get(layer)
        entries = history.feature_timeline(layer=lay, pk=pk)
        if not entries:
            raise NotFound(f"{lay.label} {pk} 没有历史记录")
        return Response({"layer": lay.key, "id": pk, "timeline": timeline_json(entries, layer=lay)})


class RestoreView(LayerPathMixin, LayerObjectMixin, APIView):
    """Restore an earlier version as a new recorded change (If-Match required)."""

    def get_layer(self) -> Layer:
        return layer_get(self.kwargs["layer"])

    def represent(self, obj) -> dict:
        return {"id": obj.pk, "version": obj.version}

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request, layer: str, pk: int):
        body = request_body(request)
        data = body if isinstance(body, dict) else {}
        reject_unknown(data, {"event_id", "comment"})
        event_id = data.get("event_id")
        if not isinstance(event_id, int) or isinstance(event_id, bool):
            raise InvalidEdit("event_id", "event_id 应为整数（历史版本编号）")
        lay = self.get_layer()
        submitted = history.feature_restore(
            layer=lay,
            pk=pk,
            event_id=event_id,
            expected_version=self.expected_version,
            user=request.user,
            comment=str(data.get("comment") or "")[:200],
            write=lambda **kw: change_services.edit_or_request(layer=lay, **kw),
        )
        obj = self.get_locked_object()
        if submitted is not None:  # a boundary: the restore waits for approval
            body = {"request": change_services.request_summary(submitted), **self.represent(obj)}
            return self.with_etag(Response(body, status=status.HTTP_202_ACCEPTED), obj)
        return self.with_etag(Response(self.represent(obj)), obj)


class BatchSaveView(APIView):
    """POST /api/v1/editing/save: the editor's save, several features all or nothing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        body = request_body(request)
        if not isinstance(body, dict):
            raise InvalidEdit("body", "请求体应为 JSON 对象")
        reject_unknown(body, {"edits", "comment"})
        submitted: list = []
        saved = batch.edits_save(
            edits=body.get("edits"),
            comment=body.get("comment"),
            user=request.user,
            requests_out=submitted,
        )
        edits = body.get("edits")
        requested = {(e.get("layer"), e.get("id")) for e in edits if e.get("id") is not None}
        out = []
        for layer, pk in saved:
            obj = layer.model.objects.get(pk=pk)
            out.append(
                {
                    "layer": layer.key,
                    "id": pk,
                    "version": obj.version,
                    "etag": etag_format(kind=layer.key, pk=pk, version=obj.version),
                    # New features (drawn, no id in the request), in request order per layer.
                    "created": (layer.key, pk) not in requested,
                }
            )
        requests = [change_services.request_summary(r) for r in submitted]
        for summary, r in zip(requests, submitted, strict=True):
            summary["layer"] = change_services.layer_of_request(r).key
        return Response({"saved": out, "requests": requests})


def _feature_layer(key: str) -> Layer:
    layer = layer_get(key)
    if layer.features is None:
        raise NotFound(f"{layer.label}有自己的编辑接口，不在 /api/v1/editing/{key}/ 下")
    return layer


class LayerFeatureView(LayerPathMixin, FeatureEditView):
    """GET/PATCH/DELETE /api/v1/editing/<layer>/<id> of the layers described by a
    FeatureSpec (streets, signs, door plates, facilities): GeoJSON + ETag, If-Match."""

    def get_layer(self) -> Layer:
        return _feature_layer(self.kwargs["layer"])

    def represent(self, obj) -> dict:
        layer = self.get_layer()
        return feature_dict(layer.features, pk=obj.pk, label=layer.label)

    @extend_schema(operation_id="editing_feature_retrieve", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str, pk: int):
        return super().get(request, pk)

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def patch(self, request, layer: str, pk: int):
        return super().patch(request, pk)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={204: None})
    def delete(self, request, layer: str, pk: int):
        return super().delete(request, pk)


class LayerCollectionView(LayerPathMixin, APIView):
    """GET /api/v1/editing/<layer>?county=230402: the layer's features in one county (what
    the editor loads); POST: create one feature (201 with id, version and ETag)."""

    permission_classes = [LayerEditPermission]

    @property
    def editor_roles(self) -> tuple[str, ...]:
        return layer_get(self.kwargs["layer"]).editor_roles

    query_params = {
        "get": ParamSet(
            Text(
                "county",
                required=True,
                max_length=6,
                pattern=r"^\d{6}$",
                pattern_message="应为 6 位县级区划代码，如 230402",
                description="县级区划代码",
            ),
        )
    }

    @extend_schema(operation_id="editing_layer_features", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str):
        county = self.query_params["get"].parse(request.query_params)["county"]
        lay = _feature_layer(layer)
        county_id = county_id_of(county)
        body = feature_collection_json(lay.features, county_id=county_id)
        return HttpResponse(body, content_type="application/geo+json")

    @extend_schema(
        operation_id="editing_feature_create",
        request=OpenApiTypes.OBJECT,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request, layer: str):
        reject_unknown(request.query_params, set())
        lay = layer_get(layer)
        body = request_body(request)
        obj = batch.layer_create(
            lay, changes=body if isinstance(body, dict) else {}, user=request.user, source="api"
        )
        obj.refresh_from_db(fields=["version"])
        etag = etag_format(kind=lay.key, pk=obj.pk, version=obj.version)
        data = {"id": obj.pk, "version": obj.version, "etag": etag}
        if lay.features is not None:
            data["feature"] = feature_dict(lay.features, pk=obj.pk, label=lay.label)
        response = Response(data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag
        return response


def rule_json(name: str, rule) -> dict | None:
    """How the editor's form shows one field of a layer's rules (None: not a form field)."""
    out = {"name": name, "label": getattr(rule, "label", name)}
    if isinstance(rule, ChoiceRule):
        return {**out, "type": "choice", "choices": [list(c) for c in rule.options()]}
    if isinstance(rule, DateRule):
        return {**out, "type": "date"}
    if isinstance(rule, NumberRule):
        return {
            **out,
            "type": "number",
            "min": rule.minimum,
            "max": rule.maximum,
            "integer": rule.integer,
            "required": rule.required,
        }
    if isinstance(rule, TextRule):
        return {**out, "type": "text", "max_length": rule.max_length, "required": rule.required}
    return None


class LayerFormView(LayerPathMixin, APIView):
    """GET /api/v1/editing/<layer>/form: the fields of the editor's attribute form (label,
    type, choices, limits), for editing a feature and for a new one (create_only)."""

    permission_classes = [LayerEditPermission]
    editor_roles: tuple[str, ...] = ()

    @extend_schema(operation_id="editing_layer_form", responses=OpenApiTypes.OBJECT)
    def get(self, request, layer: str):
        reject_unknown(request.query_params, set())
        lay = layer_get(layer)
        fields = []
        for name, rule in {**lay.rules, **(lay.create_rules or {})}.items():
            field = rule_json(name, rule)
            if field is not None:
                fields.append({**field, "create_only": name not in lay.rules})
        creatable = (
            lay.create is not None or lay.request_kind(action="create", proposed={}) is not None
        )
        return Response(
            {
                "layer": lay.key,
                "label": lay.label,
                "geometry": lay.geometry_kind,
                # A new place name is drawn too, and saved as a naming request.
                "can_create": creatable,
                "create_refusal": "" if creatable else lay.create_refusal,
                "fields": fields,
            }
        )
