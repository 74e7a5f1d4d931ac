"""manage.py export_facilities OUT.(gpkg|geojson|csv|xlsx) [--programme SLUG]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.facilities import EXPORT_FORMATS, facilities_export


class Command(BaseCommand):
    help = "导出民政设施（GeoPackage / GeoJSON / CSV / Excel，CGCS2000 经纬度；列名即导入列名）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--programme", default="")

    def handle(self, *args, **opts):
        fmt = opts["path"].suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            raise CommandError(f"输出文件应为 {'、'.join('.' + f for f in EXPORT_FORMATS)}")
        count = facilities_export(fmt=fmt, path=opts["path"], programme=opts["programme"])
        self.stdout.write(f"已导出 {count} 处设施到 {opts['path']}")
