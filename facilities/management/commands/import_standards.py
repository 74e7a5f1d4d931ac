"""manage.py import_standards FILE.xlsx [--dry-run]: programmes' standards and facility kinds."""

from __future__ import annotations

from facilities.services.standards_io import standards_import
from gis_portal.importing.commands import ImportCommand


class Command(ImportCommand):
    help = "导入规划标准（工作表“服务项目与标准”“设施类型”，以导出的标准表为模板）"
    user_help = None

    def import_file(self, file, *, account, opts):
        return standards_import(path=file, dry_run=opts["dry_run"])
