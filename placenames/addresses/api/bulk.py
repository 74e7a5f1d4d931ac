"""Bulk import (upload) and export of door plates, streets and signs over the API."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.http import FileResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.errors import InvalidParameter
from gis_portal.importing.export import FORMATS, SUFFIXES, export_stream, write_gpkg
from gis_portal.importing.pipeline import layer_import
from gis_portal.importing.uploads import import_request, upload_saved
from gis_portal.limits import accepts_upload
from gis_portal.params import Choice, ParamSet, parse_choice
from gis_portal.throttles import heavy_work
from placenames.addresses.bulk_io import ADDRESS_LAYERS
from placenames.addresses.bulk_io.common import AddressSpec


class CanImportAddresses(BasePermission):
    """地名管理员 and 系统管理员 (signed in); the import itself holds them to their scope."""

    message = AddressSpec.refusal

    def has_permission(self, request, view) -> bool:
        return ADDRESS_LAYERS["plates"].may_import(request.user)


@accepts_upload
@method_decorator(heavy_work("compute"), name="post")
class AddressImportView(APIView):
    """Import a file of door plates, streets or signs: every row checked, all or nothing.

    multipart: ``layer`` (plates|streets|signs), ``file`` (xlsx, csv, Shapefile zip, gpkg),
    ``dry_run`` and ``accept_valid_rows`` (true|false). 200 with the report when written
    (or a dry run); 422 with the report when rows were refused (nothing written).
    """

    permission_classes = [CanImportAddresses]
    parser_classes = [MultiPartParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        # The layer first: a file is read only for a layer that exists.
        layer = parse_choice(request.data, "layer", sorted(ADDRESS_LAYERS))
        if layer is None:
            raise InvalidParameter(
                "layer", "缺少此参数：plates（门牌）、streets（街路巷）或 signs（路牌）"
            )
        upload, flags = import_request(
            request.data,
            request.FILES,
            missing="请上传文件（xlsx、csv、Shapefile 压缩包或 gpkg）",
            flags=("dry_run", "accept_valid_rows"),
            fields={"layer"},
        )
        with upload_saved(upload) as path:
            report = layer_import(
                spec=ADDRESS_LAYERS[layer], path=path, user=request.user, file_name=upload.name,
                **flags,
            )  # fmt: skip
        body = report.as_dict() | {"summary": report.summary()}
        return Response(body, status=422 if report.refused else 200)


@method_decorator(heavy_work("export"), name="get")
class AddressExportView(APIView):
    """Export door plates, streets or signs (the import's columns: it imports back)."""

    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the file format here, not DRF's renderer override; errors are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    query_params = ParamSet(
        Choice("layer", sorted(ADDRESS_LAYERS), required=True,
               description="plates（门牌）、streets（街路巷）或 signs（路牌）"),
        Choice("format", sorted(FORMATS), required=True, description="文件格式"),
    )  # fmt: skip

    @extend_schema(
        responses={
            (200, media_type): OpenApiTypes.OBJECT if fmt == "geojson" else OpenApiTypes.BINARY
            for fmt, media_type in FORMATS.items()
        }
    )
    def get(self, request):
        declared = self.query_params.parse(request.query_params)
        layer, fmt = declared["layer"], declared["format"]
        query = ADDRESS_LAYERS[layer].export_query()
        name = f"{layer}{SUFFIXES[fmt]}"
        if fmt == "gpkg":  # GDAL writes a file; it is sent from an open, unlinked handle
            folder = Path(tempfile.mkdtemp(prefix="export-"))
            try:
                write_gpkg(query, folder / "export.gpkg")
                handle = (folder / "export.gpkg").open("rb")
            finally:
                shutil.rmtree(folder)
            response = FileResponse(handle, content_type=FORMATS[fmt])
        else:
            response = StreamingHttpResponse(
                export_stream(query, fmt=fmt), content_type=FORMATS[fmt]
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
