"""Parse Chinese address strings as people type them, and match street names (no Django).

Handles full-width characters (NFKC), optional province/city/district/township prefixes,
号 / 号院 / 之一 / 附N号 / 12-1 sub-numbers, Chinese numerals (十二号), building and unit
(3栋2单元), and pinyin queries (xinhua lu 12). Street matching scores the Chinese text and
its pinyin with rapidfuzz, so homophone typos (新化路 for 新华路) and one wrong character
still match.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from placenames.romanize import chinese_number, pinyin_key

MAX_QUERY_CHARS = 100
_PREFIXES = ("黑龙江省", "黑龙江")
_CN_NUM = "〇零一二三四五六七八九十百两"
_NUM = rf"(\d+|[{_CN_NUM}]+)"
_SUB = rf"(?:之({_NUM[1:-1]})|附{_NUM}号?|[-－—]{_NUM})"
_TAIL = re.compile(
    rf"{_NUM}\s*(号院|号楼|号)?\s*(?:{_SUB}\s*号?)?\s*"
    rf"(?:{_NUM}\s*(?:栋|幢|号楼)\s*)?(?:{_NUM}\s*单元\s*)?$"
)
# Street signs print the pinyin in capitals (JINGU LU 269 HAO): any case is the same query.
_PINYIN_TAIL = re.compile(r"(\d+)\s*(?:hao)?\s*(?:(?:zhi|-)\s*(\d+))?\s*$", re.IGNORECASE)
# Generics people leave off an area's name (兴山区 → 兴山, 光明街道 → 光明), longest first.
_AREA_GENERICS = ("街道", "自治县", "市", "区", "县", "镇", "乡")
_ETHNIC = re.compile(r"(朝鲜|满|蒙古|回|达斡尔|鄂伦春|赫哲|锡伯)族$")
MAX_AREA_PREFIXES = 4


class AddressQueryError(ValueError):
    """The query cannot be parsed (message in Chinese; ``parameter`` names the bad one)."""

    def __init__(self, message: str, parameter: str = "q") -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class AreaRef:
    """An area a query may name: its level and the county it lies in."""

    name: str
    level: str  # city / county / township
    county: str = ""  # the county's name (the area's own for a county, "" for the city)


@dataclass
class ParsedAddress:
    raw: str
    normalized: str
    street_text: str
    number: int | None = None
    sub_number: int = 0
    courtyard: bool = False  # 号院
    building: str = ""
    unit: str = ""
    areas: list[str] = field(default_factory=list)  # area names found in the query
    is_pinyin: bool = False


def _to_int(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    return chinese_number(text)


def normalize(q: str) -> str:
    """Return the query with full-width forms folded (NFKC) and spaces/punctuation squeezed."""
    if q is None:
        raise AddressQueryError("地址不能为空")
    if len(q) > MAX_QUERY_CHARS:
        raise AddressQueryError(f"地址超过 {MAX_QUERY_CHARS} 个字符")
    if "\ufffd" in q or any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in q):
        raise AddressQueryError("地址含有不可打印字符或无效编码")
    text = unicodedata.normalize("NFKC", q)
    text = re.sub(r"[,，、。.;；:：()（）\[\]【】\"'“”]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise AddressQueryError("地址不能为空")
    return text


def area_short_names(name: str) -> list[str]:
    """Return the forms of an area name written without its generic (兴山区 → 兴山).

    Only forms of two characters or more: a one-character stub (东明朝鲜族乡 → 东明 is kept,
    but never 向 for a 向区) would strip the head of a street name.
    """
    for generic in _AREA_GENERICS:
        if name.endswith(generic) and len(name) - len(generic) >= 2:
            short = name[: -len(generic)]
            out = [short]
            m = _ETHNIC.search(short)
            if m and m.start() >= 2:
                out.append(short[: m.start()])  # 东明朝鲜族乡 → 东明
            return out
    return []


@lru_cache(maxsize=8)  # the city's area names, the same for every address until they change
def _area_forms(area_names: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return (written form, full name) pairs, longest written form first (do not change it)."""
    forms = {name: name for name in area_names if name}
    for name in area_names:
        for short in area_short_names(name):
            forms.setdefault(short, name)
    return sorted(forms.items(), key=lambda f: (-len(f[0]), f[0]))


def _strip_paths(
    text: str, forms: list[tuple[str, str]], depth: int = 0
) -> list[tuple[list[str], str, int]]:
    """Return every (areas, rest, short forms used) from stripping area names off the front."""
    out: list[tuple[list[str], str, int]] = [([], text, 0)]
    if depth >= MAX_AREA_PREFIXES:
        return out
    for written, full in forms:
        # A short form where the full name is written (向阳 of 向阳区…) is no other reading.
        if text.startswith(written) and (written == full or not text.startswith(full)):
            for areas, rest, shorts in _strip_paths(text[len(written) :], forms, depth + 1):
                if full not in areas:
                    out.append(([full, *areas], rest, shorts + (written != full)))
    return out


