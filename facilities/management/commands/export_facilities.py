"""manage.py export_facilities OUT.(csv|xlsx) [--programme SLUG]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.exporters import as_csv, as_xlsx, facility_rows
from facilities.models import Facility


class Command(BaseCommand):
    help = "导出民政设施（CGCS2000 经纬度）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--programme")

    def handle(self, *args, **opts):
        qs = Facility.objects.select_related("programme", "facility_type", "county")
        if opts["programme"]:
            qs = qs.filter(programme__slug=opts["programme"])
        header, rows = facility_rows(qs)
        suffix = opts["path"].suffix.lower()
        if suffix == ".csv":
            opts["path"].write_bytes(as_csv(header, rows))
        elif suffix == ".xlsx":
            opts["path"].write_bytes(as_xlsx({"民政设施": (header, rows)}))
        else:
            raise CommandError("输出文件应为 .csv 或 .xlsx")
        self.stdout.write(f"已导出 {len(rows)} 处设施到 {opts['path']}")
