"""Link streets to the place-name archive records of the same name (thin wrapper)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from placenames.addresses.services.streets import streets_link_archive


class Command(BaseCommand):
    help = "按标准名称把街路巷关联到地名档案记录（同名且在同一县区内唯一时）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只报告，不写入")

    def handle(self, *args, **opts):
        report = streets_link_archive(dry_run=opts["dry_run"])
        prefix = "（试运行，未写入）" if opts["dry_run"] else ""
        self.stdout.write(
            f"{prefix}关联 {len(report.linked)} 条；同名多条未关联 {len(report.ambiguous)} 条；"
            f"档案中无此名 {len(report.missing)} 条"
        )
        for name in report.ambiguous:
            self.stdout.write(f"  同名多条：{name}")
