"""Consistency rules for door plates and street signs (no Django).

Inputs are plain facts prepared by the selector (chainage, side and distance already
measured in metres); each rule returns findings. The rule table is data: the report and
the API list rules in this order with these labels.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from placenames.addresses.numbering import LEFT, RIGHT, format_number

RULES: dict[str, str] = {
    "duplicate_number": "门牌号重复",
    "wrong_side": "单双号与所在侧不符",
    "decreasing": "门牌号沿编号方向递减",
    "too_far": "门牌距所属街路过远",
    "name_mismatch": "牌面街路名与地名档案不符",
    "sign_not_replaced": "更名后路牌未更换",
    "inspection_overdue": "路牌巡检逾期",
    "street_without_sign": "街路巷没有在用路牌",
    "place_without_sign": "地名没有在用地名标志",
}
DEFAULT_MAX_DISTANCE_M = 50.0  # frontage setback; configurable per call
DEFAULT_INSPECTION_INTERVAL_DAYS = 365


@dataclass(frozen=True)
class StreetFacts:
    id: int
    name: str
    odd_side: str
    archive_name: str = ""  # the linked place-name record's standard name, if any
    former_names: tuple[tuple[str, date], ...] = ()  # (name, used until)

    @property
    def current_name(self) -> str:
        return self.archive_name or self.name


@dataclass(frozen=True)
class PlateFacts:
    id: int
    street_id: int
    number: int
    sub_number: int
    name_on_plate: str
    chainage_m: float
    side: str | None  # geometric side facing the numbering direction; None on the line
    offset_m: float


@dataclass(frozen=True)
class SignFacts:
    id: int
    street_id: int
    text_zh: str
    installed_on: date | None
    last_inspected_on: date | None


@dataclass(frozen=True)
class Finding:
    rule: str
    street_id: int
    kind: str  # "plate" or "sign"
    object_id: int
    message: str
    related_ids: tuple[int, ...] = field(default=())

    @property
    def label(self) -> str:
        return RULES[self.rule]


def _label(street: StreetFacts, p: PlateFacts) -> str:
    return f"{street.name}{format_number(p.number, p.sub_number)}"


def _non_decreasing_keep(keys: Sequence[tuple[int, int]]) -> set[int]:
    """Return the indices of one longest non-decreasing subsequence of ``keys``."""
    tails: list[tuple[int, int]] = []
    tail_idx: list[int] = []
    prev = [-1] * len(keys)
    for i, k in enumerate(keys):
        pos = bisect.bisect_right(tails, k)
        if pos == len(tails):
            tails.append(k)
            tail_idx.append(i)
        else:
            tails[pos] = k
            tail_idx[pos] = i
        prev[i] = tail_idx[pos - 1] if pos else -1
    keep = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def check_plates(
    street: StreetFacts,
    plates: Iterable[PlateFacts],
    *,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> list[Finding]:
    """Return the plate findings of one street (active plates only)."""
    plates = list(plates)
    out: list[Finding] = []
    even_side = LEFT if street.odd_side == RIGHT else RIGHT

    by_number: dict[tuple[int, int], list[PlateFacts]] = defaultdict(list)
    for p in plates:
        by_number[(p.number, p.sub_number)].append(p)
    for group in by_number.values():
        if len(group) > 1:
            ids = tuple(sorted(g.id for g in group))
            for p in group:
                out.append(
                    Finding(
                        "duplicate_number",
                        street.id,
                        "plate",
                        p.id,
                        f"{_label(street, p)} 共有 {len(group)} 块",
                        related_ids=tuple(i for i in ids if i != p.id),
                    )
                )

    side_names = {LEFT: "左侧", RIGHT: "右侧"}
    for p in plates:
        expected = street.odd_side if p.number % 2 else even_side
        if p.side is not None and p.side != expected:
            parity_name = "单号" if p.number % 2 else "双号"
            out.append(
                Finding(
                    "wrong_side",
                    street.id,
                    "plate",
                    p.id,
                    f"{_label(street, p)} 为{parity_name}，应在{side_names[expected]}，实际在{side_names[p.side]}",
                )
            )
        if p.offset_m > max_distance_m:
            out.append(
                Finding(
                    "too_far",
                    street.id,
                    "plate",
                    p.id,
                    f"{_label(street, p)} 距{street.name} {p.offset_m:.0f} 米（上限 {max_distance_m:g} 米）",
                )
            )
        if p.name_on_plate != street.current_name:
            out.append(
                Finding(
                    "name_mismatch",
                    street.id,
                    "plate",
                    p.id,
                    f"{format_number(p.number, p.sub_number)} 牌面为「{p.name_on_plate}」，"
                    f"档案标准名称为「{street.current_name}」",
                )
            )

    # Along each parity, numbers must not fall as chainage grows; the plates outside one
    # longest non-decreasing run are the ones out of order (a swap flags both, not a cascade).
    for parity in (0, 1):
        run = sorted((p for p in plates if p.number % 2 == parity), key=lambda p: p.chainage_m)
        keep = _non_decreasing_keep([(p.number, p.sub_number) for p in run])
        for i, p in enumerate(run):
            if i in keep:
                continue
            before = run[i - 1] if i else None
            after = (
                f"，前一门牌为 {format_number(before.number, before.sub_number)}" if before else ""
            )
            out.append(
                Finding(
                    "decreasing",
                    street.id,
                    "plate",
                    p.id,
                    f"{_label(street, p)} 位于里程 {p.chainage_m:.0f} 米，编号顺序颠倒{after}",
                )
            )
    return out


def check_signs(
    street: StreetFacts,
    signs: Iterable[SignFacts],
    *,
    as_of: date,
    inspection_interval_days: int = DEFAULT_INSPECTION_INTERVAL_DAYS,
) -> list[Finding]:
    """Return the sign findings of one street (installed signs only)."""
    out: list[Finding] = []
    former = dict(street.former_names)
    limit = as_of - timedelta(days=inspection_interval_days)
    for s in signs:
        if s.text_zh != street.current_name:
            if s.text_zh in former:
                why = f"牌面仍为曾用名「{s.text_zh}」（{former[s.text_zh]} 停用），现名「{street.current_name}」"
            else:
                why = f"牌面「{s.text_zh}」与现名「{street.current_name}」不符"
            out.append(Finding("sign_not_replaced", street.id, "sign", s.id, why))
        last = s.last_inspected_on or s.installed_on
        if last is None or last < limit:
            when = f"上次巡检 {last}" if last else "从未巡检"
            out.append(
                Finding(
                    "inspection_overdue",
                    street.id,
                    "sign",
                    s.id,
                    f"{street.name}路牌 #{s.id} {when}，超过 {inspection_interval_days} 天",
                )
            )
    return out


def check_street_signed(street: StreetFacts, *, installed_signs: int) -> list[Finding]:
    """Return a finding when a street has no installed sign at all."""
    if installed_signs:
        return []
    return [
        Finding(
            "street_without_sign",
            street.id,
            "street",
            street.id,
            f"{street.current_name}没有在用路牌",
        )
    ]


def check_place_signed(
    *, place_id: int, name: str, sign_label: str, group_label: str, covered: bool
) -> list[Finding]:
    """Return a finding when a place that needs a sign (村、居民区、桥梁…) has none of its kind.

    Places are not on a street: the finding's street id is 0.
    """
    if covered:
        return []
    return [
        Finding(
            "place_without_sign",
            0,
            "place",
            place_id,
            f"{group_label}「{name}」没有在用的{sign_label}",
        )
    ]
