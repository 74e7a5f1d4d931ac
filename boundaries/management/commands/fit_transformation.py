"""manage.py fit_transformation FILE --model 7p|4p --source-crs EPSG:… --target-crs EPSG:… [--json]"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from boundaries.crs import CrsError, crs_resolve
from boundaries.reports import fit_report_text
from boundaries.transform_fit import MODELS, FitError, common_points_read_csv, fit_transformation


class Command(BaseCommand):
    help = "从重合点表拟合北京54→CGCS2000转换参数（七参数或四参数），输出残差、检查点精度和 PROJ 管道。"

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="CSV: id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst"
        )
        parser.add_argument("--model", required=True, choices=MODELS)
        parser.add_argument(
            "--source-crs", required=True, help="例如 EPSG:2440；auto:beijing1954 按带号自动识别"
        )
        parser.add_argument(
            "--target-crs", required=True, help="例如 EPSG:4552；auto:cgcs2000 按带号自动识别"
        )
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, file: Path, model: str, source_crs: str, target_crs: str, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        try:
            points = common_points_read_csv(text)
            source = crs_resolve(source_crs, [p.x_src for p in points], [p.y_src for p in points])
            target = crs_resolve(target_crs, [p.x_dst for p in points], [p.y_dst for p in points])
            result = fit_transformation(points, model=model, source=source, target=target)
        except (FitError, CrsError) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(fit_report_text(result))
