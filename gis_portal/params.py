"""Parse and validate query parameters; every failure names the parameter (no Django)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from gis_portal.error_types import InvalidParameter

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
    return _within(name, _finite(name, raw), min_value, max_value)


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
    return _within(name, value, min_value, max_value)


_N = TypeVar("_N", int, float)


def _finite(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameter(name, f"不是数字：{text[:40]!r}") from None
    if not math.isfinite(value):
        raise InvalidParameter(name, "必须是有限数值 (NaN/inf not allowed)")
    return value


def _within(name: str, value: _N, low: _N | None, high: _N | None) -> _N:
    if low is not None and value < low:
        raise InvalidParameter(name, f"不能小于 {low}")
    if high is not None and value > high:
        raise InvalidParameter(name, f"不能大于 {high}")
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
    values = [_finite(name, part) for part in parts]
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


# --- Text safety -------------------------------------------------------------------------
# PostgreSQL text cannot hold NUL (a query with one fails inside the driver: a 500), and
# no field of the archive holds control characters or lone surrogates (UTF-16 halves,
# which cannot be encoded to UTF-8 at all). Query strings and path segments refuse them
# all, and U+FFFD too: Django puts it where the raw bytes were not valid UTF-8. Request
# bodies keep tab and line breaks (a place name's history is several paragraphs).
LINE_BREAKS = frozenset("\t\n\r")


def unsafe_character(value: str, *, in_body: bool = False) -> str | None:
    """Return why ``value`` is refused (a Chinese phrase naming the character), or None."""
    for ch in value:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            return f"含有未配对的代理字符 U+{cp:04X}（不是有效的 Unicode 文本）"
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            if in_body and ch in LINE_BREAKS:
                continue
            name = "NUL 字符" if cp == 0 else "控制字符"
            return f"含有不可打印的{name} U+{cp:04X}"
        if cp == 0xFFFD and not in_body:
            return "含有不可打印的替换字符 U+FFFD（原文不是有效的 UTF-8 编码）"
    return None


def reject_unsafe_text(name: str, value: str, *, in_body: bool = False) -> None:
    """Raise InvalidParameter naming ``name`` if ``value`` holds a refused character."""
    reason = unsafe_character(value, in_body=in_body)
    if reason is not None:
        raise InvalidParameter(name, reason)


def reject_unsafe_params(params: Mapping[str, object]) -> None:
    """Refuse any parameter whose name or value holds a refused character (lists too)."""
    for name in params:
        reject_unsafe_text("(参数名)", name)
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in values:
            if isinstance(value, str):
                reject_unsafe_text(name, value)


def reject_unsafe_data(data: object, path: str = "body") -> None:
    """Refuse a parsed request body holding a refused character in any key or string;
    the error names the field by its path (``plates[0].building``)."""
    if isinstance(data, str):
        reject_unsafe_text(path, data, in_body=True)
    elif isinstance(data, Mapping):
        # A form (a QueryDict) may repeat a field: each value is checked under its name.
        form = hasattr(data, "getlist")
        for key in data:
            key_text = str(key)
            reject_unsafe_text(path, key_text, in_body=True)
            child = key_text if path == "body" else f"{path}.{key_text}"
            for value in data.getlist(key) if form else [data[key]]:
                reject_unsafe_data(value, child)
    elif isinstance(data, list | tuple):
        for i, item in enumerate(data):
            reject_unsafe_data(item, f"{path}[{i}]")


# --- Declared parameters -----------------------------------------------------------------
# A view declares its query parameters once, as a ParamSet: the same declaration parses a
# request (400 naming the parameter) and states the OpenAPI schema (gis_portal.openapi), so
# the documented ranges, lengths, patterns and choices are the ones enforced.

_NUMBER = r"-?\d{1,3}(\.\d+)?"
# Characters a text parameter may hold (what ``unsafe_character`` lets through).
_SAFE = r"[^\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffd]"
TEXT_PATTERN = rf"^{_SAFE}*$"
# At least one character that is not white space.
NONBLANK_PATTERN = rf"^{_SAFE}*[^\s\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffd]{_SAFE}*$"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"


@dataclass(frozen=True)
class Param:
    """One parameter: its kind (text, int, float, choice, bool, bbox, date, int_list), its
    limits and its description. ``parse`` returns the value (a bool for ``true``/``false``,
    a date, a list of ints …) or ``default`` when absent."""

    name: str
    kind: str = "text"
    required: bool = False
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = MAX_PARAM_LENGTH
    pattern: str | None = None
    pattern_message: str = ""
    choices: tuple[str, ...] = ()
    # The schema lists ``choices``, but another value may be valid too (a registry decides).
    open_choice: bool = False
    default: object = None
    range_message: str = ""
    max_items: int = 10
    location: str = "query"

    def parse(self, params: Mapping[str, str]) -> object:
        raw = params.get(self.name)
        if raw is not None:
            reject_unsafe_text(self.name, raw)
            # The declared limit first (it may be tighter than the general one of _raw).
            if self.kind not in ("int", "float", "bbox") and len(raw) > self.max_length:
                raise InvalidParameter(self.name, f"长度超过 {self.max_length} 个字符")
        if self.kind in ("int", "float"):
            parse = parse_int if self.kind == "int" else parse_float
            value = parse(
                {self.name: raw} if raw is not None else {},
                self.name,
                required=self.required and self.default is None,
            )
            if value is None:
                return self.default
            low = self.minimum is not None and value < self.minimum
            high = self.maximum is not None and value > self.maximum
            if (low or high) and self.range_message:
                raise InvalidParameter(self.name, self.range_message)
            if low:
                raise InvalidParameter(self.name, f"不能小于 {self.minimum}")
            if high:
                raise InvalidParameter(self.name, f"不能大于 {self.maximum}")
            return value
        if self.kind == "bbox":
            return parse_bbox(params, self.name)
        text = _raw(params, self.name, required=self.required)
        if text is None:
            return self.default
        if len(text) > self.max_length:
            raise InvalidParameter(self.name, f"长度超过 {self.max_length} 个字符")
        if self.kind == "choice" and self.open_choice:
            return text
        if self.kind == "bool":
            return parse_choice(params, self.name, ["true", "false"]) == "true"
        if self.kind == "choice":
            return parse_choice(params, self.name, list(self.choices))
        if self.pattern is not None and re.fullmatch(self.pattern, text) is None:
            raise InvalidParameter(self.name, self.pattern_message or "格式不正确")
        if self.kind == "date":
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise InvalidParameter(self.name, "日期格式应为 YYYY-MM-DD") from None
        if self.kind == "int_list":
            parts = text.split(",")
            if len(parts) > self.max_items or not all(p.isdigit() and len(p) <= 9 for p in parts):
                raise InvalidParameter(self.name, f"应为逗号分隔的整数，最多 {self.max_items} 个")
            return [int(p) for p in parts]
        return text

    def json_schema(self) -> dict:
        """Return the OpenAPI (JSON Schema) description of the accepted values."""
        if self.kind in ("int", "float"):
            schema: dict = {"type": "integer" if self.kind == "int" else "number"}
            if self.kind == "float":
                schema["format"] = "double"
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
            if self.default is not None:
                schema["default"] = self.default
            return schema
        if self.kind == "bool":
            return (
                {"type": "boolean"}
                if self.default is None
                else {"type": "boolean", "default": self.default}
            )
        if self.kind == "choice":
            return {"type": "string", "enum": list(self.choices)}
        if self.kind == "bbox":
            return {"type": "string", "pattern": BBOX_PATTERN}
        if self.kind == "date":
            return {"type": "string", "format": "date"}
        schema = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        if self.kind == "int_list":
            schema["pattern"] = rf"^\d{{1,9}}(,\d{{1,9}}){{0,{self.max_items - 1}}}$"
        elif self.pattern is not None:
            schema["pattern"] = self.pattern
        # Printable text: no control character (the NUL refusal above).
        schema.setdefault("pattern", TEXT_PATTERN)
        return schema


def Text(name: str, *, max_length: int = MAX_PARAM_LENGTH, **kw) -> Param:
    return Param(name, "text", max_length=max_length, **kw)


def Int(name: str, minimum: int | None = None, maximum: int | None = None, **kw) -> Param:
    return Param(name, "int", minimum=minimum, maximum=maximum, **kw)


def Float(name: str, minimum: float | None = None, maximum: float | None = None, **kw) -> Param:
    return Param(name, "float", minimum=minimum, maximum=maximum, **kw)


def Choice(name: str, choices, **kw) -> Param:
    return Param(name, "choice", choices=tuple(choices), **kw)


def Bool(name: str, **kw) -> Param:
    return Param(name, "bool", **kw)


def BBox(name: str = "bbox", **kw) -> Param:
    kw.setdefault("description", "minLon,minLat,maxLon,maxLat（CGCS2000 经纬度）")
    return Param(name, "bbox", **kw)


def Date(name: str, **kw) -> Param:
    return Param(name, "date", **kw)


def IntList(name: str, *, max_items: int = 10, **kw) -> Param:
    return Param(name, "int_list", max_items=max_items, **kw)


class ParamSet:
    """The whole set of a view's query parameters; anything else is refused."""

    def __init__(self, *params: Param) -> None:
        self.params = params
        self.names = {p.name for p in params}

    def __add__(self, other: ParamSet) -> ParamSet:
        mine = {p.name: p for p in self.params}
        mine.update({p.name: p for p in other.params})
        return ParamSet(*mine.values())

    def without(self, *names: str) -> ParamSet:
        return ParamSet(*(p for p in self.params if p.name not in names))

    def parse(self, params: Mapping[str, str]) -> dict[str, object]:
        """Return every declared parameter's value (``default`` when absent)."""
        reject_unsafe_params(params)
        reject_unknown(params, self.names)
        return {p.name: p.parse(params) for p in self.params}


# --- Location bias -------------------------------------------------------------------------
# One declaration for every search that can prefer results near a point (address search,
# place-name search and autocomplete): the optional form of a view's position parameters,
# given both or neither.
BIAS_NAMES = ("lon", "lat")


def bias_params(position: ParamSet) -> tuple[Param, ...]:
    """Return ``position``'s lon and lat as the optional parameters of a location bias."""
    return tuple(
        replace(p, required=False, description=f"位置偏好：{p.description}（与另一项同给）")
        for p in position.params
        if p.name in BIAS_NAMES
    )


def parse_bias(declared: Mapping[str, object]) -> tuple[float, float] | None:
    """Return the (lon, lat) of a location bias from parsed parameters, or None; one of
    the two alone is refused naming the missing one."""
    lon, lat = declared["lon"], declared["lat"]
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        missing = "lon" if lon is None else "lat"
        raise InvalidParameter(missing, "缺少此参数：位置偏好须同时给出 lon 和 lat")
    assert isinstance(lon, float) and isinstance(lat, float)
    return lon, lat
