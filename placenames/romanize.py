"""Romanise Chinese place names by the 1984 rules (汉语地名罗马字母拼写规则); no Django.

What the rules ask, and how this module does it:

- specific (专名) and generic (通名) are written separately: the last generic of the name
  is looked up in ``GENERICS`` (longest match) and written as its own word;
- a generic that has become part of the specific is joined: only the *outermost* generic
  is split off (黑龙江省 → Heilongjiang Sheng, 兴安路街道 → Xing'anlu Jiedao);
- names that nest a higher unit (鹤岗市殡仪馆, 永昌村村委会, 新华农场临江管理区) are written
  unit by unit (Hegang Shi Binyiguan);
- natural villages (屯, 庄, 堡 …) are written with all syllables joined (李家屯 Lijiatun);
- a one-syllable modifier between specific and street generic joins the generic
  (景山后街 Jingshan Houjie); one at the start of the specific is part of it (西辽河 Xiliao He);
- ordinal and code numbers in street names, and numbers before 号 or read digit by digit
  (二九〇), are Arabic digits (经五路 Jing 5 Lu); other numerals are spelt;
- an apostrophe goes before a non-initial syllable starting with a, o or e (Xing'an);
- every written word is capitalised; ü is kept (pypinyin ``v_to_u=True``); no tone marks.

Polyphonic characters are read from a place-name phrase dictionary first (六安 Lu'an, 单县
Shan Xian, 长子 Zhangzi), then by their place-name reading (``PLACE_READINGS``: 都 du, not
pypinyin's dou); only a character whose reading stays open (``OPEN_READINGS``: 堡 bao/bu/pu)
sets ``needs_check`` (the census form asks for a manual check of such spellings).

Names transliterated from a minority language take their published form from
``romanize_tables`` (哈尔滨市 Harbin Shi); a division in a minority-language area without one,
or a name holding a transliteration character (尔, 勒 …), is flagged with the reason —
never spelt as confident pinyin of the characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from placenames.romanize_tables import (
    ETHNIC_NAMES,
    divisions_by_name,
    minority_area,
    published_by_name,
)

CACHE_NAMES = 4096

# Generic (通名) → its written form. Multi-syllable generics are one word (Jiedao, Dajie).
GENERICS: dict[str, str] = {
    "省": "Sheng",
    "自治区": "Zizhiqu",
    "自治州": "Zizhizhou",
    "自治县": "Zizhixian",
    "自治旗": "Zizhiqi",
    "联合旗": "Lianheqi",
    "盟": "Meng",
    "矿区": "Kuangqu",
    "市": "Shi",
    "地区": "Diqu",
    "县": "Xian",
    "区": "Qu",
    "旗": "Qi",
    "镇": "Zhen",
    "乡": "Xiang",
    "街道": "Jiedao",
    "街道办事处": "Jiedao Banshichu",
    "办事处": "Banshichu",
    "社区": "Shequ",
    "村": "Cun",
    "村委会": "Cunweihui",
    "村民委员会": "Cunmin Weiyuanhui",
    "居委会": "Juweihui",
    "居民委员会": "Jumin Weiyuanhui",
    "管理区": "Guanliqu",
    "管理局": "Guanliju",
    "生活区": "Shenghuoqu",
    "作业区": "Zuoyequ",
    "开发区": "Kaifaqu",
    "工业园区": "Gongye Yuanqu",
    "园区": "Yuanqu",
    "小区": "Xiaoqu",
    "农场": "Nongchang",
    "林场": "Linchang",
    "良种场": "Liangzhongchang",
    "种畜场": "Zhongxuchang",
    "牧场": "Muchang",
    "林业局": "Linyeju",
    "农业局": "Nongyeju",
    "经营所": "Jingyingsuo",
    "路": "Lu",
    "街": "Jie",
    "大街": "Dajie",
    "大道": "Dadao",
    "道": "Dao",
    "巷": "Xiang",
    "胡同": "Hutong",
    "条": "Tiao",
    "弄": "Long",
    "马路": "Malu",
    "环路": "Huanlu",
    "公路": "Gonglu",
    "湾": "Wan",
    "运河": "Yunhe",
    "渠": "Qu",
    "群岛": "Qundao",
    "海峡": "Haixia",
    "峡": "Xia",
    "海": "Hai",
    "高原": "Gaoyuan",
    "高地": "Gaodi",
    "家园": "Jiayuan",
    "花园": "Huayuan",
    "公寓": "Gongyu",
    "苑": "Yuan",
    "里": "Li",
    "广场": "Guangchang",
    "公园": "Gongyuan",
    "桥": "Qiao",
    "大桥": "Daqiao",
    "山": "Shan",
    "岭": "Ling",
    "峰": "Feng",
    "岗": "Gang",
    "沟": "Gou",
    "河": "He",
    "江": "Jiang",
    "湖": "Hu",
    "泡": "Pao",
    "水库": "Shuiku",
    "岛": "Dao",
    "站": "Zhan",
    "火车站": "Huochezhan",
    "机场": "Jichang",
    "港": "Gang",
    "码头": "Matou",
    "大厦": "Dasha",
    "中心": "Zhongxin",
    "服务中心": "Fuwu Zhongxin",
    "照料中心": "Zhaoliao Zhongxin",
    "日间照料中心": "Rijian Zhaoliao Zhongxin",
    "活动中心": "Huodong Zhongxin",
    "养老院": "Yanglaoyuan",
    "敬老院": "Jinglaoyuan",
    "福利院": "Fuliyuan",
    "儿童福利院": "Ertong Fuliyuan",
    "救助站": "Jiuzhuzhan",
    "殡仪馆": "Binyiguan",
    "公墓": "Gongmu",
    "陵园": "Lingyuan",
    "园": "Yuan",
    "医院": "Yiyuan",
    "学校": "Xuexiao",
    "中学": "Zhongxue",
    "小学": "Xiaoxue",
    "大学": "Daxue",
    "市场": "Shichang",
    "宾馆": "Binguan",
    "体育场": "Tiyuchang",
    "体育馆": "Tiyuguan",
    "纪念馆": "Jinianguan",
    "博物馆": "Bowuguan",
    "图书馆": "Tushuguan",
    "之家": "Zhi Jia",
    "儿童之家": "Ertong Zhi Jia",
}

# Rank of the units that other names nest inside (鹤岗市 | 殡仪馆, 新华农场 | 临江管理区): a
# unit is split off only inside a name of a lower rank, so 景德镇市 keeps its 镇 (a town
# cannot hold a city: the generic has become part of the specific, rule 4).
UNIT_RANKS: dict[str, int] = {
    "省": 1, "自治区": 1, "市": 2, "地区": 2, "自治州": 2, "盟": 2,
    "县": 3, "区": 3, "旗": 3, "自治县": 3, "自治旗": 3, "联合旗": 3,
    "镇": 4, "乡": 4, "街道": 4, "农场": 4, "林场": 4, "良种场": 4, "种畜场": 4,
    "林业局": 4, "管理局": 4, "农业局": 4,
}  # fmt: skip
_INNER_UNITS = ("街道", "农场", "林场", "良种场", "种畜场", "林业局", "管理局", "农业局")
_TOP_UNITS = ("自治区", "自治州", "自治县", "自治旗", "地区", "省", "盟", "市", "县", "区", "旗")
_TOP_UNITS += ("镇", "乡")
# A village's committee names the village first (永昌村 | 村委会).
_COMMITTEE_GENERICS = ("村委会", "村民委员会", "居委会", "居民委员会")
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗", "区", "乡", "镇", "民族乡")

STREET_GENERICS = frozenset(
    {"路", "街", "大街", "大道", "道", "巷", "胡同", "里", "条", "弄", "马路", "环路", "公路"}
)
# Natural features whose modifiers follow rule 2 like streets (潮白新河 Chaobai Xinhe).
NATURAL_GENERICS = frozenset({"河", "江", "湖", "山", "岛", "运河", "岭", "峰", "沟", "渠"})
# Natural-village generics: the whole name is written as one word (李家屯 Lijiatun).
SETTLEMENT_GENERICS = frozenset(
    {"屯", "庄", "堡", "铺", "营子", "窝棚", "店", "营", "集", "棚", "堡子"}
)
MODIFIERS = frozenset("东西南北中前后上下大小新老内外正左右直横")
_DIRECTIONS = frozenset("东西南北")
# Specifics that end in a numeral and are names in their own right, so the ordinal after
# them starts later (东四十二条 Dongsi 12 Tiao, the rules' example 7).
NUMERAL_PLACES = frozenset({"东四", "西四", "东单", "西单"})
# Characters that in practice occur only in names transliterated from a minority language
# (哈尔滨, 呼和浩特, 巴彦淖尔, 喀什, 达斡尔 …): a name holding one is flagged, not guessed.
TRANSLITERATION_MARKERS = frozenset("尔勒孜喀噶嘎淖斡楞")

# Place-name readings that differ from the everyday ones, or that pypinyin cannot decide.
PHRASES: dict[str, str] = {
    "鹤岗": "he gang",
    "北岗": "bei gang",
    "卧龙岗": "wo long gang",
    "六安": "lu an",
    "丽水": "li shui",
    "蚌埠": "beng bu",
    "单县": "shan xian",
    "东阿": "dong e",
    "洪洞": "hong tong",
    "铅山": "yan shan",
    "乐亭": "lao ting",
    "乐山": "le shan",
    "长乐": "chang le",
    "番禺": "pan yu",
    "大埔": "da bu",
    "莘县": "shen xian",
    "歙县": "she xian",
    "蔚县": "yu xian",
    "浚县": "xun xian",
    "荥阳": "xing yang",
    "涡阳": "guo yang",
    "厦门": "xia men",
    "重庆": "chong qing",
    "朝阳": "chao yang",
    "朝鲜": "chao xian",
    "长春": "chang chun",
    "长白": "chang bai",
    "长发": "chang fa",
    "长兴": "chang xing",
    "长安": "chang an",
    "兴长": "xing chang",
    "会稽": "kuai ji",
    "曲阜": "qu fu",
    "泊头": "bo tou",
    "梁山泊": "liang shan po",
    "宿州": "su zhou",
    "宿迁": "su qian",
    "盖州": "gai zhou",
    "尉犁": "yu li",
    "吐鲁番": "tu lu fan",
    "石家庄": "shi jia zhuang",
    "都江堰": "du jiang yan",
    "成都": "cheng du",
    "柏林": "bo lin",
    "车站": "che zhan",
    "行唐": "xing tang",
    "银行": "yin hang",
    "宝泉岭": "bao quan ling",
    "堡子": "pu zi",
    "十里河": "shi li he",
    "绥滨": "sui bin",
    "太和": "tai he",
    "祥和": "xiang he",
    "仁和": "ren he",
    # The 1984 rules' example 8: 堡 is read by place (十里堡 Beijing pu, 大黄堡 Tianjin bao,
    # 吴堡 Shaanxi bu); outside these the reading of 堡 stays open (needs_check).
    "十里堡": "shi li pu",
    "大黄堡": "da huang bao",
    "吴堡": "wu bu",
    # County-level readings as the MCA division list and 《中国地名录》 give them.
    "长子": "zhang zi",
    "乐清": "yue qing",
    "乐陵": "le ling",
    "乐昌": "le chang",
    "乐东": "le dong",
    "乐平": "le ping",
    "乐至": "le zhi",
    "乐业": "le ye",
    "乐安": "le an",
    "会昌": "hui chang",
    "会理": "hui li",
    "会泽": "hui ze",
    "会同": "hui tong",
    "会宁": "hui ning",
    "枞阳": "zong yang",
    "华阴": "hua yin",
    "华县": "hua xian",
    "滑县": "hua xian",
    "荥经": "ying jing",
    "句容": "ju rong",
    "丽江": "li jiang",
    "台州": "tai zhou",
    "天台": "tian tai",
    "什邡": "shi fang",
    "都安": "du an",
    "都昌": "du chang",
    "都匀": "du yun",
    "都兰": "du lan",
    "尉氏": "wei shi",
    "曲沃": "qu wo",
    "曲周": "qu zhou",
    "曲阳": "qu yang",
    "曲靖": "qu jing",
    "曲江": "qu jiang",
    "曲松": "qu song",
    "曲麻莱": "qu ma lai",
    "犍为": "qian wei",
    "郫都": "pi du",
    "阆中": "lang zhong",
    "临朐": "lin qu",
    "牟平": "mu ping",
    "筠连": "jun lian",
    "黄陂": "huang pi",
    "繁峙": "fan shi",
    "亳州": "bo zhou",
    "盱眙": "xu yi",
    "济南": "ji nan",
    "济宁": "ji ning",
    "济源": "ji yuan",
    "珲春": "hun chun",
    "瑷珲": "ai hui",
    "大冶": "da ye",
    "监利": "jian li",
    "柏乡": "bai xiang",
    "澄迈": "cheng mai",
    "澄城": "cheng cheng",
    "澄江": "cheng jiang",
    "长汀": "chang ting",
    "长治": "chang zhi",
    "长沙": "chang sha",
    "长垣": "chang yuan",
    "长葛": "chang ge",
    "长岭": "chang ling",
    "长海": "chang hai",
    "长宁": "chang ning",
    "长丰": "chang feng",
    "长阳": "chang yang",
    "长顺": "chang shun",
    "长武": "chang wu",
    "长泰": "chang tai",
    "长清": "chang qing",
    "长寿": "chang shou",
    "长岛": "chang dao",
    "藁城": "gao cheng",
    "大足": "da zu",
    "阿坝": "a ba",
    "阿城": "a cheng",
    "阿荣": "a rong",
    "东莞": "dong guan",
    "綦江": "qi jiang",
    "洞头": "dong tou",
    "宿松": "su song",
    "宿城": "su cheng",
    "宿豫": "su yu",
    "单城": "shan cheng",
    "朝天": "chao tian",
    "解放": "jie fang",
    "太行": "tai hang",
    "召陵": "shao ling",
    "桐柏": "tong bai",
    "双柏": "shuang bai",
    "闵行": "min hang",
    "六合": "lu he",
    "覃塘": "qin tang",
    "龙圩": "long xu",
    "朝旭": "zhao xu",
    "红寺堡": "hong si bao",
    "腰堡": "yao bao",
    "许堡": "xu bao",
    "常堡": "chang bao",
}

# Characters whose reading in place names is known to vary (toneless readings differ).
PLACE_POLYPHONES = frozenset(
    "长行乐会石柏堡泊单都藏曲厦番埔蚌六莘洞铅阿蔚歙浚荥涡筠宿盖尉圩车重朝省种卜查曾仇解朴覃员召翟秘角甸"
)

# The reading a polyphonic character has in place names unless a phrase above says
# otherwise (都 dū as in 成都 and every 都 of the county list, not dōu; 长 cháng except
# 长子). General-language context must not decide these: pypinyin reads 宁都 "ning dou".
PLACE_READINGS: dict[str, str] = {
    "都": "du", "长": "chang", "乐": "le", "会": "hui", "石": "shi", "甸": "dian", "六": "liu",
    "召": "zhao", "阿": "a", "洞": "dong", "泊": "bo", "车": "che", "查": "cha", "行": "xing",
    "蚌": "beng", "卜": "bu", "曾": "zeng", "藏": "zang", "曲": "qu", "厦": "xia", "番": "fan",
    "埔": "pu", "莘": "xin", "铅": "qian", "蔚": "wei", "歙": "she", "浚": "jun", "荥": "xing",
    "涡": "wo", "筠": "jun", "宿": "su", "盖": "gai", "尉": "wei", "重": "zhong",
    "省": "sheng", "种": "zhong", "仇": "qiu", "解": "jie", "朴": "pu", "员": "yuan",
    "翟": "zhai", "秘": "mi", "角": "jiao", "单": "dan",
}  # fmt: skip
# Characters whose place-name reading is really open without a phrase: 堡 is bǎo, bǔ or pù
# by region (the rules' example 8), 圩 wéi or xū, 覃 qín or tán, 朝 cháo or zhāo, 柏 bǎi or bó.
OPEN_READINGS = frozenset("堡圩覃朝柏")

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_NUMERAL_CHARS = frozenset(_DIGITS) | {"十", "百"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_VOWEL_START = re.compile(r"^[aoeAOE]")
MAX_NAME_LENGTH = 100  # the longest registered names are ~30 characters


@dataclass(frozen=True)
class Romanized:
    name: str
    pinyin: str
    generic_pinyin: str
    needs_check: bool
    unsettled: tuple[str, ...]  # the polyphonic characters that set needs_check
    reason: str = ""  # why needs_check is set (Chinese, for the officer)


class RomanizeInputError(ValueError):
    """The name cannot be romanised as given (empty, too long, a foreign character)."""


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral (五, 十三, 二十, 一百零五, 二九〇), else None."""
    if not text or any(ch not in _NUMERAL_CHARS for ch in text):
        return None
    if "十" not in text and "百" not in text:
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current


