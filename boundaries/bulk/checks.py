"""Checks of a bulk boundary import over the whole staging table, naming each row.

Duplicates in the file, references to areas and lines, parents one level up, the
line/marker rule (a moved line keeps its surveyed markers within 5 m), pending change
requests, and the one edit-scope rule (``gis_portal.editing.scope``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import shapely
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from boundaries.bulk import geometry as bulk_geometry
from boundaries.bulk.staging import KEY_COLUMN, staged_geom, staged_rows
from boundaries.models import (
    LEVEL_RANK,
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
)
from boundaries.services.lines import line_footprint, marker_footprint
from boundaries.townships import outside_parent_m
from gis_portal.editing.models import ChangeRequest, ChangeStatus
from gis_portal.editing.scope import Footprint, footprints_in_scope
from gis_portal.importing.report import RowError
from gis_portal.metric_crs import geometry_to_metric


def staging_problems(layer: str, cursor, table: str, ctx) -> list[RowError]:
    """Return the problems that need the whole file or the database, naming each row."""
    rows = staged_rows(cursor, table, layer)
    key, label = KEY_COLUMN[layer]
    errors, first = [], {}
    for row in rows:
        seen = first.setdefault(row[key], row["line"])
        if seen != row["line"]:
            errors.append(RowError(row["line"], label, f"{row[key]} 与第 {seen} 行重复"))
    errors += {"areas": _area_problems, "lines": _line_problems, "markers": _marker_problems}[
        layer
    ](rows, ctx)
    return errors


def _scope_errors(ctx, rows: list[dict], footprints: list[Footprint], label: str) -> list[RowError]:
    if ctx.area_ids is None:
        return []
    inside = footprints_in_scope(ctx.area_ids, footprints)
    return [
        RowError(row["line"], label, f"不在您的编辑范围（{ctx.scope_label}）内，此行不导入")
        for row, ok in zip(rows, inside, strict=True)
        if not ok
    ]


def _area_problems(rows: list[dict], ctx) -> list[RowError]:
    codes = {r["code"] for r in rows} | {r["parent"] for r in rows if r["parent"]}
    current = {
        a.code: a for a in AdministrativeArea.objects.filter(code__in=codes, valid_to__isnull=True)
    }
    in_file = {r["code"]: r for r in rows}
    errors = []
    for row in rows:
        if not row["parent"]:
            if row["level"] != AreaLevel.CITY and row["code"] not in current:
                errors.append(RowError(row["line"], "上级代码", "新建区域需要上级区划代码"))
            continue
        parent = current.get(row["parent"]) or in_file.get(row["parent"])
        if parent is None:
            errors.append(RowError(row["line"], "上级代码", f"上级区划 {row['parent']} 不存在"))
            continue
        parent_level = parent.level if isinstance(parent, AdministrativeArea) else parent["level"]
        if row["parent"] == row["code"] or LEVEL_RANK[parent_level] >= LEVEL_RANK[row["level"]]:
            errors.append(RowError(row["line"], "上级代码", f"上级区划 {row['parent']} 级别不高于本区域"))  # fmt: skip
    errors += _outside_parent(rows, current, in_file)
    footprints = []
    for row in rows:
        area = current.get(row["code"])
        parent = current.get(row["parent"] or "")
        footprints.append(
            Footprint.of(
                area.geom_4490 if area else None,
                staged_geom(row["geom"]),
                divisions=[area.pk if area else (parent.pk if parent else -1)],
            )
        )
    return errors + _scope_errors(ctx, rows, footprints, "区划代码")


# A township polygon may leave its county by digitising noise, not by more (metres).
PARENT_TOLERANCE_M = 5.0


def _outside_parent(rows: list[dict], current: dict, in_file: dict) -> list[RowError]:
    """Every polygon must lie inside its parent's (a township inside its county)."""
    errors = []
    for row in rows:
        geom = staged_geom(row["geom"])
        parent_code = row["parent"] or (
            current[row["code"]].parent.code
            if row["code"] in current and current[row["code"]].parent_id
            else ""
        )
        if geom is None or not parent_code:
            continue
        if parent_code in in_file and in_file[parent_code]["geom"]:
            parent_geom = staged_geom(in_file[parent_code]["geom"])
        elif parent_code in current:
            parent_geom = current[parent_code].geom_4490
        else:
            parent_geom = (
                AdministrativeArea.objects.filter(code=parent_code, valid_to__isnull=True)
                .values_list("geom_4490", flat=True)
                .first()
            )
        if parent_geom is None:
            continue
        outside = outside_parent_m(
            geometry_to_metric(shapely.from_wkb(bytes(geom.wkb))),
            geometry_to_metric(shapely.from_wkb(bytes(parent_geom.wkb))),
            tol_m=PARENT_TOLERANCE_M,
        )
        if outside is not None:
            errors.append(
                RowError(
                    row["line"],
                    "几何",
                    f"{row['name'] or row['code']} 有 {outside / 1e6:.4f} km² 在上级区域 {parent_code} 之外"
                    f"（容差 {PARENT_TOLERANCE_M:g} m）",
                )
            )
    return errors


