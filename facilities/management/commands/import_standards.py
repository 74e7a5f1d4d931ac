"""manage.py import_standards FILE.xlsx [--dry-run]: programmes' standards and facility kinds."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.standards_io import standards_import
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "导入规划标准（工作表“服务项目与标准”“设施类型”，以导出的标准表为模板）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        try:
            report = standards_import(path=opts["path"], dry_run=opts["dry_run"])
        except DomainError as exc:
            errors = "\n".join(
                f"{e['sheet']} 第 {e['line']} 行 [{e['column']}]：{e['reason']}"
                for e in exc.details.get("errors", [])
            )
            raise CommandError(f"{exc.message}\n{errors}".strip()) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))
