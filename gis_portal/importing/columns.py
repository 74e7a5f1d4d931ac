"""A layer's columns: Chinese headings → field names, and the cell parsers (no Django).

A layer declares its columns once (``Column``: field, label, other headings, required);
the same declaration maps an uploaded file's headings, names the column in every row
error, writes the export's header row (so an export imports back unchanged) and lists the
columns on the upload page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from gis_portal.spreadsheet import FORMULA_START, is_formula_text

_NOISE = re.compile(r"[\s\ufffd]")
FORMULA_FIRST = frozenset(FORMULA_START)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the heading exports write and errors name
    aliases: tuple[str, ...] = ()  # other headings accepted on import
    required: bool = False


class HeadingMap:
    """Map a file's headings to field names.

    A .dbf truncates field names to 10 bytes (5 Chinese characters in GBK), so a heading
    that is a unique prefix (≥ 2 characters) of a known heading is accepted too.
    """

    def __init__(self, headings: Mapping[str, str]) -> None:
        self.headings = {_NOISE.sub("", h): f for h, f in headings.items()}
        self._cache: dict[str, str | None] = {}

    @classmethod
    def of(cls, columns: Iterable[Column]) -> HeadingMap:
        return cls({h: c.field for c in columns for h in (c.label, *c.aliases)})

    def field(self, heading: str) -> str | None:
        """Return the field of a heading, or None for a column the layer does not know."""
        if heading not in self._cache:
            self._cache[heading] = self._lookup(heading)
        return self._cache[heading]

    def _lookup(self, heading: str) -> str | None:
        clean = _NOISE.sub("", str(heading))
        if clean in self.headings:
            return self.headings[clean]
        if len(clean) >= 2:
            targets = {f for h, f in self.headings.items() if h.startswith(clean)}
            if len(targets) == 1:
                return targets.pop()
        return None

    def map(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Return the non-empty values by field name, and the headings the layer does not know."""
        mapped, unknown = {}, []
        for heading, value in values.items():
            key = self.field(heading)
            if key is None:
                unknown.append(heading)
            elif value not in (None, ""):
                mapped[key] = value
        return mapped, unknown


def required_missing(mapped: Mapping[str, Any], columns: Iterable[Column]) -> list[tuple[str, str]]:
    """Return (label, reason) for every required column that is empty (``HeadingMap.map``
    leaves empty cells out)."""
    return [(c.label, "必填项为空") for c in columns if c.required and c.field not in mapped]


def text(value: Any) -> str:
    """Return a cell as stripped text (a float holding an integer loses its ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def integer(value: Any, *, low: int, high: int) -> int:
    """Return a cell as an integer in [low, high], or raise ValueError (Chinese)."""
    if value.__class__ is str and value.isascii() and value.isdigit():  # the common CSV cell
        number = int(value)
        if low <= number <= high:
            return number
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"应为整数，而不是 {value!r}")
    raw = text(value)
    if not re.fullmatch(r"[+]?\d+", raw):
        raise ValueError(f"应为整数，而不是 {raw[:20]!r}")
    number = int(raw)
    if not low <= number <= high:
        raise ValueError(f"应在 {low}–{high} 之间，而不是 {number}")
    return number


def decimal(value: Any, *, low: float | None = None, high: float | None = None) -> float:
    """Return a cell as a finite number (in [low, high] when given), or raise ValueError."""
    try:
        number = float(value)  # numbers, and text as CSV gives it ("130.285")
    except (TypeError, ValueError):
        number = None
    if number is None or (value.__class__ is str and not _DECIMAL_TEXT.fullmatch(value)):
        number = _decimal_text(value)
    if not math.isfinite(number):
        raise ValueError("应为有限数值")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"应在 {low:g}–{high:g} 之间，而不是 {number:g}")
    return number


# float() also reads "nan", "1_000" and " 3 ": only plain decimals pass unchecked.
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _decimal_text(value: Any) -> float:
    try:
        number = float(text(value))
    except ValueError:
        raise ValueError(f"应为数字，而不是 {text(value)[:20]!r}") from None
    return number


_DATE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?")


def date(value: Any) -> dt.date:
    """Return a cell as a date (YYYY, YYYY-MM or YYYY-MM-DD; 2024年5月1日), or raise ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    match = _DATE.fullmatch(raw)
    if not match:
        raise ValueError(f"日期 {raw!r} 应写作 YYYY、YYYY-MM 或 YYYY-MM-DD")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期 {raw!r} 不存在") from None


def choice(value: Any, choices: Mapping[str, str], *, what: str) -> str:
    """Return the stored value of a choice given by its label (在用) or its value (installed)."""
    raw = text(value)
    if raw in choices:
        return raw
    stored = _by_label(tuple(choices.items())).get(raw)
    if stored is not None:
        return stored
    raise ValueError(f"{what}应为 {'、'.join(choices.values())} 之一，而不是 {raw[:20]!r}")


@lru_cache(maxsize=64)
def _by_label(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {label: stored for stored, label in items}


def formula_problem(value: Any) -> str | None:
    """Return the refusal of a cell a spreadsheet would run as a formula, else None."""
    if value.__class__ is str and value[:1] not in FORMULA_FIRST:
        return None  # the common case, decided by one character
    if is_formula_text(value) and not _is_number_text(value):
        return "单元格是公式或以 = + - @ 开头：请改为数值或文字后再导入（不执行公式）"
    return None


def _is_number_text(value: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d+)?", value.strip()))


# ---- a row's optional cells: parsed, or a problem (label, Chinese message) noted ----


def optional(mapped: Mapping[str, Any], key: str, parse, label: str, problems: list, default=None):
    """Return ``parse(mapped[key])``, ``default`` when the cell is empty (``HeadingMap.map``
    leaves it out); a ValueError is a problem (``label``, its Chinese message)."""
    if key not in mapped:
        return default
    try:
        return parse(mapped[key])
    except ValueError as exc:
        problems.append((label, str(exc)))
        return default


def optional_choice(
    mapped: Mapping[str, Any], key: str, choices: dict, label: str, problems: list, default=None
):
    """Return the stored value of a choice cell (its label or value), ``default`` when
    empty; an unknown one is a problem naming ``label``."""
    return optional(mapped, key, lambda v: choice(v, choices, what=label), label, problems, default)


def limited_texts(
    mapped: Mapping[str, Any], limits: Mapping[str, tuple[str, int]], problems: list
) -> dict[str, str]:
    """Return the text cells of ``limits`` ({key: (label, most characters)}), "" when absent;
    one longer than its limit is a problem."""
    texts: dict[str, str] = {}
    for key, (label, limit) in limits.items():
        texts[key] = text(mapped.get(key))
        if len(texts[key]) > limit:
            problems.append((label, f"超过 {limit} 个字符"))
    return texts
