"""Fit Beijing 1954 → CGCS2000 transformation parameters from common points (no Django).

PROJ has no real Beijing 1954 → CGCS2000 operation, so the bureau fits one from its own
common points (重合点) known in both systems. Two models, both written exactly as PROJ's
``+proj=helmert`` evaluates them, so that the fitted set can be handed to PROJ as a
pipeline and PROJ reproduces the fit's own predictions:

* ``7p`` — 3-D Bursa-Wolf in geocentric coordinates, coordinate-frame convention,
  small-angle rotation matrix (PROJ's default, i.e. without ``+exact``)::

      V_dst = T + (1 + s·10⁻⁶) · R · V_src,  R = [[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]]

  with s in ppm and rx, ry, rz in arc-seconds (PROJ ``+convention=coordinate_frame``).
* ``4p`` — plane similarity between Gauss-Krüger grids of the same zone, PROJ's 2-D
  Helmert (helmert.rst, eq. "4param")::

      [x, y]_dst = [tx, ty] + s · [[cos θ, sin θ], [-sin θ, cos θ]] · [x, y]_src

  where s is a plain factor (not ppm) and θ is in arc-seconds.

Fitting is linear least squares (Gauss-Newton for the 7-parameter model, whose only
non-linearity is the product of scale and rotation), on coordinates centred on the mean
of the common points so that the normal equations stay well conditioned. Points whose
horizontal residual exceeds 3 × RMS are dropped one at a time (worst first) and the set is
refitted; independent check points are never used in the fit and give the accuracy.

In a city-sized network the seven individual parameters are poorly determined (metres of
translation trade against fractions of an arc-second of rotation) even when predictions
are excellent: judge a fit by its check points, not by how plausible the numbers look.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from pyproj import Transformer

from boundaries.crs import CrsDef, CrsError, coordinates_check

ARCSEC_RAD = math.pi / 180.0 / 3600.0
MODEL_7P = "7p"
MODEL_4P = "4p"
MODELS = (MODEL_7P, MODEL_4P)
MIN_POINTS = {MODEL_7P: 3, MODEL_4P: 2}
PARAMETER_KEYS = {
    MODEL_7P: ("tx_m", "ty_m", "tz_m", "rx_arcsec", "ry_arcsec", "rz_arcsec", "scale_ppm"),
    MODEL_4P: ("tx_m", "ty_m", "scale", "rotation_arcsec"),
}

# A real datum change between two Chinese geodetic systems scales by a few ppm and rotates
# by a few arc-seconds. Anything far beyond means a wrong CRS declaration or mismatched
# point ids, never a real transformation.
MAX_SCALE_PPM = 1000.0
MAX_ROTATION_ARCSEC = 60.0
REJECT_FACTOR = 3.0
# Never reject a point for residuals below this: with near-perfect data 3×RMS can be a
# fraction of a millimetre, below any survey's precision.
MIN_REJECT_M = 0.005
DUPLICATE_M = 0.001
COLLINEAR_RATIO = 1e-3  # minor/major spread of the common points
NARROW_RATIO = 0.05


class FitError(ValueError):
    """The common points or the fitted parameters cannot give a usable transformation."""


@dataclass(frozen=True)
class CommonPoint:
    id: str
    role: str  # "common" or "check"
    x_src: float
    y_src: float
    h_src: float | None
    x_dst: float
    y_dst: float
    h_dst: float | None


@dataclass
class FitResult:
    model: str
    source: CrsDef
    target: CrsDef
    parameters: dict[str, float]
    rms_m: float
    residuals_m: dict[str, float]
    residual_vectors_m: dict[str, tuple[float, float]]
    rejected: list[str]
    check_residuals_m: dict[str, float]
    check_rms_m: float | None
    pipeline: str
    warnings: list[str] = field(default_factory=list)

    @property
    def n_used(self) -> int:
        return len(self.residuals_m) - len(self.rejected)

    def as_json(self) -> dict:
        return {
            "model": self.model,
            "source_crs": self.source.code,
            "target_crs": self.target.code,
            "parameters": self.parameters,
            "rms_m": _round_m(self.rms_m),
            "residuals": {k: _round_m(v) for k, v in self.residuals_m.items()},
            "rejected": self.rejected,
            "check_residuals": {k: _round_m(v) for k, v in self.check_residuals_m.items()},
            "check_rms_m": _round_m(self.check_rms_m) if self.check_rms_m is not None else None,
            "pipeline": self.pipeline,
            "warnings": self.warnings,
        }


def _round_m(value: float) -> float:
    return round(float(value), 5)


# --- reading -------------------------------------------------------------------------

CSV_HEADER = ("id", "role", "x_src", "y_src", "h_src", "x_dst", "y_dst", "h_dst")
ROLES = ("common", "check")


def common_points_read_csv(text: str) -> list[CommonPoint]:
    """Return the points of a CSV with header id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise FitError("重合点文件为空")
    header = tuple(c.strip().lower() for c in rows[0])
    if header != CSV_HEADER:
        raise FitError(f"表头应为 {','.join(CSV_HEADER)}，实际为 {','.join(header)}")
    points = []
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(CSV_HEADER):
            raise FitError(f"第 {line_no} 行应有 {len(CSV_HEADER)} 列，实际 {len(row)} 列")
        values = dict(zip(CSV_HEADER, (c.strip() for c in row), strict=True))
        if not values["id"]:
            raise FitError(f"第 {line_no} 行缺少点号")
        role = values["role"].lower()
        if role not in ROLES:
            raise FitError(f"第 {line_no} 行 role 应为 common 或 check，实际为 {values['role']!r}")
        points.append(
            CommonPoint(
                values["id"],
                role,
                x_src=_csv_number(values, "x_src", line_no),
                y_src=_csv_number(values, "y_src", line_no),
                h_src=_csv_height(values, "h_src", line_no),
                x_dst=_csv_number(values, "x_dst", line_no),
                y_dst=_csv_number(values, "y_dst", line_no),
                h_dst=_csv_height(values, "h_dst", line_no),
            )
        )
    return points


