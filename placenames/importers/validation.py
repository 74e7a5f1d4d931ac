"""Map census columns (Chinese headings) to fields and validate each row (no Django).

A row either becomes a ``CleanRow`` (geometry in EPSG:4490, codes checked) or yields the
list of its problems, each naming the column; nothing here touches the database: the
code tables and the city outline are passed in as a ``Vocabulary``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.importers.crs import DeclaredCrsError, declared_crs
from gis_portal.importing.columns import HeadingMap
from gis_portal.importing.crs import Conversions, DatumConversion
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from placenames.codes import place_code_check
from placenames.importers.scope import Division, EditScope, scope_problems
from placenames.romanize import RomanizeInputError, name_check

# Census registration headings (and common variants) → field names.
COLUMNS: dict[str, str] = {
    "代码": "place_code",
    "地名代码": "place_code",
    "标准名称": "standard_name",
    "标准名": "standard_name",
    "别名": "aliases",
    "简称": "abbreviation",
    "罗马字母拼写": "pinyin",
    "汉语拼音": "pinyin",
    "通名罗马字母拼写": "generic_pinyin",
    "民族文字": "ethnic_script",
    "使用时间": "status",
    "使用状态": "status",
    "命名时间": "named_on",
    "设立年份": "established_year",
    "废止年份": "abolished_year",
    "废止时间": "abolished_year",
    "东经": "lon",
    "经度": "lon",
    "北纬": "lat",
    "纬度": "lat",
    "几何": "wkt",
    "WKT": "wkt",
    "坐标系": "crs",
    "测量方法": "survey_method",
    "类别": "category",
    "类别代码": "category",
    "地名含义": "meaning",
    "含义": "meaning",
    "来历": "origin",
    "历史沿革": "history",
    "沿革": "history",
    "地理实体描述": "description",
    "曾用名": "former_names",
    "多媒体/读音": "media_note",
    "读音": "media_note",
    "资料来源": "source",
    "备注": "remarks",
    "登记时间": "registered_on",
    "登记人": "registrar",
    "登记单位": "registering_unit",
    "所在(跨)行政区": "division",
    "所在（跨）行政区": "division",
    "所在行政区": "division",
    "行政区划代码": "division",
}
REQUIRED = {"standard_name": "标准名称", "category": "类别", "division": "所在(跨)行政区"}
STATUS = {"现今": "in_use", "现今使用": "in_use", "历史": "historical", "历史地名": "historical"}
STATUS |= {"废止": "abolished", "已废止": "abolished"}
SURVEY = {"实测": "surveyed", "图解": "graphical"}
ALLOWED_TYPES = {
    "235": {"Point", "LineString", "MultiLineString"},
    "21": {"Point", "MultiPoint", "Polygon", "MultiPolygon"},
}
ANY_TYPE = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(r"[;；、,，]")
MAX_TEXT = {"standard_name": 100, "abbreviation": 50, "pinyin": 300, "registrar": 50}


@dataclass
class Vocabulary:
    categories: dict[str, str]  # code → name
    divisions: dict[str, Division]  # code → division
    city_outline_4490: BaseGeometry | None  # rows must lie inside it (with a tolerance)
    # Source EPSG → approved Beijing 1954 → CGCS2000 parameter set (none: refused).
    beijing1954: Conversions = field(default_factory=dict)
    # The importing officer's edit scope; None: the whole city.
    scope: EditScope | None = None
    category_by_name: dict[str, str] = field(init=False)
    division_by_name: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.category_by_name = {name: code for code, name in self.categories.items()}
        names: dict[str, list[str]] = {}
        for d in self.divisions.values():
            names.setdefault(d.name, []).append(d.code)
        self.division_by_name = {n: c[0] for n, c in names.items() if len(c) == 1}
        if self.city_outline_4490 is not None:
            # ~200 m of slack for surveyed points on the line and GCJ-02-derived outlines.
            self.city_outline_4490 = self.city_outline_4490.buffer(0.002)
            shapely.prepare(self.city_outline_4490)


@dataclass
class CleanRow:
    line: int
    place_code: str
    standard_name: str
    category_code: str
    division_code: str
    other_division_codes: list[str]
    pinyin: str
    geometry: BaseGeometry | None
    aliases: list[tuple[str, str, dt.date | None, dt.date | None]]
    attrs: dict[str, Any]
    converted_with: DatumConversion | None = None  # the approved set, for Beijing 1954


HEADINGS = HeadingMap(COLUMNS)


def map_columns(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return the values by field name, and the headings that are not census columns."""
    return HEADINGS.map(values)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?", text)
    if not match:
        raise ValueError(f"日期 {text!r} 应写作 YYYY、YYYY-MM 或 YYYY-MM-DD")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    return dt.date(year, month, day)


