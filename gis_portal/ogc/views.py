"""GET /ogc/…: OGC API – Features over the layer catalogue (thin views).

JSON (GeoJSON for features) or HTML by ``f=`` or the Accept header. Callers are anonymous
or use an API key (``Authorization: Token …``); a staff layer is listed and answered only
to a key of scope ``ogc:read`` whose account may read it (gis_portal.catalogue.registry
.may_read_shared): to anyone else it is the same 404 as an unknown collection. Refusals are
OGC exception JSON (``code``, ``description`` in Chinese; ``error`` repeats it, the
portal's error shape) or the portal's refusal page for a browser.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from gis_portal.authentication import ApiKeyAuthentication, key_scopes
from gis_portal.catalogue.registry import (
    catalogue_shared_layer_for,
    catalogue_shared_visible,
    user_is_staff_reader,
)
from gis_portal.catalogue.selectors import layer_description
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.error_types import DomainError, InvalidParameter, NotFound
from gis_portal.ogc import documents
from gis_portal.ogc.crs import crs_parse
from gis_portal.ogc.query import (
    ITEM_PARAMS,
    ITEMS_PARAMS,
    PLAIN_PARAMS,
    item_id_parse,
    items_query_parse,
    output_format,
    queryables_of,
)
from gis_portal.ogc.selectors import item_feature, items_page, shared_usage_record
from gis_portal.params import ParamSet, Text

COLLECTION_ID = ParamSet(
    Text(
        "collection_id",
        max_length=40,
        pattern=r"^[a-z][a-z0-9-]{0,39}$",
        pattern_message="应为图层编号，如 door-plates",
        description="图层编号（见 /ogc/collections）",
    )
)
ITEM_PATH = COLLECTION_ID + ParamSet(
    Text("item_id", max_length=18, pattern=r"^[0-9]{1,18}$", description="要素编号")
)
# OGC exception codes by HTTP status (OGC API Common's exception JSON).
_OGC_CODES = {400: "InvalidParameterValue", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}


class _Negotiation(BaseContentNegotiation):
    """The views choose JSON or HTML themselves (``f``, Accept); DRF must not answer 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _json(doc: dict, media: str = documents.JSON) -> HttpResponse:
    return HttpResponse(json.dumps(doc, ensure_ascii=False), content_type=media)


class OgcView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _Negotiation
    query_params: ParamSet = PLAIN_PARAMS

    def wants_html(self, request) -> bool:
        return output_format(request.GET, request.headers.get("Accept", "")) == "html"

    def base(self, request) -> str:
        return request.build_absolute_uri("/ogc")

    def layer(self, request, collection_id: str) -> CatalogueLayer:
        return catalogue_shared_layer_for(
            collection_id, request.user, scopes=key_scopes(request.auth)
        )

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            status, message = int(exc.http_status), exc.message
            extra = {"parameter": exc.parameter} if isinstance(exc, InvalidParameter) else {}
        elif isinstance(exc, exceptions.APIException):
            status, message, extra = exc.status_code, str(exc.detail), {}
        else:
            return super().handle_exception(exc)
        request = self.request
        # A refusal is a page only for a browser (Accept: text/html); API clients, whatever
        # ``f`` they asked for, get the exception JSON.
        html = "text/html" in request.headers.get("Accept", "") and request.GET.get("f") != "json"
        if html:
            return render(
                request,
                "portal/refused.html",
                {"message": message, "status": status},
                status=status,
            )
        body = {
            "code": _OGC_CODES.get(status, "InvalidRequest"),
            "description": message,
            "error": message,
            **extra,
        }
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        if status == 401:
            response["WWW-Authenticate"] = "Token"
        return response


_JSON_OR_HTML = {
    (200, documents.JSON): OpenApiTypes.OBJECT,
    (200, documents.HTML): OpenApiTypes.STR,
}
_GEOJSON_OR_HTML = {
    (200, documents.GEOJSON): OpenApiTypes.OBJECT,
    (200, documents.HTML): OpenApiTypes.STR,
}


class LandingView(OgcView):
    """The landing page: links to the API definition, conformance and the collections."""

    @extend_schema(operation_id="ogc_landing", responses=_JSON_OR_HTML, tags=["ogc"])
    def get(self, request):
        self.query_params.parse(request.GET)
        doc = documents.landing(self.base(request))
        if self.wants_html(request):
            return render(request, "ogc/landing.html", {"doc": doc})
        return _json(doc)


class LandingAliasView(LandingView):
    """``/ogc`` without the slash (the form GDAL's ``OAPIF:`` takes); one landing page in the schema."""

    schema = None


class ConformanceView(OgcView):
    """The conformance classes this API implements."""

    @extend_schema(operation_id="ogc_conformance", responses=_JSON_OR_HTML, tags=["ogc"])
    def get(self, request):
        self.query_params.parse(request.GET)
        doc = documents.conformance()
        if self.wants_html(request):
            return render(request, "ogc/conformance.html", {"doc": doc})
        return _json(doc)


def _collection_doc(base: str, layer: CatalogueLayer, user) -> dict:
    extent = layer_description(layer, user=user, extent=True)["extent_4490"]
    return documents.collection(base, layer, extent)


class CollectionsView(OgcView):
    """Every collection the caller may read (a staff layer only to a key that may)."""

    @extend_schema(operation_id="ogc_collections", responses=_JSON_OR_HTML, tags=["ogc"])
    def get(self, request):
        self.query_params.parse(request.GET)
        base = self.base(request)
        layers = catalogue_shared_visible(request.user, scopes=key_scopes(request.auth))
        doc = documents.collections(base, [_collection_doc(base, x, request.user) for x in layers])
        if self.wants_html(request):
            return render(request, "ogc/collections.html", {"doc": doc})
        return _json(doc)


