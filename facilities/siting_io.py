"""Read siting CSV files and bring their coordinates into metres (no Django).

Demand files have ``id,x,y,weight``; candidate and existing-site files ``id,x,y[,capacity]``.
Coordinates in a projected CRS are used as they are (straight-line distances in that CRS);
geographic ones (EPSG:4490 by default) are projected to the CGCS2000 3° Gauss-Krüger zone
holding the data's median longitude, because a degree is not a metre at 47°N.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from facilities.siting.core import SitingInputError, SitingProblem
from facilities.siting.costs import CostMatrix, csr_from_pairs

MAX_ROWS = 200_000


@dataclass(frozen=True)
class PointTable:
    ids: list[str]
    xy: np.ndarray  # as read, in the declared CRS
    values: np.ndarray | None  # weight (demand) or capacity (sites)


def _number(raw: str | None, *, what: str, line: int, label: str) -> float:
    if raw is None:  # a row with fewer cells than the header
        raise SitingInputError(f"{label}第 {line} 行：缺少 {what}")
    try:
        value = float(raw)
    except ValueError:
        raise SitingInputError(f"{label}第 {line} 行：{what} 不是数字（{raw!r}）") from None
    if not math.isfinite(value):
        raise SitingInputError(f"{label}第 {line} 行：{what} 必须是有限数值")
    return value


def read_points(text: str, *, label: str, value_column: str | None, required: bool) -> PointTable:
    """Parse a CSV of points; every error names the file label and the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("id", "x", "y") if c not in header]
    if required and value_column and value_column not in header:
        missing.append(value_column)
    if missing:
        raise SitingInputError(f"{label}缺少列：{', '.join(missing)}（应为 id,x,y…）")
    reader.fieldnames = header
    ids: list[str] = []
    xy: list[tuple[float, float]] = []
    values: list[float] = []
    value_key = value_column if value_column and value_column in header else None
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise SitingInputError(f"{label}超过 {MAX_ROWS} 行")
        ident = (row.get("id") or "").strip()
        if not ident:
            raise SitingInputError(f"{label}第 {line} 行：id 为空")
        if ident in seen:
            raise SitingInputError(f"{label}第 {line} 行：id {ident!r} 重复")
        seen.add(ident)
        x = _number(row.get("x"), what="x", line=line, label=label)
        y = _number(row.get("y"), what="y", line=line, label=label)
        ids.append(ident)
        xy.append((x, y))
        if value_key is not None:
            raw = (row.get(value_key) or "").strip()
            if raw == "" and not required:
                values.append(math.nan)
            else:
                values.append(_number(raw, what=value_key, line=line, label=label))
    arr = np.array(xy, dtype=np.float64).reshape(-1, 2)
    vals = np.array(values, dtype=np.float64) if value_key is not None else None
    if vals is not None and value_column == "capacity":
        bad = [ids[i] for i in np.flatnonzero(vals < 0)]
        if bad:
            raise SitingInputError(f"{label}容量不能小于 0：{', '.join(bad[:20])}", ids=bad[:20])
    if vals is not None and value_column == "weight":
        bad = [ids[i] for i in np.flatnonzero(vals < 0)]
        if bad:
            raise SitingInputError(f"{label}权重不能为负数：{', '.join(bad[:20])}", ids=bad[:20])
    return PointTable(ids, arr, vals)


def read_points_file(path: Path, **kwargs) -> PointTable:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SitingInputError(f"找不到文件 {path}") from None
    except UnicodeDecodeError:
        raise SitingInputError(f"文件 {path} 不是 UTF-8 编码") from None
    return read_points(text, **kwargs)


def parse_crs(text: str) -> CRS:
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise SitingInputError(f"无法识别的坐标系 {text!r}（例如 EPSG:4490、EPSG:4552）") from None
    if not (crs.is_geographic or crs.is_projected):
        raise SitingInputError(f"坐标系 {text!r} 既不是地理坐标系也不是投影坐标系")
    return crs


def gk_zone_epsg(lon_deg: float) -> int:
    """Return the EPSG code of the CGCS2000 3° Gauss-Krüger CM zone for a longitude."""
    central = 3 * round(lon_deg / 3)
    if not 75 <= central <= 135:
        raise SitingInputError(f"经度 {lon_deg:.3f} 不在中国 3° 带范围内 (75°E–135°E)")
    return 4534 + (central - 75) // 3  # 4534 = CM 75°E … 4552 = CM 129°E, 4553 = CM 132°E


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _capacity(table: PointTable) -> np.ndarray | None:
    """Return the capacity column with blanks as inf (unlimited), or None without one."""
    if table.values is None or np.all(np.isnan(table.values)):
        return None
    return np.where(np.isnan(table.values), np.inf, table.values)


@dataclass(frozen=True)
class Projected:
    problem: SitingProblem
    metric_crs: str
    candidate_lonlat: np.ndarray  # CGCS2000 lon/lat, for the "inside the city" check


