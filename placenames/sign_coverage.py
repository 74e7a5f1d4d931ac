"""Which sign each kind of place carries, and the coverage arithmetic (no Django).

A place needs a sign when its category (GB/T 18521 code) starts with a prefix in
``SIGN_KINDS``; the longest prefix decides its kind (adding a category is adding a row).
A place is *covered* in a year when, at the end of that year, it had a sign of its own kind
installed: installed on or before 31 December (an inventory row with no date counts as
installed since it was recorded, an approximation the report states) and not removed by
then. A street's archive record is also covered by a street sign on the street it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# category code prefix → (sign kind, label of the place group on the reports)
SIGN_KINDS: dict[str, tuple[str, str]] = {
    "2161": ("village", "村（村民委员会）"),
    "222": ("village", "农村居民点（自然村）"),
    "2162": ("residential", "社区"),
    "221": ("residential", "城镇居民点（居民区）"),
    "234": ("bridge", "桥梁"),
    "2351": ("street", "街路巷"),
    "2177": ("area", "区片"),
    "252": ("area", "公园"),
    "262": ("area", "广场"),
}
# Longest first: the first prefix that matches is the most specific.
_PREFIXES = sorted(SIGN_KINDS, key=len, reverse=True)


def sign_rule_of(category_code: str) -> tuple[str, str, str] | None:
    """Return (prefix, sign kind, group label) for a category code, or None if it needs no sign."""
    for prefix in _PREFIXES:
        if category_code.startswith(prefix):
            kind, label = SIGN_KINDS[prefix]
            return prefix, kind, label
    return None


def year_end(year: int) -> dt.date:
    """Return 31 December of ``year`` (the day a year's coverage is taken on)."""
    return dt.date(year, 12, 31)


def sign_counts_in(
    *, installed_on: dt.date | None, removed_on: dt.date | None, status: str, year: int
) -> bool:
    """Return whether a sign stood at the end of ``year``.

    A removed sign with no removal date never counts (when it went is unknown); a planned
    sign never counts.
    """
    end = year_end(year)
    if status == "planned":
        return False
    if installed_on is not None and installed_on > end:
        return False
    if status == "removed":
        return removed_on is not None and removed_on > end
    return removed_on is None or removed_on > end


def place_exists_in(
    *, named_on: dt.date | None, abolished_on: dt.date | None, status: str, year: int
) -> bool:
    """Return whether a place needs a sign at the end of ``year`` (named by then, not abolished)."""
    end = year_end(year)
    if named_on is not None and named_on > end:
        return False
    if abolished_on is not None:
        return abolished_on > end
    return status == "in_use"


@dataclass(frozen=True)
class CoverageCell:
    county_code: str
    county_name: str
    group: str  # the category prefix of SIGN_KINDS
    group_label: str
    places: int
    covered: int

    @property
    def missing(self) -> int:
        return self.places - self.covered

    @property
    def rate(self) -> float | None:
        """Return covered / places, or None when no place of the group needs a sign."""
        return self.covered / self.places if self.places else None


def coverage_total(cells: Iterable[CoverageCell]) -> tuple[int, int, float | None]:
    """Return (places, covered, rate) summed over ``cells``."""
    places = covered = 0
    for cell in cells:
        places += cell.places
        covered += cell.covered
    return places, covered, (covered / places if places else None)


def rate_text(rate: float | None) -> str:
    """Return a rate for a page: "87.5%", or "—" when there is nothing to cover."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
