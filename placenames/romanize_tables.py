"""Data tables the romaniser reads: divisions, published spellings, minority areas; no Django.

- ``mca20251231_divisions.csv``: the civil-affairs division list as of 2025-12-31, every
  province-, prefecture- and county-level unit of China and Heilongjiang's townships
  (placenames/data/README.md names the source);
- ``romanization_published.csv``: the published standard romanisation of divisions whose
  names are transliterated from a minority language (Harbin, Hohhot, Xigazê …), keyed by
  division code; the rules say such names are spelt from the original language, so
  pinyin of the characters is wrong for them;
- ``MINORITY_AREAS``: division-code prefixes where names are commonly transliterated; a
  division there without a published spelling is flagged, never guessed;
- ``ETHNIC_NAMES``: the romanised names of China's nationalities (GB/T 3304-1991), written
  in autonomous-area names (鄂伦春自治旗 Oroqen Zizhiqi, 梅里斯达斡尔族区 Meilisi Daurzu Qu).

Loading a published table validates every row first and refuses the whole table with the
first bad row named (``RomanizationTableError``): a half-loaded table would silently fall
back to pinyin for the rows after the bad one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA_DIR / "mca20251231_divisions.csv"
PUBLISHED_CSV = DATA_DIR / "romanization_published.csv"
PUBLISHED_COLUMNS = ("code", "name", "romanization", "source")
SOURCES = {
    "atlas": "《中华人民共和国地图集》/《中国地名录》所载少数民族语地名拼写（按1976年《少数民族语地名汉语拼音字母音译转写法》）",
    # The ministry's list writes a Han-form name by its characters' reading with the
    # transliterated original in brackets (1976 rules, Art. 3(3)): Wushi (Uqturpan) Xian.
    "mca-list": "民政部行政区划名称罗马字母拼写：汉字读音拼写，括注音译转写的原名（1976年转写法第三条(3)）",
    "mca-examples": "民政部地名拼写示例（鄂伦春自治旗 Oroqen Zizhiqi、梅里斯达斡尔族区 Meilisi Daurzu Qu）",
}

# Division-code prefixes whose names are often transliterated (Mongolian, Tibetan, Uyghur,
# Kazakh …). Prefixes are data: the bureau adds an area by adding a row.
# Korean (朝鲜族) areas are not listed: their names are Han forms read by the characters
# (1976 rules, Art. 3(3); the rules have no Korean scheme), 延边朝鲜族自治州 Yanbian
# Chaoxianzu Zizhizhou, and need no flag.
MINORITY_AREAS: dict[str, str] = {
    "15": "蒙古语",
    "54": "藏语",
    "65": "维吾尔语、哈萨克语等",
    "6322": "藏语",
    "6323": "藏语",
    "6325": "藏语",
    "6326": "藏语",
    "6327": "藏语",
    "6328": "蒙古语、藏语",
    "6230": "藏语",
    "5132": "藏语、羌语",
    "5133": "藏语",
    "5334": "藏语",
}

# GB/T 3304-1991 romanised names of the nationalities; 族 is written "zu" joined.
ETHNIC_NAMES: dict[str, str] = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Zang", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Chaoxian", "满": "Man", "侗": "Dong",
    "瑶": "Yao", "白": "Bai", "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai",
    "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She", "拉祜": "Lahu", "水": "Sui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kirgiz", "土": "Tu",
    "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar",
    "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi",
    "塔吉克": "Tajik", "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russ", "鄂温克": "Ewenki",
    "德昂": "Deang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar",
    "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba",
    "基诺": "Jino", "各": "Ge",
}  # fmt: skip

_CODE = re.compile(r"^\d{6}(\d{3})?$")
_HAN_NAME = re.compile(r"^[\u3400-\u9fff]{1,30}$")
# Letters of the 1984 and 1976 rules; at most one bracketed transliteration (mca-list rows).
_ROMAN = re.compile(
    r"^[A-Za-zÜüÊêÀ-ÿ' -]{1,80}(\([A-Za-zÜüÊêÀ-ÿ' -]{1,40}\)[A-Za-zÜüÊêÀ-ÿ' -]{0,40})?$"
)


class RomanizationTableError(ValueError):
    """A romanisation table row is invalid; the whole table is refused."""


@dataclass(frozen=True)
class Division:
    code: str
    level: int
    name: str


@lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """Return the MCA division list by code."""
    with DIVISIONS_CSV.open(encoding="utf-8") as f:
        return {
            r["code"]: Division(r["code"], int(r["level"]), r["name"]) for r in csv.DictReader(f)
        }


@lru_cache(maxsize=1)
def divisions_by_name() -> dict[str, tuple[Division, ...]]:
    """Return the divisions by name (a name such as 新城区 is held by several units)."""
    out: dict[str, list[Division]] = {}
    for division in divisions().values():
        out.setdefault(division.name, []).append(division)
    return {name: tuple(found) for name, found in out.items()}


def published_parse(text: str) -> dict[str, tuple[str, str, str]]:
    """Return code → (name, romanisation, source) of a published table, all rows valid.

    Raises RomanizationTableError naming the first bad row (line number as a spreadsheet
    shows it, header = line 1); nothing is returned for a table with any bad row.
    """
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != PUBLISHED_COLUMNS:
        raise RomanizationTableError(
            f"表头应为 {','.join(PUBLISHED_COLUMNS)}，实为 {','.join(reader.fieldnames or [])}"
        )
    known = divisions()
    rows: dict[str, tuple[str, str, str]] = {}
    for line, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        name = (row["name"] or "").strip()
        roman = (row["romanization"] or "").strip()
        source = (row["source"] or "").strip()
        where = f"第 {line} 行（{name or '无名称'}）"
        if not _CODE.match(code):
            raise RomanizationTableError(f"{where}：代码“{code}”不是 6 位或 9 位区划代码")
        if code not in known:
            raise RomanizationTableError(f"{where}：代码 {code} 不在民政部区划表中")
        if known[code].name != name:
            raise RomanizationTableError(
                f"{where}：代码 {code} 在区划表中的名称是“{known[code].name}”"
            )
        if code in rows:
            raise RomanizationTableError(f"{where}：代码 {code} 重复")
        if not _HAN_NAME.match(name) or not _ROMAN.match(roman):
            raise RomanizationTableError(f"{where}：名称或罗马字母拼写“{roman}”不合格式")
        if source not in SOURCES:
            raise RomanizationTableError(f"{where}：来源“{source}”不在来源表中")
        rows[code] = (name, roman, source)
    return rows


@lru_cache(maxsize=1)
def published() -> dict[str, tuple[str, str, str]]:
    """Return the packaged published table (code → name, romanisation, source)."""
    return published_parse(PUBLISHED_CSV.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def published_by_name() -> dict[str, str | None]:
    """Return name → published romanisation; None where same-named units disagree."""
    out: dict[str, str | None] = {}
    for name, roman, _ in published().values():
        out[name] = roman if out.get(name, roman) == roman else None
    return out


def minority_area(code: str) -> str:
    """Return the language noted for the area holding ``code``, else ''."""
    for size in (4, 2):
        if code[:size] in MINORITY_AREAS:
            return MINORITY_AREAS[code[:size]]
    return ""


def table_reload() -> None:
    """Forget the cached tables (after a new published table is installed)."""
    for cached in (divisions, divisions_by_name, published, published_by_name):
        cached.cache_clear()


def published_install(text: str, *, dry_run: bool = False, path: Path = PUBLISHED_CSV) -> int:
    """Validate a whole published table and replace the installed one; return its row count.

    The file is written beside the old one and renamed over it, so a reader never sees a
    half-written table; nothing is written when any row is bad or ``dry_run`` is set.
    """
    rows = published_parse(text)
    if not dry_run:
        partial = path.with_suffix(".csv.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        table_reload()
    return len(rows)
