"""manage.py import_facilities FILE [--crs …] [--user NAME] [--dry-run]."""

from __future__ import annotations

from facilities.services.facilities import facilities_import
from gis_portal.importing.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "导入民政设施（xlsx / csv / shp 压缩包 / gpkg；任一行有误则全部不写入；"
        "GCJ-02/BD-09、有已批准参数集的北京54 坐标自动换算为 CGCS2000）"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--crs",
            default="EPSG:4490",
            help="表格的坐标系（行内“坐标系”列优先）：EPSG:4490、EPSG:4326、GCJ-02、BD-09、北京54",
        )

    def import_file(self, file, *, account, opts):
        report = facilities_import(
            path=file, declared_crs=opts["crs"], dry_run=opts["dry_run"], user=account
        )
        return report.as_dict()
