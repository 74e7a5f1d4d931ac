"""CQL2 filters (text and JSON) to parameterised SQL over a layer's queryables (pure).

The ``cql2`` package (developmentseed's cql2-rs) parses CQL2 text and JSON and validates
them against the standard's JSON schema; every filter is then one CQL2-JSON tree, which
this module walks into SQL. Only a layer's declared queryable fields (their SQL
expressions, constants of the code) and the geometry can be named; every value the caller
writes travels as a query parameter, never inside the SQL text. What is not translated
here is refused with a Chinese message naming it: unknown properties, a value of the wrong
type, functions other than CASEI, the S_* spatial and the T_* temporal ones (all of CQL2's
Allen relations, over a date property or an INTERVAL of two), arithmetic,
property-to-property comparisons.

Choice fields (a plate's status) are written and compared as their labels (what the items
show) or their stored codes; either is turned into the code, so the column's index serves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from string import Formatter
from typing import Any

import cql2

from gis_portal.catalogue.spec import Field
from gis_portal.error_types import InvalidParameter

FILTER_LANGS = ("cql2-text", "cql2-json")
GEOMETRY_PROPERTY = "geometry"
MAX_FILTER_LENGTH = 8000
MAX_LIST_ITEMS = 1000
MAX_DEPTH = 40

_COMPARISON = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MIRRORED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SPATIAL = {
    "s_intersects": "ST_Intersects",
    "s_disjoint": "ST_Disjoint",
    "s_contains": "ST_Contains",
    "s_within": "ST_Within",
    "s_touches": "ST_Touches",
    "s_crosses": "ST_Crosses",
    "s_overlaps": "ST_Overlaps",
    "s_equals": "ST_Equals",
}
# CQL2's temporal functions: Allen's relations of intervals a (the property, or an
# INTERVAL of two) and b (the constant), instants being intervals of no length.
_ALLEN = {
    "t_after": "{as_} > {be}",
    "t_before": "{ae} < {bs}",
    "t_contains": "{as_} < {bs} AND {ae} > {be}",
    "t_disjoint": "NOT ({as_} <= {be} AND {ae} >= {bs})",
    "t_during": "{as_} > {bs} AND {ae} < {be}",
    "t_equals": "{as_} = {bs} AND {ae} = {be}",
    "t_finishedby": "{as_} < {bs} AND {ae} = {be}",
    "t_finishes": "{as_} > {bs} AND {ae} = {be}",
    "t_intersects": "{as_} <= {be} AND {ae} >= {bs}",
    "t_meets": "{ae} = {bs}",
    "t_metby": "{as_} = {be}",
    "t_overlappedby": "{as_} > {bs} AND {as_} < {be} AND {ae} > {be}",
    "t_overlaps": "{as_} < {bs} AND {ae} > {bs} AND {ae} < {be}",
    "t_startedby": "{as_} = {bs} AND {ae} > {be}",
    "t_starts": "{as_} = {bs} AND {ae} < {be}",
}
_TEMPORAL = tuple(_ALLEN)
# The relation seen from the other operand (a constant written first).
_CONVERSE = {
    "t_after": "t_before",
    "t_before": "t_after",
    "t_contains": "t_during",
    "t_during": "t_contains",
    "t_finishedby": "t_finishes",
    "t_finishes": "t_finishedby",
    "t_meets": "t_metby",
    "t_metby": "t_meets",
    "t_overlappedby": "t_overlaps",
    "t_overlaps": "t_overlappedby",
    "t_startedby": "t_starts",
    "t_starts": "t_startedby",
}
_SQL_TIME = {"date": "date", "datetime": "timestamptz"}
# One end of a temporal constant: SQL text, or a (value, cast) bound where it is used.
_End = str | tuple[Any, str]
_ORDERED_KINDS = ("integer", "number", "date", "datetime", "text")
_ARITY = {
    "not": 1,
    "isnull": 1,
    "like": 2,
    "in": 2,
    "between": 3,
    **dict.fromkeys(_COMPARISON, 2),
    **dict.fromkeys(_SPATIAL, 2),
    **dict.fromkeys(_TEMPORAL, 2),
}


class FilterError(InvalidParameter):
    """A filter that cannot be answered: the message names what is wrong, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__("filter", message)


