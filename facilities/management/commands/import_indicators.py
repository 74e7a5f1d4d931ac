"""manage.py import_indicators FILE [--dry-run]: yearly indicator figures per county."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.indicators import indicator_file_import
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "导入年度指标（列：指标、县（区）、年份、数值（%）、备注；xlsx 或 csv）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        path = opts["path"]
        try:
            report = indicator_file_import(
                path=path, user=None, file_name=path.name, dry_run=opts["dry_run"]
            )
        except DomainError as exc:
            errors = "\n".join(
                f"第 {e['line']} 行 [{e['column']}]：{e['reason']}"
                for e in exc.details.get("errors", [])
            )
            raise CommandError(f"{exc.message}\n{errors}".strip()) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))
