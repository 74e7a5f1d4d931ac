"""Parse surveyors' files into boundary lines and markers (no database access).

Shapefile zips (attribute text in GBK unless a .cpg says otherwise; the CRS from the .prj,
identified by pyproj and accepted only if it is one of ours), DXF drawings (no CRS inside:
the user declares it), and CSV/Excel marker coordinate tables. Every parser checks the
coordinates against the CRS (swapped axes, zone prefix, mixed zones) before returning, so
nothing is written from a file in the wrong system.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import ezdxf
import numpy as np
import openpyxl
import shapely
from ezdxf import recover
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError
from shapely.geometry import LineString, MultiLineString

from boundaries.crs import CRS_TABLE, CrsDef, CrsError, coordinates_check, crs_get, crs_resolve
from boundaries.geodesy import CoordinateRangeError, to_cgcs2000
from boundaries.lines import MARKER_NUMBER_RE, as_multilinestring
from gis_portal.archives import ArchiveRefused, ZipLimits, zip_extract, zip_open, zip_verify
from gis_portal.gdal_safety import SHAPEFILE, VectorFileRefused, vector_frame


class SurveyFileError(ValueError):
    """A survey file is unreadable, empty, too large or in an undeclared/unknown system."""


MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 50
SHAPEFILE_ZIP_LIMITS = ZipLimits(
    max_members=MAX_ZIP_MEMBERS, max_total_bytes=MAX_UNCOMPRESSED_BYTES
)
XLSX_LIMITS = ZipLimits(max_members=1000, max_total_bytes=MAX_UNCOMPRESSED_BYTES)

# Attribute names surveyors use, mapped to ours (lower-case for the Latin ones).
LINE_FIELD_ALIASES = {
    "code": ("code", "line_code", "界线编号", "编号"),
    "name": ("name", "line_name", "界线名称", "名称"),
    "area_a": ("area_a", "code_a", "甲方代码", "区域甲"),
    "area_b": ("area_b", "code_b", "乙方代码", "区域乙"),
    "agreement_ref": ("agreement", "agreement_ref", "协议书", "协议书编号"),
}
MARKER_FIELD_ALIASES = {
    "number": ("number", "marker", "界桩编号", "界桩号", "编号"),
    "x": ("x", "east", "easting", "东坐标", "y坐标(东)", "经度", "lon"),
    "y": ("y", "north", "northing", "北坐标", "x坐标(北)", "纬度", "lat"),
    "h": ("h", "height", "高程"),
    "material": ("material", "材质"),
    "description": ("description", "位置描述", "说明"),
}


@dataclass
class ParsedLine:
    code: str
    geometry: MultiLineString  # in ``crs``
    name: str = ""
    area_a: str = ""
    area_b: str = ""
    agreement_ref: str = ""


@dataclass
class ParsedMarker:
    number: str
    line_code: str
    sequence: int
    type_code: str
    x: float
    y: float
    h: float | None = None
    material: str = ""
    description: str = ""


@dataclass
class ParsedSurvey:
    crs: CrsDef
    lines: list[ParsedLine] = field(default_factory=list)
    markers: list[ParsedMarker] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""


def _pick(columns, aliases: tuple[str, ...]) -> str | None:
    lowered = {str(c).strip().lower(): c for c in columns}
    for alias in aliases:
        if alias.lower() in lowered:
            return lowered[alias.lower()]
    return None


def crs_from_prj(prj_text: str) -> CrsDef:
    """Return our CrsDef for a .prj (WKT); systems outside the table are refused."""
    try:
        epsg = CRS.from_wkt(prj_text).to_epsg(min_confidence=70)
    except PyprojCRSError:
        raise SurveyFileError(".prj 无法识别（不是有效的坐标系定义）") from None
    if epsg is None or epsg not in CRS_TABLE:
        raise SurveyFileError(
            f".prj 描述的坐标系（EPSG:{epsg}）不在支持范围内：请转换为北京54或CGCS2000的高斯投影或经纬度"
        )
    return CRS_TABLE[epsg]


def _resolve_crs(found: CrsDef | None, declared: str | None) -> CrsDef:
    if declared:
        try:
            declared_crs = crs_get(declared)
        except CrsError as exc:
            raise SurveyFileError(str(exc)) from None
        if found is not None and found != declared_crs:
            raise SurveyFileError(
                f"文件的 .prj 为 {found.code}，与声明的 {declared_crs.code} 不一致"
            )
        return declared_crs
    if found is None:
        raise SurveyFileError("文件没有坐标系信息，请声明坐标系（EPSG 代码）")
    return found


def _resolve_with_data(declared: str, x, y, *, label: str) -> CrsDef:
    """Return the declared system (EPSG code, or ``auto:<datum>`` zone from the data), checked."""
    try:
        return crs_resolve(declared, x, y)
    except CrsError as exc:
        raise SurveyFileError(f"{label}：{exc}") from None


# Phone apps deliver obfuscated lon/lat; they are converted on import and never stored.
CONSUMER_SYSTEMS = ("GCJ-02", "BD-09")


def _markers_from_consumer_system(markers: list[ParsedMarker], declared: str) -> list[str]:
    """Convert GCJ-02/BD-09 lon/lat of ``markers`` in place to CGCS2000; return a warning."""
    try:
        lon, lat = to_cgcs2000([m.x for m in markers], [m.y for m in markers], source=declared)
    except CoordinateRangeError as exc:
        raise SurveyFileError(f"坐标表：{exc}") from None
    for m, x, y in zip(markers, lon, lat, strict=True):
        m.x, m.y = float(x), float(y)
    return [f"坐标已由 {declared} 转换为 CGCS2000 经纬度（{declared} 原值不保存）"]


def _check(crs: CrsDef, x, y, label: str) -> None:
    try:
        coordinates_check(crs, x, y, label=label)
    except CrsError as exc:
        raise SurveyFileError(str(exc)) from None


def _safe_extract(data: bytes, target: Path) -> list[Path]:
    """Extract the zip's files flat into ``target`` (no directories, no dot files), counting
    the bytes really inflated (gis_portal.archives)."""
    try:
        with zip_open(io.BytesIO(data), limits=SHAPEFILE_ZIP_LIMITS) as archive:
            by_name = {}
            for m in archive.infolist():
                name = PurePosixPath(m.filename.replace("\\", "/")).name
                if not m.is_dir() and name and not name.startswith("."):
                    by_name[name] = m
            targets = {m: target / name for name, m in by_name.items()}
            zip_extract(archive, targets, limits=SHAPEFILE_ZIP_LIMITS)
    except ArchiveRefused as exc:
        raise SurveyFileError(str(exc)) from None
    return list(targets.values())


def parse_shapefile_zip(data: bytes, *, declared_crs: str | None = None) -> ParsedSurvey:
    """Return the lines (LineString layers) or markers (Point layers) of a zipped shapefile."""
    with tempfile.TemporaryDirectory() as tmp:
        files = _safe_extract(data, Path(tmp))
        shps = [p for p in files if p.suffix.lower() == ".shp"]
        if len(shps) != 1:
            raise SurveyFileError(f"zip 中应有且只有一个 .shp 文件，实际 {len(shps)} 个")
        shp = shps[0]
        sidecar = {p.suffix.lower(): p for p in files if p.stem == shp.stem}
        if not {".shx", ".dbf"} <= set(sidecar):
            raise SurveyFileError("shapefile 缺少 .shx 或 .dbf")
        prj = sidecar.get(".prj")
        found = crs_from_prj(prj.read_text(encoding="utf-8", errors="replace")) if prj else None
        crs = _resolve_crs(found, declared_crs)
        # GDAL never sees the .prj: it was identified above by pyproj against our whitelist.
        if prj:
            prj.unlink()
        encoding = "GBK"
        if ".cpg" in sidecar:
            encoding = sidecar[".cpg"].read_text(errors="replace").strip() or "GBK"
        try:
            # Only as a shapefile: a .shp that is really a VRT (reading /etc/passwd or a
            # URL) is refused, and GDAL's error text, which can quote a file, is not shown.
            frame = vector_frame(shp, driver=SHAPEFILE, encoding=encoding)
        except VectorFileRefused as exc:
            raise SurveyFileError(str(exc)) from None
    if frame.empty:
        raise SurveyFileError("shapefile 中没有要素")
    survey = ParsedSurvey(crs=crs, source_name=shp.name)
    geoms = list(frame.geometry)
    kinds = {g.geom_type for g in geoms if g is not None}
    coords = shapely.get_coordinates([g for g in geoms if g is not None])
    _check(crs, coords[:, 0], coords[:, 1], label="shapefile 坐标")
    if kinds <= {"LineString", "MultiLineString"}:
        cols = {k: _pick(frame.columns, v) for k, v in LINE_FIELD_ALIASES.items()}
        if cols["code"] is None:
            raise SurveyFileError("界线图层缺少界线编号字段（code / 界线编号）")
        for i, row in frame.iterrows():
            value = {
                k: ("" if c is None or row[c] is None else str(row[c]).strip())
                for k, c in cols.items()
            }
            if not value["code"]:
                raise SurveyFileError(f"第 {i + 1} 个要素缺少界线编号")
            survey.lines.append(ParsedLine(geometry=as_multilinestring(row.geometry), **value))
    elif kinds <= {"Point"}:
        cols = {k: _pick(frame.columns, v) for k, v in MARKER_FIELD_ALIASES.items()}
        if cols["number"] is None:
            raise SurveyFileError("界桩图层缺少界桩编号字段（number / 界桩编号）")
        for i, row in frame.iterrows():
            survey.markers.append(
                _marker(
                    str(row[cols["number"]]).strip(),
                    row.geometry.x,
                    row.geometry.y,
                    None,
                    str(row[cols["material"]]) if cols["material"] else "",
                    str(row[cols["description"]]) if cols["description"] else "",
                    where=f"第 {i + 1} 个要素",
                )
            )
    else:
        raise SurveyFileError(f"不支持的几何类型 {sorted(kinds)}：应为线（界线）或点（界桩）")
    _no_duplicates(survey)
    return survey


def parse_dxf(data: bytes, *, declared_crs: str, line_code: str) -> ParsedSurvey:
    """Return the line drawn in a DXF (LINE/LWPOLYLINE/POLYLINE) for an existing line code.

    DXF carries no coordinate system: ``declared_crs`` is required. POINT entities with a
    TEXT/MTEXT at the same spot are not interpreted; markers come in a table instead.
    """
    if not declared_crs:
        raise SurveyFileError("DXF 不含坐标系信息：请声明坐标系（EPSG 代码）")
    try:
        doc, auditor = recover.read(io.BytesIO(data))
    except (OSError, ezdxf.DXFError, UnicodeError, ValueError):
        # ezdxf's messages quote the offending lines of the file.
        raise SurveyFileError("文件内容不是有效的 DXF") from None
    parts = []
    for entity in doc.modelspace():
        kind = entity.dxftype()
        if kind == "LINE":
            parts.append(LineString([entity.dxf.start[:2], entity.dxf.end[:2]]))
        elif kind == "LWPOLYLINE":
            pts = [p[:2] for p in entity.get_points("xy")]
            if entity.closed:
                pts.append(pts[0])
            if len(pts) >= 2:
                parts.append(LineString(pts))
        elif kind == "POLYLINE":
            pts = [v.dxf.location[:2] for v in entity.vertices]
            if len(pts) >= 2:
                parts.append(LineString(pts))
    if not parts:
        raise SurveyFileError("DXF 中没有线图元（LINE / LWPOLYLINE / POLYLINE）")
    geom = as_multilinestring(shapely.line_merge(MultiLineString(parts)))
    coords = shapely.get_coordinates(geom)
    crs = _resolve_with_data(declared_crs, coords[:, 0], coords[:, 1], label="DXF 坐标")
    survey = ParsedSurvey(crs=crs, source_name="dxf")
    survey.lines.append(ParsedLine(code=line_code, geometry=geom))
    if auditor.has_errors:
        survey.warnings.append(f"DXF 有 {len(auditor.errors)} 处结构错误已自动修复")
    return survey


def _marker(number, x, y, h, material, description, *, where: str) -> ParsedMarker:
    match = MARKER_NUMBER_RE.match(number or "")
    if not match:
        raise SurveyFileError(f"{where}：界桩编号 {number!r} 不符合“界线编号+3位序号+类型字母”")
    try:
        xf, yf = float(x), float(y)
        hf = None if h in (None, "") else float(h)
    except (TypeError, ValueError):
        raise SurveyFileError(f"{where}：坐标不是数字") from None
    return ParsedMarker(
        number=number,
        line_code=match["line"],
        sequence=int(match["seq"]),
        type_code=match["type"],
        x=xf,
        y=yf,
        h=hf,
        material=(material or "").strip()[:30],
        description=(description or "").strip(),
    )


def _rows_from_table(data: bytes, filename: str) -> list[dict]:
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        try:
            # openpyxl unzips trusting the declared sizes: inflate once, counting, first.
            with zip_open(io.BytesIO(data), limits=XLSX_LIMITS) as archive:
                zip_verify(archive, limits=XLSX_LIMITS)
        except ArchiveRefused as exc:
            raise SurveyFileError(f"Excel 文件被拒绝：{exc}") from None
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises zip/XML errors of several kinds
            raise SurveyFileError("文件内容不是有效的 Excel 工作簿") from None
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    elif suffix == ".csv":
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SurveyFileError("CSV 编码无法识别（应为 UTF-8 或 GBK）")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise SurveyFileError(f"不支持的表格格式 {suffix}（应为 .csv 或 .xlsx）")
    rows = [r for r in rows if r and any(c not in (None, "") for c in r)]
    if len(rows) < 2:
        raise SurveyFileError("表格中没有数据行")
    header = [str(c or "").strip() for c in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def parse_marker_table(data: bytes, *, filename: str, declared_crs: str) -> ParsedSurvey:
    """Return the markers of a CSV/Excel coordinate table in the declared CRS."""
    if not declared_crs:
        raise SurveyFileError("坐标表不含坐标系信息：请声明坐标系（EPSG 代码）")
    rows = _rows_from_table(data, filename)
    cols = {k: _pick(rows[0].keys(), v) for k, v in MARKER_FIELD_ALIASES.items()}
    missing = [k for k in ("number", "x", "y") if cols[k] is None]
    if missing:
        raise SurveyFileError(f"坐标表缺少列：{', '.join(missing)}（界桩编号、东坐标 x、北坐标 y）")
    markers = []
    for i, row in enumerate(rows, start=2):

        def get(key, row=row):
            return None if cols[key] is None else row.get(cols[key])

        markers.append(
            _marker(
                str(get("number") or "").strip(),
                get("x"),
                get("y"),
                get("h"),
                str(get("material") or ""),
                str(get("description") or ""),
                where=f"第 {i} 行",
            )
        )
    warnings = []
    if declared_crs in CONSUMER_SYSTEMS:
        warnings = _markers_from_consumer_system(markers, declared_crs)
        declared_crs = "EPSG:4490"
    xs = np.array([m.x for m in markers])
    ys = np.array([m.y for m in markers])
    crs = _resolve_with_data(declared_crs, xs, ys, label="坐标表")
    survey = ParsedSurvey(crs=crs, markers=markers, source_name=filename, warnings=warnings)
    _no_duplicates(survey)
    return survey


def _no_duplicates(survey: ParsedSurvey) -> None:
    seen: set[str] = set()
    for m in survey.markers:
        if m.number in seen:
            raise SurveyFileError(f"界桩编号 {m.number} 重复")
        seen.add(m.number)
    codes = [ln.code for ln in survey.lines]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise SurveyFileError(f"界线编号重复：{', '.join(dup)}")


def common_points_csv_from_table(data: bytes, *, filename: str) -> str:
    """Return CSV text (the fit_transformation format) from a CSV or Excel common-point table."""
    rows = _rows_from_table(data, filename)
    header = list(rows[0].keys())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    return out.getvalue()
