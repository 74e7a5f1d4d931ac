"""Write an export's rows, chunk by chunk, in each format (no Django, no database).

The rows arrive as an iterator of lists of tuples (``ExportSelect``'s columns), so memory
holds one chunk at a time however large the layer. CSV and GeoJSON are yielded as bytes
for a streaming response; GeoPackage, the shapefile zip and DXF are written to a file with
GDAL (pyogrio: one Arrow stream for a GeoPackage, one append per chunk for a
shapefile) or the DXF writer, then streamed from disk.

Column names: GeoPackage and CSV carry each field's Chinese label; a shapefile carries the
≤ 10-character ASCII names of ``shapefile_field_names`` and a 字段对照表.csv that maps them to
the labels; GeoJSON keys are the stable field names, the labels given once in
``field_labels`` (a foreign member, RFC 7946 §6.1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.raw
import shapely

from gis_portal.catalogue.spec import Field
from gis_portal.exports.dxf import DxfWriter
from gis_portal.exports.formats import (
    ENCODINGS,
    ExportCrs,
    ExportRefused,
    coordinate_headings,
    dxf_layer_name,
    shapefile_field_names,
)
from gis_portal.spreadsheet import safe_row

Chunks = Iterable[list[tuple]]
# GDAL's SQLite settings for a GeoPackage that is a temp file until it is sent: no fsync,
# no journal (a crash loses only the temp file). About 1.5× faster for a million rows.
GPKG_WRITE_CONFIG = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "OFF"}
KIND_LABELS = {
    "text": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "是/否",
    "date": "日期",
    "datetime": "日期时间",
}
GEOMETRY_KINDS = {0: "points", 1: "lines", 2: "polygons"}
GEOMETRY_KIND_LABELS = {"points": "点", "lines": "线", "polygons": "面"}
SHAPE_TYPES = {"points": "Point", "lines": "MultiLineString", "polygons": "MultiPolygon"}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


# --- CSV ------------------------------------------------------------------------------------


def csv_chunks(
    chunks: Chunks, *, fields: Sequence[Field], crs: ExportCrs, geometry: str
) -> Iterator[bytes]:
    """Yield a CSV (UTF-8 with BOM; header of labels; WKT or two coordinate columns)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    heads = [f.label for f in fields]
    heads += [f"几何（WKT，{crs.key}）"] if geometry == "wkt" else list(coordinate_headings(crs))
    writer.writerow(safe_row(heads))
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for rows in chunks:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(safe_row(_plain(v) for v in row) for row in rows)
        yield buffer.getvalue().encode("utf-8")


# --- GeoJSON --------------------------------------------------------------------------------


def geojson_chunks(
    chunks: Chunks, *, name: str, fields: Sequence[Field], crs: ExportCrs
) -> Iterator[bytes]:
    """Yield a FeatureCollection whose features are the rows' Feature texts (PostGIS built
    them). RFC 7946 coordinates are lon/lat; a Gauss-Krüger export names its CRS in the
    2008 ``crs`` member, which GDAL and QGIS read."""
    head: dict = {"type": "FeatureCollection", "name": name}
    if crs.projected:
        head["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs.srid}"}}
    head["field_labels"] = {f.name: f.label for f in fields}
    text = json.dumps(head, ensure_ascii=False)
    yield (text[:-1] + ', "features": [\n').encode("utf-8")
    first = True
    for rows in chunks:
        body = ",\n".join(row[0] for row in rows)
        if body:
            yield (("" if first else ",\n") + body).encode("utf-8")
            first = False
    yield b"\n]}\n"


# --- GeoPackage and shapefile (GDAL) --------------------------------------------------------


@contextmanager
def _gdal_config(options: dict[str, str]) -> Iterator[None]:
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _column(field: Field, values: list, *, shapefile: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (array, null mask or None) of one field's values for pyogrio."""
    kind = "text" if field.choices else field.kind
    missing = np.array([v is None for v in values])
    if kind == "integer":
        return np.array([0 if v is None else v for v in values], dtype=np.int64), missing
    if kind == "number":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64), None
    if kind == "boolean":
        return np.array([bool(v) for v in values]), missing
    if kind == "date":
        return np.array([v if v is not None else None for v in values], dtype="datetime64[D]"), None
    if kind == "datetime":
        if shapefile:  # a DBF has no date-time type: ISO text (UTC)
            texts = [None if v is None else v.astimezone(dt.UTC).isoformat() for v in values]
            return np.array(texts, dtype=object), None
        utc = [None if v is None else v.astimezone(dt.UTC).replace(tzinfo=None) for v in values]
        return np.array(utc, dtype="datetime64[ms]"), None
    return np.array(values, dtype=object), None