@dataclass
class SqlFilter:
    """The WHERE condition of a filter and its parameters, in order."""

    sql: str
    params: list[Any] = field(default_factory=list)


def cql_parse(text: str, *, lang: str) -> dict | bool:
    """Return the CQL2-JSON tree of a filter in ``lang`` (cql2-text or cql2-json)."""
    if lang not in FILTER_LANGS:
        raise InvalidParameter("filter-lang", f"应为 {' 或 '.join(FILTER_LANGS)}")
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"长度超过 {MAX_FILTER_LENGTH} 个字符")
    try:
        if lang == "cql2-json":
            try:
                json.loads(text)
            except ValueError:
                raise FilterError("不是有效的 JSON（filter-lang=cql2-json）") from None
            expr = cql2.parse_json(text)
        else:
            expr = cql2.parse_text(text)
        # Not ``expr.validate()``: its JSON Schema check costs 100 ms a filter (1.4 s the
        # first time); the walk below refuses every operator, arity and operand it does
        # not translate, which is stricter than the schema.
    except cql2.ParseError as exc:
        raise FilterError(f"CQL2 语法错误：{_where(str(exc))}") from None
    except (ValueError, RecursionError):
        raise FilterError("CQL2 表达式无法解析") from None
    tree = expr.to_json()
    if not isinstance(tree, dict | bool):
        raise FilterError("应为一个条件表达式")
    return tree


def _where(message: str) -> str:
    # cql2-rs reports "--> line:column" first; say where, not the parser's English.
    head = message.strip().splitlines()[0] if message.strip() else ""
    if head.startswith("-->"):
        return f"第 {head[3:].strip().replace(':', ' 行第 ', 1)} 列附近"
    return "无法解析"


def cql_to_sql(tree: dict | bool, *, fields: Mapping[str, Field], geometry_sql: str) -> SqlFilter:
    """Return the SQL condition of ``tree`` over ``fields`` (name → queryable field) and
    the layer's EPSG:4490 geometry expression; values become parameters."""
    out = SqlFilter("")
    out.sql = _Translator(fields, geometry_sql, out.params).condition(tree, 0)
    return out


