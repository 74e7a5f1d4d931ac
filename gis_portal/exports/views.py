"""The 数据下载 section of the portal's pages and its form's download (thin views).

``export_choices`` is what the section offers a visitor: the layers they may read, the
formats, CRSs, encodings and counties, all with their Chinese labels. The form is a plain
GET form (no script): ``layer_export_download`` reads the layer from the query, checks
every choice with the same ``export_plan`` as the API and sends the file; a refusal is the
portal's Chinese page naming the parameter. The API endpoint stays strict; this form drops
an encoding or a CSV geometry choice the chosen format does not use (the form shows both).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from gis_portal.areas import COUNTY_LEVEL, current_areas
from gis_portal.catalogue.registry import (
    catalogue_layer_for,
    catalogue_visible,
    user_is_staff_reader,
)
from gis_portal.error_types import InvalidParameter, NotFound
from gis_portal.exports.api import EXPORT_PARAMS, export_response
from gis_portal.exports.formats import CRSES, CSV_GEOMETRY, ENCODINGS, FORMATS
from gis_portal.exports.services import export_plan
from gis_portal.input_safety import refusal
from gis_portal.params import ParamSet, Text
from gis_portal.throttles import heavy_work

FORM_PARAMS = EXPORT_PARAMS + ParamSet(
    Text("layer", required=True, max_length=40, pattern=r"^[a-z][a-z0-9-]{0,39}$",
         pattern_message="应为图层键，如 door-plates")
)  # fmt: skip


def export_choices(user) -> dict:
    """What the 数据下载 section offers ``user`` (labels for every choice)."""
    counties = current_areas().filter(level=COUNTY_LEVEL).order_by("code")
    return {
        "layers": [
            {"key": layer.key, "label": layer.label, "public": layer.is_public,
             "point": layer.geometry_type == "Point"}
            for layer in catalogue_visible(user)
            if layer.exportable
        ],
        "formats": list(FORMATS.values()),
        "crses": list(CRSES.values()),
        "encodings": [(key, codec) for key, codec in ENCODINGS.items()],
        "csv_geometry": list(CSV_GEOMETRY.items()),
        "counties": [(a.code, a.name) for a in counties],
    }  # fmt: skip


@require_GET
@heavy_work("export")
def layer_export_download(request: HttpRequest) -> HttpResponse:
    """Send the file the 数据下载 form asked for."""
    query = {k: v for k, v in request.GET.items() if v != ""}
    if query.get("format") != "shp":
        query.pop("encoding", None)
    if query.get("format") != "csv":
        query.pop("geometry", None)
    try:
        q = FORM_PARAMS.parse(query)
        layer = catalogue_layer_for(str(q["layer"]), request.user)
        plan = export_plan(
            layer,
            staff=user_is_staff_reader(request.user),
            fmt=str(q["format"]),
            crs=q["crs"],  # type: ignore[arg-type]
            bbox=q["bbox"],  # type: ignore[arg-type]
            county=q["county"],  # type: ignore[arg-type]
            encoding=q["encoding"],  # type: ignore[arg-type]
            geometry=q["geometry"],  # type: ignore[arg-type]
        )
        return export_response(plan)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except InvalidParameter as refused:
        return refusal(request, refused, api=False)
