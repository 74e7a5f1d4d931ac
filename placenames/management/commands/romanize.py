"""Print the romanised form of place names: one line per name, name TAB pinyin."""

from django.core.management.base import BaseCommand, CommandError

from placenames.romanize import romanize


class Command(BaseCommand):
    help = "按 1984 年汉语地名罗马字母拼写规则拼写地名（每行：名称<TAB>拼写）"

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="+", metavar="NAME")
        parser.add_argument(
            "--flag", action="store_true", help="needs_check 时在第三列输出 需人工核对"
        )

    def handle(self, *args, names, flag, **options):
        failed = []
        for name in names:
            try:
                result = romanize(name)
            except ValueError as exc:
                failed.append(f"{name!r}: {exc}")
                continue
            line = f"{result.name}\t{result.pinyin}"
            if flag and result.needs_check:
                line += "\t需人工核对:" + result.reason
            self.stdout.write(line)
        if failed:
            raise CommandError("无法拼写：" + "；".join(failed))
