"""What the import commands share: ``ImportCommand`` (the file and the account checked
before, the common arguments, a refusal with its row errors), and the report's notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
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


def accept_valid_rows_argument(parser) -> None:
    """Add --accept-valid-rows, as the imports that may keep the good rows have it."""
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


def refusal_text(exc: DomainError) -> str:
    """A refused file as the command says it: the reason, then each row error on a line
    (``errors`` in the details: texts, or rows with their sheet, line and column)."""
    lines = [exc.message]
    for error in exc.details.get("errors", []):
        if isinstance(error, dict):
            sheet = f"{error['sheet']} " if error.get("sheet") else ""
            lines.append(f"{sheet}第 {error['line']} 行 [{error['column']}]：{error['reason']}")
        else:
            lines.append(str(error))
    return "\n".join(lines)


class ImportCommand(BaseCommand):
    """An import command: FILE, checked before anything runs; --dry-run; --user where the
    import has an importer whose role and editing scope apply (``user_help``; None: the
    server operator's load). A refused file stops the command with ``refusal_text``.

    A command gives ``import_file`` (the service call) and, unless the report is printed as
    JSON, ``report_write``; it adds its own arguments in ``add_arguments`` (positional ones
    such as the layer before calling this one's, so that FILE follows them)."""

    user_help: str | None = "导入人的用户名：其角色与编辑范围适用"
    dry_run_help = "只校验并报告，不写入"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)
        if self.user_help:
            parser.add_argument("--user", help=self.user_help)

    def handle(self, *args, file: Path, user: str | None = None, **opts) -> None:
        import_file_checked(file)
        account = import_account(user)
        try:
            report = self.import_file(file, account=account, opts=opts)
        except DomainError as exc:
            raise CommandError(refusal_text(exc)) from None
        self.report_write(report, opts=opts)

    def import_file(self, file: Path, *, account: User | None, opts: dict[str, Any]) -> Any:
        raise NotImplementedError

    def report_write(self, report: Any, *, opts: dict[str, Any]) -> None:
        """Print the report as JSON (the plan's tables: what a script reads back)."""
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
