"""manage.py convert_boundaries --parameters ID [--dry-run]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from boundaries.reports import conversion_report_text
from boundaries.services.conversion import boundaries_convert
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "用已审批的转换参数集把仍为北京54坐标的界线和界桩一次性转换为 CGCS2000（保留原始坐标）。"

    def add_arguments(self, parser):
        parser.add_argument("--parameters", type=int, required=True, help="转换参数集 ID")
        parser.add_argument("--dry-run", action="store_true", help="只计算报告，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出报告")

    def handle(self, *args, parameters: int, dry_run: bool, **options):
        try:
            report = boundaries_convert(
                parameter_set_id=parameters, dry_run=dry_run, run_by="manage.py convert_boundaries"
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(conversion_report_text(report))
