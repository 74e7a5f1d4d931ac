"""Stream a layer out as CSV, GeoJSON or GeoPackage, a chunk of rows at a time.

Rows come from a server-side cursor (``ExportQuery``: the label columns, then the
geometry as EPSG:4490 WKB), so memory stays flat however large the layer. The columns are
the import's headings: an export imports back unchanged. CSV cells pass through
``gis_portal.spreadsheet.cell_safe`` (no cell runs as a formula) and carry a UTF-8 BOM
for Excel; GeoJSON is RFC 7946 (lon/lat, CGCS2000 ≈ WGS 84 at the cm level); the
GeoPackage layer is declared EPSG:4490.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from django.db import connection, transaction

from gis_portal.importing.spec import ExportQuery
from gis_portal.spreadsheet import safe_row

FORMATS = {"csv": "text/csv", "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}  # fmt: skip
SUFFIXES = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg"}
CHUNK_ROWS = 5000


def export_rows(
    query: ExportQuery, *, chunk: int = CHUNK_ROWS, counter: list[int] | None = None
) -> Iterator[list[tuple]]:
    """Yield the query's rows in lists of ``chunk`` from a server-side cursor (adding
    their number to ``counter[0]`` when given)."""
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(query.sql, list(query.params))
        while rows := cursor.fetchmany(chunk):
            if counter is not None:
                counter[0] += len(rows)
            yield rows


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _attributes(query: ExportQuery, row: tuple) -> tuple:
    return row[:-1] if query.geometry else row


def csv_chunks(query: ExportQuery, *, counter: list[int] | None = None) -> Iterator[bytes]:
    """Yield the CSV (BOM, header, rows) in byte chunks; every cell through ``cell_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row(query.columns))
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for rows in export_rows(query, counter=counter):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(safe_row(_plain(v) for v in _attributes(query, row)) for row in rows)
        yield buffer.getvalue().encode("utf-8")


def geojson_chunks(query: ExportQuery, *, counter: list[int] | None = None) -> Iterator[bytes]:
    """Yield a GeoJSON FeatureCollection in byte chunks."""
    yield b'{"type": "FeatureCollection", "features": ['
    first = True
    for rows in export_rows(query, counter=counter):
        parts = []
        for row in rows:
            geom = shapely.from_wkb(bytes(row[-1])) if query.geometry and row[-1] else None
            feature = {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
                "properties": dict(
                    zip(query.columns, (_plain(v) for v in _attributes(query, row)), strict=True)
                ),
            }
            parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
            first = False
        yield "\n".join(parts).encode("utf-8")
    yield b"]}\n"


def write_gpkg(query: ExportQuery, path: Path) -> int:
    """Write the query's rows to a GeoPackage layer at ``path``, chunk by chunk; return the count."""
    count = 0
    for rows in export_rows(query):
        attributes = [[_plain(v) for v in _attributes(query, row)] for row in rows]
        geoms = [shapely.from_wkb(bytes(row[-1])) if row[-1] else None for row in rows]
        frame = gpd.GeoDataFrame(
            attributes, columns=list(query.columns), geometry=geoms, crs="EPSG:4490"
        )
        pyogrio.write_dataframe(
            frame, path, layer=query.layer_name, driver="GPKG", append=count > 0
        )
        count += len(rows)
    if count == 0:  # an empty layer is still a layer with its columns
        frame = gpd.GeoDataFrame([], columns=list(query.columns), geometry=[], crs="EPSG:4490")
        pyogrio.write_dataframe(frame, path, layer=query.layer_name, driver="GPKG")
    return count


def export_file(query: ExportQuery, *, fmt: str, path: Path) -> int:
    """Write the export in ``fmt`` (csv, geojson, gpkg) to ``path``; return the rows written."""
    if fmt == "gpkg":
        return write_gpkg(query, path)
    counter = [0]
    chunks = {"csv": csv_chunks, "geojson": geojson_chunks}[fmt](query, counter=counter)
    with path.open("wb") as out:
        for data in chunks:
            out.write(data)
    return counter[0]


def export_stream(query: ExportQuery, *, fmt: str) -> Iterator[bytes]:
    """Return the byte chunks of a CSV or GeoJSON export (for a streaming response)."""
    if fmt not in ("csv", "geojson"):
        raise ValueError(f"cannot stream {fmt}")
    return {"csv": csv_chunks, "geojson": geojson_chunks}[fmt](query)
