"""Generate the demo street network, signs and door plates (no Django; deterministic).

No public source has Hegang's streets or door plates, so the demo draws a slightly bent
grid of streets inside the real urban district polygons (metric EPSG:4552 coordinates),
places the plan's 306 lightbox + 115 single signs and 18,480 door plates by each street's
numbering rule, and plants a few known errors for the checks to find. Everything comes
from one seeded generator: the same polygons give the same records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from shapely.geometry import LineString, MultiLineString, Polygon

from placenames.addresses.numbering import (
    LEFT,
    PER_METRE,
    ExistingPlate,
    Location,
    NumberingRule,
    locate_many,
    propose_number,
    rule_beijing,
    rule_songbei,
)

SEED = 230400
N_PLATES = 18_480
N_LIGHTBOX = 306
N_SINGLE = 115
N_NAMED = 8  # newly named streets (新命名)
N_RENAMED = 8  # renamed streets (更名): 16 in all, as in the plan
SPACING_EW_M = 330.0
SPACING_NS_M = 420.0
MIN_STREET_M = 350.0

# Specific parts (专名) for the generated names; the generic is 街 (E–W) or 路 (N–S).
SPECIFICS = [
    "新华",
    "胜利",
    "红旗",
    "建设",
    "解放",
    "团结",
    "和平",
    "光明",
    "文化",
    "友谊",
    "幸福",
    "民主",
    "工人",
    "矿建",
    "煤城",
    "鹤立",
    "松鹤",
    "站前",
    "南翼",
    "北山",
    "东方",
    "振兴",
    "兴业",
    "长征",
    "富力",
    "太平",
    "中心",
    "峻德",
    "鸟山",
    "岭北",
    "育才",
    "丰收",
    "昌盛",
    "星光",
    "朝阳",
    "湖滨",
    "铁西",
    "铁东",
    "大陆",
    "麓林",
    "沟南",
    "沟北",
    "岭南",
    "红军",
    "新兴",
    "兴安",
    "松林",
    "桦林",
    "白桦",
    "青松",
    "翠柏",
    "金谷",
    "银河",
    "安康",
    "康乐",
    "永安",
    "永宁",
    "长安",
    "吉祥",
    "和谐",
    "福民",
    "利民",
    "裕民",
    "新村",
    "东岭",
    "西岭",
    "南岭",
    "北岭",
    "向荣",
    "繁荣",
    "跃进",
    "前进",
    "先锋",
    "立新",
    "创业",
    "英才",
    "书香",
    "园林",
    "花园",
    "公园",
    "学府",
    "体育",
    "医院",
    "商贸",
    "通达",
]
# Former names of the renamed streets (曾用名).
FORMER_SPECIFICS = ["六委", "矿务局", "五井", "三道", "南山一", "东风", "红卫", "工农兵"]


@dataclass
class StreetSpec:
    key: int
    name: str
    pinyin: str
    county_code: str
    township_code: str
    coords_m: list[tuple[float, float]]
    rule: NumberingRule
    start_description: str = ""
    end_description: str = ""
    named_on: date | None = None
    former_names: list[tuple[str, date | None, date]] = field(default_factory=list)


@dataclass
class PlateSpec:
    street_key: int
    number: int
    sub_number: int
    x: float
    y: float
    side: str
    name_on_plate: str
    status: str
    installed_on: date


@dataclass
class SignSpec:
    street_key: int
    kind: str
    text_zh: str
    x: float
    y: float
    installed_on: date
    condition: str
    inspections: list[tuple[date, str]]


@dataclass
class DemoNetwork:
    streets: list[StreetSpec]
    plates: list[PlateSpec]
    signs: list[SignSpec]
    planted_errors: dict[str, int]


def _longest(geom) -> LineString | None:
    if geom.is_empty:
        return None
    if isinstance(geom, LineString):
        return geom
    if isinstance(geom, MultiLineString):
        return max(geom.geoms, key=lambda g: g.length)
    lines = [g for g in getattr(geom, "geoms", []) if isinstance(g, LineString)]
    return max(lines, key=lambda g: g.length) if lines else None


def _grid_lines(poly: Polygon, rng: np.random.Generator) -> list[tuple[str, LineString]]:
    inner = poly.buffer(-40.0)
    minx, miny, maxx, maxy = inner.bounds
    out: list[tuple[str, LineString]] = []
    for y in np.arange(miny + SPACING_EW_M / 2, maxy, SPACING_EW_M):
        xs = np.linspace(minx - 10, maxx + 10, 5)
        ys = y + rng.uniform(-18, 18, xs.size)
        out.append(("ew", LineString(np.column_stack([xs, ys]))))
    for x in np.arange(minx + SPACING_NS_M / 2, maxx, SPACING_NS_M):
        ys = np.linspace(miny - 10, maxy + 10, 5)
        xs = x + rng.uniform(-18, 18, ys.size)
        out.append(("ns", LineString(np.column_stack([xs, ys]))))
    clipped = []
    for orientation, line in out:
        piece = _longest(line.intersection(inner))
        if piece is not None and piece.length >= MIN_STREET_M and piece.is_simple:
            clipped.append((orientation, piece))
    return clipped


def _allocate(lengths: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` in proportion to ``lengths`` by largest remainder (sums exactly)."""
    share = lengths / lengths.sum() * total
    counts = np.floor(share).astype(int)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def _numbers_for(rule: NumberingRule, chainages: np.ndarray, first: int) -> list[tuple[int, int]]:
    """Number the doors of one side (sorted by chainage) per the rule, sub-numbering clashes."""
    out: list[tuple[int, int]] = []
    if rule.mode == PER_METRE:
        seen: dict[int, int] = {}
        for c in chainages:
            n = first + 2 * int(c // rule.metres_per_number)
            sub = seen.get(n, -1) + 1
            seen[n] = sub
            out.append((n, sub))
        return out
    return [(first + 2 * i, 0) for i in range(len(chainages))]


def generate(
    districts: list[tuple[str, Polygon, list[str]]],
    spell: Callable[[str], str],
    *,
    seed: int = SEED,
) -> DemoNetwork:
    """Return the demo network for ``districts`` = [(county code, metric polygon, townships)].

    ``spell`` romanises a street name (placenames.romanize in the app).
    """
    rng = np.random.default_rng(seed)
    raw: list[tuple[str, str, list[str], LineString, float]] = []
    for county_code, poly, townships in districts:
        lines = _grid_lines(poly, rng)
        minx, _, maxx, _ = poly.bounds
        for orientation, line in lines:
            # Township by east–west band of the district (no public township polygons).
            band = (line.centroid.x - minx) / max(maxx - minx, 1.0)
            township = townships[min(int(band * len(townships)), len(townships) - 1)]
            raw.append((orientation, county_code, [township], line, line.length))
    if len(raw) > len(SPECIFICS) * 2:
        raise ValueError("演示街路数量超过可用名称数")

    streets: list[StreetSpec] = []
    used_ew = used_ns = 0
    for key, (orientation, county, townships, line, _) in enumerate(raw):
        if orientation == "ew":
            specific, generic = SPECIFICS[used_ew], "街"
            used_ew += 1
        else:
            specific, generic = SPECIFICS[-1 - used_ns], "路"
            used_ns += 1
        coords = [(round(x, 2), round(y, 2)) for x, y in line.coords]
        rule = rule_songbei(coords) if key % 5 == 4 else rule_beijing(coords)
        streets.append(
            StreetSpec(
                key=key,
                name=specific + generic,
                pinyin=spell(specific + generic),
                county_code=county,
                township_code=townships[0],
                coords_m=coords,
                rule=rule,
            )
        )
    _describe_ends(streets)

    # The 16 named/renamed streets: spread over the list, the longest ones first.
    by_length = sorted(streets, key=lambda s: -LineString(s.coords_m).length)
    for i, s in enumerate(by_length[: N_NAMED + N_RENAMED]):
        s.named_on = date(2021, 3, 1) + timedelta(days=97 * i)
        if i % 2 == 1:
            former = FORMER_SPECIFICS[i // 2] + s.name[-1]
            s.former_names.append((former, date(1958, 1, 1), s.named_on - timedelta(days=1)))
    renamed = [s for s in streets if s.former_names]

    lengths = np.array([LineString(s.coords_m).length for s in streets])
    counts = _allocate(lengths, N_PLATES)
    plates: list[PlateSpec] = []
    per_street: dict[int, list[PlateSpec]] = {}
    for s, n in zip(streets, counts, strict=True):
        per_street[s.key] = _street_plates(s, int(n), rng)
        plates.extend(per_street[s.key])

    errors = _plant_plate_errors(streets, per_street, renamed, rng)
    signs = _signs(streets, rng)
    errors.update(_plant_sign_errors(signs, renamed, rng))
    return DemoNetwork(streets=streets, plates=plates, signs=signs, planted_errors=errors)


def _describe_ends(streets: list[StreetSpec]) -> None:
    lines = [LineString(s.coords_m) for s in streets]
    for s, line in zip(streets, lines, strict=True):
        crossings = []
        for other, other_line in zip(streets, lines, strict=True):
            if other is s or not line.intersects(other_line):
                continue
            crossings.append((line.project(line.intersection(other_line).centroid), other.name))
        base_first = s.rule.base_end == "start"
        crossings.sort(reverse=not base_first)
        s.start_description = f"起于{crossings[0][1]}" if crossings else "起于区界"
        s.end_description = f"止于{crossings[-1][1]}" if len(crossings) > 1 else "止于区界"


def _street_plates(s: StreetSpec, n: int, rng: np.random.Generator) -> list[PlateSpec]:
    coords = np.asarray(s.coords_m)
    line = LineString(coords if s.rule.base_end == "start" else coords[::-1])
    length = line.length
    out: list[PlateSpec] = []
    # ~1 % of doors are later infill between two numbered doors (之一 under per-door rules).
    n_infill = max(1, n // 100) if n >= 20 else 0
    sides = {LEFT: (n - n_infill) // 2, "right": (n - n_infill) - (n - n_infill) // 2}
    odd_first = {s.rule.odd_side: 1}
    numbered: dict[str, list[tuple[float, int, int]]] = {}
    for side, k in sides.items():
        chain = length * (np.arange(k) + 0.5) / max(k, 1) + rng.uniform(-1.5, 1.5, k)
        chain = np.sort(np.clip(chain, 1.0, length - 1.0))
        first = odd_first.get(side, 2)
        numbers = _numbers_for(s.rule, chain, first)
        numbered[side] = [(c, n_, sub) for c, (n_, sub) in zip(chain, numbers, strict=True)]
    for i in range(n_infill):
        side = LEFT if i % 2 == 0 else "right"
        doors = numbered[side]
        j = int(rng.integers(0, max(len(doors) - 1, 1)))
        c = (doors[j][0] + doors[min(j + 1, len(doors) - 1)][0]) / 2
        prop = propose_number(
            rule=s.rule,
            location=Location(c, side, 10.0),
            existing=[ExistingPlate(n_, sub, ch) for ch, n_, sub in doors],
        )
        doors.append((c, prop.number, prop.sub_number))
        doors.sort()
    for side, doors in numbered.items():
        chain = np.array([d[0] for d in doors])
        offset = rng.uniform(8.0, 15.0, chain.size) * (1 if side == LEFT else -1)
        pts = [line.interpolate(c) for c in chain]
        ahead = [line.interpolate(min(c + 0.5, length)) for c in chain]
        behind = [line.interpolate(max(c - 0.5, 0.0)) for c in chain]
        for (c, number, sub), p, a, b, off in zip(doors, pts, ahead, behind, offset, strict=True):
            dx, dy = a.x - b.x, a.y - b.y
            norm = (dx * dx + dy * dy) ** 0.5 or 1.0
            # Left normal of the direction numbers grow: (-dy, dx).
            x, y = p.x - dy / norm * off, p.y + dx / norm * off
            out.append(
                PlateSpec(
                    street_key=s.key,
                    number=number,
                    sub_number=sub,
                    x=round(x, 2),
                    y=round(y, 2),
                    side=side,
                    name_on_plate=s.name,
                    status="installed",
                    installed_on=(s.named_on or date(2019, 6, 1)) + timedelta(days=int(c) % 90),
                )
            )
    # Doors still to be plated (待制作) on the newly named streets: production lists.
    if s.named_on and not s.former_names:
        for p in out[-max(3, n // 20) :]:
            p.status = "planned"
    return out


def _plant_plate_errors(streets, per_street, renamed, rng) -> dict[str, int]:
    """Plant known errors in plates of ordinary streets (indices from the seeded generator)."""
    plain = [s for s in streets if not s.named_on and s.rule.mode != PER_METRE]
    picks = rng.choice(len(plain), size=min(20, len(plain)), replace=False)
    chosen = [plain[i] for i in picks]
    errors = {"wrong_side": 0, "duplicate": 0, "decreasing": 0, "too_far": 0, "name_mismatch": 0}

    def side_plates(s, side):
        return sorted(
            (p for p in per_street[s.key] if p.side == side and p.sub_number == 0),
            key=lambda p: p.number,
        )

    for i, s in enumerate(chosen):
        doors = side_plates(s, LEFT if i % 2 else "right")
        if len(doors) < 12:
            continue
        kind = ("wrong_side", "duplicate", "decreasing", "too_far")[i % 4]
        mid = len(doors) // 2
        if kind == "wrong_side":
            # Mirror the door across the street: same chainage, other side.
            victim = doors[mid]
            coords = np.asarray(s.coords_m)
            ch, _, _ = locate_many(coords, [victim.x], [victim.y], base_end=s.rule.base_end)
            line = LineString(coords if s.rule.base_end == "start" else coords[::-1])
            foot = line.interpolate(float(ch[0]))
            victim.x, victim.y = round(2 * foot.x - victim.x, 2), round(2 * foot.y - victim.y, 2)
        elif kind == "duplicate":
            doors[mid].number = doors[mid - 1].number
        elif kind == "decreasing":
            doors[mid].number, doors[mid + 3].number = doors[mid + 3].number, doors[mid].number
        else:
            coords = np.asarray(s.coords_m)
            victim = doors[mid]
            ch, _, _ = locate_many(coords, [victim.x], [victim.y], base_end=s.rule.base_end)
            line = LineString(coords if s.rule.base_end == "start" else coords[::-1])
            foot = line.interpolate(float(ch[0]))
            dx, dy = victim.x - foot.x, victim.y - foot.y
            scale = 120.0 / max((dx * dx + dy * dy) ** 0.5, 1.0)
            victim.x, victim.y = round(foot.x + dx * scale, 2), round(foot.y + dy * scale, 2)
        errors[kind] += 1
    for s in renamed[:6]:
        # An old plate still carrying the former name.
        victim = per_street[s.key][len(per_street[s.key]) // 3]
        victim.name_on_plate = s.former_names[0][0]
        victim.installed_on = s.former_names[0][2] - timedelta(days=400)
        errors["name_mismatch"] += 1
    return errors


def _signs(streets: list[StreetSpec], rng: np.random.Generator) -> list[SignSpec]:
    candidates = []
    for s in streets:
        line = LineString(s.coords_m)
        for k, c in enumerate(np.arange(15.0, line.length, 160.0)):
            candidates.append((s, line, float(c), 1 if k % 2 else -1))
    total = N_LIGHTBOX + N_SINGLE
    if len(candidates) < total:
        raise ValueError("演示街路太短，放不下全部路牌")
    idx = np.unique(np.linspace(0, len(candidates) - 1, total).round().astype(int))
    kinds = np.array(["lightbox"] * N_LIGHTBOX + ["single"] * N_SINGLE)
    rng.shuffle(kinds)
    out = []
    for (s, line, c, sign), kind in zip((candidates[i] for i in idx), kinds, strict=True):
        p, a = line.interpolate(c), line.interpolate(min(c + 0.5, line.length))
        dx, dy = a.x - p.x, a.y - p.y
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        x, y = p.x - dy / norm * 6.0 * sign, p.y + dx / norm * 6.0 * sign
        installed = (s.named_on or date(2019, 5, 1)) + timedelta(days=int(c) % 60)
        last = date(2026, 3, 1) + timedelta(days=int(rng.integers(0, 200)))
        out.append(
            SignSpec(
                street_key=s.key,
                kind=str(kind),
                text_zh=s.name,
                x=round(x, 2),
                y=round(y, 2),
                installed_on=installed,
                condition="good",
                inspections=[(last - timedelta(days=365), "good"), (last, "good")],
            )
        )
    return out


def _plant_sign_errors(signs: list[SignSpec], renamed, rng) -> dict[str, int]:
    errors = {"sign_not_replaced": 0, "inspection_overdue": 0}
    renamed_keys = {s.key: s for s in renamed}
    for s_key, street in list(renamed_keys.items())[:5]:
        sign = next((g for g in signs if g.street_key == s_key), None)
        if sign is None:
            continue
        sign.text_zh = street.former_names[0][0]
        sign.installed_on = street.former_names[0][2] - timedelta(days=700)
        errors["sign_not_replaced"] += 1
    for i in rng.choice(len(signs), size=12, replace=False):
        sign = signs[int(i)]
        sign.inspections = [(date(2024, 4, 10) + timedelta(days=int(i) % 90), "worn")]
        sign.condition = "worn"
        errors["inspection_overdue"] += 1
    return errors
