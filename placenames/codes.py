"""The 20-digit place code and the category code table (no Django).

Place code [2nd national census]: 6 digits of the county-level division, 3 of the
township segment (001–099 街道, 100–199 镇, 200–399 乡, 400–599 farms and the like;
000 for names above township level), 5 of the category, 6 of a serial number.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

CATEGORIES_CSV = Path(__file__).parent / "data" / "categories.csv"
PLACE_CODE = re.compile(r"^\d{20}$")


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    parent_code: str
    census_class: str
    confidence: str


def read_categories(path: Path = CATEGORIES_CSV) -> list[CategoryRow]:
    """Return the category code table, parents before children."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            CategoryRow(
                code=r["code"].strip(),
                name=r["name"].strip(),
                parent_code=r["parent_code"].strip(),
                census_class=r["census_class"].strip(),
                confidence=r["confidence"].strip() or "M",
            )
            for r in csv.DictReader(f)
        ]
    for row in rows:
        if not re.fullmatch(r"\d{5}", row.code):
            raise ValueError(f"类别代码 {row.code!r} 不是 5 位数字")
    return sorted(rows, key=lambda r: (r.parent_code != "", r.code))


def division_segments(division_code: str) -> tuple[str, str]:
    """Return (county code, township segment) of a 6-, 9- or 12-digit division code.

    A village's code (12 digits) falls under its township's segment.
    """
    digits = division_code.strip()
    if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", digits):
        raise ValueError(f"区划代码 {division_code!r} 应为 6、9 或 12 位数字")
    return digits[:6], (digits[6:9] if len(digits) > 6 else "000")


def place_code_build(*, division_code: str, category_code: str, serial: int) -> str:
    """Return the 20-digit place code for a division, category and serial number."""
    county, township = division_segments(division_code)
    if not re.fullmatch(r"\d{5}", category_code):
        raise ValueError(f"类别代码 {category_code!r} 应为 5 位数字")
    if not 1 <= serial <= 999_999:
        raise ValueError(f"序号 {serial} 超出 1–999999")
    return f"{county}{township}{category_code}{serial:06d}"


def place_code_prefix(*, division_code: str, category_code: str) -> str:
    """Return the first 14 digits shared by all codes of one division and category."""
    return place_code_build(division_code=division_code, category_code=category_code, serial=1)[:14]


def place_code_check(code: str, *, division_code: str, category_code: str) -> str | None:
    """Return why ``code`` disagrees with its division and category, or None when it fits."""
    if not PLACE_CODE.match(code):
        return "地名代码应为 20 位数字"
    county, township = division_segments(division_code)
    if code[:6] != county:
        return f"代码前 6 位 {code[:6]} 与所在县级政区 {county} 不符"
    if township != "000" and code[6:9] != township:
        return f"代码第 7–9 位 {code[6:9]} 与所在乡级政区 {township} 不符"
    if code[9:14] != category_code:
        return f"代码第 10–14 位 {code[9:14]} 与类别 {category_code} 不符"
    if code[14:] == "000000":
        return "代码序号不能为 000000"
    return None
