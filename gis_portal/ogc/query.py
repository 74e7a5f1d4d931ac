"""The items request of OGC API Features, parsed and checked (no Django, no database).

One declaration of the parameters (``ITEMS_PARAMS``) serves the parsing, the refusals (400
naming the parameter, in Chinese) and the OpenAPI document. ``items_query_parse`` turns a
request's parameters and a layer into an ``ItemsQuery`` whose every part is either a
constant of the code (a CRS row, a field of the catalogue) or a value bound as a parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.error_types import InvalidParameter
from gis_portal.ogc.cql import FILTER_LANGS, MAX_FILTER_LENGTH, SqlFilter, cql_parse, cql_to_sql
from gis_portal.ogc.crs import CRS84, SERVED_CRS, ServedCrs, bbox_to_lonlat, crs_parse
from gis_portal.params import Choice, Int, ParamSet, Text, reject_unsafe_text

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100
MAX_OFFSET = 100_000_000
FORMATS = ("json", "html")

_NUM = r"-?\d{1,12}(\.\d{1,15})?"
BBOX_PATTERN = rf"^{_NUM},{_NUM},{_NUM},{_NUM}$"
_INSTANT = r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?"
DATETIME_PATTERN = rf"^({_INSTANT}|(\.\.|{_INSTANT})/(\.\.|{_INSTANT}))$"
CRS_PATTERN = r"^[A-Za-z0-9:/._-]{1,120}$"
_CRS_HELP = "；".join(f"{c.uri}（{c.label}）" for c in SERVED_CRS)

FORMAT_PARAM = Choice(
    "f", FORMATS, description="返回格式：json（GeoJSON/JSON）或 html；缺省按 Accept"
)
ITEMS_PARAMS = ParamSet(
    FORMAT_PARAM,
    Text(
        "bbox",
        pattern=BBOX_PATTERN,
        pattern_message="格式应为 4 个数：minx,miny,maxx,maxy（按 bbox-crs 的坐标轴顺序）",
        description="范围：4 个数，按 bbox-crs 的轴序；缺省 CRS84 经度,纬度",
    ),
    Text(
        "bbox-crs",
        max_length=120,
        pattern=CRS_PATTERN,
        description=f"bbox 的坐标参照系：{_CRS_HELP}",
    ),
    Text(
        "crs", max_length=120, pattern=CRS_PATTERN, description=f"返回几何的坐标参照系：{_CRS_HELP}"
    ),
    Int("limit", 1, MAX_LIMIT, default=DEFAULT_LIMIT, description=f"每页要素数（1–{MAX_LIMIT}）"),
    Int("offset", 0, MAX_OFFSET, default=0, description="跳过的要素数（分页；见 next 链接）"),
    Int(
        "after",
        0,
        10**17,
        description="续页位置：上一页最后一个要素的编号（next 链接自带，客户端无需自填）",
    ),
    Text(
        "datetime",
        max_length=80,
        pattern=DATETIME_PATTERN,
        pattern_message="应为日期、时间或区间，如 2020-01-01、2020-01-01/..、../2021-12-31",
        description="在此日期（或区间内）有效的要素；仅有效期图层支持",
    ),
    Text(
        "properties",
        max_length=400,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,39}(,[A-Za-z_][A-Za-z0-9_]{0,39}){0,59}$",
        pattern_message="应为逗号分隔的属性名",
        description="只返回这些属性（逗号分隔，见 queryables）",
    ),
    Text(
        "filter",
        max_length=MAX_FILTER_LENGTH,
        description="CQL2 筛选条件（只能用 queryables 中的属性），如 status = '在用' AND number > 10",
    ),
    Choice("filter-lang", FILTER_LANGS, description="filter 的语言：cql2-text（缺省）或 cql2-json"),
    Text(
        "filter-crs",
        max_length=120,
        pattern=CRS_PATTERN,
        description="filter 中几何的坐标参照系：仅 CRS84",
    ),
)
# The filter is longer than the general parameter limit: parsed on its own.
_PARSED_TOGETHER = ITEMS_PARAMS.without("filter")


@dataclass(frozen=True)
class ItemsQuery:
    """One page of a layer's features, as asked for (every part checked)."""

    crs: ServedCrs
    limit: int
    offset: int
    fields: tuple[Field, ...]
    bbox_4490: tuple[float, float, float, float] | None = None
    # (start, end) the features must be in force within; None ends are open.
    period: tuple[date | datetime | None, date | datetime | None] | None = None
    filter: SqlFilter | None = None
    # The id the page starts after (the next links' keyset cursor), None: by ``offset``.
    after_id: int | None = None


