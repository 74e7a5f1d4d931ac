"""manage.py compute_coverage --programme SLUG|--all [--json] [--distance-kind straight|network]."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from facilities.errors import CoverageUnavailable
from facilities.models import Programme
from facilities.selectors.coverage import coverage_all, programme_coverage, public_report


class Command(BaseCommand):
    help = "计算各服务项目的覆盖情况（服务人数、占比、按区县/乡镇、容量溢出、配置单元规则）"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--programme")
        group.add_argument("--all", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--distance-kind", choices=["straight", "network"])

    def handle(self, *args, **opts):
        kind = opts["distance_kind"]
        if opts["all"]:
            reports = [public_report(r) for r in coverage_all(distance_kind=kind)]
        else:
            programme = Programme.objects.filter(slug=opts["programme"]).first()
            if programme is None:
                slugs = ", ".join(Programme.objects.values_list("slug", flat=True))
                raise CommandError(f"未知服务项目 {opts['programme']!r}；可用：{slugs}")
            try:
                reports = [public_report(programme_coverage(programme, distance_kind=kind))]
            except CoverageUnavailable as exc:
                raise CommandError(exc.message) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(reports, ensure_ascii=False))
            return
        for r in reports:
            if "error" in r:
                self.stderr.write(f"{r['name']}：{r['error']}")
                continue
            self.stdout.write(
                f"{r['name']}：{r['target_label']} {r['target_population']} 人，服务 {r['served']} 人"
                f"（{r['served_share']:.1%}），容量溢出 {r['overflow']} 人；{r['distance_note']}"
            )
            rule = r["unit_rule"]
            if rule:
                self.stdout.write(
                    f"  {rule['label']}：{rule['with_facility']}/{rule['units']}，缺：{'、'.join(u['name'] for u in rule['lacking'][:20])}"
                )
