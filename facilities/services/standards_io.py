"""The programmes' standards and the facility kinds as an Excel workbook: export, import.

The export's sheets and headings are the import's: a planner downloads the standards, edits
them in Excel and uploads the file. The import checks every row of both sheets first (no
write), then upserts by code in one transaction; any problem refuses the whole file, each
problem naming sheet, row and column. The plan targets are exported for reading (they are
edited in the admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from facilities.errors import StandardsRejected
from facilities.exporters import as_xlsx
from facilities.models import (
    CapacityUnit,
    DistanceKind,
    FacilityType,
    PlanTarget,
    Programme,
    TargetPopulation,
    UnitRule,
)
from gis_portal.importing.readers import read_xlsx_sheets

PROGRAMME_SHEET = "服务项目与标准"
TYPE_SHEET = "设施类型"
TARGET_SHEET = "规划目标（只读）"

# field, heading, choices (value → label) or None
PROGRAMME_COLUMNS = (
    ("slug", "代码", None),
    ("name", "名称", None),
    ("target_population", "服务对象", dict(TargetPopulation.choices)),
    ("custom_field", "自定义人口字段", None),
    ("service_distance_m", "服务距离（米）", None),
    ("distance_kind", "距离类型", dict(DistanceKind.choices)),
    ("capacity_unit", "容量单位", dict(CapacityUnit.choices)),
    ("capacity_per_1000", "每千名服务对象所需容量", None),
    ("unit_rule", "配置单元规则", dict(UnitRule.choices)),
    ("plan_target", "规划目标", None),
    ("sources", "标准出处", None),
)
TYPE_COLUMNS = (
    ("slug", "代码", None),
    ("name", "名称", None),
    ("programme", "服务项目", None),
    ("floor_area_m2", "建筑面积等级（平方米）", None),
    ("counts_for_unit_rule", "计入配置单元规则", {True: "是", False: "否"}),
    ("sources", "出处", None),
)
YES_NO = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False}


def standards_xlsx() -> bytes:
    """Return the workbook of every programme's standard, kind and plan target."""
    programmes = list(Programme.objects.all())
    types = list(FacilityType.objects.select_related("programme").order_by("programme", "slug"))
    targets = PlanTarget.objects.select_related("programme", "indicator", "period")
    return as_xlsx(
        {
            PROGRAMME_SHEET: (
                [c[1] for c in PROGRAMME_COLUMNS],
                [
                    [
                        (choices or {}).get(getattr(p, f), getattr(p, f))
                        if choices
                        else ("" if getattr(p, f) is None else getattr(p, f))
                        for f, _h, choices in PROGRAMME_COLUMNS
                    ]
                    for p in programmes
                ],
            ),
            TYPE_SHEET: (
                [c[1] for c in TYPE_COLUMNS],
                [
                    [
                        t.slug,
                        t.name,
                        t.programme.slug,
                        t.floor_area_m2 or "",
                        "是" if t.counts_for_unit_rule else "否",
                        t.sources,
                    ]
                    for t in types
                ],
            ),
            TARGET_SHEET: (
                [
                    "代码",
                    "名称",
                    "计量方式",
                    "服务项目",
                    "指标",
                    "目标值",
                    "性质",
                    "规划期",
                    "出处",
                ],
                [
                    [
                        t.key,
                        t.label,
                        t.get_measure_display(),
                        t.programme.name if t.programme else "",
                        t.indicator.name if t.indicator else "",
                        "" if t.goal is None else t.goal,
                        t.get_basis_display(),
                        t.period.name,
                        t.sources,
                    ]
                    for t in targets
                ],
            ),
        }
    )


@dataclass(frozen=True)
class Problem:
    sheet: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet} 第 {self.line} 行 [{self.column}]：{self.reason}"


def _choice(text: str, choices: dict, heading: str) -> str:
    by_label = {label: value for value, label in choices.items()}
    if text in choices:
        return text
    if text in by_label:
        return by_label[text]
    shown = "、".join(label for label in choices.values() if label)
    raise ValueError(f"{heading}应为 {shown} 之一，收到 {text[:30]!r}")


def _positive_int(text: str, heading: str) -> int:
    raw = text.strip().removesuffix(".0")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{heading}应为整数，收到 {text[:20]!r}") from None
    if value <= 0:
        raise ValueError(f"{heading}必须大于 0，收到 {value}")
    return value


def _programme_row(line: int, row: dict, problems: list[Problem]) -> dict | None:
    out: dict = {}
    bad = len(problems)
    for field, heading, choices in PROGRAMME_COLUMNS:
        text = str(row.get(heading, "") or "").strip()
        if text.startswith("="):
            problems.append(Problem(PROGRAMME_SHEET, line, heading, "是公式：请改为文字或数值"))
            continue
        try:
            if field in ("slug", "name", "sources") and not text:
                raise ValueError(
                    "必填项为空"
                    if field != "sources"
                    else "须写明标准出处（规范条文、规划原文或“待定”）"
                )
            if field == "service_distance_m":
                out[field] = _positive_int(text, heading) if text else None
                if out[field] is None:
                    raise ValueError("必填项为空：每个服务项目须有服务距离")
            elif field == "capacity_per_1000":
                out[field] = float(text) if text else None
                if out[field] is not None and not 0 < out[field] < 1e6:
                    raise ValueError(f"{heading}必须大于 0（不设则留空）")
            elif choices is not None:
                out[field] = _choice(text, choices, heading) if text else ""
                if field in ("target_population", "distance_kind") and not out[field]:
                    raise ValueError("必填项为空")
            else:
                out[field] = text
        except ValueError as exc:
            problems.append(Problem(PROGRAMME_SHEET, line, heading, str(exc)))
    if (
        len(problems) == bad
        and out.get("target_population") == "custom"
        and not out["custom_field"]
    ):
        problems.append(
            Problem(PROGRAMME_SHEET, line, "自定义人口字段", "服务对象为“自定义字段”时须填写")
        )
    if len(out.get("name", "")) > 60 or len(out.get("slug", "")) > 40:
        problems.append(
            Problem(PROGRAMME_SHEET, line, "名称", "名称不超过 60 字、代码不超过 40 字")
        )
    return out if len(problems) == bad else None


