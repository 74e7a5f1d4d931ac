"""Rows of a bulk boundary file → clean areas, lines and markers, or problems (no Django).

Each layer is a table of columns (Chinese heading first, then accepted variants: the
export writes the first, the import reads any) and a row validator. A row comes in as its
values and, for GIS formats, a shapely geometry in the file's CRS; tables carry the
geometry as WKT (几何) or, for markers, as 东坐标/北坐标 (经度/纬度). Every problem names its
column. Coordinates are checked and brought to CGCS2000 lon/lat by
``boundaries.bulk.geometry`` (Beijing 1954 only with an approved parameter set); the
surveyed geometry in its own system is kept alongside (``original_wkt`` / ``original_x``
…), as the survey import and ``convert_boundaries`` keep it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from boundaries.bulk.geometry import (
    MARKER_LINE_TOLERANCE_M,
    MAX_VERTICES,
    Located,
    Vocabulary,
    crs_of_text,
    locate,
)
from boundaries.crs import (
    CrsDef,
    CrsError,
)
from boundaries.lines import MARKER_NUMBER_RE
from boundaries.townships import RingNotClosed, polygon_from_rings
from gis_portal.importing.columns import Column
from gis_portal.metric_crs import geometry_to_metric

Problem = tuple[str, str]  # (column heading, reason)


def _cols(*rows: tuple[str, tuple[str, ...]], required: tuple[str, ...] = ()) -> dict:
    return {
        key: Column(key, headings[0], headings[1:], required=key in required)
        for key, headings in rows
    }


AREA_COLUMNS = _cols(
    ("code", ("区划代码", "code", "代码")),
    ("name", ("名称", "name")),
    ("level", ("级别", "level")),
    ("kind", ("类型", "kind")),
    ("parent", ("上级代码", "parent", "parent_code")),
    ("nbs_code", ("统计用区划代码", "nbs_code")),
    ("code_authority", ("代码来源", "code_authority")),
    ("source", ("数据来源", "source")),
    ("valid_from", ("生效日期", "valid_from")),
    ("wkt", ("几何", "wkt", "WKT", "geometry")),
    ("crs", ("坐标系", "crs")),
    required=("code", "name"),
)
LINE_COLUMNS = _cols(
    ("code", ("界线编号", "code", "line_code", "编号")),
    ("name", ("界线名称", "name", "line_name", "名称")),
    ("area_a", ("区域甲代码", "area_a", "code_a", "甲方代码", "区域甲")),
    ("area_b", ("区域乙代码", "area_b", "code_b", "乙方代码", "区域乙")),
    ("agreement_ref", ("协议书编号", "agreement_ref", "agreement", "协议书")),
    ("agreement_date", ("协议书签订日期", "agreement_date")),
    ("wkt", ("几何", "wkt", "WKT", "geometry")),
    ("crs", ("坐标系", "crs")),
    required=("code",),
)
MARKER_COLUMNS = _cols(
    ("number", ("界桩编号", "number", "marker", "界桩号", "编号")),
    ("material", ("材质", "material")),
    ("description", ("位置描述", "description", "说明")),
    ("x", ("东坐标", "x", "east", "easting", "经度", "lon")),
    ("y", ("北坐标", "y", "north", "northing", "纬度", "lat")),
    ("h", ("高程", "h", "height")),
    ("crs", ("坐标系", "crs")),
    required=("number",),
)
LAYER_COLUMNS = {"areas": AREA_COLUMNS, "lines": LINE_COLUMNS, "markers": MARKER_COLUMNS}
# Columns the export adds that the import reads back as nothing (derived or recorded).
EXPORT_ONLY = {
    "areas": ("级别名称", "演示数据"),
    "lines": ("级别", "原始坐标系", "转换参数", "演示数据"),
    "markers": ("所属界线", "类型", "立法", "原始坐标系", "转换参数", "演示数据"),
}

AREA_LEVELS = {"city": "city", "county": "county", "township": "township", "village": "village"}
AREA_LEVELS |= {"地级市": "city", "市": "city", "县级": "county", "乡级": "township"}
AREA_LEVELS |= {"村级": "village"}
CODE_AUTHORITIES = {"mca": "mca", "nbs": "nbs", "民政区划代码": "mca", "统计用区划代码": "nbs"}
AREA_CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
LINE_CODE_RE = re.compile(r"^[0-9A-Za-z]{2,20}$")


# --- values -------------------------------------------------------------------


def _text(mapped: Mapping[str, Any], key: str) -> str:
    value = mapped.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(text: str, label: str, problems: list[Problem]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        problems.append((label, f"{text[:20]!r} 不是 YYYY-MM-DD 日期"))
        return None


def _row_crs(mapped, declared: CrsDef | str | None, problems) -> CrsDef | str | None:
    text = _text(mapped, "crs")
    if not text:
        if declared is None:
            problems.append(("坐标系", "文件没有坐标系：请声明坐标系（EPSG 代码）或填写坐标系列"))
        return declared
    try:
        return crs_of_text(text)
    except CrsError:
        problems.append(
            (
                "坐标系",
                f"不支持的坐标系 {text[:30]!r}（应为 CGCS2000、北京54 的 EPSG 代码或 WGS84）",
            )
        )
        return None


def _geometry(
    mapped, geometry: BaseGeometry | None, problems: list[Problem]
) -> BaseGeometry | None:
    if geometry is not None:
        return geometry
    text = _text(mapped, "wkt")
    if not text:
        return None
    if text.count(",") + 1 > MAX_VERTICES:
        problems.append(("几何", f"顶点数超过上限 {MAX_VERTICES:,}"))
        return None
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException as exc:
        if "closed linestring" in str(exc):
            problems.append(("几何", "面的边界不闭合（首尾顶点不是同一点）"))
        else:
            problems.append(("几何", "WKT 几何无法解析"))
        return None


def _shape_check(geom: BaseGeometry, kind: str) -> tuple[BaseGeometry | None, str]:
    """Return the geometry coerced to the layer's type, or None and the reason."""
    if geom.is_empty:
        return None, "几何为空"
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        return None, f"顶点数超过上限 {MAX_VERTICES:,}"
    if kind == "polygon":
        if isinstance(geom, LineString | MultiLineString):
            # A survey delivers an outline as its closed boundary lines.
            try:
                geom = polygon_from_rings(geom)
            except RingNotClosed as exc:
                return None, str(exc)
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        if not isinstance(geom, MultiPolygon):
            return None, f"几何类型应为面 (Polygon/MultiPolygon)，收到 {geom.geom_type}"
    elif kind == "line":
        if type(geom) is LineString:  # a LinearRing is refused below, not wrapped
            geom = MultiLineString([geom])
        if not isinstance(geom, MultiLineString):
            return None, f"几何类型应为线 (LineString/MultiLineString)，收到 {geom.geom_type}"
        if any(len(p.coords) < 2 or p.length == 0 for p in geom.geoms):
            return None, "线的每一段至少需要两个不同的顶点"
    elif not isinstance(geom, Point):
        return None, f"几何类型应为点 (Point)，收到 {geom.geom_type}"
    if not geom.is_valid:
        return None, f"几何无效：{shapely.is_valid_reason(geom)[:100]}"
    if kind == "line" and not geom.is_simple:
        return None, "界线自相交"
    return geom, ""


