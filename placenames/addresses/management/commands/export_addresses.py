"""Export door plates, streets or signs as CSV, GeoJSON or GeoPackage (streamed)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.importing.export import FORMATS, SUFFIXES, export_file
from placenames.addresses.bulk_io import ADDRESS_LAYERS


class Command(BaseCommand):
    help = "导出门牌（plates）、街路巷（streets）或路牌（signs）：csv / geojson / gpkg，可再导入"

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(ADDRESS_LAYERS))
        parser.add_argument("file", type=Path, help="输出文件（.csv / .geojson / .gpkg）")
        parser.add_argument("--format", choices=sorted(FORMATS), help="默认按扩展名")

    def handle(self, *args, layer, file: Path, format, **_):
        fmt = format or {v: k for k, v in SUFFIXES.items()}.get(file.suffix.lower())
        if fmt is None:
            raise CommandError("请用 .csv、.geojson 或 .gpkg 扩展名，或指定 --format")
        if file.exists():
            raise CommandError(f"文件 {file} 已存在，不覆盖")
        spec = ADDRESS_LAYERS[layer]
        count = export_file(spec.export_query(), fmt=fmt, path=file)
        self.stdout.write(f"已导出{spec.label} {count} 条到 {file}")
