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
Shan Xian); a character of ``PLACE_POLYPHONES`` that the dictionary does not settle and
that pypinyin reads more than one way in context sets ``needs_check`` (the census form asks
for a manual check of such spellings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

CACHE_NAMES = 4096

# Generic (通名) → its written form. Multi-syllable generics are one word (Jiedao, Dajie).
GENERICS: dict[str, str] = {
    "省": "Sheng",
    "自治区": "Zizhiqu",
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

# Generics of units that other names nest inside (鹤岗市 | 殡仪馆, 新华农场 | 临江管理区).
_UNIT_GENERICS = ("街道", "农场", "林场", "良种场", "种畜场", "林业局", "管理局", "农业局")
_TOP_UNIT_GENERICS = ("省", "市", "县", "区", "镇", "乡")
# A village's committee names the village first (永昌村 | 村委会).
_COMMITTEE_GENERICS = ("村委会", "村民委员会", "居委会", "居民委员会")

STREET_GENERICS = frozenset({"路", "街", "大街", "大道", "道", "巷", "胡同", "里"})
# Natural-village generics: the whole name is written as one word (李家屯 Lijiatun).
SETTLEMENT_GENERICS = frozenset({"屯", "庄", "堡", "铺", "营子", "窝棚", "店", "营"})
MODIFIERS = frozenset("东西南北中前后上下大小新老内外正")
ETHNIC_SUFFIXES = ("朝鲜族", "满族", "蒙古族", "回族", "锡伯族", "鄂伦春族", "赫哲族", "达斡尔族")

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
}

# Characters whose reading in place names is known to vary (toneless readings differ).
PLACE_POLYPHONES = frozenset(
    "长行乐会石柏堡泊单都藏曲厦番埔蚌六莘洞铅阿蔚歙浚荥涡筠宿盖尉圩车重朝省种卜查曾仇解朴覃员召翟秘角甸"
)

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_NUMERAL_CHARS = frozenset(_DIGITS) | {"十", "百"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_VOWEL_START = re.compile(r"^[aoeAOE]")
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Romanized:
    name: str
    pinyin: str
    generic_pinyin: str
    needs_check: bool
    unsettled: tuple[str, ...]  # the characters that set needs_check


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
            out.extend(lazy_pinyin(piece, style=Style.NORMAL, v_to_u=True))
        else:
            out.append(piece)
    return out


def _unsettled(name: str, settled: tuple[bool, ...], generic_span: tuple[int, int]) -> list[str]:
    if not any(ch in PLACE_POLYPHONES for ch in name):
        return []  # the common case: no pypinyin call needed
    context = pinyin(name, style=Style.NORMAL, heteronym=True, v_to_u=True)
    chars = []
    for index, ch in enumerate(name):
        if settled[index] or generic_span[0] <= index < generic_span[1]:
            continue
        if ch in PLACE_POLYPHONES and len(set(context[index])) > 1:
            chars.append(ch)
    return chars


def _word(syllables: list[str]) -> str:
    """Join syllables into written words: apostrophes, capitals, digits kept apart."""
    words: list[str] = []
    text = ""
    for syl in syllables:
        if not syl:
            continue
        if syl.isdigit():
            if text:
                words.append(text)
            words.append(syl)
            text = ""
            continue
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
    """Split ``rest`` into (higher unit name, own specific) when it starts with a unit."""
    if generic in _COMMITTEE_GENERICS and rest.endswith(("村", "社区")) and len(rest) >= 2:
        return rest, ""
    for unit in _UNIT_GENERICS:
        pos = rest.rfind(unit)
        if pos > 0:
            return rest[: pos + len(unit)], rest[pos + len(unit) :]
    for unit in _TOP_UNIT_GENERICS:
        pos = rest.find(unit)
        # A unit needs a specific of two characters or more (鹤岗市, not 城市花园's 市).
        if pos >= 2:
            return rest[: pos + 1], rest[pos + 1 :]
    return "", rest


def _digits_or_words(chars: str, sylls: list[str], *, numbers_as_digits: bool) -> list[str]:
    """Write ``chars`` as words; a trailing numeral becomes Arabic digits when asked."""
    if not numbers_as_digits:
        return [_word(sylls)] if sylls else []
    k = len(chars)
    while k > 0 and chars[k - 1] in _NUMERAL_CHARS:
        k -= 1
    number = chinese_number(chars[k:])
    head = chars[:k]
    # Only an ordinal after a head (经五, 纬二, 第三): a bare numeral (五百街) is a name.
    if number is None or not head:
        return [_word(sylls)] if sylls else []
    if head == "第":
        return [f"Di-{number}"]
    return [_word(sylls[:k]), str(number)]


def _romanize(name: str, sylls: list[str]) -> list[str]:
    """Return the written words of ``name`` whose syllables are ``sylls``."""
    rest, generic = _split_generic(name)
    if not generic:
        higher, specific = _nested_split(name, "")
        words = _romanize(higher, sylls[: len(higher)]) if higher else []
        return words + ([_word(sylls[len(higher) :])] if specific else [])
    if generic in SETTLEMENT_GENERICS:
        return [_word(sylls)]
    higher, specific = _nested_split(rest, generic)
    words: list[str] = []
    if higher:
        words += _romanize(higher, sylls[: len(higher)])
    spec_sylls = sylls[len(higher) : len(rest)]
    gen_sylls = sylls[len(rest) :]
    generic_word = GENERICS[generic]
    is_street = generic in STREET_GENERICS
    if is_street and len(specific) >= 3 and specific[-1] in MODIFIERS:
        # 景山后街 → Jingshan Houjie: the one-syllable modifier joins the generic.
        generic_word = _word([spec_sylls[-1], *gen_sylls])
        specific, spec_sylls = specific[:-1], spec_sylls[:-1]
    for suffix in ETHNIC_SUFFIXES:
        if specific.endswith(suffix) and len(specific) > len(suffix):
            cut = len(specific) - len(suffix)
            words += [_word(spec_sylls[:cut]), _word(spec_sylls[cut:])]
            break
    else:
        words += _digits_or_words(specific, spec_sylls, numbers_as_digits=is_street)
    words.append(generic_word)
    return words


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


def romanize(name: str) -> Romanized:
    """Return the romanised form of a Chinese place name by the 1984 rules."""
    name = re.sub(r"\s+", "", name or "")
    if not name:
        raise ValueError("地名为空")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"地名超过 {MAX_NAME_LENGTH} 个字")
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
    settled = tuple(done or not sylls[k] or sylls[k].isdigit() for k, done in enumerate(settled))
    text = " ".join(w for w in _romanize(name, sylls) if w)
    rest, generic = _split_generic(name)
    generic_pinyin = GENERICS.get(generic, "") if generic not in SETTLEMENT_GENERICS else ""
    unsettled = _unsettled(name, settled, (len(rest), len(name)) if generic_pinyin else (0, 0))
    return Romanized(
        name=name,
        pinyin=text,
        generic_pinyin=generic_pinyin,
        needs_check=bool(unsettled),
        unsettled=tuple(unsettled),
    )


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
