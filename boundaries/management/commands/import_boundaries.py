"""manage.py import_boundaries areas|lines|markers FILE [--crs] [--user] [--initial-load] [--dry-run]."""

from __future__ import annotations

from django.core.management.base import CommandError

from boundaries.services.bulk import LAYERS, boundaries_import
from gis_portal.importing.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "批量导入行政区域、界线或界桩（xlsx / csv / shp 压缩包 / gpkg）；任一行有误则全部不写入。"
        "界线管理员导入的界线、界桩提交变更申请（每个文件一批），系统管理员 --initial-load 直接写入"
    )

    dry_run_help = "只校验并报告，不写入、不提交"

    def add_arguments(self, parser):
        parser.add_argument("layer", choices=sorted(LAYERS))
        super().add_arguments(parser)
        parser.add_argument(
            "--crs",
            default="",
            help="表格不含坐标系列时的坐标系（EPSG 代码、CGCS2000、WGS84、GCJ-02、BD-09、北京54）",
        )
        parser.add_argument(
            "--initial-load",
            action="store_true",
            help="初始导入：界线、界桩直接写入，不经变更审批（系统管理员，或不指定 --user 的服务器操作员）",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出报告")

    def import_file(self, file, *, account, opts):
        return boundaries_import(
            layer=opts["layer"],
            path=file,
            user=account,
            initial_load=opts["initial_load"],
            declared_crs=opts["crs"],
            dry_run=opts["dry_run"],
        )

    def report_write(self, report, *, opts):
        if opts["json"]:
            super().report_write(report, opts=opts)
        else:
            for error in report["errors"]:
                self.stderr.write(f"第 {error['line']} 行 [{error['column']}]：{error['reason']}")
            for c in report["conversions"]:
                self.stdout.write(
                    f"北京 1954 坐标（{c['source_crs']}）{c['rows']} 行，已用批准的转换参数集"
                    f"「{c['parameter_set']}」（编号 {c['parameter_set_id']}）转换为 CGCS2000"
                )
            for r in report["requests"]:
                number = f"，编号 #{r['request_id']}" if r["request_id"] else ""
                self.stdout.write(
                    f"第 {r['line']} 行「{r['target']}」：{r['kind_display']}（{r['action_display']}）{number}"
                )
            self.stdout.write(report["summary"])
        if report["refused"]:
            raise CommandError("导入被拒绝：有错误行，未写入任何数据")
