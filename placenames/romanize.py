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
from placenames.romanize_words import (
    AUTONOMOUS_GENERICS,
    COMMITTEE_GENERICS,
    DIRECTIONS,
    GENERICS,
    INNER_UNITS,
    MODIFIERS,
    NATURAL_GENERICS,
    NUMERAL_PLACES,
    OPEN_READINGS,
    PHRASES,
    PLACE_READINGS,
    SETTLEMENT_GENERICS,
    STREET_GENERICS,
    TOP_UNITS,
    TRANSLITERATION_MARKERS,
    UNIT_RANKS,
)

CACHE_NAMES = 4096

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
    if generic in COMMITTEE_GENERICS and rest.endswith(("村", "社区")) and len(rest) >= 2:
        return rest, ""
    outer = UNIT_RANKS.get(generic, 9)
    for unit in INNER_UNITS:
        pos = rest.rfind(unit)
        if pos > 0 and UNIT_RANKS[unit] < outer:
            return rest[: pos + len(unit)], rest[pos + len(unit) :]
    best: tuple[int, str] | None = None
    for unit in TOP_UNITS:
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
        (i for i in range(2, len(head) - 1) if len(head) >= 5 and head[i] in DIRECTIONS),
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
    if generic not in AUTONOMOUS_GENERICS:
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
    # U+FFFD is what a decoder leaves of a broken sequence (a lone surrogate sent as UTF-8).
    if any("\ud800" <= ch <= "\udfff" or ch == "\ufffd" for ch in name or ""):
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
    for phrase in PHRASES:  # a reading the dictionary settles is no guess (弥勒 Mile)
        specific = specific.replace(phrase, "")
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