def _parse_pinyin(q: str, text: str) -> ParsedAddress:
    out = ParsedAddress(raw=q, normalized=text, street_text="", is_pinyin=True)
    m = _PINYIN_TAIL.search(text)
    rest = text
    if m:
        out.number = int(m.group(1))
        out.sub_number = int(m.group(2) or 0)
        rest = text[: m.start()]
    out.street_text = re.sub(r"[^a-z]", "", rest.lower())
    if not out.street_text and out.number is None:
        raise AddressQueryError("地址中没有可识别的街路名或门牌号")
    return out


def parse_alternatives(q: str, *, area_names: Sequence[str] = ()) -> list[ParsedAddress]:
    """Return the readings of a query, the likeliest first.

    ``area_names`` (city, districts, townships) are stripped off the front in every way
    they can be, in full or without their generic (鹤岗兴山金谷路 → 鹤岗市, 兴山区, 金谷路),
    and reported in ``areas`` by their full names. A name that is also the head of a street
    (光明街道 / 光明街) gives two readings; the street matcher decides between them. The
    readings that strip the most come first; a bare area (向阳区) before any street text.
    """
    text = normalize(q)
    if re.fullmatch(r"[A-Za-z0-9\s'\-]+", text):
        return [_parse_pinyin(q, text)]
    compact = text.replace(" ", "")
    for prefix in _PREFIXES:
        compact = compact.removeprefix(prefix)
    base = ParsedAddress(raw=q, normalized=text, street_text="")
    m = _TAIL.search(compact)
    if m and m.start() > 0:
        base.number = _to_int(m.group(1))
        base.courtyard = m.group(2) == "号院"
        sub = m.group(3) or m.group(4) or m.group(5)
        base.sub_number = _to_int(sub) or 0
        base.building = m.group(6) or ""
        base.unit = m.group(7) or ""
        compact = compact[: m.start()]
    paths = _strip_paths(compact, _area_forms(tuple(area_names)))
    # A one-character rest is a bare generic (光明 + 街): not a reading of its own.
    paths = [p for p in paths if p[1] == "" or len(p[1]) >= 2] or paths[:1]
    paths.sort(key=lambda p: (len(p[1]), p[2]))
    out: list[ParsedAddress] = []
    seen: set[tuple] = set()
    for areas, rest, _ in paths:
        key = (tuple(areas), rest)
        if key in seen or (not rest and not areas):
            continue
        seen.add(key)
        out.append(replace(base, street_text=rest, areas=list(areas)))
    if not out:
        raise AddressQueryError("地址中没有可识别的街路名或地区名")
    return out


def parse(q: str, *, area_names: Sequence[str] = ()) -> ParsedAddress:
    """Split a query into area names, street text and number parts (the likeliest reading).

    ``area_names`` (city, districts, townships) are stripped wherever they occur at the
    front, longest first, and reported in ``areas``.
    """
    return parse_alternatives(q, area_names=area_names)[0]


@dataclass(frozen=True)
class StreetEntry:
    street_id: int
    name: str  # the name this entry matches (current or former)
    current_name: str
    pinyin: str  # letters only, lower case
    county: str = ""
    township: str = ""
    is_former: bool = False


@dataclass(frozen=True)
class StreetMatch:
    entry: StreetEntry
    score: float  # 0–100
    how: str  # exact / former / fuzzy / pinyin


def entry_pinyin(name: str) -> str:
    """Return the letters-only pinyin key of a name (新华路 → xinhualu)."""
    return pinyin_key(name)


class StreetIndex:
    """Street entries with their names and pinyin keys laid out for rapidfuzz and prefixes."""

    def __init__(self, entries: Sequence[StreetEntry]) -> None:
        self.entries = list(entries)
        self.names = [e.name for e in self.entries]
        self.pinyins = [e.pinyin for e in self.entries]
        self._by_name = sorted((n, i) for i, n in enumerate(self.names))
        self._by_pinyin = sorted((p, i) for i, p in enumerate(self.pinyins))

    @staticmethod
    def _prefixed(pairs: list[tuple[str, int]], prefix: str, cap: int = 50) -> list[int]:
        start = bisect.bisect_left(pairs, (prefix, -1))
        out = []
        for name, i in pairs[start : start + cap]:
            if not name.startswith(prefix):
                break
            out.append(i)
        return out

    def candidates(self, text: str, query_py: str, *, is_pinyin: bool) -> set[int]:
        """Return indices worth scoring: the nearest names and pinyin keys, and prefixes."""
        found: set[int] = set()
        if query_py:
            hits = process.extract(
                query_py, self.pinyins, scorer=fuzz.ratio, limit=40, score_cutoff=45
            )
            found.update(i for _, _, i in hits)
            if len(query_py) >= 4:
                found.update(self._prefixed(self._by_pinyin, query_py))
        if not is_pinyin:
            hits = process.extract(text, self.names, scorer=fuzz.ratio, limit=40, score_cutoff=40)
            found.update(i for _, _, i in hits)
            if len(text) >= 2:
                found.update(self._prefixed(self._by_name, text))
        return found