def to_problem(
    demand: PointTable,
    candidates: PointTable,
    existing: PointTable | None,
    *,
    crs_text: str = "EPSG:4490",
) -> Projected:
    """Return the siting problem in metres, and the candidates in CGCS2000 lon/lat."""
    crs = parse_crs(crs_text)
    source = crs.to_string()
    tables = [demand, candidates] + ([existing] if existing else [])
    if crs.is_geographic:
        lonlat = [t.xy for t in tables]
        every = np.vstack(lonlat)
        if np.any(np.abs(every[:, 0]) > 180) or np.any(np.abs(every[:, 1]) > 90):
            raise SitingInputError(f"{crs_text} 是地理坐标系，但 x/y 超出经纬度范围")
        if source != "EPSG:4490":
            lonlat = [
                np.column_stack(_transformer(source, "EPSG:4490").transform(*a.T)) for a in lonlat
            ]
        metric = f"EPSG:{gk_zone_epsg(float(np.median(np.vstack(lonlat)[:, 0])))}"
        fwd = _transformer("EPSG:4490", metric)
        metres = [np.column_stack(fwd.transform(a[:, 0], a[:, 1])) for a in lonlat]
        cand_lonlat = lonlat[1]
    else:
        metric = source
        metres = [t.xy for t in tables]
        cand_lonlat = np.column_stack(
            _transformer(source, "EPSG:4490").transform(candidates.xy[:, 0], candidates.xy[:, 1])
        )
    weight = demand.values if demand.values is not None else np.ones(len(demand.ids))
    # A blank capacity cell means "no limit" (inf); a 0 means the site serves nobody.
    capacity = _capacity(candidates)
    existing_capacity = _capacity(existing) if existing else None
    problem = SitingProblem(
        demand_xy_m=metres[0],
        demand_weight=weight,
        candidate_xy_m=metres[1],
        existing_xy_m=metres[2] if existing else np.empty((0, 2)),
        demand_ids=demand.ids,
        candidate_ids=candidates.ids,
        candidate_capacity=capacity,
        existing_capacity=existing_capacity,
    )
    return Projected(problem=problem, metric_crs=metric, candidate_lonlat=cand_lonlat)


# --------------------------------------------------------------------------- cost matrices

# A supplied cost matrix comes in one of two layouts:
# - wide, as spopt's ``from_cost_matrix`` takes it (one row per demand point, one column
#   per site): the first column holds the demand ids, the header the site ids; every cell
#   must hold a cost;
# - long (``demand_id,site_id,cost``): one row per reachable pair; a pair not listed is
#   unreachable (and reported in the result).
LONG_COLUMNS = ("demand_id", "site_id", "cost")
MAX_COST_CELLS = 2_000_000


@dataclass(frozen=True)
class CostTable:
    demand_ids: list[str]
    site_ids: list[str]
    rows: np.ndarray  # index into demand_ids
    cols: np.ndarray  # index into site_ids
    cost: np.ndarray
    layout: str  # "wide" or "long"


def _cost_value(raw: str, *, where: str) -> float:
    text = (raw or "").strip()
    if text == "":
        raise SitingInputError(f"费用矩阵{where}：费用为空（不可达的对请用长表格式省略该行）")
    try:
        value = float(text)
    except ValueError:
        raise SitingInputError(f"费用矩阵{where}：费用不是数字（{text[:20]!r}）") from None
    if math.isnan(value) or math.isinf(value):
        raise SitingInputError(f"费用矩阵{where}：费用不是有限数值（{text[:20]!r}）")
    if value < 0:
        raise SitingInputError(f"费用矩阵{where}：费用不能为负数（{value:g}）")
    return value


def read_cost_table(grid: list[list[str]]) -> CostTable:
    """Parse a cost matrix given as rows of cells, the header row first."""
    if len(grid) < 2:
        raise SitingInputError("费用矩阵为空（至少要有表头和一行费用）")
    header = [str(h).strip() for h in grid[0]]
    body = [[str(c).strip() for c in row] for row in grid[1:]]
    if len(body) * max(len(header) - 1, 1) > MAX_COST_CELLS:
        raise SitingInputError(f"费用矩阵超过 {MAX_COST_CELLS:,} 个费用")
    if set(LONG_COLUMNS) <= set(header):
        return _read_long(header, body)
    return _read_wide(header, body)


def _cell_at(row: list[str], col: int) -> str:
    return row[col] if col < len(row) else ""


