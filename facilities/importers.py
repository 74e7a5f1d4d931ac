"""Parse and validate facility tables (CSV or Excel) before anything touches the database.

Headers may be Chinese or English. Coordinates are lon/lat in the declared system
(CGCS2000/WGS84, GCJ-02 or BD-09, for the whole file or per row in 坐标系) and are
converted to CGCS2000 with boundaries.geodesy; consumer-app systems are never stored.

Formulas are never evaluated: an Excel formula cell is read as its formula text, and a row
with any value starting with ``=`` is refused, naming the column, as the place-name import
does. A name or address starting with + - @ is refused too: a spreadsheet would run it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from boundaries.geodesy import CoordinateRangeError, to_cgcs2000
from gis_portal.archives import ArchiveRefused, ZipLimits, zip_open, zip_verify
from gis_portal.spreadsheet import is_formula_text

MAX_ROWS = 20_000
# openpyxl unzips trusting the parts' declared sizes: they are inflated once, counted.
XLSX_LIMITS = ZipLimits(max_members=1000, max_total_bytes=200 * 1024 * 1024)

HEADERS = {
    "name": ("名称", "name"),
    "programme": ("服务项目", "programme"),
    "facility_type": ("类型", "type", "facility_type"),
    "lon": ("经度", "lon", "x"),
    "lat": ("纬度", "lat", "y"),
    "crs": ("坐标系", "crs"),
    "address": ("地址", "address"),
    "status": ("状态", "status"),
    "capacity": ("容量", "capacity"),
    "operator": ("运营方式", "operator"),
    "opened_on": ("启用日期", "opened_on"),
    "planned_on": ("规划日期", "planned_on"),
    "construction_started_on": ("开工日期", "construction_started_on"),
    "closed_on": ("停用日期", "closed_on"),
}
REQUIRED = ("name", "programme", "facility_type", "lon", "lat")
# Free text that exports carry as it is (the other columns must match a choice or a number).
FREE_TEXT = ("name", "address")

CRS_ALIASES = {
    "": "EPSG:4490",
    "cgcs2000": "EPSG:4490",
    "epsg:4490": "EPSG:4490",
    "wgs84": "EPSG:4326",
    "epsg:4326": "EPSG:4326",
    "gcj-02": "GCJ-02",
    "gcj02": "GCJ-02",
    "高德": "GCJ-02",
    "bd-09": "BD-09",
    "bd09": "BD-09",
    "百度": "BD-09",
}


@dataclass
class ParsedFacility:
    line: int
    name: str
    programme: str
    facility_type: str
    lon: float
    lat: float
    values: dict


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    converted: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": self.errors,
            "converted": self.converted,
            "dry_run": self.dry_run,
        }


def read_table(path: Path) -> list[dict[str, str]]:
    """Return the rows of a .csv or .xlsx file as dicts of strings keyed by header.

    An Excel formula cell gives its formula text (``=…``), never its cached result.
    Raises ``ValueError`` with a Chinese message (never the parser's own text) for a file
    that is not what its extension says; ``UnicodeDecodeError`` for a non-UTF-8 CSV.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        text = Path(path).read_text(encoding="utf-8-sig")
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    if suffix == ".xlsx":
        return _read_xlsx(Path(path))
    raise ValueError(f"不支持的文件类型 {suffix}（应为 .csv 或 .xlsx）")


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    try:
        with zip_open(path, limits=XLSX_LIMITS) as archive:
            zip_verify(archive, limits=XLSX_LIMITS)
    except ArchiveRefused as exc:
        raise ValueError(f"Excel 文件被拒绝：{exc}") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            rows = list(book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
    except Exception:  # openpyxl raises zip/XML/key errors of several kinds
        raise ValueError("文件内容不是有效的 Excel 工作簿") from None
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    return [
        {h: "" if v is None else _cell(v) for h, v in zip(header, r, strict=False)}
        for r in rows[1:]
        if any(v not in (None, "") for v in r)
    ]


def _cell(value) -> str:
    if isinstance(value, ArrayFormula | DataTableFormula):
        text = getattr(value, "text", None) or ""
        return text if text.startswith("=") else "=" + text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def formula_problems(values: dict[str, str]) -> list[str]:
    """Return one problem per column (keyed by its label) whose value is a formula."""
    return [
        f"{label}是公式（{value[:20]!r}）：不执行公式，请改为文字或数值后再导入"
        for label, value in values.items()
        if isinstance(value, str) and value.startswith("=")
    ]


def _canonical(header: str) -> str | None:
    h = header.strip().lower()
    for key, names in HEADERS.items():
        if h in (n.lower() for n in names):
            return key
    return None


def parse_facilities(
    rows: list[dict[str, str]],
    *,
    declared_crs: str = "EPSG:4490",
    choices: dict[str, dict[str, str]],
) -> tuple[list[ParsedFacility], list[str], dict[str, int]]:
    """Return (facilities in CGCS2000, errors naming the line, count per converted system).

    ``choices`` maps each choice field (status, operator) to {accepted label: value}.
    """
    errors: list[str] = []
    if len(rows) > MAX_ROWS:
        return [], [f"超过 {MAX_ROWS} 行"], {}
    if not rows:
        return [], ["文件没有数据行"], {}
    mapping = {h: _canonical(h) for h in rows[0]}
    present = set(mapping.values())
    missing = [HEADERS[k][0] for k in REQUIRED if k not in present]
    if missing:
        return [], [f"缺少列：{'、'.join(missing)}"], {}
    parsed: list[ParsedFacility] = []
    systems: list[str] = []
    for line, raw in enumerate(rows, start=2):
        row = {mapping[h]: (v or "").strip() for h, v in raw.items() if mapping.get(h)}
        problems = formula_problems({HEADERS[k][0]: v for k, v in row.items()})
        for key in FREE_TEXT:
            value = row.get(key, "")
            if is_formula_text(value) and not value.startswith("="):
                problems.append(f"{HEADERS[key][0]}不能以 + - @ 开头（电子表格会当作公式）")
        for key in REQUIRED:
            if not row.get(key):
                problems.append(f"{HEADERS[key][0]}为空")
        lon = _float(row.get("lon"), "经度", problems)
        lat = _float(row.get("lat"), "纬度", problems)
        system = CRS_ALIASES.get((row.get("crs") or "").lower())
        if row.get("crs") and system is None:
            problems.append(f"未知坐标系 {row['crs']!r}（CGCS2000、WGS84、GCJ-02、BD-09）")
        system = system if row.get("crs") else declared_crs
        values: dict = {"address": row.get("address", "")}
        capacity = row.get("capacity")
        if capacity:
            cap = _float(capacity, "容量", problems)
            if cap is not None and (cap < 0 or cap != int(cap)):
                problems.append(f"容量必须是不小于 0 的整数（收到 {capacity}）")
            elif cap is not None:
                values["capacity"] = int(cap)
        for key in ("status", "operator"):
            if row.get(key):
                value = choices[key].get(row[key])
                if value is None:
                    problems.append(
                        f"{HEADERS[key][0]} {row[key]!r} 无效（{'、'.join(sorted(set(choices[key])))}）"
                    )
                values[key] = value
        for key in ("opened_on", "planned_on", "construction_started_on", "closed_on"):
            if row.get(key):
                try:
                    values[key] = dt.date.fromisoformat(row[key][:10])
                except ValueError:
                    problems.append(f"{HEADERS[key][0]} {row[key]!r} 不是 YYYY-MM-DD 日期")
        if problems:
            errors.append(f"第 {line} 行：" + "；".join(problems))
            continue
        parsed.append(
            ParsedFacility(
                line, row["name"], row["programme"], row["facility_type"], lon, lat, values
            )
        )
        systems.append(system)
    if parsed:
        _convert(parsed, systems, errors)
    counts: dict[str, int] = {}
    for s in systems:
        if s not in ("EPSG:4490", "EPSG:4326"):
            counts[s] = counts.get(s, 0) + 1
    return parsed, errors, counts


def _convert(parsed: list[ParsedFacility], systems: list[str], errors: list[str]) -> None:
    for system in set(systems):
        idx = [i for i, s in enumerate(systems) if s == system]
        lon = np.array([parsed[i].lon for i in idx])
        lat = np.array([parsed[i].lat for i in idx])
        try:
            out_lon, out_lat = to_cgcs2000(lon, lat, source=system)
        except CoordinateRangeError as exc:
            errors.append(f"坐标换算失败（{system}）：{exc}")
            continue
        for k, i in enumerate(idx):
            parsed[i].lon, parsed[i].lat = float(out_lon[k]), float(out_lat[k])


def _float(raw: str | None, what: str, problems: list[str]) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{what} {raw!r} 不是数字")
        return None
    if not math.isfinite(value):
        problems.append(f"{what}必须是有限数值")
        return None
    return value
