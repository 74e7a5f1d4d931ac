"""Attribute cleaners shared by every layer's edit rules (no Django models).

Each raises InvalidEdit naming the field, with a Chinese message the editor shows next to
the field. Text is stored as typed (templates escape on output); control characters,
which no form produces, are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gis_portal.editing.errors import InvalidEdit

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
COMMENT_FIELD = "comment"
COMMENT_MAX = 500


@dataclass(frozen=True)
class TextRule:
    label: str
    max_length: int
    required: bool = False

    def clean(self, field: str, value) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidEdit(field, f"{self.label}应为文本")
        value = value.strip()
        if self.required and not value:
            raise InvalidEdit(field, f"{self.label}不能为空")
        if len(value) > self.max_length:
            raise InvalidEdit(field, f"{self.label}不能超过 {self.max_length} 个字符")
        if _CONTROL.search(value):
            raise InvalidEdit(field, f"{self.label}含有控制字符")
        return value


@dataclass(frozen=True)
class DateRule:
    label: str

    def clean(self, field: str, value) -> dt.date | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise InvalidEdit(field, f"{self.label}应为日期文本 YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidEdit(
                field, f"{self.label}不是有效日期（YYYY-MM-DD）：{value[:20]}"
            ) from None


@dataclass(frozen=True)
class GeometryRule:
    kind: str  # "point" | "line"
    parse: Callable

    def clean(self, field: str, value):
        return self.parse(value, kind=self.kind)


def changes_clean(changes, rules: Mapping[str, object]) -> tuple[dict, str]:
    """Return (cleaned values, comment) of a submitted edit; refuse unknown fields."""
    if not isinstance(changes, Mapping):
        raise InvalidEdit("body", "请求体应为 JSON 对象")
    unknown = sorted(set(changes) - set(rules) - {COMMENT_FIELD})
    if unknown:
        raise InvalidEdit(unknown[0], f"未知字段：{'、'.join(unknown)[:100]}（不可修改或不存在）")
    comment = comment_clean(changes.get(COMMENT_FIELD))
    values = {name: rules[name].clean(name, changes[name]) for name in changes if name in rules}
    if not values:
        raise InvalidEdit("body", "没有要修改的字段")
    return values, comment


def comment_clean(value) -> str:
    """Return the officer's reason for a change (required: history must say why)."""
    return TextRule("修改说明", COMMENT_MAX, required=True).clean(COMMENT_FIELD, value)


@dataclass(frozen=True)
class ChoiceRule:
    """One of a model's choices: the stored value or its Chinese label."""

    label: str
    # (value, label) pairs as in TextChoices.choices, or a callable returning them (rows)
    choices: tuple[tuple[str, str], ...] | Callable[[], tuple[tuple[str, str], ...]]
    allow_blank: bool = False
    # A long list (every district of the city) is not spelt out in the error message.
    list_in_error: bool = True

    def options(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.choices()) if callable(self.choices) else self.choices

    def clean(self, field: str, value) -> str:
        if value in (None, "") and self.allow_blank:
            return ""
        options = self.options()
        if isinstance(value, str):
            for stored, shown in options:
                if value.strip() in (stored, shown):
                    return stored
        if not self.list_in_error:
            given = str(value)[:20] if value not in (None, "") else "（空）"
            raise InvalidEdit(field, f"{self.label}“{given}”不在可选列表中，请从列表中选择")
        allowed = "、".join(shown for _v, shown in options if shown)
        raise InvalidEdit(field, f"{self.label}应为以下之一：{allowed}")


@dataclass(frozen=True)
class NumberRule:
    """A whole or real number within [minimum, maximum]; blank → None unless required."""

    label: str
    minimum: float
    maximum: float
    integer: bool = True
    required: bool = False

    def clean(self, field: str, value):
        if value in (None, ""):
            if self.required:
                raise InvalidEdit(field, f"{self.label}不能为空")
            return None
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise InvalidEdit(field, f"{self.label}应为数字") from None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != value  # NaN
            or value in (float("inf"), float("-inf"))
        ):
            raise InvalidEdit(field, f"{self.label}应为数字")
        if self.integer and float(value) != int(value):
            raise InvalidEdit(field, f"{self.label}应为整数")
        if not (self.minimum <= value <= self.maximum):
            raise InvalidEdit(field, f"{self.label}应在 {self.minimum:g} 到 {self.maximum:g} 之间")
        return int(value) if self.integer else float(value)
