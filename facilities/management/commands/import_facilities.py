"""manage.py import_facilities FILE [--crs GCJ-02|BD-09|EPSG:4490] [--dry-run]."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.registry import facilities_import
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "导入民政设施（CSV/Excel；GCJ-02/BD-09 坐标声明后自动换算为 CGCS2000）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--crs", default="EPSG:4490", choices=["EPSG:4490", "EPSG:4326", "GCJ-02", "BD-09"]
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        try:
            report = facilities_import(
                path=opts["path"], declared_crs=opts["crs"], dry_run=opts["dry_run"]
            )
        except DomainError as exc:
            errors = "\n".join(exc.details.get("errors", []))
            raise CommandError(f"{exc.message}\n{errors}".strip()) from exc
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
