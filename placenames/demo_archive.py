"""Build the demo place-name archive: the real names, then generated ones (no Django).

Real records: every administrative unit the bundled data names (city, counties,
townships, villages and communities) and the facilities the 14th five-year plan names.
Generated records (streets, settlements, buildings, parks, hills, rivers …) fill the
archive up to the 5,611 entries of the 2nd census; they are deterministic (fixed seed) and
flagged ``is_demo``. Place-code serials start at 900001 (reserved for the demo).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from shapely import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from placenames.codes import place_code_build

ARCHIVE_SIZE = 5611
DEMO_SERIAL_START = 900_001
SEED = 20_141_231
DEMO_MARK = "【演示数据】"
REAL_SOURCE = "区划代码（民政部 2025、国家统计局 2023）"
PLAN_SOURCE = "《鹤岗市民政事业发展“十四五”规划》"
URBAN_COUNTIES = ("230402", "230403", "230404", "230405", "230406", "230407")


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str
    geom_4490: BaseGeometry | None = None


@dataclass
class DemoRecord:
    place_code: str
    standard_name: str
    category_code: str
    division_code: str
    geom_4490: BaseGeometry | None
    is_demo: bool
    attrs: dict
    former_names: list[tuple[str, date, date]] = field(default_factory=list)


# Category of a real unit by level and kind (农场/林场 and their parts are 农林牧渔区).
def _area_category(area: DemoArea) -> str:
    if area.level == "city":
        return "21300"
    if area.level == "county":
        return "21400"
    if area.level == "township":
        return "21500" if area.kind in ("街道", "镇", "乡") else "21730"
    return {"村": "21610", "社区": "21620"}.get(area.kind, "21730")


PLAN_FACILITIES = (
    ("五福园", "27210", "规划所列社会福利机构（五福园）"),
    ("十里河公墓", "27220", "规划所列公墓"),
    ("天逸园", "27220", "规划所列公墓"),
    ("卧龙岗公墓", "27220", "规划所列公墓"),
    ("鹤岗市殡仪馆", "27220", "规划所列殡仪馆（占地 65,000 平方米）"),
)

SPECIFICS = [
    "新华",
    "光明",
    "胜利",
    "和平",
    "友谊",
    "建设",
    "幸福",
    "富强",
    "民主",
    "团结",
    "红旗",
    "东风",
    "向阳",
    "长青",
    "松林",
    "桦林",
    "五柏",
    "青年",
    "解放",
    "振兴",
    "繁荣",
    "永安",
    "龙泉",
    "金山",
    "银河",
    "鹤鸣",
    "鹤翔",
    "煤城",
    "矿工",
    "兴华",
    "育才",
    "文化",
    "工人",
    "铁路",
    "站前",
    "河滨",
    "湖滨",
    "松鹤",
    "百合",
    "梧桐",
    "白桦",
    "丁香",
    "玫瑰",
    "牡丹",
    "兰花",
    "翠竹",
    "枫林",
    "杏花",
    "桃源",
    "平安",
    "吉祥",
    "安康",
    "福民",
    "惠民",
    "利民",
    "康乐",
    "长寿",
    "望江",
    "临江",
    "峻德",
    "麓林",
    "宝泉",
    "名山",
    "云山",
    "凤翔",
    "肇兴",
    "新兴",
    "朝阳",
    "前进",
    "曙光",
    "黎明",
    "东升",
    "红星",
    "卫东",
    "丰收",
    "富民",
    "兴隆",
    "太平",
    "宏伟",
    "华山",
    "泰山",
    "松花",
    "黑龙",
    "嘉荫",
    "青松",
    "翠柏",
    "碧水",
    "蓝天",
    "彩虹",
    "金桥",
    "银泉",
    "玉泉",
    "石林",
    "红岩",
    "秀水",
    "清河",
    "柳林",
    "杨树",
    "榆林",
    "椴树",
    "柞树",
    "光辉",
    "光华",
    "新建",
    "新村",
    "新风",
    "红光",
    "红卫",
    "永红",
    "永丰",
    "永胜",
    "长胜",
    "常青",
    "万福",
    "百福",
    "天和",
    "地和",
]
MODIFIERS = ("", "", "", "东", "西", "南", "北", "中")
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九")

# (category, generics, geometry kind, share of the generated records, urban only)
KINDS = (
    ("23512", ("路", "大街"), "line", 0.14, True),
    ("23513", ("路", "街"), "line", 0.14, True),
    ("23514", ("路", "街"), "line", 0.10, True),
    ("23515", ("巷", "胡同"), "line", 0.08, True),
    ("22100", ("小区", "花园", "家园", "新村"), "point", 0.16, True),
    ("22200", ("屯", "村"), "point", 0.10, False),
    ("26100", ("大厦", "公寓", "楼"), "point", 0.08, True),
    ("26200", ("广场",), "point", 0.02, True),
    ("25200", ("公园", "园"), "point", 0.03, True),
    ("13100", ("山", "岭", "岗"), "point", 0.05, False),
    ("12100", ("河", "沟"), "line", 0.05, False),
    ("12400", ("泡",), "point", 0.02, False),
    ("23400", ("桥",), "point", 0.03, True),
)


def real_records(areas: list[DemoArea]) -> list[DemoRecord]:
    """Return one record per administrative unit and per facility the plan names."""
    by_code = {a.code: a for a in areas}
    serials: dict[str, int] = {}
    records = []
    for area in areas:
        category = _area_category(area)
        basis = by_code[area.parent_code].code if area.level == "village" else area.code
        records.append(
            DemoRecord(
                place_code=_next_code(serials, basis, category),
                standard_name=area.name,
                category_code=category,
                division_code=area.code,
                geom_4490=area.geom_4490,
                is_demo=False,
                attrs={
                    "source": REAL_SOURCE,
                    "description": f"{area.name}（{area.kind or area.level}），区划代码 {area.code}。",
                },
            )
        )
    city = next(a for a in areas if a.level == "city")
    for name, category, note in PLAN_FACILITIES:
        records.append(
            DemoRecord(
                place_code=_next_code(serials, city.code, category),
                standard_name=name,
                category_code=category,
                division_code=city.code,
                geom_4490=None,
                is_demo=False,
                attrs={"source": PLAN_SOURCE, "description": note + "；位置待普查登记。"},
            )
        )
    return records


def _next_code(serials: dict[str, int], division_code: str, category: str) -> str:
    key = division_code + category
    serial = serials.get(key, DEMO_SERIAL_START)
    serials[key] = serial + 1
    return place_code_build(division_code=division_code, category_code=category, serial=serial)


def _random_point(rng: random.Random, polygon: BaseGeometry, prepared) -> Point:
    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if prepared.contains(point):
            return point


def _random_line(rng: random.Random, polygon: BaseGeometry, prepared) -> LineString:
    while True:
        start = _random_point(rng, polygon, prepared)
        length_m = rng.uniform(300, 1800)
        angle = rng.uniform(0, math.pi)
        # Degrees per metre at this latitude (approximate; demo geometry only).
        dx = length_m * math.cos(angle) / (111_320 * math.cos(math.radians(start.y)))
        dy = length_m * math.sin(angle) / 110_540
        mid = (start.x + dx / 2 + rng.uniform(-1, 1) * dy * 0.1, start.y + dy / 2)
        line = LineString([(start.x, start.y), mid, (start.x + dx, start.y + dy)])
        if prepared.contains(line):
            return line


def _name(rng: random.Random, generics: tuple[str, ...], category: str) -> str:
    specific = rng.choice(SPECIFICS)
    generic = rng.choice(generics)
    roll = rng.random()
    if category.startswith("235") and roll < 0.2:
        return f"{specific}{rng.choice(NUMERALS)}{generic}"
    if category.startswith("235") and roll < 0.45:
        return f"{specific}{rng.choice(MODIFIERS[3:])}{generic}"
    if roll < 0.12:
        return f"{specific}{rng.choice(SPECIFICS)[:1]}{generic}"
    return f"{specific}{generic}"


def generated_records(areas: list[DemoArea], *, count: int, seed: int = SEED) -> list[DemoRecord]:
    """Return ``count`` deterministic demo records placed inside the county polygons."""
    rng = random.Random(seed)
    counties = [a for a in areas if a.level == "county" and a.geom_4490 is not None]
    counties.sort(key=lambda a: a.code)
    prepared = {a.code: prep(a.geom_4490) for a in counties}
    townships: dict[str, list[DemoArea]] = {}
    for a in areas:
        if a.level == "township":
            townships.setdefault(a.parent_code, []).append(a)
    serials: dict[str, int] = {}
    taken: set[tuple[str, str]] = set()
    records = []
    weights = [k[3] for k in KINDS]
    while len(records) < count:
        category, generics, geometry_kind, _, urban = rng.choices(KINDS, weights)[0]
        pool = [c for c in counties if not urban or c.code in URBAN_COUNTIES]
        county = rng.choice(pool)
        name = _name(rng, generics, category)
        if (county.code, name) in taken:
            continue
        taken.add((county.code, name))
        division = rng.choice(townships.get(county.code) or [county])
        geom = (
            _random_line(rng, county.geom_4490, prepared[county.code])
            if geometry_kind == "line"
            else _random_point(rng, county.geom_4490, prepared[county.code])
        )
        year = rng.randint(1950, 2012)
        historical = rng.random() < 0.03
        record = DemoRecord(
            place_code=_next_code(serials, division.code, category),
            standard_name=name,
            category_code=category,
            division_code=division.code,
            geom_4490=geom,
            is_demo=True,
            attrs={
                "status": "historical" if historical else "in_use",
                "established_year": year,
                "origin": f"{DEMO_MARK}因{name[:2]}得名。",
                "meaning": f"{DEMO_MARK}取“{name[:2]}”之意。",
                "history": f"{DEMO_MARK}{year} 年命名，沿用至今。"
                if not historical
                else f"{DEMO_MARK}{year} 年命名，后废弃不用。",
                "description": f"{DEMO_MARK}位于{county.name}{division.name}。",
                "source": "演示数据（生成）",
                "survey_method": rng.choice(("surveyed", "graphical")),
                "registered_on": date(2015, 1, 1).fromordinal(
                    date(2015, 1, 1).toordinal() + rng.randint(0, 1000)
                ),
                "registrar": "演示登记员",
                "registering_unit": "鹤岗市民政局（演示）",
            },
        )
        if rng.random() < 0.05:
            former = rng.choice(SPECIFICS) + name[2:]
            if former != name:
                until = rng.randint(year, 2012)
                record.former_names.append((former, date(year, 1, 1), date(until, 12, 31)))
        records.append(record)
    return records


def demo_archive(areas: list[DemoArea], *, size: int = ARCHIVE_SIZE) -> list[DemoRecord]:
    """Return the whole demo archive: the real records, then generated ones up to ``size``."""
    real = real_records(areas)
    return real + generated_records(areas, count=max(0, size - len(real)))
