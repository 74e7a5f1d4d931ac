"""Naming review rules that need no database (地名管理条例 2022, 实施办法 2024; no Django).

The word lists and scopes below are data, not law: DOMAIN.md marks the duplicate scopes
as commonly stated but unconfirmed [M] and the local rules as partial [P]; the bureau
edits these tables, the code only applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from placenames.romanize import GENERICS

# Scope in which a name must be unique and should not be a homophone, by category prefix.
# "urban" = the districts of the city proper taken as one urban area; "county" = the
# county-level unit; "archive" = everything the archive holds (province / nation as far
# as the data goes).
SCOPES: tuple[tuple[str, str, str], ...] = (
    ("235", "urban", "街路巷名称在同一城市（城区）内不得重名，并避免同音"),
    ("216", "county", "村（居）民委员会名称在同一县级行政区内不得重名，并避免同音"),
    ("222", "county", "农村居民点名称在同一县级行政区内不得重名，并避免同音"),
    ("215", "archive", "乡级行政区名称在省内不得重名（按本库数据范围检查）"),
    ("214", "archive", "县级行政区名称全国不得重名（按本库数据范围检查）"),
    ("", "county", "同一县级行政区内不宜重名（本地规则，可调整）"),
)
URBAN_DISTRICTS = ("230402", "230403", "230404", "230405", "230406", "230407")

# Generics of buildings and estates that must not be stacked (××大厦广场, ××花园小区).
ESTATE_GENERICS = frozenset(
    [
        "大厦",
        "广场",
        "花园",
        "小区",
        "中心",
        "公寓",
        "家园",
        "苑",
        "城",
        "府",
        "园",
        "庭",
        "居",
        "阁",
        "楼",
        "山庄",
        "新村",
        "商城",
        "大楼",
    ]
)
# Markers of enterprise names and trademarks (not allowed as place names).
ENTERPRISE_WORDS = [
    "集团",
    "公司",
    "有限",
    "股份",
    "商贸",
    "置业",
    "地产",
    "房地产",
    "实业",
    "控股",
    "万达",
    "恒大",
    "碧桂园",
    "万科",
    "绿地",
    "保利",
    "融创",
    "龙湖",
    "华润",
    "中海",
    "银泰",
    "宝龙",
    "苏宁",
    "国美",
    "沃尔玛",
    "肯德基",
    "麦当劳",
    "星巴克",
]
# Words that signal naming after a person (人名、笔名、别名).
PERSON_MARKERS = ("同志", "先生", "女士", "烈士", "将军", "主席", "总理")
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SETTLEMENT_SUFFIXES = ("家", "庄", "屯", "堡", "村", "营", "店", "窝棚")


@dataclass
class Finding:
    level: str  # error (must not), warning (should not), info
    code: str
    message: str
    matches: list[dict] = field(default_factory=list)


def scope_for(category_code: str) -> tuple[str, str]:
    """Return (scope kind, rule text) for a category code."""
    for prefix, scope, rule in SCOPES:
        if category_code.startswith(prefix):
            return scope, rule
    raise AssertionError("the last scope matches every code")


def scope_counties(scope: str, county_code: str) -> list[str] | None:
    """Return the county codes a scope covers around ``county_code`` (None = everywhere)."""
    if scope == "archive":
        return None
    if scope == "urban" and county_code in URBAN_DISTRICTS:
        return list(URBAN_DISTRICTS)
    return [county_code]


def split_generic(name: str) -> tuple[str, str]:
    """Return (specific, generic) with the longest known generic at the end."""
    for size in range(min(6, len(name) - 1), 0, -1):
        if name[-size:] in GENERICS or name[-size:] in ESTATE_GENERICS:
            return name[:-size], name[-size:]
    return name, ""


def stacked_generics(name: str) -> Finding | None:
    specific, generic = split_generic(name)
    if not generic:
        return Finding("warning", "no_generic", "名称缺少通名（地名应由一个专名和一个通名组成）")
    inner_specific, inner = split_generic(specific)
    # A one-character specific before an inner "generic" is a word, not a name plus a
    # generic: 学府 (academy) in 学府家园, 名苑 … are the specific of 家园.
    if (
        inner
        and len(inner_specific) >= 2
        and inner in ESTATE_GENERICS
        and generic in ESTATE_GENERICS
    ):
        return Finding(
            "error",
            "stacked_generics",
            f"通名叠加：“{inner}”与“{generic}”都是通名（如 ××大厦广场），应只保留一个通名",
        )
    return None


def enterprise_words(name: str) -> Finding | None:
    found = [w for w in ENTERPRISE_WORDS if w in name]
    if found:
        return Finding(
            "error",
            "enterprise_name",
            f"含企业名称或商标字样（{'、'.join(found)}）：不得以企业名称、商标名称作地名",
        )
    return None


def person_name_hint(name: str) -> Finding | None:
    marker = next((m for m in PERSON_MARKERS if m in name), None)
    if marker:
        return Finding("error", "person_name", f"含“{marker}”：不得以人名（含笔名、别名）作地名")
    specific, _ = split_generic(name)
    if (
        len(specific) in (2, 3)
        and specific[0] in COMMON_SURNAMES
        and not specific.endswith(SETTLEMENT_SUFFIXES)
    ):
        return Finding(
            "info",
            "maybe_person_name",
            f"专名“{specific}”形似人名（{specific[0]}姓）：请确认不是以人名命名",
        )
    return None


def rare_characters(name: str) -> Finding | None:
    """Flag characters outside GB 2312 (its 6,763 characters cover common usage)."""
    rare = []
    for ch in name:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare.append(ch)
    if rare:
        return Finding(
            "warning",
            "rare_characters",
            f"含生僻字 {'、'.join(rare)}：地名应避免使用生僻字（输入、显示和标志制作困难）",
        )
    return None


def name_findings(name: str) -> list[Finding]:
    """Return the findings that depend on the name alone."""
    checks = (stacked_generics, enterprise_words, person_name_hint, rare_characters)
    return [f for check in checks if (f := check(name)) is not None]
