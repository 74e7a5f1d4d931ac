"""manage.py export_boundaries areas|lines|markers OUT.(gpkg|geojson|csv)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boundaries.services.bulk import EXPORT_FORMATS, LAYERS, boundaries_export
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = "导出行政区域、界线或界桩（GeoPackage / GeoJSON / CSV，CGCS2000 经纬度；列名即导入列名）"

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(LAYERS))
        parser.add_argument("path", type=Path)

    def handle(self, *args, layer, path: Path, **_):
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            raise CommandError(f"输出文件应为 {'、'.join('.' + f for f in EXPORT_FORMATS)}")
        try:
            count = boundaries_export(layer=layer, fmt=fmt, path=path)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已导出 {count} 条{LAYERS[layer]}到 {path}")
