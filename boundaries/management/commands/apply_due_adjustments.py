"""manage.py apply_due_adjustments [--today YYYY-MM-DD] — run daily (cron, after midnight)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from boundaries.models import AdjustmentStatus, DivisionAdjustment
from boundaries.selectors.divisions import adjustments_labelled
from boundaries.services.adjustments import adjustments_apply_due
from gis_portal.editing.errors import InvalidEdit


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today {text[:20]!r} 不是 YYYY-MM-DD 日期") from None


class Command(BaseCommand):
    help = "生效日期已到的已批准区划调整按期生效（每天运行一次；重复运行不会重复生效）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_day, default=None, help="按这一天计（默认今天，Asia/Shanghai）"
        )

    def handle(self, *args, today: dt.date | None, **options):
        today = today or timezone.localdate()
        try:
            applied = adjustments_apply_due(today=today)
        except InvalidEdit as exc:
            raise CommandError(f"区划调整未能生效：{exc.message}") from None
        for adjustment in adjustments_labelled(applied):
            self.stdout.write(f"已生效：{_described(adjustment)}")
        self.stdout.write(f"{today}：{len(applied)} 项区划调整按期生效")
        waiting = adjustments_labelled(
            list(
                DivisionAdjustment.objects.filter(status=AdjustmentStatus.SCHEDULED).order_by(
                    "effective_on", "pk"
                )
            )
        )
        for adjustment in waiting:
            self.stdout.write(f"已批准，待生效：{_described(adjustment)}")


def _described(adjustment: DivisionAdjustment) -> str:
    """Return 合并 黑民函〔2026〕1号（2026-12-10 生效）：东山区（230406）、… → 新区（230410）."""
    return (
        f"{adjustment.get_kind_display()} {adjustment.approval_ref}"
        f"（{adjustment.effective_on} 生效）：{'、'.join(adjustment.ended_labels)}"
        f" → {'、'.join(adjustment.created_labels)}"
    )