def _located(
    geom: BaseGeometry, crs, kind: str, vocab: Vocabulary, problems: list[Problem]
) -> Located | None:
    checked, reason = _shape_check(geom, kind)
    if checked is None:
        problems.append(("几何", reason))
        return None
    try:
        located = locate(checked, crs, vocab.conversions)
    except CrsError as exc:
        problems.append(("坐标系" if "参数集" in str(exc) else "几何", str(exc)))
        return None
    if not located.geom_4490.is_valid:  # a conversion can fold a sliver polygon
        problems.append(("几何", "坐标转换后几何无效"))
        return None
    outline = vocab.city_outline_m
    if (
        outline is not None
        and kind != "polygon"
        and not outline.covers(geometry_to_metric(located.geom_4490))
    ):
        problems.append(("几何", "几何超出鹤岗市范围"))
        return None
    return located


# --- the three layers -------------------------------------------------------------


@dataclass
class CleanArea:
    line: int
    code: str
    name: str
    level: str
    parent: str
    values: dict  # kind, nbs_code, code_authority, source, valid_from
    located: Located | None


@dataclass
class CleanLine:
    line: int
    code: str
    values: dict  # name, area_a, area_b, agreement_ref, agreement_date (those not blank)
    located: Located | None


@dataclass
class CleanMarker:
    line: int
    number: str
    line_code: str
    sequence: int
    type_code: str
    values: dict  # material, description (those given)
    located: Located | None
    h: float | None = None


def area_row(
    line: int, mapped: Mapping[str, Any], geometry, *, declared, vocab: Vocabulary
) -> CleanArea | list[Problem]:
    """Validate one area row: code, name, level, parent, polygon."""
    problems: list[Problem] = []
    code = _text(mapped, "code")
    name = _text(mapped, "name")
    if not AREA_CODE_RE.match(code):
        problems.append(("区划代码", f"{code[:20]!r} 不是 6、9 或 12 位数字区划代码"))
    if not name:
        problems.append(("名称", "为空"))
    elif len(name) > 100:
        problems.append(("名称", "超过 100 字"))
    level_text = _text(mapped, "level")
    level = AREA_LEVELS.get(level_text) or AREA_LEVELS.get(level_text.lower())
    if level is None:
        if level_text or code not in vocab.area_codes:
            problems.append(("级别", f"{level_text[:20]!r} 无效（地级市、县级、乡级、村级）"))
        else:
            level = vocab.area_codes[code]
    parent = _text(mapped, "parent")
    out: dict[str, Any] = {}
    for key, limit in (("kind", 20), ("nbs_code", 12), ("source", 200)):
        text = _text(mapped, key)
        if len(text) > limit:
            problems.append((AREA_COLUMNS[key].label, f"超过 {limit} 字"))
        if text:
            out[key] = text
    authority = _text(mapped, "code_authority")
    if authority:
        if authority.lower() not in CODE_AUTHORITIES and authority not in CODE_AUTHORITIES:
            problems.append(
                ("代码来源", f"{authority[:20]!r} 无效（民政区划代码、统计用区划代码）")
            )
        else:
            out["code_authority"] = (
                CODE_AUTHORITIES.get(authority) or CODE_AUTHORITIES[authority.lower()]
            )
    if _text(mapped, "valid_from"):
        out["valid_from"] = _date(_text(mapped, "valid_from"), "生效日期", problems)
    geom = _geometry(mapped, geometry, problems)
    located = None
    if geom is not None:
        crs = _row_crs(mapped, declared, problems)
        if crs is not None:
            located = _located(geom, crs, "polygon", vocab, problems)
    if problems or level is None:  # no level comes with a problem listed
        return problems
    return CleanArea(line, code, name, level, parent, out, located)


