"""GET /api/v1/layers/<key>/export: a catalogue layer as a file (thin view).

CSV and GeoJSON stream from the server-side cursor as they are read; GeoPackage, the
shapefile zip and DXF are written to a temp file chunk by chunk (GDAL writes files), which
is then streamed and deleted. Every parameter is checked before a row is read: a bad one is
a 400 naming it; a layer the caller may not read is the same 404 as an unknown key.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from gis_portal.catalogue.api import LAYER_KEY
from gis_portal.catalogue.registry import catalogue_layer_for, user_is_staff_reader
from gis_portal.exports.formats import CRS_CHOICES, CSV_GEOMETRY, ENCODINGS, FORMATS
from gis_portal.exports.services import ExportPlan, export_plan, export_stream, export_write
from gis_portal.params import Choice, ParamSet, Text
from gis_portal.throttles import heavy_work

_NUMBER = r"-?\d{1,8}(\.\d{1,12})?"
EXPORT_PARAMS = ParamSet(
    Choice("format", FORMATS, required=True,
           description="文件格式：gpkg、shp（zip）、csv、geojson、dxf"),
    Choice("crs", CRS_CHOICES,
           description="坐标系，默认 EPSG:4490（DXF 默认 EPSG:4552）；也接受 OGC 的 CRS URI"),
    Text("bbox", max_length=120, pattern=rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$",
         pattern_message="格式应为 minX,minY,maxX,maxY（按所选坐标系：经纬度或米）",
         description="范围 minX,minY,maxX,maxY，按所选坐标系给出（经纬度或高斯-克吕格米）"),
    Text("county", max_length=12, pattern=r"^\d{6}(\d{6})?$",
         pattern_message="应为县（区）的 6 位或 12 位区划代码",
         description="只导出此县（区）的要素（区划代码，如 230404）"),
    Choice("encoding", ENCODINGS, description="Shapefile 属性表编码：utf-8（默认）或 gbk"),
    Choice("geometry", CSV_GEOMETRY, description="CSV 的几何列：wkt（默认）或 xy（点图层的两列坐标）"),
)  # fmt: skip
MEDIA_TYPES = {f.media_type.split(";")[0] for f in FORMATS.values()}


def _attachment(response: HttpResponse, plan: ExportPlan) -> HttpResponse:
    # RFC 5987: the Chinese file name survives every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.filename)}"
    response["Content-Crs"] = f"<{plan.crs.uri}>"
    return response


def export_response(plan: ExportPlan) -> HttpResponse:
    """The download of ``plan``: streamed from the cursor, or from a temp file."""
    if plan.fmt.streamed:
        response: HttpResponse = StreamingHttpResponse(
            export_stream(plan), content_type=plan.fmt.media_type
        )
        return _attachment(response, plan)
    work = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        path = work / f"export{plan.fmt.suffix}"
        export_write(plan, path)
        # Open, then delete: the open handle keeps the data until the response is sent.
        handle = path.open("rb")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _attachment(FileResponse(handle, content_type=plan.fmt.media_type), plan)


@method_decorator(heavy_work("export"), name="get")
class LayerExportView(APIView):
    """A whole catalogue layer (or its part in a bbox / a county) as a file, in the CRS chosen."""

    permission_classes = [AllowAny]
    path_params = LAYER_KEY
    query_params = EXPORT_PARAMS

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the file format here, not DRF's renderer override; errors are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="catalogue_layer_export",
        responses={(200, media): OpenApiTypes.BINARY for media in sorted(MEDIA_TYPES)},
    )
    def get(self, request, layer: str):
        q = self.query_params.parse(request.query_params)
        entry = catalogue_layer_for(layer, request.user)
        plan = export_plan(
            entry,
            staff=user_is_staff_reader(request.user),
            fmt=q["format"],
            crs=q["crs"],
            bbox=q["bbox"],
            county=q["county"],
            encoding=q["encoding"],
            geometry=q["geometry"],
        )
        return export_response(plan)