class _Translator:
    def __init__(self, fields: Mapping[str, Field], geometry_sql: str, params: list) -> None:
        self.fields = fields
        self.geometry_sql = geometry_sql
        self.params = params

    # --- conditions ------------------------------------------------------------------
    def condition(self, node: Any, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise FilterError(f"嵌套超过 {MAX_DEPTH} 层")
        if isinstance(node, bool):
            return "TRUE" if node else "FALSE"
        if not isinstance(node, dict) or "op" not in node:
            raise FilterError("应为条件（比较、LIKE、IN、空间或时间运算），而不是一个值")
        op = str(node["op"]).lower()
        args = node.get("args", [])
        if not isinstance(args, list):
            raise FilterError(f"运算 {op[:40]!r} 的参数应为列表")
        arity = _ARITY.get(op)
        if arity is not None and len(args) != arity:
            raise FilterError(f"运算 {op[:40]!r} 需要 {arity} 个参数，给了 {len(args)} 个")
        if op in ("and", "or") and len(args) < 2:
            raise FilterError(f"运算 {op!r} 至少需要 2 个参数")
        if op in ("and", "or"):
            parts = [self.condition(a, depth + 1) for a in args]
            return "(" + f" {op.upper()} ".join(parts) + ")"
        if op == "not":
            return f"(NOT {self.condition(args[0], depth + 1)})"
        if op in _COMPARISON:
            return self.comparison(op, args)
        if op == "like":
            return self.like(args)
        if op == "between":
            return self.between(args)
        if op == "in":
            return self.in_list(args)
        if op == "isnull":
            column, _ = self.operand_field(args[0])
            return f"({column} IS NULL)"
        if op in _SPATIAL:
            return self.spatial(op, args)
        if op in _TEMPORAL:
            return self.temporal(op, args)
        if op == "casei":
            raise FilterError("CASEI 应用于比较两侧，如 CASEI(street) = CASEI('新华路')")
        raise FilterError(
            f"不支持的运算或函数 {op[:40]!r}（允许：比较、LIKE、BETWEEN、IN、IS NULL、CASEI、S_* 空间、T_* 时间）"
        )

    def comparison(self, op: str, args: list) -> str:
        left, right = args
        if self.is_literal(left) and not self.is_literal(right):
            left, right, op = right, left, _MIRRORED[op]
        column, f = self.operand_field(left)
        if f is None:
            raise FilterError("几何只能用空间运算（S_INTERSECTS 等）比较")
        casei = self.is_casei(left)
        value_node = self.uncasei(right) if casei else right
        if self.is_casei(right) and not casei:
            raise FilterError("CASEI 应同时用于比较两侧")
        if f.choices and op not in ("=", "<>"):
            raise FilterError(f"属性 {f.name}（{f.label}）只能用 =、<> 或 IN 比较")
        if op not in ("=", "<>") and f.kind not in _ORDERED_KINDS:
            raise FilterError(f"属性 {f.name}（{f.label}）不能比较大小")
        value = self.value(f, value_node)
        if casei:
            return f"(lower({column}) {_COMPARISON[op]} lower({self.param(value)}))"
        return f"({column} {_COMPARISON[op]} {self.param(value)})"

    def like(self, args: list) -> str:
        left, pattern = args
        casei = self.is_casei(left)
        column, f = self.operand_field(left)
        if f is None or f.kind != "text" or f.choices:
            raise FilterError("LIKE 只能用于文本属性")
        if casei:
            pattern = self.uncasei(pattern)
        if not isinstance(pattern, str):
            raise FilterError("LIKE 的模式应为文本，如 '新华%'")
        # CQL2's wildcards (% and _, escaped by a backslash) are PostgreSQL's.
        if casei:
            return f"(lower({column}) LIKE lower({self.param(pattern)}) ESCAPE '\\')"
        return f"({column} LIKE {self.param(pattern)} ESCAPE '\\')"

    def between(self, args: list) -> str:
        left, low, high = args
        column, f = self.operand_field(left)
        if f is None or f.kind not in ("integer", "number", "date", "datetime") or f.choices:
            raise FilterError("BETWEEN 只能用于数值或日期属性")
        lo, hi = self.value(f, low), self.value(f, high)
        return f"({column} BETWEEN {self.param(lo)} AND {self.param(hi)})"

    def in_list(self, args: list) -> str:
        left, items = args
        column, f = self.operand_field(left)
        if f is None:
            raise FilterError("几何不能用 IN 比较")
        if not isinstance(items, list) or not items:
            raise FilterError("IN 的取值应为非空列表")
        if len(items) > MAX_LIST_ITEMS:
            raise FilterError(f"IN 的取值最多 {MAX_LIST_ITEMS} 个")
        values = [self.value(f, item) for item in items]
        return f"({column} IN ({', '.join(self.param(v) for v in values)}))"

    def spatial(self, op: str, args: list) -> str:
        left, right = args
        if self.is_geometry_literal(left) and not self.is_geometry_literal(right):
            left, right = right, left
            op = {"s_contains": "s_within", "s_within": "s_contains"}.get(op, op)
        if left != {"property": GEOMETRY_PROPERTY}:
            raise FilterError(f"空间运算的一侧应为属性 {GEOMETRY_PROPERTY}，另一侧为几何常量")
        geojson = self.geometry_value(right)
        shape = f"ST_SetSRID(ST_GeomFromGeoJSON({self.param(geojson)}), 4490)"
        return f"{_SPATIAL[op]}({self.geometry_sql}, {shape})"

    def temporal(self, op: str, args: list) -> str:
        """An Allen relation (CQL2 temporal functions) of a date property, or an
        INTERVAL of two, with a date or interval constant: every operand is an interval
        (an instant is one whose start is its end); an open end ('..', or a NULL end
        column: not yet retired) is infinity, as PostgreSQL's dates have one."""
        left, right = args
        if self.is_temporal_literal(left) and not self.is_temporal_literal(right):
            left, right, op = right, left, _CONVERSE.get(op, op)
        (a_start, a_end), f = self.temporal_property(op, left)
        kind = _SQL_TIME[f.kind]
        b_start, b_end = self.temporal_literal(f, right, kind)
        ends = {"as_": a_start, "ae": a_end, "bs": b_start, "be": b_end}
        # Each use of a constant end is its own placeholder: the parameters follow the text.
        parts = []
        for text, name, _, _ in Formatter().parse(_ALLEN[op]):
            parts.append(text)
            if name is not None:
                end = ends[name]
                parts.append(end if isinstance(end, str) else self.param(end[0]) + end[1])
        return f"({''.join(parts)})"

    def temporal_property(self, op: str, node: Any) -> tuple[tuple[str, str], Field]:
        if isinstance(node, dict) and "interval" in node:
            ends = node["interval"]
            if not isinstance(ends, list) or len(ends) != 2:
                raise FilterError("INTERVAL 应有开始和结束两项")
            (start, f1), (end, f2) = (self.operand_field(e) for e in ends)
            for f in (f1, f2):
                if f is None or f.kind not in _SQL_TIME:
                    raise FilterError(f"{op.upper()} 的 INTERVAL 只能由日期属性组成")
            if f1.kind != f2.kind:  # type: ignore[union-attr]
                raise FilterError("INTERVAL 的两端应同为日期或同为时间属性")
            kind = _SQL_TIME[f1.kind]  # type: ignore[union-attr]
            return (
                f"coalesce({start}, '-infinity'::{kind})",
                f"coalesce({end}, 'infinity'::{kind})",
            ), f1  # type: ignore[return-value]
        column, f = self.operand_field(node)
        if f is None or f.kind not in _SQL_TIME:
            raise FilterError(f"{op.upper()} 只能用于日期属性")
        return (column, column), f

    @staticmethod
    def is_temporal_literal(node: Any) -> bool:
        if not isinstance(node, dict):
            return isinstance(node, str)
        if "interval" in node:
            ends = node["interval"]
            return isinstance(ends, list) and not any(
                isinstance(e, dict) and "property" in e for e in ends
            )
        return "date" in node or "timestamp" in node

    def temporal_literal(self, f: Field, node: Any, kind: str) -> tuple[_End, _End]:
        """The (start, end) of a constant: an SQL constant (an open end) or a (value,
        cast) pair, bound as a parameter where it is used."""
        if isinstance(node, dict) and "interval" in node:
            if not isinstance(node["interval"], list) or len(node["interval"]) != 2:
                raise FilterError("INTERVAL 应有开始和结束两项")
            start, end = node["interval"]
            lo = f"'-infinity'::{kind}" if start == ".." else self.time_param(f, start, kind)
            hi = f"'infinity'::{kind}" if end == ".." else self.time_param(f, end, kind)
            return lo, hi
        at = self.time_param(f, node, kind)
        return at, at

    def time_param(self, f: Field, node: Any, kind: str) -> tuple[Any, str]:
        if isinstance(node, str):
            node = _instant(node)
        return self.value(f, node), f"::{kind}"

    # --- operands --------------------------------------------------------------------
    @classmethod
    def is_literal(cls, node: Any) -> bool:
        inner = cls.uncasei(node)
        return not (isinstance(inner, dict) and "property" in inner)

    @staticmethod
    def is_casei(node: Any) -> bool:
        return isinstance(node, dict) and str(node.get("op", "")).lower() == "casei"

    @staticmethod
    def uncasei(node: Any) -> Any:
        if isinstance(node, dict) and str(node.get("op", "")).lower() == "casei":
            return node["args"][0]
        return node

    def operand_field(self, node: Any) -> tuple[str, Field | None]:
        """Return (SQL, field) of a property operand (CASEI of one included); the geometry
        gives (its SQL, None)."""
        inner = self.uncasei(node)
        if not isinstance(inner, dict) or "property" not in inner:
            if isinstance(inner, dict) and "op" in inner:
                raise FilterError(
                    f"不允许的函数或运算 {str(inner['op'])[:40]!r}：比较的一侧应为属性"
                )
            raise FilterError("比较的一侧应为属性（如 status），另一侧为常量")
        name = str(inner["property"])
        if name == GEOMETRY_PROPERTY and not self.is_casei(node):
            return self.geometry_sql, None
        f = self.fields.get(name)
        if f is None:
            known = "、".join(self.fields)
            raise FilterError(f"未知属性 {name[:40]!r}；可查询的属性：{known}")
        if self.is_casei(node) and (f.kind != "text" or f.choices):
            raise FilterError(f"CASEI 只能用于文本属性，{f.name} 不是")
        return f"({f.sql})", f

    def value(self, f: Field, node: Any) -> Any:
        """Return the parameter value of literal ``node`` compared with field ``f``."""
        if isinstance(node, dict):
            if "property" in node:
                raise FilterError("只能把属性与常量比较，不能与另一属性比较")
            if "date" in node or "timestamp" in node:
                node = _instant(node.get("date") or node.get("timestamp"))
            elif "op" in node:
                raise FilterError(f"不允许的函数或运算 {str(node['op'])[:40]!r}（只允许常量）")
            else:
                raise FilterError("应为常量（文本、数值、布尔或日期）")
        mismatch = FilterError(
            f"属性 {f.name}（{f.label}）的类型为 {_KIND_LABEL[f.kind]}，取值 {str(node)[:40]!r} 类型不符"
        )
        if f.choices:
            if not isinstance(node, str):
                raise mismatch
            for code, label in f.choices.items():
                if node in (code, label):
                    return code
            allowed = "、".join(f.choices.values())
            raise FilterError(f"属性 {f.name}（{f.label}）的取值应为 {allowed} 之一")
        if f.kind == "text":
            if not isinstance(node, str):
                raise mismatch
            return node
        if f.kind == "boolean":
            if not isinstance(node, bool):
                raise mismatch
            return node
        if f.kind in ("integer", "number"):
            if isinstance(node, bool) or not isinstance(node, int | float):
                raise mismatch
            if f.kind == "integer":
                if not float(node).is_integer():
                    raise mismatch
                return int(node)
            return float(node)
        if f.kind == "date":
            if isinstance(node, datetime):
                return node.date()
            if isinstance(node, date):
                return node
            raise FilterError(f"属性 {f.name}（{f.label}）是日期：请写 DATE('2020-01-01')")
        if isinstance(node, datetime | date):  # datetime field
            return node
        raise FilterError(
            f"属性 {f.name}（{f.label}）是时间：请写 TIMESTAMP('2020-01-01T00:00:00Z')"
        )

    @staticmethod
    def is_geometry_literal(node: Any) -> bool:
        return isinstance(node, dict) and (
            "bbox" in node or "coordinates" in node or "geometries" in node
        )

    @staticmethod
    def geometry_value(node: Any) -> str:
        if isinstance(node, dict) and "bbox" in node:
            box = node["bbox"]
            if not isinstance(box, list) or len(box) != 4:
                raise FilterError("BBOX 应为 4 个数：西,南,东,北")
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box):
                raise FilterError("BBOX 应为 4 个数：西,南,东,北")
            w, s, e, n = (float(v) for v in box)
            if w >= e or s >= n:
                raise FilterError("BBOX 的最小值必须小于最大值（角点颠倒）")
            return json.dumps(
                {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
            )
        if isinstance(node, dict) and ("coordinates" in node or "geometries" in node):
            return json.dumps(node)
        raise FilterError("空间运算的另一侧应为几何常量，如 POINT(130.29 47.33) 或 BBOX(…)")

    def param(self, value: Any) -> str:
        self.params.append(value)
        return "%s"


_KIND_LABEL = {
    "text": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔",
    "date": "日期",
    "datetime": "时间",
}


def _instant(text: Any) -> date | datetime:
    if not isinstance(text, str):
        raise FilterError("日期应为文本，如 DATE('2020-01-01')")
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"不是有效的日期或时间：{text[:40]!r}") from None
