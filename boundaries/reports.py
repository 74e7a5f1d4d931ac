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
        rows.append((f"{label} ({key})", f"{value:.{digits}f}", unit))
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
