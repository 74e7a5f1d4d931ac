"""Human-readable reports of fits and conversions (no Django)."""

from __future__ import annotations

from boundaries.transform_fit import FitResult

PARAMETER_LABELS = {
    "tx_m": ("ΔX 平移", "m", 4),
    "ty_m": ("ΔY 平移", "m", 4),
    "tz_m": ("ΔZ 平移", "m", 4),
    "rx_arcsec": ("εX 旋转", "″", 6),
    "ry_arcsec": ("εY 旋转", "″", 6),
    "rz_arcsec": ("εZ 旋转", "″", 6),
    "scale_ppm": ("尺度 m", "ppm", 6),
    "scale": ("尺度因子 k", "", 10),
    "rotation_arcsec": ("旋转角 α", "″", 6),
}


def parameter_rows(parameters: dict[str, float]) -> list[tuple[str, str, str]]:
    """Return (label, formatted value, unit) for each parameter."""
    rows = []
    for key, value in parameters.items():
        label, unit, digits = PARAMETER_LABELS.get(key, (key, "", 6))
        rows.append((label, f"{value:.{digits}f}", unit))
    return rows


def fit_report_text(result: FitResult) -> str:
    """Return the fit as a plain-text report (what fit_transformation prints without --json)."""
    name = "七参数（布尔莎，坐标框架旋转）" if result.model == "7p" else "四参数（平面相似变换）"
    lines = [
        f"转换模型：{name}",
        f"源坐标系：{result.source.code} {result.source.name}",
        f"目标坐标系：{result.target.code} {result.target.name}",
        "",
        "参数：",
        *(
            f"  {label:28} {value:>20} {unit}"
            for label, value, unit in parameter_rows(result.parameters)
        ),
        "",
        f"参与拟合的重合点：{result.n_used} 个，单位权中误差（点位 RMS）：{result.rms_m * 100:.2f} cm",
        "残差（平面，cm）：",
    ]
    for pid, value in result.residuals_m.items():
        flag = "  已剔除（>3×RMS）" if pid in result.rejected else ""
        lines.append(f"  {pid:12} {value * 100:8.2f}{flag}")
    if result.check_residuals_m:
        lines.append(
            f"检查点：{len(result.check_residuals_m)} 个，RMS {result.check_rms_m * 100:.2f} cm"
        )
        lines.extend(f"  {pid:12} {v * 100:8.2f}" for pid, v in result.check_residuals_m.items())
    for w in result.warnings:
        lines.append(f"警告：{w}")
    lines += ["", "PROJ 管道：", result.pipeline]
    return "\n".join(lines) + "\n"


def conversion_report_text(report: dict) -> str:
    """Return a conversion report as plain text (what convert_boundaries prints)."""
    ps = report["parameter_set"]
    lines = [
        ("试运行（未写入）" if report["dry_run"] else "转换完成")
        + f"：参数集 {ps['id']}「{ps['name']}」",
        # Reports written before the labels were kept fall back to the stored values.
        f"模型 {ps.get('model_label', ps['model'])}，{ps['source_crs']} → {ps['target_crs']}，"
        f"审批：{ps['approved_by']} {ps.get('approved_at_local') or ps['approved_at']}",
        *(
            f"  {label:28} {value:>20} {unit}"
            for label, value, unit in parameter_rows(ps["parameters"])
        ),
        f"重合点 RMS {ps['rms_m'] * 100:.2f} cm；检查点 RMS "
        + (f"{ps['check_rms_m'] * 100:.2f} cm" if ps["check_rms_m"] is not None else "无"),
        f"转换要素：{report['features_converted']}（界线 {report['lines_converted']}，界桩 {report['markers_converted']}）；"
        f"未变化：界线 {report['lines_unchanged']}，界桩 {report['markers_unchanged']}",
        f"转换点数（顶点）：{report['vertices_converted']}",
        f"最大位移：{report['max_shift_m']} m；平均位移：{report['mean_shift_m']} m",
    ]
    if report.get("run_id"):
        lines.append(f"转换记录 ID：{report['run_id']}")
    return "\n".join(lines) + "\n"
