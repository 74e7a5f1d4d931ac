"""manage.py print_map --sheet city|urban|district [--paper A3|A1|A0] [--scale N]
[--as-of YYYY-MM-DD] [--county 230402] [--boundaries] --out FILE.pdf"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gis_portal.printing.services import order_from, print_sheet
from gis_portal.printing.sheets import PAPERS_MM, SHEETS, PrintOrderError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 日期：{text[:20]}") from None


class Command(BaseCommand):
    help = "打印标准地图（矢量 PDF）：行政区划图、城区图或一个县（区）的地名图"

    def add_arguments(self, parser):
        parser.add_argument("--sheet", required=True, choices=sorted(SHEETS))
        parser.add_argument("--paper", default="A3", choices=sorted(PAPERS_MM))
        parser.add_argument("--scale", type=int, help="比例尺分母，如 200000；默认按图幅自动选择")
        parser.add_argument("--as-of", type=_date, help="按该日有效的要素出图")
        parser.add_argument("--county", help="地名图的县级区划代码，如 230402")
        parser.add_argument("--boundaries", action="store_true", help="同时绘制界线和界桩")
        parser.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")

    def handle(self, *args, **opts):
        try:
            order = order_from(
                {k: opts[k] for k in ("sheet", "paper", "scale", "as_of", "county", "boundaries")}
            )
            # The command runs as the bureau itself: every layer may be drawn.
            printed = print_sheet(order, user=None, trusted=True)
        except PrintOrderError as exc:
            raise CommandError(f"{exc.parameter}: {exc.message}") from None
        opts["out"].write_bytes(printed.pdf)
        r = printed.report
        self.stdout.write(
            f"{opts['out']}: 1:{printed.scale}，{r.features} 个要素，注记 {r.labels_placed} 个"
            f"（避让省略 {r.labels_dropped} 个），图例：{'；'.join(r.legend)}"
        )
