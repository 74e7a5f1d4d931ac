"""manage.py import_demand FILE [--dry-run]: demand units by point or division code."""

from __future__ import annotations

from facilities.services.demand import demand_import
from gis_portal.importing.commands import ImportCommand


class Command(ImportCommand):
    help = "导入需求单元（code,population,age_… 与 lon,lat 或 division_code；CSV/Excel）"
    user_help = None

    def import_file(self, file, *, account, opts):
        return demand_import(path=file, dry_run=opts["dry_run"])
