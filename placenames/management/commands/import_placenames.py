"""Import a census archive file (xlsx, csv, shapefile zip, gpkg) into the place-name archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from placenames.importers.service import placenames_import


class Command(BaseCommand):
    help = "导入地名普查档案（xlsx / csv / shp 压缩包 / gpkg）；任一行有误则全部不写入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument(
            "--accept-valid-rows",
            action="store_true",
            help="有错误行时仍导入其余正确的行（错误行列在报告中，退出码仍非零）",
        )

    def handle(self, *args, file: Path, dry_run: bool, accept_valid_rows: bool, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            report = placenames_import(
                path=file, dry_run=dry_run, accept_valid_rows=accept_valid_rows
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if report.ignored_columns:
            self.stdout.write("未识别的列（已忽略）：" + "、".join(report.ignored_columns))
        for c in report.conversions.values():
            self.stdout.write(
                f"北京 1954 坐标（{c['source_crs']}）{c['rows']} 行，已用批准的转换参数集"
                f"「{c['parameter_set']}」（编号 {c['parameter_set_id']}）转换为 CGCS2000"
            )
        verb = "将" if dry_run else "已"
        if report.errors and not accept_valid_rows:
            outcome = "未写入任何记录（有错误行；修正后重试，或使用 --accept-valid-rows）"
        else:
            outcome = f"{verb}新增 {report.created} 条，{verb}更新 {report.updated} 条"
        self.stdout.write(
            f"{report.file_name}（{report.format}）：共 {report.rows} 行，"
            f"正确 {report.valid} 行，错误 {report.refused_rows} 行；{outcome}"
            + ("（试运行）" if dry_run else "")
        )
        if report.errors:
            raise CommandError(f"{report.refused_rows} 行被拒绝")