def _check_gbk(fields: Sequence[Field], rows: list[tuple], *, before: int) -> None:
    for i, row in enumerate(rows):
        for field, value in zip(fields, row, strict=False):
            if isinstance(value, str):
                try:
                    value.encode("gbk")
                except UnicodeEncodeError as error:
                    bad = value[error.start : error.end]
                    raise ExportRefused(
                        "encoding",
                        f"第 {before + i + 1} 条要素的“{field.label}”含 GBK 无法表示的字符“{bad}”，"
                        "请改用 UTF-8 导出",
                    ) from None


def _write_chunk(
    path: Path,
    *,
    layer: str,
    fields: Sequence[Field],
    names: Sequence[str],
    rows: list[tuple],
    crs: ExportCrs,
    driver: str,
    geometry_type: str,
    append: bool,
    encoding: str | None = None,
) -> None:
    n = len(fields)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (n + 1)
    data, masks = [], []
    for field, values in zip(fields, columns[:n], strict=True):
        array, mask = _column(field, list(values), shapefile=driver == "ESRI Shapefile")
        data.append(array)
        masks.append(mask)
    wkb = np.array([None if g is None else bytes(g) for g in columns[n]], dtype=object)
    pyogrio.raw.write(
        str(path),
        geometry=wkb,
        field_data=data,
        fields=list(names),
        field_mask=masks if any(m is not None for m in masks) else None,
        layer=layer,
        driver=driver,
        geometry_type=geometry_type,
        crs=crs.declared,
        encoding=encoding,
        append=append,
    )


# Arrow types of the fields' kinds in a GeoPackage (a choice is its label: text).
ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms", tz="UTC"),
}
GEOMETRY_COLUMN = "geometry"  # the WKB column of the Arrow batches (GDAL names it geom)


def _arrow_schema(fields: Sequence[Field], names: Sequence[str], *, shapefile: bool) -> pa.Schema:
    def kind(f: Field) -> str:
        if f.choices or (shapefile and f.kind == "datetime"):  # a DBF has no date-time
            return "text"
        return f.kind

    return pa.schema(
        [pa.field(name, ARROW_TYPES[kind(f)]) for f, name in zip(fields, names, strict=True)]
        + [pa.field(GEOMETRY_COLUMN, pa.binary())]
    )