def _score(
    parsed: ParsedAddress, query_py: str, e: StreetEntry, min_score: float
) -> tuple[float, str]:
    text = parsed.street_text
    if parsed.is_pinyin:
        score, how = fuzz.ratio(query_py, e.pinyin), "pinyin"
        # People drop the generic: "xinhua" for Xinhua Lu.
        if e.pinyin.startswith(query_py) and len(query_py) >= 4:
            score = max(score, 90.0)
    elif text == e.name:
        score, how = 100.0, "former" if e.is_former else "exact"
    else:
        char_score = fuzz.ratio(text, e.name)
        py_score = fuzz.ratio(query_py, e.pinyin) if query_py else 0.0
        if e.name.startswith(text) and len(text) >= 2:
            char_score = max(char_score, 88.0)  # generic omitted: 新华 → 新华路
        # Characters and sounds both count: a wrong character that sounds alike (新化路) keeps
        # the pinyin whole; an unrelated one shifts the pinyin less than the characters.
        score = 0.55 * char_score + 0.45 * py_score
        if py_score == 100:
            score = max(score, 97.0)  # a pure homophone typo
        if e.name.startswith(text) and len(text) >= 2:
            # The generic omitted (和谐 → 和谐路 / 和谐街): equally likely whichever it is.
            score = max(score, 88.0)
        how = "fuzzy"
        if e.is_former and score >= min_score:
            how = "former"
    if parsed.areas and (e.county in parsed.areas or e.township in parsed.areas):
        score += 3  # the district or township named in the query agrees
    if e.is_former:
        score -= 1  # the current name wins a tie
    return score, how


def match_streets(
    parsed: ParsedAddress, index: StreetIndex, *, limit: int = 5, min_score: float = 60
) -> list[StreetMatch]:
    """Return the best street matches of a parsed query, best first.

    rapidfuzz picks the nearest few dozen names and pinyin keys (in C, over every street);
    only those are scored by the rules below.
    """
    text = parsed.street_text
    if not text:
        return []
    query_py = text if parsed.is_pinyin else entry_pinyin(text)
    best: dict[int, StreetMatch] = {}
    for i in index.candidates(text, query_py, is_pinyin=parsed.is_pinyin):
        e = index.entries[i]
        score, how = _score(parsed, query_py, e, min_score)
        if score >= min_score and (e.street_id not in best or score > best[e.street_id].score):
            best[e.street_id] = StreetMatch(e, min(score, 100.0), how)
    return sorted(best.values(), key=lambda m: (-m.score, m.entry.current_name))[:limit]


MAX_READINGS = 4
AREA_OVER_STREET = 97.0


def match_best(
    readings: Sequence[ParsedAddress], index: StreetIndex, *, limit: int = 5
) -> tuple[ParsedAddress, list[StreetMatch]]:
    """Return the reading whose best street match scores highest, with its matches.

    Readings are tried in order and the first full match stops the search; without any
    street match (or only a loose one), a reading that is only area names (向阳区) is
    returned, else the first.
    """
    best: tuple[ParsedAddress, list[StreetMatch]] | None = None
    tried = 0
    for reading in readings:
        if not reading.street_text:
            continue
        matches = match_streets(reading, index, limit=limit)
        tried += 1
        if matches and (best is None or matches[0].score > best[1][0].score):
            best = (reading, matches)
            if matches[0].score >= 100:
                break
        if tried >= MAX_READINGS:
            break
    area_only = next((r for r in readings if r.areas and not r.street_text), None)
    # A query that is all area names (兴安区, 鹤岗南山) means the area, unless a street is
    # named exactly by it (育才路 of 育才路街道): a fuzzy 兴安路 is not what was asked.
    if best is not None and (area_only is None or best[1][0].score >= AREA_OVER_STREET):
        return best
    return (area_only or readings[0]), []


def area_conflicts(
    named: Sequence[str], refs: Mapping[str, AreaRef], *, county: str, township: str
) -> list[str]:
    """Return, in Chinese, each area named in the query that the found street is not in."""
    out = []
    for name in named:
        ref = refs.get(name)
        if ref is None or ref.level == "city":
            continue
        if county and ref.county and ref.county != county:
            out.append(f"查询中的“{name}”与结果所在的{county}不符")
        elif ref.level == "township" and township and name != township:
            out.append(f"查询中的“{name}”与结果所在的{township}不符")
    return out