def _type_row(line: int, row: dict, programmes: set[str], problems: list[Problem]) -> dict | None:
    out: dict = {}
    bad = len(problems)
    for field, heading, _choices in TYPE_COLUMNS:
        text = str(row.get(heading, "") or "").strip()
        if text.startswith("="):
            problems.append(Problem(TYPE_SHEET, line, heading, "是公式：请改为文字或数值"))
            continue
        try:
            if field in ("slug", "name") and not text:
                raise ValueError("必填项为空")
            if field == "programme":
                if not text:
                    raise ValueError("设施类型须属于一个服务项目（标准）：必填项为空")
                if text not in programmes:
                    raise ValueError(
                        f"服务项目 {text[:30]!r} 不存在：设施类型没有对应的服务标准"
                        "（先在“服务项目与标准”表中加入该项目）"
                    )
                out[field] = text
            elif field == "floor_area_m2":
                out[field] = _positive_int(text, heading) if text else None
            elif field == "counts_for_unit_rule":
                if text and text.lower() not in YES_NO:
                    raise ValueError(f"应为 是 或 否，收到 {text[:10]!r}")
                out[field] = YES_NO.get(text.lower(), True) if text else True
            else:
                out[field] = text
        except ValueError as exc:
            problems.append(Problem(TYPE_SHEET, line, heading, str(exc)))
    return out if len(problems) == bad else None


def _duplicates(sheet: str, rows: list[tuple[int, dict]], problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for line, row in rows:
        slug = str(row.get("代码", "") or "").strip()
        if slug and slug in first:
            problems.append(Problem(sheet, line, "代码", f"与第 {first[slug]} 行代码重复"))
        first.setdefault(slug, line)


def standards_import(*, path: Path, dry_run: bool = False) -> dict:
    """Check the workbook, then upsert its programmes and kinds by code (all or nothing)."""
    try:
        sheets = read_xlsx_sheets(path)
    except ValueError as exc:
        raise StandardsRejected(str(exc), errors=[]) from None
    missing = [s for s in (PROGRAMME_SHEET, TYPE_SHEET) if s not in sheets]
    if missing:
        raise StandardsRejected(
            f"缺少工作表“{'”“'.join(missing)}”（请以导出的标准表为模板）", errors=[]
        )
    problems: list[Problem] = []
    for sheet, columns in ((PROGRAMME_SHEET, PROGRAMME_COLUMNS), (TYPE_SHEET, TYPE_COLUMNS)):
        rows = sheets[sheet]
        if rows:
            absent = [h for _f, h, _c in columns if h not in rows[0][1]]
            if absent:
                raise StandardsRejected(
                    f"工作表“{sheet}”缺少列“{'”“'.join(absent)}”",
                    errors=[
                        {"sheet": sheet, "line": 1, "column": h, "reason": "缺少此列"}
                        for h in absent
                    ],
                )
        _duplicates(sheet, rows, problems)
    programmes = [
        p for line, row in sheets[PROGRAMME_SHEET] if (p := _programme_row(line, row, problems))
    ]
    known = set(Programme.objects.values_list("slug", flat=True)) | {p["slug"] for p in programmes}
    types = [t for line, row in sheets[TYPE_SHEET] if (t := _type_row(line, row, known, problems))]
    moved = {t["slug"]: t["programme"] for t in types}
    for ftype in FacilityType.objects.filter(slug__in=moved).select_related("programme"):
        if ftype.programme.slug != moved[ftype.slug] and ftype.facilities.exists():
            line = next(
                ln for ln, r in sheets[TYPE_SHEET] if str(r.get("代码", "")).strip() == ftype.slug
            )
            problems.append(
                Problem(TYPE_SHEET, line, "服务项目",
                        f"类型“{ftype.name}”已有设施登记在“{ftype.programme.name}”下，不能改属其他服务项目")
            )  # fmt: skip
    if problems:
        raise StandardsRejected(
            f"{len(problems)} 处问题，未写入任何数据：" + "；".join(str(p) for p in problems[:5]),
            errors=[p.__dict__ for p in problems],
        )
    report = {"programmes": len(programmes), "types": len(types), "dry_run": dry_run}
    if dry_run:
        return report
    with transaction.atomic():
        for order, p in enumerate(programmes):
            slug = p.pop("slug")
            existing = Programme.objects.filter(slug=slug).first()
            p.setdefault("sort_order", existing.sort_order if existing else 100 + order)
            Programme.objects.update_or_create(slug=slug, defaults=p)
        by_slug = {p.slug: p for p in Programme.objects.all()}
        for t in types:
            slug = t.pop("slug")
            t["programme"] = by_slug[t["programme"]]
            FacilityType.objects.update_or_create(slug=slug, defaults=t)
    return report
