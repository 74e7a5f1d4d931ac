"""Import door plates, streets or signs (xlsx / csv / shp zip / gpkg); all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from gis_portal.importing.commands import (
    all_or_none_arguments,
    import_account,
    import_file_checked,
    report_notes_write,
)
from gis_portal.importing.pipeline import SERVER_FILE_MAX_BYTES, layer_import, operator_name
from placenames.addresses.bulk_io import ADDRESS_LAYERS


class Command(BaseCommand):
    help = (
        "导入门牌（plates）、街路巷（streets）或路牌（signs）：xlsx / csv / shp 压缩包 / gpkg；"
        "任一行有误则全部不写入。--user 指定导入人：按其角色与编辑范围导入"
    )

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(ADDRESS_LAYERS))
        parser.add_argument("file", type=Path)
        all_or_none_arguments(parser)
        parser.add_argument(
            "--user",
            help="导入人的用户名：其角色与编辑范围适用；不指定则为服务器操作员的系统导入",
        )

    def handle(self, *args, layer, file: Path, dry_run, accept_valid_rows, user, **_):
        import_file_checked(file)
        account = import_account(user)
        try:
            report = layer_import(
                spec=ADDRESS_LAYERS[layer],
                path=file,
                user=account,
                operator="" if account else operator_name(),
                dry_run=dry_run,
                accept_valid_rows=accept_valid_rows,
                max_bytes=SERVER_FILE_MAX_BYTES,
                statement_timeout_s=0,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        report_notes_write(self, report)
        self.stdout.write(report.summary() + f"，用时 {report.seconds:.1f} 秒")
        if report.refused_rows:
            raise CommandError(f"{report.refused_rows} 行被拒绝")
