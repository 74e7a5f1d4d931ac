"""What an export can be: formats, CRSs, encodings, as data (pure: no Django, no database).

Adding a format or a CRS is adding a row. The bbox of an export is given in the CRS of the
export (degrees for EPSG:4490 / CRS84, metres for the Gauss-Krüger zones) and must lie in
that CRS's area of use (EPSG's, read from PROJ's database); it is turned into an EPSG:4490
envelope for the index test.

CRS84 is WGS 84 lon/lat; the stored coordinates are CGCS2000 (EPSG:4490), which agree with
WGS 84 at the centimetre level, so a CRS84 export carries the stored coordinates unchanged
and only declares CRS84 (the convention of GeoJSON, RFC 7946).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer


class ExportRefused(ValueError):
    """An export order that cannot be carried out; ``parameter`` names the culprit."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    media_type: str
    suffix: str
    # Streamed straight from the cursor (else written to a temp file, then streamed).
    streamed: bool
    # Only in a projected (metric) CRS: a CAD drawing is in metres.
    projected_only: bool = False
    hint: str = ""


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("gpkg", "GeoPackage", "application/geopackage+sqlite3", ".gpkg", False,
                     hint="QGIS / ArcGIS 直接打开；列名为中文字段名"),
        ExportFormat("shp", "Shapefile（zip）", "application/zip", ".zip", False,
                     hint="含 .shp/.shx/.dbf/.prj/.cpg 与字段对照表；可选 GBK 或 UTF-8 编码"),
        ExportFormat("csv", "CSV（Excel）", "text/csv; charset=utf-8", ".csv", True,
                     hint="UTF-8 带 BOM，Excel 直接打开；几何为 WKT 或坐标两列"),
        ExportFormat("geojson", "GeoJSON", "application/geo+json", ".geojson", True,
                     hint="网页与程序读取"),
        ExportFormat("dxf", "DXF（测绘 CAD）", "image/vnd.dxf", ".dxf", False,
                     projected_only=True,
                     hint="高斯-克吕格平面坐标（米），按类别分图层，附名称注记"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class ExportCrs:
    key: str
    label: str
    # The SRID PostGIS transforms the stored EPSG:4490 geometry to.
    srid: int
    # What the file declares (GDAL's name of the CRS) and the OGC URI (GeoJSON, headers).
    declared: str
    uri: str
    projected: bool
    # Decimal places written: 1e-8° ≈ 1 mm at 47°N; 1 mm in metres.
    decimals: int

    @property
    def area_lonlat(self) -> tuple[float, float, float, float]:
        return _area_of_use(self.declared)


CRSES: dict[str, ExportCrs] = {
    c.key: c
    for c in (
        ExportCrs("EPSG:4490", "CGCS2000 经纬度（EPSG:4490）", 4490, "EPSG:4490",
                  "http://www.opengis.net/def/crs/EPSG/0/4490", False, 8),
        ExportCrs("CRS84", "WGS 84 经纬度（CRS84）", 4490, "OGC:CRS84",
                  "http://www.opengis.net/def/crs/OGC/1.3/CRS84", False, 8),
        ExportCrs("EPSG:4552", "高斯-克吕格 43 带（129°E，EPSG:4552）",
                  4552, "EPSG:4552", "http://www.opengis.net/def/crs/EPSG/0/4552", True, 3),
        ExportCrs("EPSG:4553", "高斯-克吕格 44 带（132°E，EPSG:4553）",
                  4553, "EPSG:4553", "http://www.opengis.net/def/crs/EPSG/0/4553", True, 3),
    )
}  # fmt: skip
# Other spellings a GIS client sends for the same CRS (OGC URIs, EPSG:4326-style names).
CRS_ALIASES: dict[str, str] = {
    **{c.uri: c.key for c in CRSES.values()},
    "OGC:CRS84": "CRS84",
    "urn:ogc:def:crs:OGC:1.3:CRS84": "CRS84",
    **{f"urn:ogc:def:crs:EPSG::{c.srid}": c.key for c in CRSES.values() if c.key != "CRS84"},
}
CRS_CHOICES = (*CRSES, *CRS_ALIASES)
DEFAULT_CRS = "EPSG:4490"
DEFAULT_PROJECTED_CRS = "EPSG:4552"  # the zone of the urban districts (gis_portal.metric_crs)

# Shapefile attribute encodings: the parameter value → the codec and the .cpg text.
ENCODINGS = {"utf-8": "UTF-8", "gbk": "GBK"}
DEFAULT_ENCODING = "utf-8"

# CSV geometry: WKT in one column, or (point layers) the two coordinates in two columns.
CSV_GEOMETRY = {"wkt": "WKT 一列", "xy": "坐标两列（仅点图层）"}


def crs_of(value: str | None, *, fmt: ExportFormat) -> ExportCrs:
    """Return the CRS of an export (the format's default when absent); refuse one that
    the format cannot carry."""
    if value is None:
        return CRSES[DEFAULT_PROJECTED_CRS if fmt.projected_only else DEFAULT_CRS]
    key = CRS_ALIASES.get(value, value)
    crs = CRSES.get(key)
    if crs is None:
        raise ExportRefused("crs", f"不支持的坐标系 {value[:60]}，可选：{'、'.join(CRSES)}")
    if fmt.projected_only and not crs.projected:
        raise ExportRefused(
            "crs", f"{fmt.label} 只提供高斯-克吕格平面坐标：请选 EPSG:4552 或 EPSG:4553"
        )
    return crs


def coordinate_headings(crs: ExportCrs) -> tuple[str, str]:
    """The CSV headings of the two coordinate columns in ``crs``."""
    if crs.projected:
        return ("东坐标E（米）", "北坐标N（米）")
    return ("经度", "纬度")


@lru_cache(maxsize=8)
def _area_of_use(declared: str) -> tuple[float, float, float, float]:
    area = CRS.from_user_input(declared).area_of_use
    if area is None:  # every CRS of the table has one; a new row without one is a bug
        raise ValueError(f"{declared} has no area of use")
    return area.bounds


@lru_cache(maxsize=8)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _format_bounds(bounds: Sequence[float], *, projected: bool) -> str:
    digits = 0 if projected else 2
    return ",".join(f"{v:.{digits}f}" for v in bounds)


def bbox_in_crs(text: str | None, crs: ExportCrs) -> tuple[float, float, float, float] | None:
    """Return the EPSG:4490 envelope (W, S, E, N) of a bbox ``minX,minY,maxX,maxY`` given
    in ``crs``; refuse a malformed one, swapped corners, or one outside the CRS's area."""
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise ExportRefused("bbox", "格式应为 minX,minY,maxX,maxY（4 个数，逗号分隔）")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ExportRefused("bbox", f"不是数字：{part[:40]!r}") from None
        if not math.isfinite(value):
            raise ExportRefused("bbox", "必须是有限数值")
        values.append(value)
    x0, y0, x1, y1 = values
    if x0 >= x1 or y0 >= y1:
        raise ExportRefused("bbox", "最小值必须小于最大值（两角颠倒或范围为空）")
    w, s, e, n = crs.area_lonlat
    if crs.projected:
        to_crs = _transformer(4490, crs.srid)
        aw, as_, ae, an = to_crs.transform_bounds(w, s, e, n, densify_pts=21)
    else:
        aw, as_, ae, an = w, s, e, n
    if x0 < aw or y0 < as_ or x1 > ae or y1 > an:
        shown = _format_bounds((aw, as_, ae, an), projected=crs.projected)
        raise ExportRefused("bbox", f"超出 {crs.key} 的适用范围（{shown}）")
    if not crs.projected:
        return (x0, y0, x1, y1)
    # The envelope in degrees of the metric box, its edges densified (a GK grid line is
    # curved in lon/lat): it covers the box; the exact test runs in the export's CRS.
    return _transformer(crs.srid, 4490).transform_bounds(x0, y0, x1, y1, densify_pts=21)


# DBF field names: at most 10 bytes, ASCII; compared without regard to case.
SHAPEFILE_NAME_LENGTH = 10


def shapefile_field_names(names: Sequence[str]) -> dict[str, str]:
    """Return {field name: DBF name ≤ 10 ASCII characters}, deterministic in ``names``'
    order: a short name is kept, a long one cut to 10, a clash numbered from the end
    (``pinyin_ne2``)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)[:SHAPEFILE_NAME_LENGTH] or "field"
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = str(n)
            candidate = base[: SHAPEFILE_NAME_LENGTH - len(suffix)] + suffix
        taken.add(candidate.lower())
        out[name] = candidate
    return out


# Characters a DXF layer name may not hold (AutoCAD's symbol-table rules).
_DXF_LAYER_FORBIDDEN = re.compile(r'[<>/\\":;?*|=`,\x00-\x1f]')


def dxf_layer_name(*parts: str) -> str:
    """Return a valid DXF layer name of ``parts`` joined by '-'."""
    text = "-".join(p for p in parts if p)
    return _DXF_LAYER_FORBIDDEN.sub("_", text)[:200] or "0"
