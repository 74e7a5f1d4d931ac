"""Export a catalogue layer: check the order, read the rows in chunks, write the file.

``export_plan`` turns the caller's choices into an ``ExportPlan`` — or refuses them with
an ``InvalidParameter`` naming the parameter, before any row is read. ``export_stream``
yields a CSV or GeoJSON from a server-side cursor; ``export_write`` writes any format to a
file (GeoPackage, shapefile zip and DXF always go through a file). Who may read the layer
and which of its fields is decided by the catalogue (``catalogue_layer_for``,
``fields_for``), never here.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from gis_portal.areas import COUNTY_LEVEL, current_areas
from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.error_types import InvalidParameter
from gis_portal.exports.formats import (
    CSV_GEOMETRY,
    DEFAULT_ENCODING,
    ENCODINGS,
    FORMATS,
    ExportCrs,
    ExportFormat,
    ExportRefused,
    bbox_in_crs,
    crs_of,
)
from gis_portal.exports.query import ExportSelect, export_select
from gis_portal.exports.writers import (
    csv_chunks,
    geojson_chunks,
    write_dxf,
    write_gpkg,
    write_shapefile_zip,
)

CHUNK_ROWS = 20_000
# One statement of an export (each FETCH of the cursor) may take this long: the general
# request limit is for pages, an export of a million rows runs for tens of seconds.
EXPORT_STATEMENT_TIMEOUT_S = 600


@dataclass(frozen=True)
class ExportPlan:
    layer: CatalogueLayer
    fmt: ExportFormat
    crs: ExportCrs
    select: ExportSelect
    encoding: str
    filename: str  # with its suffix; the layer's Chinese label


def _county_id(code: str) -> int:
    if not re.fullmatch(r"\d{6}(\d{6})?", code):
        raise InvalidParameter("county", "应为县（区）的 6 位或 12 位区划代码")
    area = current_areas().filter(level=COUNTY_LEVEL, code=code).values_list("id", flat=True)
    found = list(area[:1])
    if not found:
        raise InvalidParameter("county", f"没有区划代码为 {code} 的县（区）")
    return found[0]


def _visible(fields: tuple[Field, ...], name: str | None) -> Field | None:
    if name is None:
        return None
    return next((f for f in fields if f.name == name), None)


def export_plan(
    layer: CatalogueLayer,
    *,
    staff: bool,
    fmt: str,
    crs: str | None = None,
    bbox: str | None = None,
    county: str | None = None,
    encoding: str | None = None,
    geometry: str | None = None,
) -> ExportPlan:
    """Return the plan of an export of ``layer`` as a reader who is (not) ``staff`` sees it;
    every choice checked, each refusal naming its parameter."""
    export_format = FORMATS.get(fmt)
    if export_format is None:
        raise InvalidParameter("format", f"不支持的格式 {fmt[:40]}，可选：{'、'.join(FORMATS)}")
    if not layer.exportable:
        raise InvalidParameter("layer", f"图层“{layer.label}”不提供导出")
    try:
        export_crs = crs_of(crs, fmt=export_format)
        envelope = bbox_in_crs(bbox, export_crs)
    except ExportRefused as refused:
        raise InvalidParameter(refused.parameter, refused.message) from None
    if encoding is not None and fmt != "shp":
        raise InvalidParameter("encoding", "编码只适用于 Shapefile（format=shp）")
    if encoding is not None and encoding not in ENCODINGS:
        raise InvalidParameter("encoding", f"应为 {' 或 '.join(ENCODINGS)}")
    if geometry is not None and fmt != "csv":
        raise InvalidParameter("geometry", "几何列形式只适用于 CSV（format=csv）")
    csv_geometry = geometry or "wkt"
    if csv_geometry not in CSV_GEOMETRY:
        raise InvalidParameter("geometry", f"应为 {' 或 '.join(CSV_GEOMETRY)}")
    if csv_geometry == "xy" and layer.geometry_type != "Point":
        raise InvalidParameter("geometry", f"“{layer.label}”不是点图层，请用 geometry=wkt")
    county_id = None
    if county is not None:
        if layer.source.county is None:
            raise InvalidParameter("county", f"图层“{layer.label}”不按县（区）划分，不能按县筛选")
        county_id = _county_id(county)
    fields = layer.fields_for(staff=staff)
    output = {"csv": csv_geometry, "geojson": "geojson"}.get(fmt, "wkb")
    style = layer.style
    select = export_select(
        layer,
        fields=() if fmt == "dxf" else fields,
        crs=export_crs,
        geometry=output,
        bbox_4490=envelope,
        bbox_in_crs=None if bbox is None else tuple(float(v) for v in bbox.split(",")),  # type: ignore[arg-type]
        county_id=county_id,
        class_field=_visible(fields, style.class_field if style else None),
        label_field=_visible(fields, style.label_field if style else None),
        with_class_and_label=fmt == "dxf",
    )
    crs_tag = export_crs.key.replace(":", "")
    return ExportPlan(
        layer=layer,
        fmt=export_format,
        crs=export_crs,
        select=select,
        encoding=encoding or DEFAULT_ENCODING,
        filename=f"{layer.label}_{crs_tag}{export_format.suffix}",
    )


def export_rows(select: ExportSelect, *, chunk: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    """Yield the rows of ``select`` in lists of ``chunk`` from a server-side cursor."""
    with transaction.atomic(), connection.cursor() as setup:
        setup.execute(
            "SELECT set_config('statement_timeout', %s, true)", [f"{EXPORT_STATEMENT_TIMEOUT_S}s"]
        )
        with connection.chunked_cursor() as cursor:
            cursor.execute(select.sql, list(select.params))
            while rows := cursor.fetchmany(chunk):
                yield rows


def export_stream(plan: ExportPlan) -> Iterator[bytes]:
    """Yield the bytes of a CSV or GeoJSON export (for a streaming response)."""
    if not plan.fmt.streamed:
        raise ValueError(f"{plan.fmt.key} is written to a file, not streamed")
    return _encoded(plan, export_rows(plan.select))


def export_write(plan: ExportPlan, path: Path) -> int:
    """Write the export to ``path``; return the number of features."""
    rows = export_rows(plan.select)
    # Closed in every case: a writer that stops early (a GBK refusal) must not leave the
    # cursor's transaction open until the generator happens to be collected.
    with closing(rows):
        return _write(plan, rows, path)


def _write(plan: ExportPlan, rows: Iterator[list[tuple]], path: Path) -> int:
    fields = plan.select.fields
    key = plan.fmt.key
    if key in ("csv", "geojson"):
        counted = _Counted(rows)
        with path.open("wb") as out:
            for data in _encoded(plan, counted):
                out.write(data)
        return counted.count
    if key == "gpkg":
        return write_gpkg(rows, path, layer=plan.layer.label, fields=fields, crs=plan.crs,
                          geometry_type=plan.layer.geometry_type)  # fmt: skip
    if key == "dxf":
        return write_dxf(rows, path, layer_label=plan.layer.label)
    work = Path(tempfile.mkdtemp(prefix="export-shp-", dir=path.parent))
    try:
        stem = plan.layer.key.replace("-", "_")
        return write_shapefile_zip(rows, path, work_dir=work, stem=stem, fields=fields,
                                   crs=plan.crs, geometry_type=plan.layer.geometry_type,
                                   encoding=plan.encoding)  # fmt: skip
    except ExportRefused as refused:
        raise InvalidParameter(refused.parameter, refused.message) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Counted:
    """An iterator of row chunks that counts the rows passing through."""

    def __init__(self, chunks: Iterator[list[tuple]]) -> None:
        self.chunks = chunks
        self.count = 0

    def __iter__(self) -> Iterator[list[tuple]]:
        for rows in self.chunks:
            self.count += len(rows)
            yield rows


def _encoded(plan: ExportPlan, chunks: Iterable[list[tuple]]) -> Iterator[bytes]:
    fields = plan.select.fields
    if plan.fmt.key == "csv":
        return csv_chunks(chunks, fields=fields, crs=plan.crs, geometry=plan.select.geometry)
    return geojson_chunks(chunks, name=plan.layer.label, fields=fields, crs=plan.crs)
