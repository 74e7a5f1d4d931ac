"""manage.py fail_dead_runs: mark siting runs whose background job died as failed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from facilities.services.watchdog import siting_runs_fail_dead


class Command(BaseCommand):
    help = "把后台进程已终止的选址计算标记为失败（原因写入说明）"

    def handle(self, *args, **opts):
        failed = siting_runs_fail_dead()
        self.stdout.write(
            f"已标记失败 {len(failed)} 个计算：{', '.join(map(str, failed))}"
            if failed
            else "没有中断的计算"
        )
