"""What the import commands share: the file and the account checked before, the common
arguments, and the report's notes written after."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from gis_portal.importing.report import ImportReport


def import_file_checked(file: Path) -> Path:
    """Return ``file``; a path that is not a file stops the command naming it."""
    if not file.is_file():
        raise CommandError(f"找不到文件 {file}")
    return file


def import_account(username: str | None) -> User | None:
    """Return the active account ``--user`` names (None: the server operator's system import)."""
    if not username:
        return None
    account = User.objects.filter(username=username, is_active=True).first()
    if account is None:
        raise CommandError(f"用户 {username} 不存在或已停用")
    return account


def all_or_none_arguments(parser) -> None:
    """Add --dry-run and --accept-valid-rows, as every all-or-none import has them."""
    parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    parser.add_argument(
        "--accept-valid-rows",
        action="store_true",
        help="有错误行时仍导入其余正确的行（错误行列在报告中，退出码仍非零）",
    )


def report_notes_write(command: BaseCommand, report: ImportReport) -> None:
    """Write an import report's row errors (stderr), ignored columns and datum conversions."""
    for error in report.errors:
        command.stderr.write(str(error))
    unlisted = len(report.unlisted_error_lines)
    if unlisted:
        command.stderr.write(f"另有 {unlisted} 行有错误（未逐条列出）")
    if report.ignored_columns:
        command.stdout.write("未识别的列（已忽略）：" + "、".join(report.ignored_columns))
    for c in report.conversions.values():
        command.stdout.write(
            f"北京 1954 坐标（{c['source_crs']}）{c['rows']} 行，已用批准的转换参数集"
            f"「{c['parameter_set']}」（编号 {c['parameter_set_id']}）转换为 CGCS2000"
        )
