"""Apply a fitted parameter set to coordinates of any supported Beijing 1954 system (no Django).

A 7-parameter set is a datum change: it applies to every Beijing 1954 system (geographic,
any zone, with or without prefix) by building the pipeline for that system. A 4-parameter
set is a plane similarity between two grids and applies only to the grid it was fitted in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from boundaries.crs import (
    BEIJING1954,
    CGCS2000,
    CRS_TABLE,
    CrsDef,
    crs_find,
    crs_get,
    projected_for,
    transformer_between,
)
from boundaries.transform_fit import (
    MODEL_4P,
    MODEL_7P,
    FitError,
    parameters_check,
    pipeline_for,
    transform_points,
)

_GEOD_CGCS2000 = Geod(ellps="GRS80")
CGCS2000_LONLAT = CRS_TABLE[4490]


@dataclass(frozen=True)
class ParameterSpec:
    model: str
    parameters: dict
    source_crs: str
    target_crs: str
    pipeline: str

    def __hash__(self) -> int:
        return hash((self.model, self.pipeline))


@dataclass
class Converted:
    lon: np.ndarray
    lat: np.ndarray
    x_m: np.ndarray  # CGCS2000 Gauss-Krüger, same zone as the original where it has one
    y_m: np.ndarray
    plane_crs: CrsDef
    shift_m: np.ndarray  # how far each point moved (datum shift as seen on the map)


def _target_plane(spec: ParameterSpec, original: CrsDef, x: np.ndarray) -> CrsDef:
    if spec.model == MODEL_4P:
        return crs_get(spec.target_crs)
    if original.is_geographic:
        return projected_for(CGCS2000, lon_deg=float(np.mean(x)))
    return crs_find(
        datum=CGCS2000,
        zone=original.zone,
        width=original.zone_width_deg,
        prefixed=original.prefixed,
    )


def convert_coordinates(spec: ParameterSpec, original: CrsDef, x, y) -> Converted:
    """Return CGCS2000 lon/lat and plane coordinates of points given in ``original``."""
    parameters_check(spec.model, spec.parameters)
    if original.datum != BEIJING1954:
        raise FitError(f"{original.code} 不是北京54坐标系，无需转换")
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    plane = _target_plane(spec, original, x)
    if spec.model == MODEL_7P:
        gx, gy = transform_points(pipeline_for(MODEL_7P, spec.parameters, original, plane), x, y)
        lon, lat = transform_points(
            pipeline_for(MODEL_7P, spec.parameters, original, CGCS2000_LONLAT), x, y
        )
    else:
        if original.code != spec.source_crs:
            raise FitError(
                f"四参数只适用于其拟合时的坐标系 {spec.source_crs}，不能用于 {original.code}"
            )
        gx, gy = transform_points(spec.pipeline, x, y)
        lon, lat = transformer_between(plane, CGCS2000_LONLAT).transform(gx, gy)
        lon, lat = np.asarray(lon), np.asarray(lat)
    if original.is_geographic:
        _, _, shift = _GEOD_CGCS2000.inv(x, y, lon, lat)
        shift = np.abs(np.asarray(shift))
    else:
        shift = np.hypot((gx - plane.x_0) - (x - original.x_0), gy - y)
    return Converted(lon, lat, gx, gy, plane, shift)


def spec_check(spec: ParameterSpec) -> None:
    """Raise FitError if the set cannot be used for a conversion."""
    if spec.model not in (MODEL_7P, MODEL_4P):
        raise FitError(f"未知模型 {spec.model!r}")
    parameters_check(spec.model, spec.parameters)
    source, target = crs_get(spec.source_crs), crs_get(spec.target_crs)
    if source.datum != BEIJING1954 or target.datum != CGCS2000:
        raise FitError(f"参数集方向应为北京54 → CGCS2000，实际为 {source.code} → {target.code}")
