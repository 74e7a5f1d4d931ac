"""Export place names: Excel, CSV (UTF-8 BOM, formula-safe), GeoJSON, GeoPackage, Shapefile zip.

Rows come in as ``ExportRow`` (plain values, geometry as shapely in EPSG:4490) so the
writers need no database. A shapefile holds one geometry type, so the zip carries one
shapefile per kind (points, lines, polygons) with a .cpg naming the chosen encoding.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely
from shapely.geometry.base import BaseGeometry

from gis_portal.errors import DomainError
from gis_portal.spreadsheet import csv_for_excel, safe_row

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "zip"),
}
SHAPEFILE_ENCODINGS = {"utf-8": "UTF-8", "gbk": "GBK"}
# Heading (Chinese, as in the census form) → attribute; shapefile names are ASCII ≤ 10 bytes.
COLUMNS = (
    ("地名代码", "place_code", "code"),
    ("标准名称", "standard_name", "name"),
    ("罗马字母拼写", "pinyin", "pinyin"),
    ("类别代码", "category_code", "cat_code"),
    ("类别", "category", "category"),
    ("所在行政区代码", "division_code", "div_code"),
    ("所在行政区", "division", "division"),
    ("使用状态", "status", "status"),
    ("别名/曾用名", "aliases", "aliases"),
    ("来历", "origin", "origin"),
    ("地名含义", "meaning", "meaning"),
    ("历史沿革", "history", "history"),
    ("资料来源", "source", "source"),
    ("演示数据", "is_demo", "is_demo"),
    ("东经", "lon", "lon"),
    ("北纬", "lat", "lat"),
)


class ExportError(DomainError):
    code = "export_failed"


@dataclass
class ExportRow:
    place_code: str
    standard_name: str
    pinyin: str
    category_code: str
    category: str
    division_code: str
    division: str
    status: str
    aliases: str
    origin: str
    meaning: str
    history: str
    source: str
    is_demo: str
    lon: float | None
    lat: float | None
    geometry: BaseGeometry | None


def _values(row: ExportRow) -> list:
    return [getattr(row, attr) for _, attr, _ in COLUMNS]


def write_csv(rows: Iterable[ExportRow]) -> bytes:
    """Return UTF-8 CSV with a BOM (Excel opens it as UTF-8), formula text quoted."""
    return csv_for_excel([heading for heading, _, _ in COLUMNS], (_values(row) for row in rows))


def write_xlsx(rows: Iterable[ExportRow]) -> bytes:
    """Return an Excel workbook; formula text is quoted, so no cell is stored as a formula."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("地名")
    sheet.append([heading for heading, _, _ in COLUMNS])
    for row in rows:
        sheet.append(safe_row(_values(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_geojson(rows: Iterable[ExportRow]) -> bytes:
    """Return a GeoJSON FeatureCollection (CGCS2000 lon/lat, conventional CRS84 order)."""
    features = []
    for row in rows:
        props = {attr: getattr(row, attr) for _, attr, _ in COLUMNS if attr not in ("lon", "lat")}
        features.append(
            {
                "type": "Feature",
                "id": row.place_code,
                "geometry": shapely.geometry.mapping(row.geometry) if row.geometry else None,
                "properties": props,
            }
        )
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _frame(rows: list[ExportRow], *, ascii_names: bool) -> gpd.GeoDataFrame:
    data = {
        (short if ascii_names else heading): [getattr(r, attr) for r in rows]
        for heading, attr, short in COLUMNS
    }
    return gpd.GeoDataFrame(data, geometry=[r.geometry for r in rows], crs="EPSG:4490")


def write_gpkg(rows: Iterable[ExportRow]) -> bytes:
    """Return a GeoPackage with one layer 地名 (mixed geometry types)."""
    frame = _frame(list(rows), ascii_names=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "placenames.gpkg"
        frame.to_file(path, driver="GPKG", layer="地名", engine="pyogrio", geometry_type="Unknown")
        return path.read_bytes()


_KINDS = {
    "points": ("Point", "MultiPoint"),
    "lines": ("LineString", "MultiLineString"),
    "polygons": ("Polygon", "MultiPolygon"),
}


def write_shapefile_zip(rows: Iterable[ExportRow], *, encoding: str = "utf-8") -> bytes:
    """Return a zip of shapefiles (one per geometry kind) in UTF-8 or GBK with a .cpg."""
    codec = SHAPEFILE_ENCODINGS.get(encoding.lower())
    if codec is None:
        raise ExportError("Shapefile 编码应为 utf-8 或 gbk", parameter="encoding")
    rows = [r for r in rows if r.geometry is not None]
    if codec == "GBK":
        for row in rows:
            for _, attr, _ in COLUMNS:
                value = getattr(row, attr)
                if isinstance(value, str):
                    try:
                        value.encode("gbk")
                    except UnicodeEncodeError:
                        raise ExportError(
                            f"{row.standard_name}（{row.place_code}）含 GBK 无法表示的字符，请改用 UTF-8 导出",
                            parameter="encoding",
                        ) from None
    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for kind, types in _KINDS.items():
            part = [r for r in rows if r.geometry.geom_type in types]
            if not part:
                continue
            frame = _frame(part, ascii_names=True)
            # One type per file: promote singles to multi where the kind mixes both.
            if len({r.geometry.geom_type for r in part}) > 1:
                frame.geometry = [_as_multi(r.geometry) for r in part]
            path = Path(tmp) / f"placenames_{kind}.shp"
            frame.to_file(path, encoding=codec, engine="pyogrio")
            path.with_suffix(".cpg").write_text(codec)
            for file in sorted(Path(tmp).glob(f"placenames_{kind}.*")):
                z.write(file, file.name)
    return out.getvalue()


def _as_multi(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type.startswith("Multi"):
        return geom
    return {
        "Point": shapely.MultiPoint,
        "LineString": shapely.MultiLineString,
        "Polygon": shapely.MultiPolygon,
    }[geom.geom_type]([geom])


def export_bytes(rows: list[ExportRow], *, fmt: str, encoding: str = "utf-8") -> bytes:
    """Return the file of ``rows`` in ``fmt`` (one of FORMATS)."""
    if fmt == "csv":
        return write_csv(rows)
    if fmt == "xlsx":
        return write_xlsx(rows)
    if fmt == "geojson":
        return write_geojson(rows)
    if fmt == "gpkg":
        return write_gpkg(rows)
    if fmt == "shp":
        return write_shapefile_zip(rows, encoding=encoding)
    raise ExportError(f"不支持的导出格式 {fmt}", parameter="format")
