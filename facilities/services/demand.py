"""Import demand units from a table: points (lon/lat) or keyed by division code."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point
from django.db import transaction

from boundaries.models import AdministrativeArea
from facilities.errors import ImportRejected
from facilities.models import DemandSource, DemandUnit
from facilities.selectors import points_outside_city
from facilities.services.facilities import county_of
from gis_portal.importing.readers import read_text_lines

AGE_COLUMNS = ("population", "age_0_14", "age_60_plus", "age_65_plus", "age_80_plus")
KNOWN = {"code", "lon", "lat", "division_code", "wkt", *AGE_COLUMNS}


def _formula_problems(values: dict[str, str]) -> list[str]:
    """Return one problem per column whose value is a formula (never evaluated)."""
    return [
        f"{label}是公式（{value[:20]!r}）：不执行公式，请改为文字或数值后再导入"
        for label, value in values.items()
        if value.startswith("=")
    ]


def demand_import(*, path: Path, dry_run: bool = False) -> dict:
    """Import demand units (all rows or none); same report with dry_run.

    Columns: ``code`` and ``population`` (required), the age groups, and one of ``lon,lat``
    (CGCS2000), ``wkt`` (a polygon or multipolygon in CGCS2000, kept as the unit's area and
    placed at a point inside it) or ``division_code`` (placed at a point inside that area's
    polygon). Any other column is kept in ``extra`` for programmes with a custom target field.
    """
    try:
        lines = read_text_lines(path)
    except (ValueError, OSError) as exc:
        raise ImportRejected(f"无法读取文件：{exc}") from exc
    errors: list[str] = []
    areas = {a.code: a for a in AdministrativeArea.objects.filter(valid_to__isnull=True)}
    parsed = []
    for line, row in lines:
        problems = _formula_problems(row)
        if not row.get("code"):
            problems.append("code 为空")
        counts = {}
        for col in AGE_COLUMNS:
            raw = row.get(col, "")
            if raw == "" and col != "population":
                counts[col] = 0
                continue
            if raw.startswith("="):
                continue  # reported as a formula above
            try:
                value = float(raw)
            except ValueError:
                problems.append(f"{col} 不是数字（{raw!r}）")
                continue
            if not math.isfinite(value) or value < 0 or value != int(value):
                problems.append(f"{col} 必须是不小于 0 的整数")
                continue
            counts[col] = int(value)
        if len(counts) == len(AGE_COLUMNS):
            if (
                counts["age_80_plus"] > counts["age_65_plus"]
                or counts["age_65_plus"] > counts["age_60_plus"]
            ):
                problems.append("年龄组不嵌套（应 80+ ≤ 65+ ≤ 60+）")
            if counts["age_60_plus"] + counts["age_0_14"] > counts["population"]:
                problems.append("60+ 与 0-14 之和超过常住人口")
        lon = lat = None
        area = None
        polygon = None
        if row.get("wkt"):
            polygon, problem = _polygon(row["wkt"])
            if problem:
                problems.append(problem)
            else:
                p = polygon.point_on_surface
                lon, lat = p.x, p.y
        elif row.get("lon") or row.get("lat"):
            try:
                lon, lat = float(row["lon"]), float(row["lat"])
            except (KeyError, ValueError):
                problems.append("lon/lat 不是数字")
        elif row.get("division_code"):
            area = areas.get(row["division_code"])
            if area is None or area.geom_4490 is None:
                problems.append(f"区划代码 {row['division_code']} 不存在或没有边界")
            else:
                p = area.geom_4490.point_on_surface
                lon, lat = p.x, p.y
        else:
            problems.append("需要 lon,lat 或 division_code")
        if problems:
            errors.append(f"第 {line} 行：" + "；".join(problems))
            continue
        extra = {k: v for k, v in row.items() if k not in KNOWN and v != ""}
        parsed.append((line, row["code"], lon, lat, counts, extra, polygon))
    if parsed:
        outside = points_outside_city(np.array([[p[2], p[3]] for p in parsed]))
        errors.extend(f"第 {parsed[i][0]} 行：位置不在鹤岗市范围内" for i in outside)
    codes = [p[1] for p in parsed]
    dupes = sorted(c for c, n in Counter(codes).items() if n > 1)
    if dupes:
        errors.append(f"编号重复：{'、'.join(dupes[:20])}")
    if errors or not parsed:
        raise ImportRejected(
            f"导入被拒绝，共 {len(errors) or 1} 处错误，未写入任何数据",
            errors=errors or ["文件没有数据行"],
        )
    existing = set(DemandUnit.objects.filter(code__in=codes).values_list("code", flat=True))
    report = {
        "rows": len(lines),
        "created": len(codes) - len(existing),
        "updated": len(existing),
        "dry_run": dry_run,
    }
    if dry_run:
        return report
    with transaction.atomic():
        for _, code, lon, lat, counts, extra, polygon in parsed:
            county = county_of(lon, lat)
            DemandUnit.objects.update_or_create(
                code=code,
                defaults={
                    "county": county,
                    "position_4490": Point(lon, lat, srid=4490),
                    "area_4490": polygon,
                    "extra": extra,
                    "source": DemandSource.IMPORT,
                    "is_urban": True,
                    **counts,
                },
            )
    return report


def _polygon(text: str) -> tuple[MultiPolygon | None, str | None]:
    """Return (the WKT as a CGCS2000 MultiPolygon, None) or (None, a Chinese problem)."""
    try:
        geom = GEOSGeometry(text, srid=4490)
    except (GEOSException, ValueError):
        return None, "wkt 无法解析"
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=4490)
    if geom.geom_type != "MultiPolygon" or geom.empty:
        return None, f"wkt 应为面（Polygon/MultiPolygon），收到 {geom.geom_type}"
    if not geom.valid:
        return None, f"wkt 面无效（{geom.valid_reason}）"
    lon, lat = geom.point_on_surface.coords
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None, "wkt 坐标应为 CGCS2000 经纬度"
    return geom, None