# Small caches: a name is romanised, keyed and fuzzy-keyed in a row (hits), while an
# import of 100,000 distinct names must not keep them all (memory flat).
@lru_cache(maxsize=CACHE_NAMES)
def _readings(name: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Return per-character toneless syllables and whether each was settled by a phrase."""
    syllables: list[str] = []
    settled: list[bool] = []
    i = 0
    longest = max(len(p) for p in PHRASES)
    while i < len(name):
        for size in range(min(longest, len(name) - i), 1, -1):
            phrase = name[i : i + size]
            if phrase in PHRASES:
                syllables.extend(PHRASES[phrase].split())
                settled.extend([True] * size)
                i += size
                break
        else:
            j = i + 1
            # Gather the run up to the next dictionary phrase so pypinyin sees the context.
            while j < len(name) and not any(
                name[j : j + s] in PHRASES for s in range(2, longest + 1)
            ):
                j += 1
            run = name[i:j]
            syllables.extend(_run_syllables(run))
            settled.extend([False] * len(run))
            i = j
    return tuple(syllables), tuple(settled)


def _run_syllables(run: str) -> list[str]:
    """Return one toneless syllable per character of ``run`` (non-Han characters kept)."""
    out: list[str] = []
    for piece in re.findall(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]", run):
        if _HAN.match(piece):
            readings = lazy_pinyin(piece, style=Style.NORMAL, v_to_u=True)
            out.extend(PLACE_READINGS.get(ch, syl) for ch, syl in zip(piece, readings, strict=True))
        else:
            out.append(piece)
    return out


def _unsettled(name: str, settled: tuple[bool, ...], generic_span: tuple[int, int]) -> list[str]:
    if not any(ch in OPEN_READINGS for ch in name):
        return []  # the common case: no pypinyin call needed
    context = pinyin(name, style=Style.NORMAL, heteronym=True, v_to_u=True)
    chars = []
    for index, ch in enumerate(name):
        if settled[index] or generic_span[0] <= index < generic_span[1]:
            continue
        if ch in OPEN_READINGS and len(set(context[index])) > 1:
            chars.append(ch)
    return chars


def _word(syllables: list[str]) -> str:
    """Join syllables into written words: apostrophes, capitals, digit runs kept apart."""
    words: list[str] = []
    text = ""
    digits = False  # the last word written is a run of digits (1203高地 → 1203)
    for syl in syllables:
        if not syl:
            continue
        if syl.isdigit():
            if text:
                words.append(text)
                text = ""
            elif digits and len(syl) == 1 and words[-1].isdigit():
                words[-1] += syl
                continue
            words.append(syl)
            digits = len(syl) == 1
            continue
        digits = False
        if text and _VOWEL_START.match(syl) and text[-1].isalpha():
            text += "'"
        text += syl
    if text:
        words.append(text)
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _split_generic(name: str) -> tuple[str, str]:
    """Return (rest, generic) with the longest generic at the end of ``name``."""
    for size in range(min(6, len(name) - 1), 0, -1):
        tail = name[-size:]
        if tail in GENERICS or tail in SETTLEMENT_GENERICS:
            return name[:-size], tail
    return name, ""


def _nested_split(rest: str, generic: str) -> tuple[str, str]:
    """Split ``rest`` into (higher unit name, own specific) when it starts with a unit.

    A unit is split off only inside a name of lower rank (鹤岗市 | 兴安区, 鹤岗市 | 殡仪馆);
    景德镇市 stays whole because a town (镇) cannot hold a city (市).
    """
    if generic in _COMMITTEE_GENERICS and rest.endswith(("村", "社区")) and len(rest) >= 2:
        return rest, ""
    outer = UNIT_RANKS.get(generic, 9)
    for unit in _INNER_UNITS:
        pos = rest.rfind(unit)
        if pos > 0 and UNIT_RANKS[unit] < outer:
            return rest[: pos + len(unit)], rest[pos + len(unit) :]
    best: tuple[int, str] | None = None
    for unit in _TOP_UNITS:
        pos = rest.find(unit)
        # A unit needs a specific of two characters or more (鹤岗市, not 城市花园's 市).
        if pos >= 2 and UNIT_RANKS[unit] < outer and (best is None or pos < best[0]):
            best = (pos, unit)
    if best is None:
        return "", rest
    end = best[0] + len(best[1])
    if rest[best[0] :].startswith(("自治", "地区")) is False and best[1] in ("区", "县", "旗"):
        # 自治县 / 自治旗 read as one unit when the 自治 is there (…自治县 | …).
        auto = rest.find("自治" + best[1])
        if auto >= 0 and auto + 2 == best[0]:
            end = best[0] + 1
    return rest[:end], rest[end:]


def _ordinal_split(chars: str) -> tuple[str, int] | None:
    """Return (head, ordinal) of a street specific ending in an ordinal, else None."""
    for place in NUMERAL_PLACES:
        if chars.startswith(place) and len(chars) > len(place):
            number = chinese_number(chars[len(place) :])
            if number is not None:
                return place, number
    k = len(chars)
    while k > 0 and chars[k - 1] in _NUMERAL_CHARS:
        k -= 1
    number = chinese_number(chars[k:])
    if number is None:
        return None
    head, numeral = chars[:k], chars[k:]
    if head:
        return head, number
    # A bare one-digit or 十 numeral is an ordinal (二马路 2 Malu, 三环路 3 Huanlu); 五百街
    # and 三八路 (a date) are names and are spelt.
    if "百" not in numeral and (len(numeral) == 1 or "十" in numeral):
        return "", number
    return None


def _digits_or_words(chars: str, sylls: list[str], *, numbers_as_digits: bool) -> list[str]:
    """Write ``chars`` as words; an ordinal in a street name becomes Arabic digits."""
    if not chars:
        return []
    split = _ordinal_split(chars) if numbers_as_digits else None
    if split is None:
        if not numbers_as_digits and chars[0] == "第" and len(chars) > 2:
            k = 1
            while k < len(chars) and chars[k] in _NUMERAL_CHARS:
                k += 1
            if 1 < k < len(chars):  # 第二松花江 Di'er Songhua Jiang
                return [_word(sylls[:k]), _word(sylls[k:])]
        return [_word(sylls)]
    head, number = split
    if head == "第":
        return [f"Di-{number}"]
    return [w for w in (_word(sylls[: len(head)]), str(number)) if w]


def _street_specific(specific: str, sylls: list[str]) -> tuple[list[str], int]:
    """Return the words of a street specific and how many trailing modifiers join the generic.

    Rule 2: a one-syllable modifier joins what it modifies (景山后街 Jingshan Houjie, 修文西小巷
    Xiuwen Xixiaoxiang); 门内 / 门外 belong to the gate's name (朝阳门内大街 Chaoyangmennei
    Dajie); a multi-syllable modifier is its own word (广安门北滨河路 Guang'anmen Beibinhe Lu).
    """
    k = len(specific)
    while k > 0 and specific[k - 1] in MODIFIERS:
        if specific[k - 1] in "内外" and k >= 2 and specific[k - 2] == "门":
            break
        if k - 1 >= 2 or (len(specific) == 2 and k - 1 >= 1):
            k -= 1
        else:
            break
    head, head_sylls = specific[:k], sylls[:k]
    words: list[str] = []
    cut = next(
        (i for i in range(2, len(head) - 1) if len(head) >= 5 and head[i] in _DIRECTIONS),
        None,
    )
    if head in published_specifics():
        words = [published_specifics()[head]]
    elif cut is not None:
        words = [_word(head_sylls[:cut]), _word(head_sylls[cut:])]
    else:
        inner_rest, inner = _split_generic(head)
        if inner in ("胡同", "大街") and inner_rest:
            # 包头胡同东巷 Baotou Hutong Dongxiang: a two-syllable street generic inside.
            words = [_word(head_sylls[: len(inner_rest)]), _word(head_sylls[len(inner_rest) :])]
        else:
            words = _digits_or_words(head, head_sylls, numbers_as_digits=True)
    return words, len(specific) - k


def _ethnic_split(specific: str, generic: str) -> tuple[str, list[str]]:
    """Split nationality names off the end of an autonomous area's specific (GB/T 3304)."""
    if generic not in _AUTONOMOUS:
        return specific, []
    names: list[str] = []
    rest = specific
    while rest:
        for size in range(min(5, len(rest) - 1), 0, -1):
            tail = rest[-size:]
            with_zu = tail.endswith("族") and tail[:-1] in ETHNIC_NAMES
            bare = generic.startswith("自治") and size >= 2 and tail in ETHNIC_NAMES
            if with_zu or bare:
                names.insert(0, ETHNIC_NAMES[tail[:-1]] + "zu" if with_zu else ETHNIC_NAMES[tail])
                rest = rest[:-size]
                break
        else:
            break
    if not names or not rest:
        return specific, []
    return rest, names


def _romanize(name: str, sylls: list[str], *, settlement: bool = False) -> list[str]:
    """Return the written words of ``name`` whose syllables are ``sylls``."""
    standard = published_by_name().get(name)
    if standard:
        return [standard]
    if settlement:
        return [_word(sylls)]
    rest, generic = _split_generic(name)
    if not generic:
        higher, specific = _nested_split(name, "")
        words = _romanize(higher, sylls[: len(higher)]) if higher else []
        return words + _specific_words(specific, sylls[len(higher) :])
    if generic in SETTLEMENT_GENERICS:
        return [_word(sylls)]
    higher, specific = _nested_split(rest, generic)
    words: list[str] = []
    if higher:
        words += _romanize(higher, sylls[: len(higher)])
    spec_sylls = sylls[len(higher) : len(rest)]
    gen_sylls = sylls[len(rest) :]
    generic_word = GENERICS[generic]
    if generic in STREET_GENERICS or generic in NATURAL_GENERICS:
        spec_words, joined = _street_specific(specific, spec_sylls)
        if generic not in STREET_GENERICS:
            spec_words = _specific_words(
                specific[: len(specific) - joined], spec_sylls[: len(specific) - joined]
            )
        if joined:
            generic_word = _word([*spec_sylls[len(specific) - joined :], *gen_sylls])
        return words + spec_words + [generic_word]
    own, ethnic = _ethnic_split(specific, generic)
    words += _specific_words(own, spec_sylls[: len(own)]) + ethnic
    words.append(generic_word)
    return words


def _specific_words(specific: str, sylls: list[str]) -> list[str]:
    """Return the words of a specific: its published form if it has one, else its syllables."""
    if not specific:
        return []
    standard = published_specifics().get(specific)
    if standard:
        return [standard]
    return _digits_or_words(specific, sylls, numbers_as_digits=False)


def published_specifics() -> dict[str, str]:
    """Return specific → published form, from the published names (哈尔滨市 → 哈尔滨 Harbin)."""
    by_name = published_by_name()
    if _SPECIFICS_CACHE.get("source") is not by_name:  # rebuilt after a table reload
        _SPECIFICS_CACHE["source"] = by_name
        _SPECIFICS_CACHE["map"] = _specifics_build(by_name)
    return _SPECIFICS_CACHE["map"]


_SPECIFICS_CACHE: dict = {}


def _specifics_build(by_name: dict[str, str | None]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, roman in by_name.items():
        rest, generic = _split_generic(name)
        word = GENERICS.get(generic, "")
        # A two-character Han word (兴安, 拉萨) keeps its pinyin outside the unit itself
        # (鹤岗's 兴安区 Xing'an Qu, 南京's 拉萨路 Lasa Lu) unless it shows a transliteration.
        marked = any(ch in TRANSLITERATION_MARKERS for ch in rest)
        if roman and word and roman.endswith(" " + word) and (len(rest) >= 3 or marked):
            out.setdefault(rest, roman[: -len(word) - 1])
    return out


def _number_codes(name: str) -> list[int]:
    """Mark numerals before 号 and digit-by-digit code numbers (二九〇) as Arabic digits."""
    spans: list[int] = []
    for match in re.finditer(r"[〇零一二三四五六七八九十百两]+", name):
        text = match.group()
        before_hao = name[match.end() : match.end() + 1] == "号"
        is_code = "〇" in text or (len(text) >= 3 and "十" not in text and "百" not in text)
        if before_hao or is_code:
            spans.append(match.start())
    return spans


def _is_han(ch: str) -> bool:
    """Return whether ``ch`` is a CJK ideograph (basic block, extensions A–H, compatibility)."""
    code = ord(ch)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x323AF


def name_check(name: str) -> str:
    """Return ``name`` without whitespace, or raise RomanizeInputError naming the problem."""
    if any("\ud800" <= ch <= "\udfff" for ch in name or ""):
        raise RomanizeInputError("地名含不成对的代理码元（损坏的文字编码）")
    name = re.sub(r"[ \t\u3000]+", "", name or "")
    if not name:
        raise RomanizeInputError("地名为空")
    if len(name) > MAX_NAME_LENGTH:
        raise RomanizeInputError(f"地名超过 {MAX_NAME_LENGTH} 个字（实为 {len(name)} 个）")
    for ch in name:
        kind = unicodedata.category(ch)
        if kind in ("Cc", "Cf", "Zl", "Zp"):
            raise RomanizeInputError(f"地名含控制字符 U+{ord(ch):04X}")
        if kind == "Co":
            raise RomanizeInputError(f"地名含私用区字符 U+{ord(ch):04X}（非标准汉字）")
        if kind.startswith("L") and not _is_han(ch) and ch != "〇":
            raise RomanizeInputError(
                f"地名不能混用汉字以外的文字：“{ch}”(U+{ord(ch):04X})，外文名称请登记在别名或民族文字栏"
            )
    return name


def _minority_reason(name: str) -> str:
    """Return why ``name`` needs a transliteration the service cannot give, else ''."""
    rest, generic = _split_generic(name)
    parts = [name]
    higher, _ = _nested_split(rest, generic) if generic else _nested_split(name, "")
    if higher:
        parts.insert(0, higher)
    for part in parts:
        if published_by_name().get(part):
            continue
        # Only a name that every same-named unit holds in a minority-language area: 光明街道
        # is in Hegang and in 大兴安岭 alike, and is Han.
        holders = divisions_by_name().get(part, ())
        languages = [minority_area(d.code) for d in holders]
        if holders and all(languages):
            division, language = holders[0], languages[0]
            if language:
                return (
                    f"{part}（{division.code}）在{language}地区：少数民族语地名应按原语音译转写，"
                    "本库无公布的标准拼写，请人工核对"
                )
    specific = rest if generic else name
    for known in sorted(published_specifics(), key=len, reverse=True):
        specific = specific.replace(known, "")
    for ethnic in ETHNIC_NAMES:  # 达斡尔族 is written Daurzu from GB/T 3304: no guess
        if len(ethnic) >= 2:
            specific = specific.replace(ethnic, "")
    marks = sorted({ch for ch in specific if ch in TRANSLITERATION_MARKERS})
    if marks:
        return (
            f"含音译用字 {'、'.join(marks)}：疑为少数民族语或外语地名，应按原语音译转写，请人工核对"
        )
    return ""


# Category codes of natural villages (GB/T 18521: 222xx 农村居民点), written joined (rule 3).
SETTLEMENT_CATEGORY_PREFIXES = ("222",)


def is_settlement_category(category_code: str) -> bool:
    """Return whether a category's names are natural villages (all syllables joined)."""
    return (category_code or "").startswith(SETTLEMENT_CATEGORY_PREFIXES)


def romanize(name: str, *, settlement: bool = False) -> Romanized:
    """Return the romanised form of a Chinese place name by the 1984 rules.

    ``settlement`` marks a natural village or town (聚落): all syllables are joined
    (rule 3: 王村 Wangcun, 文家市 Wenjiashi), which the name alone cannot show.
    """
    name = name_check(name)
    syllables, settled = _readings(name)
    sylls = [s.lower() if s.isalpha() else s for s in syllables]
    for start in _number_codes(name):
        end = start
        while end < len(name) and name[end] in _NUMERAL_CHARS:
            end += 1
        number = chinese_number(name[start:end])
        sylls[start] = str(number)
        for k in range(start + 1, end):
            sylls[k] = ""
    rest, generic = _split_generic(name)
    _erhua(name, sylls, len(rest) if generic else len(name))
    settled = tuple(done or not sylls[k] or sylls[k].isdigit() for k, done in enumerate(settled))
    text = " ".join(w for w in _romanize(name, sylls, settlement=settlement) if w)
    generic_pinyin = GENERICS.get(generic, "") if generic not in SETTLEMENT_GENERICS else ""
    if settlement:
        generic_pinyin = ""
    if published_by_name().get(name):
        return Romanized(name, text, generic_pinyin, False, ())
    unsettled = _unsettled(name, settled, (len(rest), len(name)) if generic_pinyin else (0, 0))
    reason = _minority_reason(name)
    if unsettled:
        polyphones = f"多音字 {'、'.join(unsettled)} 的地名读音未由地名读音词典确定，请人工核对"
        reason = f"{reason}；{polyphones}" if reason else polyphones
    return Romanized(
        name=name,
        pinyin=text,
        generic_pinyin=generic_pinyin,
        needs_check=bool(reason),
        unsettled=tuple(unsettled),
        reason=reason,
    )


def _erhua(name: str, sylls: list[str], generic_start: int) -> None:
    """Write an erhua 儿 as "r" on the syllable before it (rule 12: 盆儿胡同 Penr Hutong).

    儿 is erhua where it ends the specific (before the generic) or the name; 儿童 and a
    儿 opening the name are the word er.
    """
    for i, ch in enumerate(name):
        if ch != "儿" or i == 0 or not _HAN.match(name[i - 1]) or not sylls[i - 1]:
            continue
        if i + 1 in (generic_start, len(name)) and name[i + 1 : i + 2] != "童":
            sylls[i - 1] += "r"
            sylls[i] = ""


@lru_cache(maxsize=CACHE_NAMES)
def syllables_of(text: str) -> tuple[str, ...]:
    """Return the toneless lower-case syllables of ``text`` (dictionary readings first)."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return ()
    sylls, _ = _readings(text)
    return tuple(s.lower() for s in sylls if s.strip())


def pinyin_key(text: str) -> str:
    """Return the search key of a name: its syllables joined, lower case (鹤岗市 → hegangshi)."""
    return "".join(s for s in syllables_of(text) if s.isalnum())


def pinyin_initials(text: str) -> str:
    """Return the syllable initials of a name (鹤岗市 → hgs)."""
    return "".join(s[0] for s in syllables_of(text) if s[:1].isalnum())


def fuzzy_keys(text: str) -> list[str]:
    """Return the pinyin key of ``text`` and its one-syllable deletions (SymSpell, distance 1).

    Two names match within one syllable edit when their key sets intersect: a homophone
    typo (五百街 for 五柏街) has the same key; a missing or extra character leaves one
    name's key among the other's deletions; a substitution shares a deletion.
    """
    sylls = [s for s in syllables_of(text) if s.isalnum()]
    keys = {"".join(sylls)}
    if len(sylls) > 1:
        for k in range(len(sylls)):
            keys.add("-" + "".join(sylls[:k] + sylls[k + 1 :]))
    return sorted(keys)


def fuzzy_query_keys(text: str) -> list[str]:
    """Return the keys a query looks up: its own key, its deletions, and both as deletions.

    A query of one or two syllables keeps only homophones and one missing syllable: its
    single-syllable deletions would match a large share of all names.
    """
    sylls = [s for s in syllables_of(text) if s.isalnum()]
    if not sylls:
        return []
    full = "".join(sylls)
    keys = {full, "-" + full}
    if len(sylls) > 2:
        for k in range(len(sylls)):
            deleted = "".join(sylls[:k] + sylls[k + 1 :])
            keys.add(deleted)
            keys.add("-" + deleted)
    return sorted(keys)
