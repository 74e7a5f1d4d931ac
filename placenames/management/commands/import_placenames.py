"""Import a census archive file (xlsx, csv, shapefile zip, gpkg) into the place-name archive."""

from django.core.management.base import CommandError

from gis_portal.importing.commands import (
    ImportCommand,
    accept_valid_rows_argument,
    report_notes_write,
)
from gis_portal.importing.pipeline import operator_name
from placenames.importers.service import placenames_import


class Command(ImportCommand):
    help = (
        "导入地名普查档案（xlsx / csv / shp 压缩包 / gpkg）；任一行有误则全部不写入。"
        "--user 指定导入人：按其编辑范围导入，新地名、更名、销名提交审批申请"
    )
    user_help = (
        "导入人的用户名：其角色与编辑范围适用，命名、更名、销名提交变更申请；"
        "不指定则为服务器操作员的系统导入（全部直接写入，历史记录操作员的系统账户）"
    )

    dry_run_help = "只校验并报告，不写入、不提交"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        accept_valid_rows_argument(parser)
        parser.add_argument(
            "--archive-load",
            action="store_true",
            help="与 --user（系统管理员）同用：直接登记普查档案，不经命名、更名、销名审批",
        )

    def import_file(self, file, *, account, opts):
        if opts["archive_load"] and account is None:
            raise CommandError("--archive-load 须与 --user（系统管理员）同用")
        return placenames_import(
            path=file,
            user=account,
            archive_load=opts["archive_load"],
            operator="" if account else operator_name(),
            dry_run=opts["dry_run"],
            accept_valid_rows=opts["accept_valid_rows"],
        )

    def report_write(self, report, *, opts):
        report_notes_write(self, report)
        dry_run, accept_valid_rows = opts["dry_run"], opts["accept_valid_rows"]
        verb = "将" if dry_run else "已"
        for r in report.requests:
            number = f"，编号 #{r.request_id}" if r.request_id else ""
            self.stdout.write(
                f"第 {r.line} 行「{r.standard_name}」：{verb}提交"
                f"{r.as_dict()['label']}{number}（待审批，未写入档案）"
            )
        if report.errors and not accept_valid_rows:
            outcome = "未写入任何记录（有错误行；修正后重试，或使用 --accept-valid-rows）"
        else:
            outcome = f"{verb}新增 {report.created} 条，{verb}更新 {report.updated} 条"
            if report.requests:
                outcome += f"，{verb}提交审批申请 {len(report.requests)} 项"
        self.stdout.write(
            f"{report.file_name}（{report.format}）：导入人 {report.imported_by}，"
            f"范围 {report.scope}{'（直接登记档案）' if report.archive_load else ''}；"
            f"共 {report.rows} 行，正确 {report.valid} 行，错误 {report.refused_rows} 行；"
            f"{outcome}" + ("（试运行）" if dry_run else "")
        )
        if report.errors:
            raise CommandError(f"{report.refused_rows} 行被拒绝")
