"""manage.py import_indicators FILE [--dry-run]: yearly indicator figures per county."""

from __future__ import annotations

from facilities.services.indicators import indicator_file_import
from gis_portal.importing.commands import ImportCommand


class Command(ImportCommand):
    help = "导入年度指标（列：指标、县（区）、年份、数值（%）、备注；xlsx 或 csv）"
    user_help = None

    def import_file(self, file, *, account, opts):
        return indicator_file_import(
            path=file, user=None, file_name=file.name, dry_run=opts["dry_run"]
        )