def line_row(
    line: int, mapped: Mapping[str, Any], geometry, *, declared, vocab: Vocabulary
) -> CleanLine | list[Problem]:
    """Validate one boundary-line row: code, attributes, the line inside the city."""
    problems: list[Problem] = []
    code = _text(mapped, "code")
    if not LINE_CODE_RE.match(code):
        problems.append(("界线编号", f"{code[:30]!r} 不是 2–20 位字母数字编号"))
    out: dict = {}
    for key, limit in (("name", 100), ("agreement_ref", 100), ("area_a", 12), ("area_b", 12)):
        text = _text(mapped, key)
        if len(text) > limit:
            problems.append((LINE_COLUMNS[key].label, f"超过 {limit} 字"))
        if text:
            out[key] = text
    for key in ("area_a", "area_b"):
        if out.get(key) and out[key] not in vocab.area_codes:
            problems.append((LINE_COLUMNS[key].label, f"区划代码 {out[key]} 不存在"))
    if out.get("area_a") and out.get("area_a") == out.get("area_b"):
        problems.append(("区域乙代码", "与区域甲代码相同"))
    if _text(mapped, "agreement_date"):
        out["agreement_date"] = _date(_text(mapped, "agreement_date"), "协议书签订日期", problems)
    geom = _geometry(mapped, geometry, problems)
    located = None
    if geom is not None:
        crs = _row_crs(mapped, declared, problems)
        if crs is not None:
            located = _located(geom, crs, "line", vocab, problems)
    if problems:
        return problems
    return CleanLine(line, code, out, located)


def _number(mapped, key: str, problems: list[Problem]) -> float | None:
    text = _text(mapped, key)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append((MARKER_COLUMNS[key].label, f"{text[:20]!r} 不是数字"))
        return None
    if not math.isfinite(value):
        problems.append((MARKER_COLUMNS[key].label, "必须是有限数值"))
        return None
    return value


def marker_row(
    line: int, mapped: Mapping[str, Any], geometry, *, declared, vocab: Vocabulary
) -> CleanMarker | list[Problem]:
    """Validate one marker row: number (line code + sequence + type), position, attributes."""
    problems: list[Problem] = []
    number = _text(mapped, "number")
    match = MARKER_NUMBER_RE.match(number)
    if not match:
        problems.append(("界桩编号", f"{number[:30]!r} 不符合“界线编号+3位序号+类型字母”"))
    elif match["seq"] == "000":
        problems.append(("界桩编号", f"{number[:30]} 的序号为 000：序号从 001 起编"))
        match = None
    out = {}
    for key, limit in (("material", 30), ("description", 2000)):
        text = _text(mapped, key)
        if len(text) > limit:
            problems.append((MARKER_COLUMNS[key].label, f"超过 {limit} 字"))
        if text:
            out[key] = text
    h = _number(mapped, "h", problems)
    if geometry is None:
        x, y = _number(mapped, "x", problems), _number(mapped, "y", problems)
        if (x is None) != (y is None):
            problems.append(("北坐标" if y is None else "东坐标", "为空（坐标应成对给出）"))
        elif x is not None and y is not None:
            geometry = Point(x, y)
    located = None
    if geometry is not None:
        crs = _row_crs(mapped, declared, problems)
        if crs is not None:
            located = _located(geometry, crs, "point", vocab, problems)
    if located is not None and match:
        line_m = vocab.line_geoms_m.get(match["line"])
        if line_m is not None:
            distance_m = line_m.distance(geometry_to_metric(located.geom_4490))
            if distance_m > MARKER_LINE_TOLERANCE_M:
                problems.append(
                    (
                        "几何",
                        f"界桩离界线 {match['line']} {distance_m:.1f} m，"
                        f"超过容差 {MARKER_LINE_TOLERANCE_M:g} m",
                    )
                )
    if problems or match is None:  # no match comes with a problem listed
        return problems
    return CleanMarker(
        line,
        number,
        match["line"],
        int(match["seq"]),
        match["type"],
        out,
        located,
        h,
    )


ROW_VALIDATORS = {"areas": area_row, "lines": line_row, "markers": marker_row}
GEOMETRY_KINDS = {"areas": "polygon", "lines": "line", "markers": "point"}
