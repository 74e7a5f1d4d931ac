"""Print the door-plate and street-sign checks for the city, a township or a street."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gis_portal.errors import DomainError
from placenames.addresses.checks import RULES
from placenames.addresses.selectors.addresses import address_checks, street_names


class Command(BaseCommand):
    help = "门牌路牌检查：重号、单双号错侧、编号倒序、距街过远、名称不符、路牌未更换、巡检逾期"

    def add_arguments(self, parser):
        parser.add_argument("--street", type=int, help="街路巷 ID")
        parser.add_argument("--township", help="街道/乡镇区划代码")
        parser.add_argument("--as-of", type=date.fromisoformat, help="判断日期 YYYY-MM-DD")
        parser.add_argument("--details", action="store_true", help="列出每一项问题")

    def handle(self, *args, **opts):
        try:
            report = address_checks(
                street_id=opts["street"], township_code=opts["township"], as_of=opts["as_of"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"截至 {report.as_of}：街路巷 {report.streets_checked} 条，门牌 {report.plates_checked} 块，"
            f"路牌 {report.signs_checked} 块"
        )
        counts = report.counts()
        for rule, label in RULES.items():
            self.stdout.write(f"  {label}：{counts[rule]}")
        if opts["details"]:
            names = street_names()
            for f in report.findings:
                self.stdout.write(f"  [{f.label}] {names.get(f.street_id, '')} {f.message}")
