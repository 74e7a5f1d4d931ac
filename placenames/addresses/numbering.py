"""Door numbering along a street (no Django): side, chainage and the number for a new door.

Everything here works in metres, in a projected CRS (EPSG:4552, CGCS2000 3° GK zone 43,
easting/northing). ``gis_portal.metric_crs.to_metric`` converts CGCS2000 lon/lat into it.

A street's rule (DOMAIN.md, 门牌编号): numbers grow away from the *base end*; odd numbers
on one side (left/right when facing the direction numbers grow); either one number per
door (按门顺序) or one number per N metres of frontage (按米放号, Harbin Songbei: 2 m).
Doors that fall between two existing numbers get a sub-number (之一, 之二 …).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString

LEFT, RIGHT = "left", "right"
START, END = "start", "end"
PER_DOOR, PER_METRE = "per_door", "per_metre"
MIN_STREET_LENGTH_M = 5.0
# A door closer than this to the centre line cannot be given a side (survey noise).
ON_LINE_TOLERANCE_M = 0.5


class NumberingError(ValueError):
    """A street line or a numbering request that cannot be handled (message in Chinese)."""


@dataclass(frozen=True)
class NumberingRule:
    base_end: str = START
    odd_side: str = RIGHT
    mode: str = PER_DOOR
    metres_per_number: float | None = None

    def __post_init__(self) -> None:
        if self.base_end not in (START, END):
            raise NumberingError(f"起编端应为 start 或 end，而不是 {self.base_end!r}")
        if self.odd_side not in (LEFT, RIGHT):
            raise NumberingError(f"单号一侧应为 left 或 right，而不是 {self.odd_side!r}")
        if self.mode not in (PER_DOOR, PER_METRE):
            raise NumberingError(f"编号方式应为 per_door 或 per_metre，而不是 {self.mode!r}")
        if self.mode == PER_METRE and not (
            self.metres_per_number
            and math.isfinite(self.metres_per_number)
            and self.metres_per_number > 0
        ):
            raise NumberingError("按米放号必须给出大于 0 的每号米数")

    def side_of(self, number: int) -> str:
        """Return the side (left/right) on which ``number`` belongs."""
        even_side = LEFT if self.odd_side == RIGHT else RIGHT
        return self.odd_side if number % 2 == 1 else even_side


def _is_east_west(coords: np.ndarray) -> bool:
    dx, dy = coords[-1] - coords[0]
    return abs(dx) >= abs(dy)


def base_end_toward(
    coords_m: Sequence[Sequence[float]], *, east_west: str, north_south: str
) -> str:
    """Return START or END: the end lying to ``east_west`` ('east'/'west') on an E–W street,
    or to ``north_south`` ('north'/'south') on an N–S one (by the chord's main direction)."""
    c = np.asarray(coords_m, dtype=float)
    first, last = c[0], c[-1]
    if _is_east_west(c):
        start_is = "east" if first[0] > last[0] else "west"
        return START if start_is == east_west else END
    start_is = "north" if first[1] > last[1] else "south"
    return START if start_is == north_south else END


def rule_beijing(coords_m: Sequence[Sequence[float]]) -> NumberingRule:
    """Beijing 2012: E–W from the east, north side odd; N–S from the north, west side odd.

    Facing west (from the east end) north is on the right; facing south west is on the
    right: odd numbers are always on the right.
    """
    base = base_end_toward(coords_m, east_west="east", north_south="north")
    return NumberingRule(base_end=base, odd_side=RIGHT, mode=PER_DOOR)


def rule_songbei(
    coords_m: Sequence[Sequence[float]], metres_per_number: float = 2.0
) -> NumberingRule:
    """Harbin Songbei 按米放号: base east/north, south/east side odd, one number per 2 m.

    Facing west south is on the left; facing south east is on the left: odd on the left.
    """
    base = base_end_toward(coords_m, east_west="east", north_south="north")
    return NumberingRule(
        base_end=base, odd_side=LEFT, mode=PER_METRE, metres_per_number=metres_per_number
    )


def validate_line(coords_m: Sequence[Sequence[float]]) -> LineString:
    """Return the metric line, or raise NumberingError if it is too short, degenerate or
    crosses itself (a street must be a simple line: one chainage per point)."""
    c = np.asarray(coords_m, dtype=float)
    if c.ndim != 2 or c.shape[0] < 2 or c.shape[1] != 2:
        raise NumberingError("街路走向至少需要两个点")
    if not np.isfinite(c).all():
        raise NumberingError("街路走向含有无效坐标 (NaN/inf)")
    line = LineString(c)
    if line.length < MIN_STREET_LENGTH_M:
        raise NumberingError(
            f"街路走向长度为 {line.length:.2f} 米，不足 {MIN_STREET_LENGTH_M:g} 米（零长度或重复点）"
        )
    if not line.is_simple:
        raise NumberingError("街路走向自相交，无法确定门牌里程")
    return line


@dataclass(frozen=True)
class Location:
    chainage_m: float  # from the base end, along the line
    side: str  # LEFT / RIGHT facing the direction numbers grow
    offset_m: float  # distance from the line


def locate_many(
    coords_m: Sequence[Sequence[float]], xs, ys, *, base_end: str = START
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (chainage_m, side, offset_m) arrays for points on a street line.

    ``side`` is +1 for left, -1 for right and 0 within ON_LINE_TOLERANCE_M of the line, facing away from the base end.
    Each point is projected on its nearest segment (O(points × segments), fine for streets).
    """
    c = np.asarray(coords_m, dtype=float)
    if base_end == END:
        c = c[::-1]
    px = np.asarray(xs, dtype=float).reshape(-1, 1)
    py = np.asarray(ys, dtype=float).reshape(-1, 1)
    ax, ay = c[:-1, 0], c[:-1, 1]
    dx, dy = c[1:, 0] - ax, c[1:, 1] - ay
    seg_len2 = dx * dx + dy * dy
    seg_len = np.sqrt(seg_len2)
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])[:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(seg_len2 > 0, ((px - ax) * dx + (py - ay) * dy) / seg_len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    dist2 = (px - qx) ** 2 + (py - qy) ** 2
    best = np.argmin(dist2, axis=1)
    rows = np.arange(px.shape[0])
    chainage = cum[best] + t[rows, best] * seg_len[best]
    cross = dx[best] * (py[:, 0] - ay[best]) - dy[best] * (px[:, 0] - ax[best])
    offset = np.sqrt(dist2[rows, best])
    side = np.sign(np.where(offset < ON_LINE_TOLERANCE_M, 0.0, cross)).astype(int)
    return chainage, side, offset


def locate(
    coords_m: Sequence[Sequence[float]], x: float, y: float, *, base_end: str = START
) -> Location:
    """Return where a point lies relative to a street: chainage, side and offset."""
    chainage, side, offset = locate_many(coords_m, [x], [y], base_end=base_end)
    if side[0] == 0:
        raise NumberingError("门的位置在街路中线上，无法判断在哪一侧")
    return Location(float(chainage[0]), LEFT if side[0] > 0 else RIGHT, float(offset[0]))


@dataclass(frozen=True)
class ExistingPlate:
    number: int
    sub_number: int
    chainage_m: float


@dataclass(frozen=True)
class Proposal:
    number: int
    sub_number: int
    side: str
    chainage_m: float
    reason: str

    @property
    def text(self) -> str:
        return format_number(self.number, self.sub_number)


def _first_number(rule: NumberingRule, side: str) -> int:
    return 1 if side == rule.odd_side else 2


def _next_sub(existing: Iterable[ExistingPlate], number: int) -> int:
    return 1 + max((p.sub_number for p in existing if p.number == number), default=0)


def propose_number(
    *, rule: NumberingRule, location: Location, existing: Sequence[ExistingPlate]
) -> Proposal:
    """Propose the number of a new door at ``location`` given the street's existing plates.

    Only plates of the door's parity (its side of the street) are considered. Per door:
    the number after the previous plate along the street, or a sub-number of the previous
    plate when the next plate already holds that number. Per N metres: the number of the
    N-metre slot the door is in, or a sub-number of it when the slot is taken.
    """
    side = location.side
    first = _first_number(rule, side)
    same_side = [p for p in existing if p.number % 2 == first % 2]
    taken = {(p.number, p.sub_number) for p in same_side}
    c = location.chainage_m

    if rule.mode == PER_METRE:
        # NumberingRule refuses per-metre numbering without a positive step (frozen after).
        assert rule.metres_per_number is not None
        slot = int(c // rule.metres_per_number)
        number = first + 2 * slot
        if (number, 0) not in taken:
            return Proposal(
                number, 0, side, c, f"按米放号：第 {slot + 1} 个 {rule.metres_per_number:g} 米段"
            )
        sub = _next_sub(same_side, number)
        return Proposal(number, sub, side, c, f"{number}号所在米段已有门牌，编副号")

    before = [p for p in same_side if p.chainage_m <= c]
    after = [p for p in same_side if p.chainage_m > c]
    prev = max(before, key=lambda p: (p.chainage_m, p.number, p.sub_number), default=None)
    nxt = min(after, key=lambda p: (p.chainage_m, p.number), default=None)
    candidate = first if prev is None else prev.number + 2
    if (nxt is None or candidate < nxt.number) and (candidate, 0) not in taken:
        why = "该侧第一个门牌" if prev is None else f"前一门牌为 {prev.number}号"
        return Proposal(candidate, 0, side, c, why)
    if prev is None:
        # The door is before the first number and 1 (or 2) is taken: sub-number of it.
        return Proposal(first, _next_sub(same_side, first), side, c, "位于首个门牌之前，编副号")
    sub = _next_sub(same_side, prev.number)
    if nxt is not None and candidate >= nxt.number:
        why = f"{prev.number}号与{nxt.number}号之间无空号，编副号"
    else:  # the next number stands elsewhere on the street (plates out of order)
        why = f"{candidate}号已有门牌，编{prev.number}号的副号"
    return Proposal(prev.number, sub, side, c, why)


_CN_DIGITS = "零一二三四五六七八九十"


def format_number(number: int, sub_number: int = 0) -> str:
    """Return the plate text of a number: 12号, 12号之一 (… 之十; 12号附11号 beyond)."""
    if not sub_number:
        return f"{number}号"
    if sub_number <= 10:
        return f"{number}号之{_CN_DIGITS[sub_number]}"
    return f"{number}号附{sub_number}号"