def _read_long(header: list[str], body: list[list[str]]) -> CostTable:
    at = {name: header.index(name) for name in LONG_COLUMNS}
    d_index: dict[str, int] = {}
    s_index: dict[str, int] = {}
    rows, cols, cost = [], [], []
    seen: set[tuple[int, int]] = set()
    for line, rec in enumerate(body, start=2):
        d, s = _cell_at(rec, at["demand_id"]), _cell_at(rec, at["site_id"])
        if not d or not s:
            raise SitingInputError(f"费用矩阵第 {line} 行：demand_id 或 site_id 为空")
        i = d_index.setdefault(d, len(d_index))
        j = s_index.setdefault(s, len(s_index))
        if (i, j) in seen:
            raise SitingInputError(f"费用矩阵第 {line} 行：需求点 {d} 到站点 {s} 的费用重复")
        seen.add((i, j))
        rows.append(i)
        cols.append(j)
        cost.append(_cost_value(_cell_at(rec, at["cost"]), where=f"第 {line} 行"))
    return CostTable(
        list(d_index),
        list(s_index),
        np.array(rows, dtype=np.int64),
        np.array(cols, dtype=np.int64),
        np.array(cost, dtype=np.float64),
        "long",
    )


def _read_wide(header: list[str], body: list[list[str]]) -> CostTable:
    if len(header) < 2:
        raise SitingInputError("费用矩阵至少要有两列：第一列为需求点编号，其余列为站点编号")
    site_ids = header[1:]
    if any(not s for s in site_ids):
        raise SitingInputError("费用矩阵表头有空的站点编号")
    dup = sorted({s for s in site_ids if site_ids.count(s) > 1})
    if dup:
        raise SitingInputError(f"费用矩阵表头站点编号重复：{', '.join(dup[:10])}")
    demand_ids: list[str] = []
    seen: set[str] = set()
    values = np.empty((len(body), len(site_ids)))
    for line, rec in enumerate(body, start=2):
        d = _cell_at(rec, 0)
        if not d:
            raise SitingInputError(f"费用矩阵第 {line} 行：需求点编号为空")
        if d in seen:
            raise SitingInputError(f"费用矩阵第 {line} 行：需求点编号 {d} 重复")
        if len(rec) > len(header):
            raise SitingInputError(f"费用矩阵第 {line} 行：比表头多出 {len(rec) - len(header)} 格")
        seen.add(d)
        demand_ids.append(d)
        for c, site in enumerate(site_ids):
            values[line - 2, c] = _cost_value(
                _cell_at(rec, c + 1), where=f"第 {line} 行、站点 {site} 列"
            )
    rows, cols = np.indices(values.shape)
    return CostTable(demand_ids, site_ids, rows.ravel(), cols.ravel(), values.ravel(), "wide")


def cost_matrix_for(
    table: CostTable,
    *,
    demand_ids: list[str],
    demand_weight: np.ndarray,
    candidate_ids: list[str],
    existing_ids: list[str],
) -> CostMatrix:
    """Return the table as the problem's CostMatrix; every id must match, both ways.

    Raises SitingInputError naming the ids the matrix lacks (weighted demand points, or any
    site) and those it has that the problem does not.
    """
    d_pos = {d: i for i, d in enumerate(demand_ids)}
    site_all = list(candidate_ids) + list(existing_ids)
    s_pos = {s: j for j, s in enumerate(site_all)}
    unknown_d = [d for d in table.demand_ids if d not in d_pos]
    unknown_s = [s for s in table.site_ids if s not in s_pos]
    if unknown_d or unknown_s:
        parts = []
        if unknown_d:
            parts.append(f"需求点 {', '.join(unknown_d[:10])}")
        if unknown_s:
            parts.append(f"站点 {', '.join(unknown_s[:10])}")
        raise SitingInputError(
            f"费用矩阵中有本次计算没有的编号：{'；'.join(parts)}",
            demand_ids=unknown_d[:50],
            site_ids=unknown_s[:50],
        )
    in_table_d = set(table.demand_ids)
    in_table_s = set(table.site_ids)
    missing_d = [
        d for d, w in zip(demand_ids, demand_weight, strict=True) if w > 0 and d not in in_table_d
    ]
    missing_s = [s for s in site_all if s not in in_table_s]
    if missing_d or missing_s:
        parts = []
        if missing_d:
            parts.append(f"{len(missing_d)} 个需求点（{', '.join(missing_d[:10])}）")
        if missing_s:
            parts.append(f"{len(missing_s)} 个站点（{', '.join(missing_s[:10])}）")
        raise SitingInputError(
            f"费用矩阵缺少编号：{'；'.join(parts)}",
            demand_ids=missing_d[:50],
            site_ids=missing_s[:50],
        )
    d_map = np.array([d_pos[d] for d in table.demand_ids], dtype=np.int64)
    s_map = np.array([s_pos[s] for s in table.site_ids], dtype=np.int64)
    rows, cols = d_map[table.rows], s_map[table.cols]
    m, n = len(candidate_ids), len(demand_ids)
    is_c = cols < m
    return CostMatrix(
        csr_from_pairs(rows[is_c], cols[is_c], table.cost[is_c], (n, m)),
        csr_from_pairs(rows[~is_c], cols[~is_c] - m, table.cost[~is_c], (n, len(existing_ids))),
        kind="matrix",
    )
