"""Install a table of published romanisations (code,name,romanization,source), all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placenames.romanize_tables import RomanizationTableError, published_install


class Command(BaseCommand):
    help = "导入标准罗马字母拼写表（任一行代码有误则整表拒绝并指出该行）"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file, dry_run, **options):
        try:
            count = published_install(file.read_text(encoding="utf-8"), dry_run=dry_run)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from None
        except RomanizationTableError as exc:
            raise CommandError(f"整表未导入：{exc}") from None
        verb = "校验通过（未写入）" if dry_run else "已导入"
        self.stdout.write(f"{verb}：{count} 行标准拼写")
