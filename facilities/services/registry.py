"""Facility registry writes: import (parse → validate → write) and area assignment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.contrib.gis.geos import Point
from django.db import transaction

from boundaries.models import AreaLevel
from boundaries.selectors import areas_at_point
from facilities.errors import ImportRejected
from facilities.importers import ImportReport, parse_facilities, read_table
from facilities.models import Facility, FacilityStatus, FacilityType, Operator, Programme
from facilities.selectors import points_outside_city


def _choices(enum) -> dict[str, str]:
    return {**{v: v for v in enum.values}, **{label: v for v, label in enum.choices}}


def county_of(lon: float, lat: float):
    """Return the county-level area covering the point, or None."""
    for area in areas_at_point(lon=lon, lat=lat):
        if area.level == AreaLevel.COUNTY:
            return area
    return None


def facilities_import(
    *, path: Path, declared_crs: str = "EPSG:4490", dry_run: bool = False
) -> ImportReport:
    """Import facilities from CSV/Excel; all rows or none. Same report with dry_run."""
    report = ImportReport(dry_run=dry_run)
    try:
        rows = read_table(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise ImportRejected(f"无法读取文件：{exc}") from exc
    report.rows = len(rows)
    parsed, errors, converted = parse_facilities(
        rows,
        declared_crs=declared_crs,
        choices={"status": _choices(FacilityStatus), "operator": _choices(Operator)},
    )
    report.converted = converted
    programmes = {p.slug: p for p in Programme.objects.all()} | {
        p.name: p for p in Programme.objects.all()
    }
    types = {(t.programme_id, t.slug): t for t in FacilityType.objects.all()} | {
        (t.programme_id, t.name): t for t in FacilityType.objects.all()
    }
    resolved = []
    for item in parsed:
        programme = programmes.get(item.programme)
        ftype = types.get((programme.pk, item.facility_type)) if programme else None
        if programme is None:
            errors.append(f"第 {item.line} 行：未知服务项目 {item.programme!r}")
        elif ftype is None:
            errors.append(
                f"第 {item.line} 行：服务项目 {programme.name} 下没有类型 {item.facility_type!r}"
            )
        else:
            resolved.append((item, programme, ftype))
    if parsed:
        outside = points_outside_city(np.array([[p.lon, p.lat] for p in parsed]))
        errors.extend(f"第 {parsed[i].line} 行：位置不在鹤岗市范围内" for i in outside)
    seen: dict[tuple, int] = {}
    for item, programme, _ in resolved:
        key = (programme.pk, item.name)
        if key in seen:
            errors.append(f"第 {item.line} 行：与第 {seen[key]} 行重名（同一服务项目）")
        seen[key] = item.line
    if errors:
        report.errors = sorted(errors, key=_line_of)
        raise ImportRejected(
            f"导入被拒绝，共 {len(errors)} 处错误，未写入任何数据", errors=report.errors[:200]
        )
    existing = set(
        Facility.objects.filter(name__in=[i.name for i, _, _ in resolved]).values_list(
            "programme_id", "name"
        )
    )
    report.updated = sum((p.pk, i.name) in existing for i, p, _ in resolved)
    report.created = len(resolved) - report.updated
    if dry_run:
        return report
    with transaction.atomic():
        for item, programme, ftype in resolved:
            Facility.objects.update_or_create(
                programme=programme,
                name=item.name,
                defaults={
                    "facility_type": ftype,
                    "position_4490": Point(item.lon, item.lat, srid=4490),
                    "county": county_of(item.lon, item.lat),
                    "capacity_unit": programme.capacity_unit,
                    "source": f"导入：{Path(path).name}",
                    **item.values,
                },
            )
    return report


def _line_of(message: str) -> int:
    try:
        return int(message.split("第 ", 1)[1].split(" 行", 1)[0])
    except (IndexError, ValueError):
        return 0
