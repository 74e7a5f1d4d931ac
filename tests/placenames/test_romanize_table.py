"""Published romanisations, autonomous areas, polyphones and bad input (no database)."""

from __future__ import annotations

import csv

import pytest

from placenames import romanize_tables as tables
from placenames.review import stacked_generics
from placenames.romanize import RomanizeInputError, romanize


def test_the_division_list_covers_china_to_county_level_and_heilongjiang_townships():
    divisions = tables.divisions()
    levels = [d.level for d in divisions.values()]
    assert levels.count(1) == 33 and levels.count(2) == 333 and levels.count(3) == 2845
    townships = [d for d in divisions.values() if d.level == 4]
    assert townships and all(d.code.startswith("23") for d in townships)
    assert divisions["230402"].name == "向阳区"


def test_every_published_row_is_used_exactly():
    for code, (name, roman, _) in tables.published().items():
        if tables.published_by_name()[name] is None:
            continue  # same-named units disagree: looked up by code only
        result = romanize(name)
        assert result.pinyin == roman, code
        assert not result.needs_check


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("哈尔滨市", "Harbin Shi"),
        ("齐齐哈尔市", "Qiqihar Shi"),
        ("哈尔滨市殡仪馆", "Harbin Shi Binyiguan"),  # a nested unit takes its published form
        ("呼和浩特市", "Hohhot Shi"),
        ("乌鲁木齐市", "Ürümqi Shi"),
        ("日喀则市", "Xigazê Shi"),
        ("鄂伦春自治旗", "Oroqen Zizhiqi"),
        ("梅里斯达斡尔族区", "Meilisi Daurzu Qu"),
        ("大兴安岭地区", "Da Hinggan Ling Diqu"),
        ("兴安区", "Xing'an Qu"),  # Hegang's: Han, not the league's Hinggan
    ],
)
def test_published_forms_win_over_pinyin(name, expected):
    assert romanize(name).pinyin == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("广西壮族自治区", "Guangxi Zhuangzu Zizhiqu"),
        ("西双版纳傣族自治州", "Xishuangbanna Daizu Zizhizhou"),
        ("丰宁满族自治县", "Fengning Manzu Zizhixian"),
        ("金平苗族瑶族傣族自治县", "Jinping Miaozu Yaozu Daizu Zizhixian"),
        ("延边朝鲜族自治州", "Yanbian Chaoxianzu Zizhizhou"),
        ("伊犁哈萨克自治州", "Ili Kazak Zizhizhou"),
        ("东明朝鲜族乡", "Dongming Chaoxianzu Xiang"),
        ("鹤岗市兴安区", "Hegang Shi Xing'an Qu"),
        ("吴县市", "Wuxian Shi"),
    ],
)
def test_autonomous_and_nested_generics(name, expected):
    assert romanize(name).pinyin == expected


def test_a_minority_area_division_without_a_published_form_is_flagged():
    result = romanize("香格里拉市")  # Diqing, Tibetan: no row in the published table
    assert result.needs_check
    assert "音译" in result.reason


def test_a_transliteration_character_flags_an_unknown_name():
    result = romanize("巴彦淖尔路")
    assert result.pinyin == "Bayannur Lu"  # the published specific
    unknown = romanize("阿木尔镇")
    assert unknown.needs_check and "尔" in unknown.reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("长子县", "Zhangzi Xian"),
        ("长治市", "Changzhi Shi"),
        ("宁都县", "Ningdu Xian"),
        ("闵行区", "Minhang Qu"),
        ("六合区", "Luhe Qu"),
        ("召陵区", "Shaoling Qu"),
        ("乐清市", "Yueqing Shi"),
        ("天长市", "Tianchang Shi"),
        ("句容市", "Jurong Shi"),
        ("穆棱市", "Muling Shi"),
        ("绥棱县", "Suiling Xian"),
        ("泌阳县", "Biyang Xian"),
        ("弥勒市", "Mile Shi"),
    ],
)
def test_place_name_readings_without_needless_flags(name, expected):
    result = romanize(name)
    assert result.pinyin == expected
    assert not result.needs_check


def test_residential_generic():
    assert romanize("幸福家园").pinyin == "Xingfu Jiayuan"
    assert stacked_generics("学府家园") is None
    assert stacked_generics("万福大厦广场").code == "stacked_generics"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("鹤岗Shi", "混用"),
        ("鹤岗\ue000市", "私用区"),
        ("鹤岗\x07市", "控制字符"),
        ("鹤岗\ud800市", "代理"),
        ("鹤" * 10_000, "100"),
    ],
)
def test_bad_input_gets_a_clear_error(name, message):
    with pytest.raises(RomanizeInputError, match=message):
        romanize(name)