def output_format(params: Mapping[str, str], accept: str) -> str:
    """Return "html" or "json": the ``f`` parameter, else HTML only if Accept asks for it."""
    value = params.get("f")
    if value is not None:
        reject_unsafe_text("f", value)
        if value not in FORMATS:
            raise InvalidParameter("f", f"取值应为 {', '.join(FORMATS)} 之一")
        return value
    return "html" if "text/html" in accept else "json"


def _bbox(raw: str) -> tuple[float, float, float, float]:
    values = tuple(float(v) for v in raw.split(","))
    if not all(math.isfinite(v) for v in values):
        raise InvalidParameter("bbox", "必须是有限数值")
    a, b, c, d = values
    return a, b, c, d


def _instant(text: str, *, end: bool) -> date | datetime | None:
    if text == "..":
        return None
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter("datetime", f"不是有效的日期或时间：{text[:40]!r}") from None


def _period(raw: str) -> tuple[date | datetime | None, date | datetime | None]:
    if "/" not in raw:
        when = _instant(raw, end=False)
        return when, when
    start_text, end_text = raw.split("/")
    start, end = _instant(start_text, end=False), _instant(end_text, end=True)
    if start is None and end is None:
        raise InvalidParameter("datetime", "区间的两端不能都开放（../..）")
    if start is not None and end is not None and _as_date(start) > _as_date(end):
        raise InvalidParameter("datetime", "区间的开始晚于结束")
    return start, end


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def queryables_of(fields: tuple[Field, ...]) -> dict[str, Field]:
    """The fields a filter may name (of those the caller sees)."""
    return {f.name: f for f in fields if f.queryable}


def items_query_parse(
    params: Mapping[str, str], *, layer: CatalogueLayer, fields: tuple[Field, ...]
) -> ItemsQuery:
    """Return the checked ``ItemsQuery`` of a request's parameters over ``layer``, whose
    caller sees ``fields``; any bad parameter is refused naming it."""
    raw_filter = params.get("filter")
    rest = {k: params[k] for k in params if k != "filter"}
    q = _PARSED_TOGETHER.parse(rest)
    crs = crs_parse("crs", q["crs"])  # type: ignore[arg-type]
    bbox_4490 = None
    if q["bbox"] is not None:
        bbox_crs = crs_parse("bbox-crs", q["bbox-crs"])  # type: ignore[arg-type]
        bbox_4490 = bbox_to_lonlat(_bbox(q["bbox"]), bbox_crs)  # type: ignore[arg-type]
    elif q["bbox-crs"] is not None:
        crs_parse("bbox-crs", q["bbox-crs"])  # type: ignore[arg-type]
    period = None
    if q["datetime"] is not None:
        if layer.source.period is None:
            raise InvalidParameter("datetime", f"图层 {layer.label} 没有有效期，不支持 datetime")
        period = _period(q["datetime"])  # type: ignore[arg-type]
    chosen = fields
    if q["properties"] is not None:
        known = {f.name: f for f in fields}
        names = str(q["properties"]).split(",")
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InvalidParameter(
                "properties", f"未知属性 {unknown[0]!r}；可用属性：{', '.join(known)}"
            )
        chosen = tuple(known[n] for n in dict.fromkeys(names))
    sql_filter = None
    if q["filter-crs"] is not None and crs_parse("filter-crs", q["filter-crs"]).uri != CRS84:  # type: ignore[arg-type]
        raise InvalidParameter("filter-crs", f"filter 中的几何只支持 {CRS84}")
    if raw_filter is not None and raw_filter != "":
        reject_unsafe_text("filter", raw_filter)
        tree = cql_parse(raw_filter, lang=str(q["filter-lang"] or "cql2-text"))
        sql_filter = cql_to_sql(
            tree, fields=queryables_of(fields), geometry_sql=layer.source.geometry_4490
        )
    elif q["filter-lang"] is not None:
        raise InvalidParameter("filter-lang", "只在给出 filter 时使用")
    return ItemsQuery(
        crs=crs,
        limit=int(q["limit"]),  # type: ignore[call-overload]
        offset=int(q["offset"]),  # type: ignore[call-overload]
        fields=chosen,
        bbox_4490=bbox_4490,
        period=period,
        filter=sql_filter,
        after_id=None if q["after"] is None else int(q["after"]),  # type: ignore[call-overload]
    )


ITEM_PARAMS = ParamSet(
    FORMAT_PARAM,
    Text(
        "crs", max_length=120, pattern=CRS_PATTERN, description=f"返回几何的坐标参照系：{_CRS_HELP}"
    ),
)
PLAIN_PARAMS = ParamSet(FORMAT_PARAM)


def item_id_parse(raw: str) -> int | None:
    """Return the integer id of an item path segment, or None (no such item)."""
    return int(raw) if re.fullmatch(r"[1-9]\d{0,17}", raw) else None
