"""A layer export as an HTTP download: CSV and GeoJSON streamed, GeoPackage from a temp file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from gis_portal.importing.export import FORMATS, SUFFIXES, export_stream, write_gpkg
from gis_portal.importing.spec import ExportQuery


def export_response(query: ExportQuery, *, fmt: str, filename: str) -> HttpResponse:
    """Return the download of ``query`` in ``fmt`` (csv, geojson, gpkg) named ``filename``
    (without suffix; Chinese kept through RFC 5987)."""
    name = f"{filename}{SUFFIXES[fmt]}"
    if fmt == "gpkg":
        # GDAL writes a GeoPackage to a file; the file is deleted once it is open.
        tmp = Path(tempfile.mkdtemp(prefix="export-")) / "export.gpkg"
        write_gpkg(query, tmp)
        handle = tmp.open("rb")
        tmp.unlink()
        tmp.parent.rmdir()
        response = FileResponse(handle, content_type=FORMATS[fmt])
    else:
        content_type = FORMATS[fmt] + ("; charset=utf-8" if fmt == "csv" else "")
        response = StreamingHttpResponse(export_stream(query, fmt=fmt), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
