"""Topology checks of areas, boundary lines and markers (no Django).

All geometry is in metres (a projected CGCS2000 Gauss-Krüger system); tolerances are in
metres. A gap or overlap counts only where it is wider than the tolerance: it must survive
a negative buffer of half the tolerance, so slivers from digitising do not flood the list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry

from boundaries.lines import as_multilinestring, marker_number, shared_edge

# What staff read for each check (the report's table and summary; ``check`` stays a key).
CHECK_LABELS = {
    "tiling": "区域拼接（空隙/重叠）",
    "line_edge": "界线与两区域公共边不一致",
    "line_follow": "界线与应沿的上级界线不一致",
    "marker_on_line": "界桩偏离界线",
    "numbering": "界桩编号（缺号/重号/不合规则）",
    "version_diff": "两版本差异",
}


@dataclass
class Issue:
    check: str  # a key of CHECK_LABELS
    subject: str
    message: str
    value_m: float | None = None
    geom_m: BaseGeometry | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "check_label": CHECK_LABELS[self.check],
            "subject": self.subject,
            "message": self.message,
            "value_m": None if self.value_m is None else round(self.value_m, 3),
        }


def _wider_than(geom, tol_m: float) -> bool:
    return not geom.is_empty and not geom.buffer(-tol_m / 2).is_empty


def check_tiling(
    parent_code: str, parent_m, children_m: dict[str, BaseGeometry], *, tol_m: float
) -> list[Issue]:
    """Return gaps (parent not covered) and overlaps (children sharing area) wider than tol_m."""
    issues = []
    union = shapely.union_all(list(children_m.values()))
    gap = parent_m.difference(union)
    if _wider_than(gap, tol_m):
        issues.append(
            Issue(
                "tiling",
                parent_code,
                f"下级区域未覆盖上级 {parent_code}：空隙 {gap.area / 1e6:.4f} km²",
                gap.area,
                gap,
            )
        )
    outside = union.difference(parent_m)
    if _wider_than(outside, tol_m):
        issues.append(
            Issue(
                "tiling",
                parent_code,
                f"下级区域超出上级 {parent_code}：{outside.area / 1e6:.4f} km²",
                outside.area,
                outside,
            )
        )
    codes = sorted(children_m)
    tree = shapely.STRtree([children_m[c] for c in codes])
    for i, code in enumerate(codes):
        for j in tree.query(children_m[code]):
            if j <= i:
                continue
            overlap = children_m[code].intersection(children_m[codes[j]])
            if _wider_than(overlap, tol_m):
                issues.append(
                    Issue(
                        "tiling",
                        f"{code}/{codes[j]}",
                        f"{code} 与 {codes[j]} 重叠 {overlap.area / 1e6:.4f} km²",
                        overlap.area,
                        overlap,
                    )
                )
    return issues


def check_line_on_edge(line_code: str, line_m, area_a_m, area_b_m, *, tol_m: float) -> list[Issue]:
    """Return issues where the line leaves the two areas' common edge, or misses part of it.

    Two one-way tests, both in metres: the line must run within tol_m of both outlines,
    and the shared edge of the areas must lie within tol_m of the line.
    """
    edge = shared_edge(area_a_m, area_b_m, snap_m=min(1.0, tol_m))
    if edge is None:
        return [Issue("line_edge", line_code, f"界线 {line_code} 的两个区域不相邻", None, line_m)]
    issues = []
    # Only the outlines near the line matter: clipped to its box (grown by the tolerance)
    # before buffering, a township line does not buffer its whole county's outline.
    minx, miny, maxx, maxy = line_m.bounds
    grow = 2 * tol_m
    near = shapely.box(minx - grow, miny - grow, maxx + grow, maxy + grow)
    corridor = (
        area_a_m.boundary.intersection(near)
        .buffer(tol_m)
        .intersection(area_b_m.boundary.intersection(near).buffer(tol_m))
    )
    off = line_m.difference(corridor)
    if off.length > tol_m:
        worst = max(edge.distance(shapely.Point(c)) for c in shapely.get_coordinates(off))
        issues.append(
            Issue(
                "line_edge",
                line_code,
                f"界线 {line_code} 有 {off.length:.0f} m 偏离两区域公共边（最远 {worst:.1f} m，容差 {tol_m:g} m）",
                worst,
                off,
            )
        )
    missed = edge.difference(line_m.buffer(tol_m))
    if missed.length > tol_m:
        issues.append(
            Issue(
                "line_edge",
                line_code,
                f"两区域公共边有 {missed.length:.0f} m 没有界线（界线 {line_code}，容差 {tol_m:g} m）",
                missed.length,
                missed,
            )
        )
    return issues


def check_line_follows(
    line_code: str, line_m, reference_m, *, reference_label: str, tol_m: float
) -> list[Issue]:
    """Return an issue where ``line_m`` leaves the line it must follow by more than tol_m.

    A township line between townships of two counties runs on the county line; a line
    with a neighbouring city runs on the city outline. ``reference_m`` is that line.
    """
    off = line_m.difference(reference_m.buffer(tol_m))
    if off.length <= tol_m:
        return []
    worst = max(reference_m.distance(shapely.Point(c)) for c in shapely.get_coordinates(off))
    return [
        Issue(
            "line_follow",
            line_code,
            f"界线 {line_code} 有 {off.length:.0f} m 偏离{reference_label}"
            f"（最远 {worst:.1f} m，容差 {tol_m:g} m）",
            worst,
            off,
        )
    ]


def check_markers_on_line(
    line_code: str, line_m, markers: list[tuple[str, BaseGeometry]], *, tol_m: float
) -> list[Issue]:
    """Return the markers (number, point in metres) farther than tol_m from their line."""
    issues = []
    for number, point in markers:
        d = line_m.distance(point)
        if d > tol_m:
            issues.append(
                Issue(
                    "marker_on_line",
                    number,
                    f"界桩 {number} 距界线 {line_code} {d:.2f} m（容差 {tol_m:g} m）",
                    d,
                    point,
                )
            )
    return issues


def check_numbering(line_code: str, markers: list[tuple[str, int, str]]) -> list[Issue]:
    """Return duplicate numbers, gaps in the sequence and numbers not matching the scheme.

    ``markers`` are (number, sequence, type_code). Paired A/B and triple C/D/E share a
    sequence; Q stands alone.
    """
    issues = []
    counts = Counter(n for n, _, _ in markers)
    for number, c in sorted(counts.items()):
        if c > 1:
            issues.append(Issue("numbering", number, f"界桩编号 {number} 重复 {c} 次"))
    for number, seq, type_code in markers:
        expected = marker_number(line_code, seq, type_code)
        if number != expected:
            issues.append(
                Issue("numbering", number, f"界桩编号 {number} 与规则不符，应为 {expected}")
            )
    by_seq: dict[int, set[str]] = {}
    for _, seq, type_code in markers:
        by_seq.setdefault(seq, set()).add(type_code)
    if by_seq:
        missing = sorted(set(range(1, max(by_seq) + 1)) - set(by_seq))
        if missing:
            shown = ", ".join(f"{s:03d}" for s in missing[:20])
            issues.append(Issue("numbering", line_code, f"界线 {line_code} 界桩序号缺号：{shown}"))
    for seq, types in sorted(by_seq.items()):
        if "Q" in types and len(types) > 1:
            issues.append(
                Issue("numbering", f"{line_code}{seq:03d}", f"序号 {seq:03d} 同时有单立和多立界桩")
            )
        elif types & {"A", "B"} and types != {"A", "B"}:
            issues.append(
                Issue(
                    "numbering",
                    f"{line_code}{seq:03d}",
                    f"序号 {seq:03d} 双立界桩不成对（{''.join(sorted(types))}）",
                )
            )
        elif types & {"C", "D", "E"} and types != {"C", "D", "E"}:
            issues.append(
                Issue(
                    "numbering",
                    f"{line_code}{seq:03d}",
                    f"序号 {seq:03d} 三立界桩不全（{''.join(sorted(types))}）",
                )
            )
    return issues


def compare_versions(
    a_m: dict[str, BaseGeometry],
    b_m: dict[str, BaseGeometry],
    *,
    names: dict[str, str],
    tol_m: float,
) -> list[Issue]:
    """Return, per area, where two versions differ by more than tol_m (area and distance)."""
    issues = []
    for code in sorted(set(a_m) | set(b_m)):
        label = f"{names.get(code, code)}（{code}）"
        if code not in a_m or code not in b_m:
            issues.append(Issue("version_diff", code, f"{label} 只在一个版本中"))
            continue
        ga, gb = a_m[code], b_m[code]
        diff = ga.symmetric_difference(gb)
        if not _wider_than(diff, tol_m):
            continue
        # Simplified outlines keep the (quadratic) Hausdorff computation fast; the result is
        # within tol_m / 4 of the exact value, well inside what the check reports.
        hausdorff = ga.boundary.simplify(tol_m / 4).hausdorff_distance(
            gb.boundary.simplify(tol_m / 4)
        )
        iou = ga.intersection(gb).area / ga.union(gb).area
        issues.append(
            Issue(
                "version_diff",
                code,
                f"{label} 两版本差异面积 {diff.area / 1e6:.3f} km²，边界最大偏差 {hausdorff:.0f} m，"
                f"两版本面积重合度 {iou * 100:.1f}%",
                hausdorff,
                diff,
            )
        )
    return issues


def line_part_count(line_m) -> int:
    return len(as_multilinestring(line_m).geoms)