class _Kind(NamedTuple):
    """How the rows of lines or markers name their features: the model, the row's key
    column, the footprint of a stored feature, the column errors name, and the noun."""

    model: type[Model]
    key: str
    footprint: Callable[[Any], Footprint]
    column: str
    noun: str


_LINES = _Kind(BoundaryLine, "code", line_footprint, "界线编号", "界线")
_MARKERS = _Kind(BoundaryMarker, "number", marker_footprint, "界桩编号", "界桩")


def _feature_errors(
    ctx, rows: list[dict], current: Mapping[str, Model], kind: _Kind
) -> list[RowError]:
    """What refuses a row of lines or markers besides its own values: a place outside the
    importer's scope (where the feature is and where the row puts it), and, for a file that
    becomes change requests, a feature that already has one waiting (``current``: the
    features the rows name, by ``key``)."""
    key = kind.key
    footprints = [
        (kind.footprint(current[r[key]]) if r[key] in current else Footprint())
        + Footprint.of(staged_geom(r["geom"]))
        for r in rows
    ]
    errors = _scope_errors(ctx, rows, footprints, kind.column)
    if not ctx.direct:
        pending = _pending(kind.model, [f.pk for f in current.values()])
        errors += [
            RowError(
                r["line"],
                kind.column,
                f"{kind.noun} {r[key]} 已有待审批的变更申请 #{pending[current[r[key]].pk]}",
            )
            for r in rows
            if r[key] in current and current[r[key]].pk in pending
        ]
    return errors


def _pending(model, ids: list[int]) -> dict[int, int]:
    return dict(
        ChangeRequest.objects.filter(
            target_type=ContentType.objects.get_for_model(model),
            target_id__in=ids,
            status__in=(ChangeStatus.PROPOSAL, ChangeStatus.REVIEW),
        ).values_list("target_id", "pk")
    )


def _line_problems(rows: list[dict], ctx) -> list[RowError]:
    current = {
        ln.code: ln
        for ln in BoundaryLine.objects.filter(code__in=[r["code"] for r in rows]).select_related(
            "area_a", "area_b"
        )
    }
    areas = dict(AdministrativeArea.objects.filter(valid_to__isnull=True).values_list("code", "pk"))
    pairs = set(BoundaryLine.objects.values_list("area_a_id", "area_b_id"))
    errors = []
    for row in rows:
        line = current.get(row["code"])
        given = {row["area_a"], row["area_b"]} - {None}
        if line is None:
            if len(given) < 2 or row["geom"] is None:
                errors.append(RowError(row["line"], "界线编号", f"界线 {row['code']} 不存在；新建界线需要区域甲乙代码和几何"))  # fmt: skip
            elif tuple(sorted(areas[c] for c in given)) in pairs:
                errors.append(RowError(row["line"], "区域乙代码", "这两个区域之间已有界线"))
        elif not given <= {line.area_a.code, line.area_b.code}:
            errors.append(RowError(row["line"], "区域甲代码", f"界线 {line.code} 的区域不能通过导入修改"))  # fmt: skip
    errors += _lines_keep_markers(rows, current)
    return errors + _feature_errors(ctx, rows, current, _LINES)


def _lines_keep_markers(rows: list[dict], current: Mapping[str, BoundaryLine]) -> list[RowError]:
    """A moved line must stay within the tolerance of its surveyed markers (the editor's rule)."""
    moved = [r for r in rows if r["geom"] and r["code"] in current]
    if not moved:
        return []
    with_geom = BoundaryMarker.objects.filter(
        line__in=[current[r["code"]] for r in moved], geom_4490__isnull=False
    ).values_list("line__code", "number", "geom_4490")
    by_line: dict[str, list] = {}
    for code, number, geom in with_geom:
        by_line.setdefault(code, []).append((number, shapely.from_wkb(bytes(geom.wkb))))
    errors = []
    for row in moved:
        markers = by_line.get(row["code"], [])
        if not markers:
            continue
        line_m = geometry_to_metric(shapely.from_wkb(bytes.fromhex(row["geom"])))
        far = [
            n
            for n, p in markers
            if line_m.distance(geometry_to_metric(p)) > bulk_geometry.MARKER_LINE_TOLERANCE_M
        ]
        if far:
            errors.append(
                RowError(
                    row["line"],
                    "几何",
                    f"界线离界桩 {'、'.join(far[:10])} 超过 {bulk_geometry.MARKER_LINE_TOLERANCE_M:g} m："
                    "界线由界桩确定，请同时调整界桩",
                )
            )
    return errors


def _marker_problems(rows: list[dict], ctx) -> list[RowError]:
    lines = {
        ln.code: ln for ln in BoundaryLine.objects.filter(code__in={r["line_code"] for r in rows})
    }
    current = {
        m.number: m
        for m in BoundaryMarker.objects.filter(
            number__in=[r["number"] for r in rows]
        ).select_related("line")
    }
    errors = []
    for row in rows:
        if row["line_code"] not in lines:
            errors.append(RowError(row["line"], "界桩编号", f"所属界线 {row['line_code']} 不存在"))
        elif row["number"] not in current and row["geom"] is None:
            errors.append(RowError(row["line"], "几何", f"界桩 {row['number']} 不存在；新建界桩需要坐标"))  # fmt: skip
    return errors + _feature_errors(ctx, rows, current, _MARKERS)