class CollectionView(OgcView):
    """One collection: description, extent, CRS list and links."""

    path_params = COLLECTION_ID

    @extend_schema(operation_id="ogc_collection", responses=_JSON_OR_HTML, tags=["ogc"])
    def get(self, request, collection_id: str):
        self.query_params.parse(request.GET)
        layer = self.layer(request, collection_id)
        doc = _collection_doc(self.base(request), layer, request.user)
        if self.wants_html(request):
            fields = layer.fields_for(staff=user_is_staff_reader(request.user))
            return render(
                request, "ogc/collection.html", {"doc": doc, "layer": layer, "fields": fields}
            )
        return _json(doc)


class QueryablesView(OgcView):
    """What a filter may name: the layer's queryable fields and its geometry (JSON Schema)."""

    path_params = COLLECTION_ID

    @extend_schema(
        operation_id="ogc_queryables",
        responses={
            (200, documents.SCHEMA_JSON): OpenApiTypes.OBJECT,
            (200, documents.HTML): OpenApiTypes.STR,
        },
        tags=["ogc"],
    )
    def get(self, request, collection_id: str):
        self.query_params.parse(request.GET)
        layer = self.layer(request, collection_id)
        fields = queryables_of(layer.fields_for(staff=user_is_staff_reader(request.user)))
        doc = documents.queryables(self.base(request), layer, fields)
        if self.wants_html(request):
            return render(request, "ogc/queryables.html", {"doc": doc, "layer": layer})
        return _json(doc, documents.SCHEMA_JSON)


def _crs_headers(response: HttpResponse, crs_uri: str) -> HttpResponse:
    response["Content-Crs"] = f"<{crs_uri}>"
    return response


class ItemsView(OgcView):
    """One page of a collection's features: bbox, CRS, datetime, properties, CQL2 filter."""

    path_params = COLLECTION_ID
    query_params = ITEMS_PARAMS

    @extend_schema(operation_id="ogc_items", responses=_GEOJSON_OR_HTML, tags=["ogc"])
    def get(self, request, collection_id: str):
        html = self.wants_html(request)
        layer = self.layer(request, collection_id)
        fields = layer.fields_for(staff=user_is_staff_reader(request.user))
        query = items_query_parse(request.GET, layer=layer, fields=fields)
        page = items_page(layer, query)
        shared_usage_record(
            user=request.user,
            auth=request.auth,
            collection=layer.key,
            request_kind="items",
            features=page.returned,
        )
        params = {k: request.GET[k] for k in request.GET if k not in ("f", "offset")}
        params["offset"] = str(query.offset)
        text = documents.feature_collection_text(
            base=self.base(request),
            layer=layer,
            features_json=page.features_json,
            returned=page.returned,
            matched=page.matched,
            more=page.more,
            last_id=page.last_id,
            limit=query.limit,
            offset=query.offset,
            params=params,
        )
        if html:
            doc = json.loads(text)
            labels = [(f.name, f.label) for f in query.fields]
            rows = [
                (feature["id"], [feature["properties"].get(name) for name, _ in labels])
                for feature in doc["features"]
            ]
            links = {link["rel"]: link["href"] for link in doc["links"]}
            return render(
                request,
                "ogc/items.html",
                {
                    "doc": doc,
                    "layer": layer,
                    "labels": labels,
                    "rows": rows,
                    "links": links,
                    "first": query.offset + 1 if page.returned else 0,
                    "last": query.offset + page.returned,
                },
            )
        return _crs_headers(HttpResponse(text, content_type=documents.GEOJSON), query.crs.uri)


class ItemView(OgcView):
    """One feature of a collection."""

    path_params = ITEM_PATH
    query_params = ITEM_PARAMS

    @extend_schema(operation_id="ogc_item", responses=_GEOJSON_OR_HTML, tags=["ogc"])
    def get(self, request, collection_id: str, item_id: str):
        q = self.query_params.parse(request.GET)
        html = self.wants_html(request)
        layer = self.layer(request, collection_id)
        crs = crs_parse("crs", q["crs"])  # type: ignore[arg-type]
        number = item_id_parse(item_id)
        fields = layer.fields_for(staff=user_is_staff_reader(request.user))
        if number is None:
            raise NotFound(f"图层 {layer.label} 没有编号为 {item_id[:20]} 的要素")
        feature_json = item_feature(layer, number, fields=fields, crs=crs)
        shared_usage_record(
            user=request.user,
            auth=request.auth,
            collection=layer.key,
            request_kind="item",
            features=1,
        )
        text = documents.feature_text(
            base=self.base(request), layer=layer, feature_json=feature_json, item_id=number
        )
        if html:
            doc = json.loads(text)
            rows = [(f.label, doc["properties"].get(f.name)) for f in fields]
            return render(request, "ogc/item.html", {"doc": doc, "layer": layer, "rows": rows})
        return _crs_headers(HttpResponse(text, content_type=documents.GEOJSON), crs.uri)


class OgcApiDocumentView(SpectacularAPIView):
    """The OpenAPI 3.0 document of /ogc/ (the same declarations the views parse with)."""

    renderer_classes = [OpenApiJsonRenderer]
    urlconf = "gis_portal.ogc.schema_urls"
    custom_settings = {
        "TITLE": documents.TITLE,
        "DESCRIPTION": documents.DESCRIPTION,
        "VERSION": "1.0.0",
    }