def _write(tmp_path, rows):
    path = tmp_path / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(tables.PUBLISHED_COLUMNS)
        writer.writerows(rows)
    return path.read_text(encoding="utf-8")


def test_a_table_with_one_bad_code_is_refused_whole_naming_the_row(tmp_path):
    good = ("230100", "哈尔滨市", "Harbin Shi", "atlas")
    text = _write(tmp_path, [good, ("23010X", "道里区", "Daoli Qu", "atlas")])
    with pytest.raises(tables.RomanizationTableError, match="第 3 行（道里区）"):
        tables.published_parse(text)
    wrong_name = _write(tmp_path, [("230100", "齐齐哈尔市", "Qiqihar Shi", "atlas")])
    with pytest.raises(tables.RomanizationTableError, match="哈尔滨市"):
        tables.published_parse(wrong_name)
    assert tables.published_parse(_write(tmp_path, [good])) == {
        "230100": ("哈尔滨市", "Harbin Shi", "atlas")
    }


def test_import_command_refuses_a_bad_table_and_changes_nothing(tmp_path):
    from django.core.management import CommandError, call_command

    before = tables.PUBLISHED_CSV.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        _write(tmp_path, [("230100", "哈尔滨市", "Harbin Shi", "atlas"), ("9", "x", "X", "atlas")]),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="整表未导入：第 3 行"):
        call_command("import_romanization_table", str(bad))
    assert tables.PUBLISHED_CSV.read_bytes() == before
    assert romanize("哈尔滨市").pinyin == "Harbin Shi"


def test_install_writes_the_whole_table(tmp_path):
    target = tmp_path / "published.csv"
    text = _write(tmp_path, [("230100", "哈尔滨市", "Harbin Shi", "atlas")])
    assert tables.published_install(text, dry_run=True, path=target) == 1
    assert not target.exists()
    try:
        assert tables.published_install(text, path=target) == 1
        assert target.read_text(encoding="utf-8") == text
    finally:
        tables.table_reload()


# Korean (朝鲜族) autonomous areas: their names are Han forms (Sino-Korean) read by the
# characters, as the 1976 transliteration rules allow for names in general Han use
# (Art. 3(3)); no transliteration scheme for Korean exists among them (they cover
# Mongolian, Uyghur, Tibetan and the CH/T 4001–4013 languages). The nationality is
# "Chaoxian" (GB/T 3304), written with "zu" joined and apart from the rest (1984 rules,
# as 丰宁满族自治县 Fengning Manzu Zizhixian).
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("延边朝鲜族自治州", "Yanbian Chaoxianzu Zizhizhou"),
        ("长白朝鲜族自治县", "Changbai Chaoxianzu Zizhixian"),
        ("延吉市", "Yanji Shi"),
        ("珲春市", "Hunchun Shi"),
        ("和龙市", "Helong Shi"),
        ("东明朝鲜族乡", "Dongming Chaoxianzu Xiang"),  # Hegang's own, in 萝北县
        ("吉兴朝鲜族满族乡", "Jixing Chaoxianzu Manzu Xiang"),
    ],
)
def test_korean_autonomous_areas_are_spelt_by_their_characters_unflagged(name, expected):
    result = romanize(name)
    assert result.pinyin == expected and not result.needs_check, result.reason


def test_no_korean_area_is_counted_as_a_transliteration_area():
    assert not any(code.startswith(("2224", "220623")) for code in tables.MINORITY_AREAS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("乌什县", "Wushi (Uqturpan) Xian"),
        ("喀什市", "Kashi (Kaxgar) Shi"),
        ("巴楚县", "Bachu (Maralbexi) Xian"),
        ("库车市", "Kuqa Shi"),  # a transliteration alone where the list gives no Han form
    ],
)
def test_ministry_list_forms_keep_the_bracketed_transliteration(name, expected):
    assert romanize(name).pinyin == expected


@pytest.mark.parametrize("roman", ["Wushi (Uqturpan Xian", "Wushi (Uq) (Tu) Xian", "Wushi () Xian"])
def test_a_malformed_bracket_refuses_the_table_naming_the_row(roman):
    text = f"code,name,romanization,source\r\n652927,乌什县,{roman},mca-list\r\n"
    with pytest.raises(tables.RomanizationTableError, match="第 2 行"):
        tables.published_parse(text)
