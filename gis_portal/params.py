"""Parse and validate query parameters; every failure names the parameter (no Django)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from gis_portal.errors import InvalidParameter

MAX_PARAM_LENGTH = 200


def _raw(params: Mapping[str, str], name: str, *, required: bool) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise InvalidParameter(name, "缺少此参数 (required)")
        return None
    if len(value) > MAX_PARAM_LENGTH:
        raise InvalidParameter(name, f"长度超过 {MAX_PARAM_LENGTH} 个字符")
    return value


def parse_float(
    params: Mapping[str, str],
    name: str,
    *,
    required: bool = True,
    min_value: float | None = None,
    max_value: float | None = None,
) -> float | None:
    """Return a finite float parameter within [min_value, max_value]."""
    raw = _raw(params, name, required=required)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidParameter(name, f"不是数字：{raw[:40]!r}") from None
    if not math.isfinite(value):
        raise InvalidParameter(name, "必须是有限数值 (NaN/inf not allowed)")
    if min_value is not None and value < min_value:
        raise InvalidParameter(name, f"不能小于 {min_value}")
    if max_value is not None and value > max_value:
        raise InvalidParameter(name, f"不能大于 {max_value}")
    return value


def parse_int(
    params: Mapping[str, str],
    name: str,
    *,
    required: bool = True,
    min_value: int | None = None,
    max_value: int | None = None,
    default: int | None = None,
) -> int | None:
    """Return an integer parameter within [min_value, max_value]."""
    raw = _raw(params, name, required=required and default is None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(name, f"不是整数：{raw[:40]!r}") from None
    if min_value is not None and value < min_value:
        raise InvalidParameter(name, f"不能小于 {min_value}")
    if max_value is not None and value > max_value:
        raise InvalidParameter(name, f"不能大于 {max_value}")
    return value


def parse_lon_lat(
    params: Mapping[str, str], lon_name: str = "lon", lat_name: str = "lat"
) -> tuple[float, float]:
    """Return (lon, lat) in degrees; a latitude-looking lon or swapped pair is refused."""
    lon = parse_float(params, lon_name, min_value=-180, max_value=180)
    lat = parse_float(params, lat_name, min_value=-90, max_value=90)
    assert lon is not None and lat is not None  # required=True
    return lon, lat


def parse_bbox(
    params: Mapping[str, str], name: str = "bbox"
) -> tuple[float, float, float, float] | None:
    """Return (min_lon, min_lat, max_lon, max_lat) or None; swapped corners are refused."""
    raw = _raw(params, name, required=False)
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidParameter(name, "格式应为 minLon,minLat,maxLon,maxLat")
    values = []
    for part in parts:
        try:
            v = float(part)
        except ValueError:
            raise InvalidParameter(name, f"不是数字：{part[:40]!r}") from None
        if not math.isfinite(v):
            raise InvalidParameter(name, "必须是有限数值 (NaN/inf not allowed)")
        values.append(v)
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidParameter(name, "经度超出 -180..180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidParameter(name, "纬度超出 -90..90")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise InvalidParameter(name, "最小值必须小于最大值 (corners swapped or empty box)")
    return min_lon, min_lat, max_lon, max_lat


def parse_choice(
    params: Mapping[str, str], name: str, choices: Mapping[str, object] | list[str]
) -> str | None:
    """Return a parameter that must be one of ``choices``, or None when absent."""
    raw = _raw(params, name, required=False)
    if raw is None:
        return None
    if raw not in choices:
        raise InvalidParameter(name, f"取值应为 {', '.join(choices)} 之一")
    return raw


def reject_unknown(params: Mapping[str, str], allowed: set[str]) -> None:
    """Refuse query parameters outside the whitelist (a typo must not silently do nothing)."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidParameter(unknown[0], f"不支持的参数；可用参数：{', '.join(sorted(allowed))}")
