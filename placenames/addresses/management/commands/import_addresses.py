"""Import door plates, streets or signs (xlsx / csv / shp zip / gpkg); all rows or none."""

from django.core.management.base import CommandError

from gis_portal.importing.commands import (
    ImportCommand,
    accept_valid_rows_argument,
    report_notes_write,
)
from gis_portal.importing.pipeline import SERVER_FILE_MAX_BYTES, layer_import, operator_name
from placenames.addresses.bulk_io import ADDRESS_LAYERS


class Command(ImportCommand):
    help = (
        "导入门牌（plates）、街路巷（streets）或路牌（signs）：xlsx / csv / shp 压缩包 / gpkg；"
        "任一行有误则全部不写入。--user 指定导入人：按其角色与编辑范围导入"
    )
    user_help = "导入人的用户名：其角色与编辑范围适用；不指定则为服务器操作员的系统导入"

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(ADDRESS_LAYERS))
        super().add_arguments(parser)
        accept_valid_rows_argument(parser)

    def import_file(self, file, *, account, opts):
        return layer_import(
            spec=ADDRESS_LAYERS[opts["layer"]],
            path=file,
            user=account,
            operator="" if account else operator_name(),
            dry_run=opts["dry_run"],
            accept_valid_rows=opts["accept_valid_rows"],
            max_bytes=SERVER_FILE_MAX_BYTES,
            statement_timeout_s=0,
        )

    def report_write(self, report, *, opts):
        report_notes_write(self, report)
        self.stdout.write(report.summary() + f"，用时 {report.seconds:.1f} 秒")
        if report.refused_rows:
            raise CommandError(f"{report.refused_rows} 行被拒绝")
