"""manage.py import_facilities FILE [--crs …] [--user NAME] [--dry-run]."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from facilities.services.facilities import facilities_import
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = (
        "导入民政设施（xlsx / csv / shp 压缩包 / gpkg；任一行有误则全部不写入；"
        "GCJ-02/BD-09、有已批准参数集的北京54 坐标自动换算为 CGCS2000）"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--crs",
            default="EPSG:4490",
            help="表格的坐标系（行内“坐标系”列优先）：EPSG:4490、EPSG:4326、GCJ-02、BD-09、北京54",
        )
        parser.add_argument("--user", help="导入人的用户名：其角色与编辑范围适用")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        account = None
        if opts["user"]:
            account = User.objects.filter(username=opts["user"], is_active=True).first()
            if account is None:
                raise CommandError(f"用户 {opts['user']} 不存在或已停用")
        try:
            report = facilities_import(
                path=opts["path"], declared_crs=opts["crs"], dry_run=opts["dry_run"], user=account
            )
        except DomainError as exc:
            errors = "\n".join(exc.details.get("errors", []))
            raise CommandError(f"{exc.message}\n{errors}".strip()) from exc
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