def _year(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"年份 {text!r} 应为 4 位数字")
    year = int(text)
    if not 1000 <= year <= dt.date.today().year + 1:
        raise ValueError(f"年份 {year} 不合理")
    return year


def _former_names(value: Any) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
    """Parse 曾用名 such as ``斯大林路（1950-1966）；新华街``."""
    out = []
    for part in _SPLIT.split(_text(value)):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)[（(](\d{4})?\s*[-—–至~]\s*(\d{4})?[)）]", part)
        if match:
            name, start, end = match.groups()
            out.append(
                (
                    name.strip(),
                    "former",
                    dt.date(int(start), 1, 1) if start else None,
                    dt.date(int(end), 12, 31) if end else None,
                )
            )
        else:
            out.append((part, "former", None, None))
    return out


def _geometry(
    mapped: dict, raw: RawRow, vocab: Vocabulary, errors: list[tuple[str, str]]
) -> tuple[BaseGeometry | None, DatumConversion | None]:
    """Return the row's geometry in EPSG:4490, and the Beijing 1954 set that converted it."""
    try:
        declared = declared_crs(mapped.get("crs"), vocab.beijing1954)
    except DeclaredCrsError as exc:
        errors.append(("坐标系", str(exc)))
        return None, None
    geom = raw.geometry  # GIS formats: already in EPSG:4490 by the file's .prj
    if geom is None and "wkt" in mapped:
        try:
            geom = shapely.from_wkt(_text(mapped["wkt"]))
        except shapely.errors.GEOSException:
            errors.append(("几何", "WKT 无法解析"))
            return None, None
    elif geom is None and ("lon" in mapped or "lat" in mapped):
        try:
            lon, lat = float(_text(mapped.get("lon"))), float(_text(mapped.get("lat")))
        except ValueError:
            errors.append(("东经/北纬", "经纬度应为数字（十进制度）"))
            return None, None
        if not (np.isfinite(lon) and np.isfinite(lat)):
            errors.append(("东经/北纬", "经纬度应为有限数值"))
            return None, None
        geom = shapely.Point(lon, lat)
    if geom is None:
        return None, None
    if geom.is_empty:
        errors.append(("几何", "几何为空"))
        return None, None
    if raw.converted_with is not None:  # a Beijing 1954 .prj, converted by the reader
        return geom, raw.converted_with
    try:
        # Beijing 1954: lon/lat in degrees (EPSG:4214) or GK easting/northing in metres.
        return declared.apply(geom), declared.conversion
    except DeclaredCrsError as exc:
        errors.append(("坐标系", str(exc)))
        return None, None


