"""Import door plates, streets or signs (xlsx / csv / shp zip / gpkg); all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from gis_portal.importing.commands import import_account, import_file_checked
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
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument(
            "--accept-valid-rows",
            action="store_true",
            help="有错误行时仍导入其余正确的行（错误行列在报告中，退出码仍非零）",
        )
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
        for error in report.errors:
            self.stderr.write(str(error))
        unlisted = len(report.unlisted_error_lines)
        if unlisted:
            self.stderr.write(f"另有 {unlisted} 行有错误（未逐条列出）")
        if report.ignored_columns:
            self.stdout.write("未识别的列（已忽略）：" + "、".join(report.ignored_columns))
        for c in report.conversions.values():
            self.stdout.write(
                f"北京 1954 坐标（{c['source_crs']}）{c['rows']} 行，已用批准的转换参数集"
                f"「{c['parameter_set']}」（编号 {c['parameter_set_id']}）转换为 CGCS2000"
            )
        self.stdout.write(report.summary() + f"，用时 {report.seconds:.1f} 秒")
        if report.refused_rows:
            raise CommandError(f"{report.refused_rows} 行被拒绝")
