"""Export a catalogue layer to a file (the API's export, run on the server)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.catalogue.registry import CATALOGUE
from gis_portal.error_types import InvalidParameter
from gis_portal.exports.formats import CRS_CHOICES, CSV_GEOMETRY, ENCODINGS, FORMATS
from gis_portal.exports.services import export_plan, export_write

SUFFIX_FORMATS = {
    ".gpkg": "gpkg",
    ".zip": "shp",
    ".csv": "csv",
    ".geojson": "geojson",
    ".dxf": "dxf",
}


class Command(BaseCommand):
    help = (
        "导出目录中的一个图层：gpkg / shp（zip）/ csv / geojson / dxf，"
        "坐标系 EPSG:4490、CRS84、EPSG:4552、EPSG:4553；默认含仅工作人员可见的字段"
    )

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(CATALOGUE), help="图层键，如 door-plates")
        parser.add_argument("file", type=Path, help="输出文件（扩展名定格式，或用 --format）")
        parser.add_argument("--format", choices=sorted(FORMATS), help="默认按扩展名")
        parser.add_argument("--crs", choices=CRS_CHOICES, help="默认 EPSG:4490（DXF 为 EPSG:4552）")
        parser.add_argument("--bbox", help="minX,minY,maxX,maxY，按所选坐标系")
        parser.add_argument("--county", help="县（区）区划代码")
        parser.add_argument("--encoding", choices=sorted(ENCODINGS), help="Shapefile 编码")
        parser.add_argument("--geometry", choices=sorted(CSV_GEOMETRY), help="CSV 几何列")
        parser.add_argument("--public", action="store_true", help="只导出公众可见的字段")

    def handle(self, *args, layer, file: Path, **opts):
        fmt = opts["format"] or SUFFIX_FORMATS.get(file.suffix.lower())
        if fmt is None:
            raise CommandError(f"请用 {'、'.join(SUFFIX_FORMATS)} 扩展名，或指定 --format")
        if file.exists():
            raise CommandError(f"文件 {file} 已存在，不覆盖")
        entry = CATALOGUE[layer]
        if opts["public"] and not entry.is_public:
            raise CommandError(f"图层“{entry.label}”不对公众开放")
        try:
            plan = export_plan(
                entry,
                staff=not opts["public"],
                fmt=fmt,
                crs=opts["crs"],
                bbox=opts["bbox"],
                county=opts["county"],
                encoding=opts["encoding"],
                geometry=opts["geometry"],
            )
            count = export_write(plan, file)
        except InvalidParameter as refused:
            file.unlink(missing_ok=True)
            raise CommandError(refused.message) from None
        self.stdout.write(f"已导出“{entry.label}” {count} 条（{plan.crs.key}）到 {file}")