def _arrow_batches(
    chunks: Chunks,
    fields: Sequence[Field],
    schema: pa.Schema,
    counter: list[int],
    *,
    gbk_refusals: list[ExportRefused] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield the chunks as Arrow batches. With ``gbk_refusals`` every text is checked for
    GBK first: the first refusal is kept there and the stream ends (an exception raised
    inside the stream would reach GDAL, not the caller)."""
    n = len(fields)
    for rows in chunks:
        if gbk_refusals is not None:
            try:
                _check_gbk(fields, rows, before=counter[0])
            except ExportRefused as refused:
                gbk_refusals.append(refused)
                return
        columns = list(zip(*rows, strict=True))
        arrays = [
            pa.array(
                [None if v is None else v.astimezone(dt.UTC).isoformat() for v in columns[i]]
                if schema.field(i).type == pa.string() and fields[i].kind == "datetime"
                else columns[i],
                type=schema.field(i).type,
            )
            for i in range(n)
        ]
        arrays.append(pa.array([None if g is None else bytes(g) for g in columns[n]], pa.binary()))
        counter[0] += len(rows)
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def write_gpkg(
    chunks: Chunks,
    path: Path,
    *,
    layer: str,
    fields: Sequence[Field],
    crs: ExportCrs,
    geometry_type: str,
) -> int:
    """Write a GeoPackage layer ``layer`` (columns: the fields' labels); return the count.

    The chunks go to GDAL as one Arrow stream, so the file is written in one session:
    GDAL builds the spatial index once at the end. (Appending chunk by chunk instead keeps
    the R-tree up to date row by row through its triggers: five times slower.)"""
    schema = _arrow_schema(fields, [f.label for f in fields], shapefile=False)
    counter = [0]
    reader = pa.RecordBatchReader.from_batches(
        schema, _arrow_batches(chunks, fields, schema, counter)
    )
    with _gdal_config(GPKG_WRITE_CONFIG):
        pyogrio.write_arrow(
            reader,
            str(path),
            layer=layer,
            driver="GPKG",
            geometry_name=GEOMETRY_COLUMN,
            geometry_type="Unknown" if geometry_type == "Geometry" else geometry_type,
            crs=crs.declared,
        )
    return counter[0]


def field_table_csv(fields: Sequence[Field], names: dict[str, str]) -> bytes:
    """The shapefile's 字段对照表 (UTF-8 with BOM): DBF name, label, field name, kind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["字段名（DBF）", "中文名称", "原字段名", "类型"])
    for f in fields:
        kind = "文本（代码已换为名称）" if f.choices else KIND_LABELS[f.kind]
        writer.writerow(safe_row([names[f.name], f.label, f.name, kind]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_shapefile_zip(
    chunks: Chunks,
    zip_path: Path,
    *,
    work_dir: Path,
    stem: str,
    fields: Sequence[Field],
    crs: ExportCrs,
    geometry_type: str,
    encoding: str,
) -> int:
    """Write a zip of shapefiles (one per geometry kind when the layer mixes them) with
    .shp/.shx/.dbf/.prj/.cpg in ``encoding`` (utf-8 or gbk) and 字段对照表.csv; return the
    number of features."""
    codec = ENCODINGS[encoding]
    names = shapefile_field_names([f.name for f in fields])
    dbf_names = [names[f.name] for f in fields]
    mixed = geometry_type == "Geometry"
    written: dict[str, int] = {}
    count = 0
    if not mixed:
        # One type: one Arrow stream into GDAL, one session for the whole file.
        schema = _arrow_schema(fields, dbf_names, shapefile=True)
        counter, refusals = [0], list[ExportRefused]()
        batches = _arrow_batches(chunks, fields, schema, counter,
                                 gbk_refusals=refusals if codec == "GBK" else None)  # fmt: skip
        pyogrio.write_arrow(
            pa.RecordBatchReader.from_batches(schema, batches),
            str(work_dir / f"{stem}.shp"),
            layer=stem,
            driver="ESRI Shapefile",
            geometry_name=GEOMETRY_COLUMN,
            geometry_type=geometry_type,
            crs=crs.declared,
            encoding=codec,
        )
        if refusals:
            raise refusals[0]
        written[stem], count = counter[0], counter[0]
        chunks = ()
    for rows in chunks:
        if codec == "GBK":
            _check_gbk(fields, rows, before=count)
        if mixed:
            dims = shapely.get_dimensions(
                shapely.from_wkb(
                    np.array([bytes(r[-1]) if r[-1] else None for r in rows], dtype=object)
                )
            )
            groups = {k: [r for r, d in zip(rows, dims, strict=True) if d == dim]
                      for dim, k in GEOMETRY_KINDS.items()}  # fmt: skip
        else:
            groups = {"": rows}
        for kind, part in groups.items():
            if not part:
                continue
            file_stem = f"{stem}_{kind}" if kind else stem
            shape_type = SHAPE_TYPES[kind] if kind else geometry_type
            _write_chunk(work_dir / f"{file_stem}.shp", layer=file_stem, fields=fields,
                         names=dbf_names, rows=part, crs=crs, driver="ESRI Shapefile",
                         geometry_type=shape_type, append=file_stem in written,
                         encoding=codec)  # fmt: skip
            written[file_stem] = written.get(file_stem, 0) + len(part)
        count += len(rows)
    if not written:  # an empty layer: its columns still, in a file of the declared type
        shape_type = "Point" if mixed else geometry_type
        _write_chunk(work_dir / f"{stem}.shp", layer=stem, fields=fields, names=dbf_names,
                     rows=[], crs=crs, driver="ESRI Shapefile", geometry_type=shape_type,
                     append=False, encoding=codec)  # fmt: skip
        written[stem] = 0
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for file_stem in written:
            # GDAL writes the .cpg only for some encodings: write it always, as ArcGIS reads it.
            (work_dir / f"{file_stem}.cpg").write_text(codec, encoding="ascii")
            for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                z.write(work_dir / f"{file_stem}{suffix}", f"{file_stem}{suffix}")
        z.writestr("字段对照表.csv", field_table_csv(fields, names))
    return count


# --- DXF ------------------------------------------------------------------------------------


def write_dxf(chunks: Chunks, path: Path, *, layer_label: str) -> int:
    """Write a DXF drawing: one DXF layer per class of feature (``<layer>-<class>``, or
    the layer's label alone), each feature labelled; return the count. Rows end with
    (WKB, class, label)."""
    writer = DxfWriter(path)
    try:
        for rows in chunks:
            geoms = shapely.from_wkb(
                np.array([bytes(r[-3]) if r[-3] else None for r in rows], dtype=object)
            )
            for row, geom in zip(rows, geoms, strict=True):
                klass, label = row[-2], row[-1]
                writer.add(
                    layer=dxf_layer_name(layer_label, klass or ""), geometry=geom, label=label
                )
    except BaseException:
        writer.abort()
        raise
    return writer.close()
