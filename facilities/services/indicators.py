"""Yearly indicator figures: entered one at a time (form, API) or imported from Excel.

One path for both: parse and check every row against the indicators, the counties, the
plan periods and the figures already entered (no write), then write all rows in one
transaction under a history context naming the user and the path. Any problem refuses the
whole batch, each problem naming its row and column; nothing is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from boundaries.models import AdministrativeArea, AreaLevel
from facilities.errors import IndicatorRejected
from facilities.models import Indicator, IndicatorValue, PlanPeriod
from gis_portal.history import history_context
from gis_portal.importing.readers import read_text_lines
from gis_portal.importing.report import RowError

# Column → (label, accepted headings).
COLUMNS = {
    "indicator": ("指标", ("指标", "indicator")),
    "county": ("县（区）", ("县（区）", "县(区)", "县区", "county")),
    "year": ("年份", ("年份", "year")),
    "value_percent": ("数值（%）", ("数值（%）", "数值(%)", "数值", "value_percent")),
    "note": ("备注", ("备注", "note")),
}
REQUIRED = ("indicator", "county", "year", "value_percent")
MAX_ROWS = 5000


@dataclass(frozen=True)
class IndicatorRow:
    """One figure as given (strings), with the row it came from (1 for a form entry)."""

    line: int
    indicator: str
    county: str
    year: str
    value_percent: str
    note: str = ""


@dataclass(frozen=True)
class _Checked:
    line: int
    indicator: Indicator
    county: AdministrativeArea
    year: int
    value: Decimal
    note: str


def parse_percent(text: str) -> Decimal:
    """Return a percentage 0–100 with at most two decimals (a trailing % is allowed)."""
    raw = text.strip().removesuffix("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"不是数字：{text[:20]!r}") from None
    if not value.is_finite() or not math.isfinite(float(value)):
        raise ValueError("必须是有限数值")
    if value < 0 or value > 100:
        raise ValueError(f"{raw} 超出 0–100% 的范围（比例按百分数填写，如 92.5）")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{raw} 最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def parse_year(text: str, periods: list[PlanPeriod]) -> int:
    raw = text.strip().removesuffix("年").strip()
    if raw.endswith(".0"):  # Excel number cells read as "2024.0"
        raw = raw[:-2]
    if not raw.isdigit() or len(raw) != 4:
        raise ValueError(f"应为四位年份，收到 {text[:20]!r}")
    year = int(raw)
    if not any(p.first_year <= year <= p.last_year for p in periods):
        known = "、".join(f"{p.name} {p.first_year}–{p.last_year}" for p in periods)
        raise ValueError(f"{year} 年不在任何规划期内（{known or '尚未设规划期'}）")
    return year


def _lookups() -> tuple[dict, dict, list[PlanPeriod]]:
    indicators: dict[str, Indicator] = {}
    for i in Indicator.objects.all():
        indicators[i.slug] = indicators[i.name] = i
    counties: dict[str, AdministrativeArea] = {}
    for a in AdministrativeArea.objects.filter(level=AreaLevel.COUNTY, valid_to__isnull=True):
        counties[a.code] = counties[a.name] = a
    return indicators, counties, list(PlanPeriod.objects.all())


def indicator_rows_check(rows: list[IndicatorRow]) -> tuple[list[_Checked], list[RowError]]:
    """Return the checked rows and every problem (row and column named); no write."""
    indicators, counties, periods = _lookups()
    errors: list[RowError] = []
    checked: list[_Checked] = []
    seen: dict[tuple[int, int, int], int] = {}
    for row in rows:
        labels = {k: COLUMNS[k][0] for k in COLUMNS}
        problems = [
            RowError(row.line, labels[k], "是公式：不执行公式，请改为文字或数值后再导入")
            for k in COLUMNS
            if getattr(row, k).startswith("=")
        ]
        if problems:
            errors += problems
            continue
        values: dict[str, object] = {}
        for key in REQUIRED:
            if not getattr(row, key).strip():
                problems.append(RowError(row.line, labels[key], "必填项为空"))
        indicator = indicators.get(row.indicator.strip())
        if row.indicator.strip() and indicator is None:
            problems.append(
                RowError(row.line, labels["indicator"], f"未知指标 {row.indicator[:30]!r}")
            )
        county = counties.get(row.county.strip())
        if row.county.strip() and county is None:
            problems.append(
                RowError(
                    row.line, labels["county"], f"未知县（区） {row.county[:30]!r}（填名称或代码）"
                )
            )
        for key, parse in (
            ("year", lambda t: parse_year(t, periods)),
            ("value_percent", parse_percent),
        ):
            if getattr(row, key).strip():
                try:
                    values[key] = parse(getattr(row, key))
                except ValueError as exc:
                    problems.append(RowError(row.line, labels[key], str(exc)))
        if len(row.note) > 200:
            problems.append(RowError(row.line, labels["note"], "不能超过 200 个字符"))
        if problems or indicator is None or county is None:
            errors += problems
            continue
        year = int(values["year"])  # type: ignore[call-overload]
        key3 = (indicator.pk, county.pk, year)
        if key3 in seen:
            errors.append(
                RowError(
                    row.line,
                    labels["year"],
                    f"与第 {seen[key3]} 行重复（同一指标、县（区）、年份）",
                )
            )
            continue
        seen[key3] = row.line
        checked.append(
            _Checked(row.line, indicator, county, year, values["value_percent"], row.note.strip())  # type: ignore[arg-type]
        )
    errors += _already_entered(checked)
    return checked, errors


def _already_entered(checked: list[_Checked]) -> list[RowError]:
    if not checked:
        return []
    existing = {
        (v.indicator_id, v.county_id, v.year): v
        for v in IndicatorValue.objects.filter(
            indicator__in={c.indicator.pk for c in checked},
            county__in={c.county.pk for c in checked},
            year__in={c.year for c in checked},
        ).select_related("entered_by")
    }
    out = []
    for c in checked:
        old = existing.get((c.indicator.pk, c.county.pk, c.year))
        if old is not None:
            who = old.entered_by.get_username() if old.entered_by else "（未记录）"
            when = timezone.localtime(old.entered_at).strftime("%Y-%m-%d %H:%M")
            out.append(
                RowError(
                    c.line,
                    COLUMNS["year"][0],
                    f"{c.county.name} {c.year} 年的{c.indicator.name}已填报（{old.value_percent}%，"
                    f"{who}，{when}）：重复的年度数据不写入，更正请在后台修改该条记录",
                )
            )
    return out


def indicator_values_enter(
    *, rows: list[IndicatorRow], user, source: str, dry_run: bool = False, is_demo: bool = False
) -> dict:
    """Check then write every row, all or nothing; raise IndicatorRejected naming each problem."""
    if not rows:
        raise IndicatorRejected("没有可导入的数据行", errors=[])
    if len(rows) > MAX_ROWS:
        raise IndicatorRejected(f"一次最多导入 {MAX_ROWS} 行，收到 {len(rows)} 行", errors=[])
    checked, errors = indicator_rows_check(rows)
    if errors:
        raise IndicatorRejected(
            f"{len(errors)} 处问题，未写入任何数据：" + "；".join(str(e) for e in errors[:5]),
            errors=[{"line": e.line, "column": e.column, "reason": e.reason} for e in errors],
        )
    ids: list[int] = []
    if not dry_run:
        now = timezone.now()
        with (
            transaction.atomic(),
            history_context(user=user, comment="填报年度指标", source=source),
        ):
            created = IndicatorValue.objects.bulk_create(
                IndicatorValue(
                    indicator=c.indicator,
                    county=c.county,
                    year=c.year,
                    value_percent=c.value,
                    note=c.note,
                    entered_by=user if user and user.is_authenticated else None,
                    entered_at=now,
                    source=source[:200],
                    is_demo=is_demo,
                )
                for c in checked
            )
        ids = [v.pk for v in created]
    return {"rows": len(checked), "written": len(ids), "dry_run": dry_run, "ids": ids}


def indicator_file_rows(path: Path) -> list[IndicatorRow]:
    """Return the rows of an indicator table (.xlsx or .csv); refuse missing columns."""
    try:
        lines = read_text_lines(path)
    except ValueError as exc:  # FileRefused: a Chinese message naming the problem
        raise IndicatorRejected(str(exc), errors=[]) from None
    if not lines:
        raise IndicatorRejected(
            "文件没有数据行（第 1 行为表头：指标、县（区）、年份、数值（%）、备注）", errors=[]
        )
    headers = set(lines[0][1])
    found = {}
    for key, (label, names) in COLUMNS.items():
        found[key] = next((h for h in names if h in headers), None)
        if found[key] is None and key in REQUIRED:
            raise IndicatorRejected(
                f"缺少列“{label}”（第 1 行为表头：指标、县（区）、年份、数值（%）、备注）",
                errors=[{"line": 1, "column": label, "reason": "缺少此列"}],
            )
    return [
        IndicatorRow(
            line=line,
            **{k: str(row.get(h, "") or "") if h else "" for k, h in found.items()},
        )
        for line, row in lines
    ]


def indicator_file_import(*, path: Path, user, file_name: str, dry_run: bool = False) -> dict:
    """Import an indicator table: every row checked first, then all written or none."""
    rows = indicator_file_rows(path)
    return indicator_values_enter(
        rows=rows, user=user, source=f"导入：{file_name}"[:200], dry_run=dry_run
    )