def _csv_number(values: dict[str, str], key: str, line_no: int) -> float:
    """Return one coordinate of a common-points CSV row, or raise FitError naming it."""
    raw = values[key]
    if raw == "":
        raise FitError(f"第 {line_no} 行（点 {values['id']}）缺少 {key}")
    try:
        value = float(raw)
    except ValueError:
        raise FitError(f"第 {line_no} 行（点 {values['id']}）{key} 不是数字：{raw!r}") from None
    if not math.isfinite(value):
        raise FitError(f"第 {line_no} 行（点 {values['id']}）{key} 不是有限数值")
    return value


def _csv_height(values: dict[str, str], key: str, line_no: int) -> float | None:
    """Return a height of a common-points CSV row, None where the cell is empty."""
    return None if values[key] == "" else _csv_number(values, key, line_no)


# --- geometry helpers ----------------------------------------------------------------


@lru_cache(maxsize=64)
def pipeline_transformer(pipeline: str) -> Transformer:
    """Return a cached pyproj transformer for a PROJ pipeline string (0.3 ms to build)."""
    return Transformer.from_pipeline(pipeline)


def _to_cart(crs: CrsDef, x, y, h) -> np.ndarray:
    t = pipeline_transformer(f"+proj=pipeline {crs.proj_steps_to_cart()}")
    gx, gy, gz = t.transform(np.asarray(x, float), np.asarray(y, float), np.asarray(h, float))
    return np.column_stack([gx, gy, gz])