def validate_row(raw: RawRow, vocab: Vocabulary) -> CleanRow | list[RowError]:
    """Return the clean record of a raw row, or every problem found in it."""
    errors: list[tuple[str, str]] = []
    for column in raw.formula_columns:
        errors.append((column, "单元格是公式：请改为数值后再导入（不执行公式）"))
    mapped, _ = map_columns(raw.values)
    for key, heading in REQUIRED.items():
        if key not in mapped or not _text(mapped[key]):
            errors.append((heading, "必填项为空"))
    name = _text(mapped.get("standard_name", ""))
    if name and not _HAN.search(name):
        errors.append(("标准名称", f"{name[:20]!r} 不含汉字"))
    if name and name[0] in "=+-@":
        errors.append(("标准名称", "不能以 = + - @ 开头"))
    if name and _HAN.search(name):
        try:
            name_check(name)  # what romanisation refuses is refused here, naming the row
        except RomanizeInputError as exc:
            errors.append(("标准名称", str(exc)))
    for key, limit in MAX_TEXT.items():
        if key in mapped and len(_text(mapped[key])) > limit:
            errors.append((key, f"超过 {limit} 个字符"))

    category = _text(mapped.get("category", ""))
    category_code = (
        category if category in vocab.categories else vocab.category_by_name.get(category)
    )
    if category and category_code is None:
        errors.append(("类别", f"未知类别 {category!r}（应为类别代码表中的代码或名称）"))

    # 所在(跨)行政区: the first unit is the record's division, the others the units it crosses.
    division_codes = []
    for division_text in (t.strip() for t in _SPLIT.split(_text(mapped.get("division", "")))):
        if not division_text:
            continue
        code = (
            division_text
            if division_text in vocab.divisions
            else vocab.division_by_name.get(division_text)
        )
        if code is None:
            errors.append(("所在(跨)行政区", f"未知或不唯一的行政区 {division_text!r}"))
        elif code not in division_codes:
            division_codes.append(code)
    division_code = division_codes[0] if division_codes else None

    place_code = _text(mapped.get("place_code", ""))
    if place_code and category_code and division_code:
        division = vocab.divisions[division_code]
        basis = division.parent_code if division.level == "village" else division.code
        problem = place_code_check(place_code, division_code=basis, category_code=category_code)
        if problem:
            errors.append(("代码", problem))

    attrs: dict[str, Any] = {}
    for key, convert, heading in (
        ("named_on", _date, "命名时间"),
        ("registered_on", _date, "登记时间"),
        ("established_year", _year, "设立年份"),
    ):
        if key in mapped:
            try:
                attrs[key] = convert(mapped[key])
            except ValueError as exc:
                errors.append((heading, str(exc)))
    if "abolished_year" in mapped:
        try:
            attrs["abolished_on"] = _date(mapped["abolished_year"])
        except ValueError as exc:
            errors.append(("废止年份", str(exc)))
    if "status" in mapped:
        status = STATUS.get(_text(mapped["status"]))
        if status is None:
            errors.append(
                ("使用时间", f"应为 现今、历史 或 废止，而不是 {_text(mapped['status'])!r}")
            )
        else:
            attrs["status"] = status
    if "survey_method" in mapped:
        method = SURVEY.get(_text(mapped["survey_method"]))
        if method is None:
            errors.append(("测量方法", "应为 实测 或 图解"))
        else:
            attrs["survey_method"] = method
    for key in (
        "abbreviation",
        "ethnic_script",
        "meaning",
        "origin",
        "history",
        "description",
        "media_note",
        "source",
        "remarks",
        "registrar",
        "registering_unit",
    ):
        if key in mapped:
            attrs[key] = _text(mapped[key])

    geometry_errors: list[tuple[str, str]] = []
    geom, conversion = _geometry(mapped, raw, vocab, geometry_errors)
    errors += geometry_errors
    if geom is not None:
        allowed = next(
            (
                types
                for prefix, types in ALLOWED_TYPES.items()
                if (category_code or "").startswith(prefix)
            ),
            ANY_TYPE,
        )
        if geom.geom_type not in allowed:
            errors.append(
                (
                    "几何",
                    f"{geom.geom_type} 不是此类别允许的几何类型（{'、'.join(sorted(allowed))}）",
                )
            )
        elif not geom.is_valid:
            errors.append(("几何", f"几何无效（自相交等）：{shapely.is_valid_reason(geom)}"))
        elif vocab.city_outline_4490 is not None and not vocab.city_outline_4490.covers(geom):
            errors.append(("几何", "位置不在鹤岗市范围内（请检查经纬度与坐标系）"))

    aliases = [
        (a.strip(), "alias", None, None)
        for a in _SPLIT.split(_text(mapped.get("aliases", "")))
        if a.strip()
    ]
    if "former_names" in mapped:
        aliases += _former_names(mapped["former_names"])
    seen, unique_aliases = set(), []
    for alias in aliases:
        if (alias[0], alias[1]) not in seen and alias[0] != name:
            seen.add((alias[0], alias[1]))
            unique_aliases.append(alias)
        if alias[2] and alias[3] and alias[3] < alias[2]:
            errors.append(("曾用名", f"{alias[0]} 的停用时间早于起用时间"))

    if vocab.scope is not None and division_code is not None:
        errors += scope_problems(
            vocab.scope,
            vocab.divisions,
            division_code=division_code,
            geometry=None if geometry_errors else geom,
        )

    if errors:
        return [RowError(raw.line, column, reason) for column, reason in errors]
    assert category_code is not None and division_code is not None
    return CleanRow(
        line=raw.line,
        place_code=place_code,
        standard_name=name,
        category_code=category_code,
        division_code=division_code,
        other_division_codes=division_codes[1:],
        pinyin=_text(mapped.get("pinyin", "")),
        geometry=geom,
        aliases=unique_aliases,
        attrs=attrs,
        converted_with=conversion if geom is not None else None,
    )
