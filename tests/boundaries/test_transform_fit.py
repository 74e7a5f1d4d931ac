"""The parameter fit: recovers a known set, agrees with PROJ, refuses bad point sets."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Transformer

from boundaries.crs import crs_get
from boundaries.synthetic import DEMO_TRUE_7P, cgcs2000_to_demo_beijing1954
from boundaries.transform_fit import (
    CommonPoint,
    FitError,
    common_points_read_csv,
    fit_transformation,
    parameters_check,
    predict,
)

BJ54_43 = crs_get("EPSG:2440")
CGCS_43 = crs_get("EPSG:4552")
GEO_CGCS = crs_get("EPSG:4490")
# The documented parameters of the 7-parameter model in the JSON result.
SEVEN_PARAMETER_KEYS = {
    "tx_m",
    "ty_m",
    "tz_m",
    "rx_arcsec",
    "ry_arcsec",
    "rz_arcsec",
    "scale_ppm",
}


def _points(n=30, n_check=8, noise_m=0.01, seed=3, lon=(129.4, 130.5), lat=(47.0, 48.0)):
    rng = np.random.default_rng(seed)
    lons = rng.uniform(*lon, n)
    lats = rng.uniform(*lat, n)
    to_plane = Transformer.from_crs("EPSG:4490", "EPSG:4552", always_xy=True)
    xd, yd = to_plane.transform(lons, lats)
    hd = rng.uniform(150, 400, n)
    xs, ys, hs = cgcs2000_to_demo_beijing1954(BJ54_43, CGCS_43, xd, yd, hd)
    e = rng.normal(0, noise_m / np.sqrt(2), (n, 2))
    return [
        CommonPoint(
            f"P{i:02d}",
            "check" if i >= n - n_check else "common",
            float(xs[i]) + e[i, 0],
            float(ys[i]) + e[i, 1],
            float(hs[i]),
            float(xd[i]),
            float(yd[i]),
            float(hd[i]),
        )
        for i in range(n)
    ], (xs, ys, hs, xd, yd)


def test_seven_parameter_fit_recovers_the_truth_at_check_points():
    points, _ = _points()
    result = fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43)
    assert result.rms_m < 0.02
    assert result.check_rms_m < 0.03
    assert max(result.check_residuals_m.values()) < 0.05
    assert result.rejected == []
    # The scale is well determined even in a city-sized network.
    assert result.parameters["scale_ppm"] == pytest.approx(DEMO_TRUE_7P["scale_ppm"], abs=0.5)


def test_pyproj_through_the_pipeline_reproduces_the_fit_to_a_millimetre():
    points, (xs, ys, hs, _, _) = _points()
    for model in ("7p", "4p"):
        result = fit_transformation(points, model=model, source=BJ54_43, target=CGCS_43)
        t = Transformer.from_pipeline(result.pipeline)
        if model == "7p":
            px, py, _ = t.transform(xs, ys, hs)
        else:
            px, py = t.transform(xs, ys)
        fx, fy = predict(model, result.parameters, BJ54_43, CGCS_43, xs, ys, hs)
        assert np.max(np.hypot(px - fx, py - fy)) < 0.001


def test_pipeline_has_the_documented_shape():
    points, _ = _points()
    p = fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43).pipeline
    assert p.startswith("+proj=pipeline +step +inv +proj=tmerc +lon_0=129 +x_0=500000 +ellps=krass")
    assert "+step +proj=cart +ellps=krass +step +proj=helmert" in p
    assert "+convention=coordinate_frame +step +inv +proj=cart +ellps=GRS80" in p
    assert p.endswith("+step +proj=tmerc +lon_0=129 +x_0=500000 +ellps=GRS80")
    p4 = fit_transformation(points, model="4p", source=BJ54_43, target=CGCS_43).pipeline
    assert "+proj=helmert" in p4 and "+theta=" in p4 and "+convention" not in p4


def test_four_parameter_fit_over_a_district_is_centimetre_accurate():
    points, _ = _points(lon=(130.1, 130.4), lat=(47.2, 47.45))
    result = fit_transformation(points, model="4p", source=BJ54_43, target=CGCS_43)
    assert result.check_rms_m < 0.03
    # Krassowsky and GRS80 grids differ in scale by tens of ppm; the plane fit absorbs it.
    assert abs(result.parameters["scale"] - 1.0) < 1e-4


def test_a_blunder_is_rejected_by_the_three_rms_rule():
    points, _ = _points()
    p = points[5]
    points[5] = CommonPoint(
        p.id, p.role, p.x_src + 0.8, p.y_src, p.h_src, p.x_dst, p.y_dst, p.h_dst
    )
    result = fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43)
    assert result.rejected == ["P05"]
    assert result.residuals_m["P05"] > 0.5
    assert result.check_rms_m < 0.03


def test_geographic_source_and_target():
    points, _ = _points(n=12, n_check=3)
    t_geo = Transformer.from_crs("EPSG:4552", "EPSG:4490", always_xy=True)
    b_geo = Transformer.from_pipeline(
        "+proj=pipeline +step +inv +proj=tmerc +lon_0=129 +x_0=500000 +ellps=krass"
        " +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    geo = []
    for p in points:
        lon_s, lat_s = b_geo.transform(p.x_src, p.y_src)
        lon_d, lat_d = t_geo.transform(p.x_dst, p.y_dst)
        geo.append(CommonPoint(p.id, p.role, lon_s, lat_s, p.h_src, lon_d, lat_d, p.h_dst))
    result = fit_transformation(geo, model="7p", source=crs_get("EPSG:4214"), target=GEO_CGCS)
    assert result.check_rms_m < 0.03


def test_too_few_points_is_an_error():
    points, _ = _points(n=4, n_check=2)
    with pytest.raises(FitError, match="至少需要 3 个重合点"):
        fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43)


def test_duplicate_points_are_refused():
    points, _ = _points(n=10)
    p = points[1]
    points.append(
        CommonPoint("DUP", "common", p.x_src, p.y_src, p.h_src, p.x_dst, p.y_dst, p.h_dst)
    )
    with pytest.raises(FitError, match="源坐标重复"):
        fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43)
    points[-1] = CommonPoint("P01", "common", 1, 2, 3, 4, 5, 6)
    with pytest.raises(FitError, match="点号重复：P01"):
        fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43)


def test_collinear_points_are_refused():
    line = [
        CommonPoint(
            f"L{i}",
            "common",
            600_000 + i * 1000.0,
            5_250_000 + i * 500.0,
            0,
            600_100 + i * 1000.0,
            5_250_100 + i * 500.0,
            0,
        )
        for i in range(6)
    ]
    with pytest.raises(FitError, match="一条直线"):
        fit_transformation(line, model="7p", source=BJ54_43, target=CGCS_43)


def test_swapped_axes_wrong_prefix_and_mixed_zones_are_named():
    points, _ = _points(n=8, n_check=2)
    swapped = [
        CommonPoint(p.id, p.role, p.y_src, p.x_src, p.h_src, p.x_dst, p.y_dst, p.h_dst)
        for p in points
    ]
    with pytest.raises(FitError, match="互换"):
        fit_transformation(swapped, model="7p", source=BJ54_43, target=CGCS_43)
    prefixed = [
        CommonPoint(p.id, p.role, p.x_src + 43e6, p.y_src, p.h_src, p.x_dst, p.y_dst, p.h_dst)
        for p in points
    ]
    with pytest.raises(FitError, match=r"带有带号 43.*EPSG:2419"):
        fit_transformation(prefixed, model="7p", source=BJ54_43, target=CGCS_43)
    with pytest.raises(FitError, match=r"没有带号.*EPSG:2440"):
        fit_transformation(points, model="7p", source=crs_get("EPSG:2419"), target=CGCS_43)
    mixed = [
        CommonPoint(
            p.id,
            p.role,
            p.x_src + (43e6 if i % 2 else 44e6),
            p.y_src,
            p.h_src,
            p.x_dst,
            p.y_dst,
            p.h_dst,
        )
        for i, p in enumerate(points)
    ]
    with pytest.raises(FitError, match="混合投影带"):
        fit_transformation(mixed, model="7p", source=crs_get("EPSG:2419"), target=CGCS_43)


def test_absurd_parameters_are_refused():
    with pytest.raises(FitError, match="尺度参数异常"):
        parameters_check("7p", {**DEMO_TRUE_7P, "scale_ppm": 1500})
    with pytest.raises(FitError, match="旋转参数异常"):
        parameters_check("4p", {"tx_m": 0, "ty_m": 0, "scale": 1.0, "rotation_arcsec": 3600})
    # Points matched to the wrong ids: a transformation would need an absurd scale/rotation.
    points, _ = _points(n=10, n_check=0)
    shuffled = [
        CommonPoint(p.id, p.role, p.x_src, p.y_src, p.h_src, q.x_dst, q.y_dst, q.h_dst)
        for p, q in zip(points, points[3:] + points[:3], strict=True)
    ]
    with pytest.raises(FitError, match="异常"):
        fit_transformation(shuffled, model="4p", source=BJ54_43, target=CGCS_43)


def test_csv_reading_names_the_bad_line():
    text = "id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst\nA,common,1,2,,3,4,\nB,common,1,x,,3,4,\n"
    with pytest.raises(FitError, match=r"第 3 行.*y_src 不是数字"):
        common_points_read_csv(text)
    with pytest.raises(FitError, match="表头"):
        common_points_read_csv("id,x,y\n")
    ok = common_points_read_csv("\ufeff" + text.splitlines()[0] + "\nA,check,1,2,,3,4,5\n")
    assert ok[0].role == "check" and ok[0].h_src is None and ok[0].h_dst == 5.0


def test_result_json_has_the_documented_keys():
    points, _ = _points()
    data = json.loads(
        json.dumps(fit_transformation(points, model="7p", source=BJ54_43, target=CGCS_43).as_json())
    )
    assert set(data["parameters"]) == SEVEN_PARAMETER_KEYS
    assert {"rms_m", "residuals", "rejected", "check_rms_m", "pipeline"} <= set(data)
