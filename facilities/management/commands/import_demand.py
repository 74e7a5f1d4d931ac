"""manage.py import_demand FILE [--dry-run]: demand units by point or division code."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.demand import demand_import
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "导入需求单元（code,population,age_… 与 lon,lat 或 division_code；CSV/Excel）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        try:
            report = demand_import(path=opts["path"], dry_run=opts["dry_run"])
        except DomainError as exc:
            errors = "\n".join(exc.details.get("errors", []))
            raise CommandError(f"{exc.message}\n{errors}".strip()) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))
