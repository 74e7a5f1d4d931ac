"""manage.py solve_siting: run a location model on CSV files (writes nothing)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.services.siting import SitingRequest, siting_solve_files
from facilities.siting.catalogue import SITING_MODELS
from gis_portal.errors import DomainError


class Command(BaseCommand):
    help = (
        "选址模型求解 (LSCP/MCLP/p-median/p-center) — demand id,x,y,weight; sites id,x,y[,capacity]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--model", required=True, choices=list(SITING_MODELS))
        parser.add_argument("--demand", required=True, type=Path)
        parser.add_argument("--candidates", required=True, type=Path)
        parser.add_argument("--existing", type=Path)
        parser.add_argument("--p", type=int)
        parser.add_argument("--radius-m", type=float, dest="radius_m")
        parser.add_argument("--crs", default="EPSG:4490")
        parser.add_argument("--time-limit", type=float, default=60.0, dest="time_limit")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **opts):
        request = SitingRequest(
            model=opts["model"],
            p=opts["p"],
            radius_m=opts["radius_m"],
            time_limit_s=opts["time_limit"],
        )
        try:
            result = siting_solve_files(
                request=request,
                demand_path=opts["demand"],
                candidates_path=opts["candidates"],
                existing_path=opts["existing"],
                crs=opts["crs"],
            )
        except DomainError as exc:
            detail = {k: v for k, v in exc.details.items() if k != "parameter"}
            extra = f"\n{json.dumps(detail, ensure_ascii=False)}" if detail else ""
            raise CommandError(f"{exc.message}{extra}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"模型 {result['model']}：状态 {result['status']}，间隙 {result['gap']:.4%}，"
            f"目标值 {result['objective']:.3f}，用时 {result['solve_s']:.2f} 秒（{result['metric_crs']}）"
        )
        self.stdout.write(f"选中候选点：{', '.join(result['selected']) or '（无）'}")
        if result["covered_weight"] is not None:
            self.stdout.write(
                f"覆盖权重：{result['covered_weight']:g} / {result['total_weight']:g}"
            )
        self.stdout.write(
            f"加权总距离 {result['total_weighted_distance_m']:.1f} 米，最远距离 {result['max_distance_m']:.1f} 米"
        )