def _from_cart(crs: CrsDef, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = pipeline_transformer(f"+proj=pipeline {crs.proj_steps_from_cart()}")
    return t.transform(xyz[:, 0], xyz[:, 1], xyz[:, 2])


def _plane_m(crs: CrsDef, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return approximately metric plane coordinates (for spread and duplicate checks)."""
    if not crs.is_geographic:
        return np.column_stack([x, y])
    lat0 = math.radians(float(np.mean(y)))
    return np.column_stack([x * 111_320.0 * math.cos(lat0), y * 110_574.0])


def _enu_horizontal(xyz_ref: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """Return the east/north components (m) of geocentric differences at reference points."""
    lon = np.arctan2(xyz_ref[:, 1], xyz_ref[:, 0])
    p = np.hypot(xyz_ref[:, 0], xyz_ref[:, 1])
    lat = np.arctan2(xyz_ref[:, 2], p)  # geocentric latitude: fine for a residual's direction
    east = -np.sin(lon) * diff[:, 0] + np.cos(lon) * diff[:, 1]
    north = (
        -np.sin(lat) * np.cos(lon) * diff[:, 0]
        - np.sin(lat) * np.sin(lon) * diff[:, 1]
        + np.cos(lat) * diff[:, 2]
    )
    return np.column_stack([east, north])


# --- the two models ------------------------------------------------------------------


def _rotation_cf(rx_arcsec: float, ry_arcsec: float, rz_arcsec: float) -> np.ndarray:
    rx, ry, rz = (v * ARCSEC_RAD for v in (rx_arcsec, ry_arcsec, rz_arcsec))
    return np.array([[1.0, rz, -ry], [-rz, 1.0, rx], [ry, -rx, 1.0]])


def helmert7_apply(params: dict[str, float], xyz: np.ndarray) -> np.ndarray:
    """Return geocentric coordinates after the 7-parameter set (PROJ's formula, CF)."""
    r = _rotation_cf(params["rx_arcsec"], params["ry_arcsec"], params["rz_arcsec"])
    t = np.array([params["tx_m"], params["ty_m"], params["tz_m"]])
    return t + (1.0 + params["scale_ppm"] * 1e-6) * (xyz @ r.T)


def _fit7(src: np.ndarray, dst: np.ndarray) -> dict[str, float]:
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    xc, yc = src - src_mean, dst - dst_mean
    n = len(src)
    p = np.zeros(7)  # t'x t'y t'z rx ry rz (rad) ds
    for _ in range(6):
        rx, ry, rz, ds = p[3], p[4], p[5], p[6]
        r = np.array([[1.0, rz, -ry], [-rz, 1.0, rx], [ry, -rx, 1.0]])
        rot = xc @ r.T
        pred = p[:3] + (1.0 + ds) * rot
        resid = (yc - pred).reshape(-1)
        jac = np.zeros((n, 3, 7))
        jac[:, :, 0:3] = np.eye(3)
        m = 1.0 + ds
        zero = np.zeros(n)
        jac[:, :, 3] = m * np.column_stack([zero, xc[:, 2], -xc[:, 1]])
        jac[:, :, 4] = m * np.column_stack([-xc[:, 2], zero, xc[:, 0]])
        jac[:, :, 5] = m * np.column_stack([xc[:, 1], -xc[:, 0], zero])
        jac[:, :, 6] = rot
        step, *_ = np.linalg.lstsq(jac.reshape(-1, 7), resid, rcond=None)
        p = p + step
        if np.max(np.abs(step[3:])) < 1e-15 and np.max(np.abs(step[:3])) < 1e-9:
            break
    rx, ry, rz, ds = p[3], p[4], p[5], p[6]
    r = np.array([[1.0, rz, -ry], [-rz, 1.0, rx], [ry, -rx, 1.0]])
    t = dst_mean + p[:3] - (1.0 + ds) * (r @ src_mean)
    return {
        "tx_m": float(t[0]),
        "ty_m": float(t[1]),
        "tz_m": float(t[2]),
        "rx_arcsec": float(rx / ARCSEC_RAD),
        "ry_arcsec": float(ry / ARCSEC_RAD),
        "rz_arcsec": float(rz / ARCSEC_RAD),
        "scale_ppm": float(ds * 1e6),
    }


def helmert4_apply(params: dict[str, float], x, y) -> tuple[np.ndarray, np.ndarray]:
    """Return plane coordinates after the 4-parameter set (PROJ's 2-D Helmert)."""
    theta = params["rotation_arcsec"] * ARCSEC_RAD
    s = params["scale"]
    cr, sr = math.cos(theta) * s, math.sin(theta) * s
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return cr * x + sr * y + params["tx_m"], -sr * x + cr * y + params["ty_m"]


def _fit4(src: np.ndarray, dst: np.ndarray) -> dict[str, float]:
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    xc, yc = src - src_mean, dst - dst_mean
    design = np.vstack(
        [np.column_stack([xc[:, 0], xc[:, 1]]), np.column_stack([xc[:, 1], -xc[:, 0]])]
    )
    obs = np.concatenate([yc[:, 0], yc[:, 1]])
    (a, b), *_ = np.linalg.lstsq(design, obs, rcond=None)
    tx = dst_mean[0] - (a * src_mean[0] + b * src_mean[1])
    ty = dst_mean[1] - (-b * src_mean[0] + a * src_mean[1])
    return {
        "tx_m": float(tx),
        "ty_m": float(ty),
        "scale": float(math.hypot(a, b)),
        "rotation_arcsec": float(math.atan2(b, a) / ARCSEC_RAD),
    }


# --- prediction, pipeline, checks ----------------------------------------------------


def _num(value: float) -> str:
    return repr(float(value))


def pipeline_for(model: str, params: dict[str, float], source: CrsDef, target: CrsDef) -> str:
    """Return the PROJ pipeline string that applies ``params`` from source to target."""
    if model == MODEL_7P:
        helmert = (
            f"+step +proj=helmert +x={_num(params['tx_m'])} +y={_num(params['ty_m'])}"
            f" +z={_num(params['tz_m'])} +rx={_num(params['rx_arcsec'])}"
            f" +ry={_num(params['ry_arcsec'])} +rz={_num(params['rz_arcsec'])}"
            f" +s={_num(params['scale_ppm'])} +convention=coordinate_frame"
        )
        return (
            f"+proj=pipeline {source.proj_steps_to_cart()} {helmert} "
            f"{target.proj_steps_from_cart()}"
        )
    if model == MODEL_4P:
        return (
            f"+proj=pipeline +step +proj=helmert +x={_num(params['tx_m'])}"
            f" +y={_num(params['ty_m'])} +s={_num(params['scale'])}"
            f" +theta={_num(params['rotation_arcsec'])}"
        )
    raise FitError(f"未知模型 {model!r}（应为 7p 或 4p）")


def predict(
    model: str, params: dict[str, float], source: CrsDef, target: CrsDef, x, y, h=None
) -> tuple[np.ndarray, np.ndarray]:
    """Return target x/y for source x/y(/h) by the model's own formula (not the pipeline)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if model == MODEL_4P:
        return helmert4_apply(params, x, y)
    h_arr = np.zeros_like(x) if h is None else np.asarray(h, float)
    out = _from_cart(target, helmert7_apply(params, _to_cart(source, x, y, h_arr)))
    return out[0], out[1]


def parameters_check(model: str, params: dict[str, float]) -> None:
    """Raise FitError when a parameter set is outside anything a datum change can be."""
    if model not in MODELS:
        raise FitError(f"未知模型 {model!r}（应为 7p 或 4p）")
    missing = [k for k in PARAMETER_KEYS[model] if k not in params]
    if missing:
        raise FitError(f"参数不完整，缺少 {', '.join(missing)}")
    if not all(math.isfinite(float(params[k])) for k in PARAMETER_KEYS[model]):
        raise FitError("参数含有非数值")
    if model == MODEL_7P:
        scale_ppm = params["scale_ppm"]
        rotations = [params["rx_arcsec"], params["ry_arcsec"], params["rz_arcsec"]]
    else:
        scale_ppm = (params["scale"] - 1.0) * 1e6
        rotations = [params["rotation_arcsec"]]
    if abs(scale_ppm) > MAX_SCALE_PPM:
        raise FitError(
            f"尺度参数异常（{scale_ppm:.1f} ppm，超过 ±{MAX_SCALE_PPM:g} ppm）："
            "通常是坐标系声明错误、带号错误或点号对应错误"
        )
    worst = max(abs(r) for r in rotations)
    if worst > MAX_ROTATION_ARCSEC:
        raise FitError(
            f"旋转参数异常（{worst:.1f}″，超过 ±{MAX_ROTATION_ARCSEC:g}″）："
            "通常是坐标系声明错误、坐标轴互换或点号对应错误"
        )


def _validate_points(points: list[CommonPoint], model: str, source: CrsDef, target: CrsDef):
    if model not in MODELS:
        raise FitError(f"未知模型 {model!r}（应为 7p 或 4p）")
    if model == MODEL_4P and (source.is_geographic or target.is_geographic):
        raise FitError("四参数平面模型要求源、目标均为高斯-克吕格平面坐标")
    if model == MODEL_4P and (source.lon_0 != target.lon_0):
        raise FitError(
            f"四参数平面模型要求同一中央经线（{source.code} 为 {source.lon_0:g}°，"
            f"{target.code} 为 {target.lon_0:g}°）；跨带请用七参数模型"
        )
    if source.datum == target.datum:
        raise FitError(f"{source.code} 与 {target.code} 为同一基准，无需拟合转换参数")
    ids = [p.id for p in points]
    dup_ids = sorted({i for i in ids if ids.count(i) > 1})
    if dup_ids:
        raise FitError(f"点号重复：{', '.join(dup_ids)}")
    common = [p for p in points if p.role == "common"]
    need = MIN_POINTS[model]
    if len(common) < need:
        raise FitError(
            f"{'七' if model == MODEL_7P else '四'}参数模型至少需要 {need} 个重合点，"
            f"实际只有 {len(common)} 个"
        )
    try:
        coordinates_check(
            source, [p.x_src for p in points], [p.y_src for p in points], label="源坐标"
        )
        coordinates_check(
            target, [p.x_dst for p in points], [p.y_dst for p in points], label="目标坐标"
        )
    except CrsError as exc:
        raise FitError(str(exc)) from exc
    plane = _plane_m(
        source, np.array([p.x_src for p in points]), np.array([p.y_src for p in points])
    )
    diff = plane[:, None, :] - plane[None, :, :]
    dist = np.hypot(diff[..., 0], diff[..., 1])
    np.fill_diagonal(dist, np.inf)
    close = np.argwhere(dist < DUPLICATE_M)
    if close.size:
        i, j = sorted(close[0].tolist())
        raise FitError(f"点 {points[i].id} 与点 {points[j].id} 的源坐标重复")


def _spread_warnings(points: list[CommonPoint], model: str, source: CrsDef) -> list[str]:
    common = [p for p in points if p.role == "common"]
    plane = _plane_m(
        source, np.array([p.x_src for p in common]), np.array([p.y_src for p in common])
    )
    centred = plane - plane.mean(axis=0)
    sv = np.linalg.svd(centred, compute_uv=False)
    ratio = sv[1] / sv[0] if sv[0] > 0 else 0.0
    warnings = []
    if len(common) > 2 and ratio < COLLINEAR_RATIO:
        raise FitError(
            f"{len(common)} 个重合点几乎在一条直线上（短轴/长轴 = {ratio:.1e}），"
            "无法可靠求解转换参数：请补充偏离该直线的重合点"
        )
    if len(common) > 2 and ratio < NARROW_RATIO:
        warnings.append(
            f"重合点分布狭长（短轴/长轴 = {ratio:.3f}），远离该带状区域的转换精度无保证"
        )
    if len(common) == MIN_POINTS[model]:
        warnings.append("重合点数恰为最少所需，没有多余观测：残差为零，精度无法评定")
    checks = [p for p in points if p.role == "check"]
    if not checks:
        warnings.append("没有独立检查点：转换精度未经检验")
    if model == MODEL_7P and any(p.h_src is None or p.h_dst is None for p in points):
        warnings.append("部分点缺少大地高：全部点的高程按 0 m 处理（对平面坐标影响可忽略）")
    return warnings


def fit_transformation(
    points: list[CommonPoint],
    *,
    model: str,
    source: CrsDef,
    target: CrsDef,
    reject_factor: float = REJECT_FACTOR,
    min_reject_m: float = MIN_REJECT_M,
) -> FitResult:
    """Fit ``model`` from the common points, reject outliers, check on the check points."""
    _validate_points(points, model, source, target)
    warnings = _spread_warnings(points, model, source)
    common = [p for p in points if p.role == "common"]
    checks = [p for p in points if p.role == "check"]

    # Heights are used only when every point has both: a height on one side and 0 on the
    # other would be a ~100 m vertical "shift" the rotations would try to absorb.
    use_heights = all(p.h_src is not None and p.h_dst is not None for p in points)

    def arrays(pts):
        xs = np.array([p.x_src for p in pts])
        ys = np.array([p.y_src for p in pts])
        hs = np.array([p.h_src if use_heights else 0.0 for p in pts])
        xd = np.array([p.x_dst for p in pts])
        yd = np.array([p.y_dst for p in pts])
        hd = np.array([p.h_dst if use_heights else 0.0 for p in pts])
        return xs, ys, hs, xd, yd, hd

    def residual_vectors(params, src_xy: np.ndarray, dst_xy: np.ndarray) -> np.ndarray:
        """Return east/north residuals (m): plane differences (4p) or ENU of geocentric (7p)."""
        if model == MODEL_4P:
            px, py = helmert4_apply(params, src_xy[:, 0], src_xy[:, 1])
            return np.column_stack([dst_xy[:, 0] - px, dst_xy[:, 1] - py])
        return _enu_horizontal(dst_xy, dst_xy - helmert7_apply(params, src_xy))

    def fit_space(pts) -> tuple[np.ndarray, np.ndarray]:
        pxs, pys, phs, pxd, pyd, phd = arrays(pts)
        if model == MODEL_7P:
            return _to_cart(source, pxs, pys, phs), _to_cart(target, pxd, pyd, phd)
        return np.column_stack([pxs, pys]), np.column_stack([pxd, pyd])

    src_fit, dst_fit = fit_space(common)
    fit = _fit7 if model == MODEL_7P else _fit4
    active = np.ones(len(common), dtype=bool)
    rejected: list[str] = []
    while True:
        params = fit(src_fit[active], dst_fit[active])
        vectors = residual_vectors(params, src_fit, dst_fit)
        norms = np.hypot(vectors[:, 0], vectors[:, 1])
        rms = float(np.sqrt(np.mean(norms[active] ** 2)))
        masked = np.where(active, norms, -1.0)
        worst = int(np.argmax(masked))
        can_drop = active.sum() - 1 > MIN_POINTS[model]
        if can_drop and norms[worst] > max(reject_factor * rms, min_reject_m):
            active[worst] = False
            rejected.append(common[worst].id)
            continue
        break
    parameters_check(model, params)
    if rejected:
        warnings.append(
            f"按 {reject_factor:g}×RMS 规则剔除了 {len(rejected)} 个重合点：{', '.join(rejected)}"
        )

    check_residuals: dict[str, float] = {}
    check_rms = None
    if checks:
        cv = residual_vectors(params, *fit_space(checks))
        cn = np.hypot(cv[:, 0], cv[:, 1])
        check_residuals = {p.id: float(v) for p, v in zip(checks, cn, strict=True)}
        check_rms = float(np.sqrt(np.mean(cn**2)))
        hull_warning = _outside_warning(common, checks, source)
        if hull_warning:
            warnings.append(hull_warning)

    return FitResult(
        model=model,
        source=source,
        target=target,
        parameters=params,
        rms_m=rms,
        residuals_m={p.id: float(v) for p, v in zip(common, norms, strict=True)},
        residual_vectors_m={
            p.id: (float(v[0]), float(v[1])) for p, v in zip(common, vectors, strict=True)
        },
        rejected=rejected,
        check_residuals_m=check_residuals,
        check_rms_m=check_rms,
        pipeline=pipeline_for(model, params, source, target),
        warnings=warnings,
    )


def _outside_warning(common: list[CommonPoint], checks: list[CommonPoint], source: CrsDef) -> str:
    """Name check points outside the bounding box of the common points (extrapolation)."""
    plane = _plane_m(
        source,
        np.array([p.x_src for p in common + checks]),
        np.array([p.y_src for p in common + checks]),
    )
    c, k = plane[: len(common)], plane[len(common) :]
    lo, hi = c.min(axis=0), c.max(axis=0)
    outside = [p.id for p, q in zip(checks, k, strict=True) if np.any(q < lo) or np.any(q > hi)]
    if outside:
        return f"检查点 {', '.join(outside)} 位于重合点范围之外（外推）"
    return ""


def transform_points(pipeline: str, x, y, h=None) -> tuple[np.ndarray, np.ndarray]:
    """Return x/y converted through a (cached) PROJ pipeline; numpy arrays in and out."""
    t = pipeline_transformer(pipeline)
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    out = t.transform(x, y) if h is None else t.transform(x, y, np.asarray(h, float))
    return np.asarray(out[0]), np.asarray(out[1])
