"""Romanisation by the 1984 rules: real Hegang names and a hand-checked list (no database)."""

from __future__ import annotations

import csv

import pytest

from placenames.romanize import (
    chinese_number,
    fuzzy_keys,
    fuzzy_query_keys,
    pinyin_initials,
    pinyin_key,
    romanize,
)

# Official or rule-derived spellings checked by hand against the 1984 rules and the
# published forms (ministry lists, road signs); each line exercises one rule.
KNOWN = {
    "鹤岗市": "Hegang Shi",
    "兴安区": "Xing'an Qu",
    "黑龙江省": "Heilongjiang Sheng",
    "萝北县": "Luobei Xian",
    "绥滨县": "Suibin Xian",
    "向阳区": "Xiangyang Qu",
    "工农区": "Gongnong Qu",
    "南山区": "Nanshan Qu",
    "东山区": "Dongshan Qu",
    "兴山区": "Xingshan Qu",
    # Transliterated from Manchu / Daur: the published forms, not pinyin of the characters.
    "哈尔滨市": "Harbin Shi",
    "齐齐哈尔市": "Qiqihar Shi",
    "佳木斯市": "Jiamusi Shi",
    "北安市": "Bei'an Shi",
    "延安市": "Yan'an Shi",
    "西安市": "Xi'an Shi",
    "西安": "Xi'an",
    "天安门": "Tian'anmen",
    "新华路": "Xinhua Lu",
    "西辽河": "Xiliao He",
    "景山后街": "Jingshan Houjie",
    "经五路": "Jing 5 Lu",
    "纬二路": "Wei 2 Lu",
    "五百街": "Wubai Jie",  # a bare numeral is the name itself, not an ordinal
    "人民大街": "Renmin Dajie",
    "光明西路": "Guangming Xilu",
    "吕梁市": "Lüliang Shi",
    "绿春县": "Lüchun Xian",
    "六安市": "Lu'an Shi",
    "丽水市": "Lishui Shi",
    "蚌埠市": "Bengbu Shi",
    "单县": "Shan Xian",
    "东阿县": "Dong'e Xian",
    "洪洞县": "Hongtong Xian",
    "铅山县": "Yanshan Xian",
    "乐亭县": "Laoting Xian",
    "番禺区": "Panyu Qu",
    "大埔县": "Dabu Xian",
    "莘县": "Shen Xian",
    "歙县": "She Xian",
    "蔚县": "Yu Xian",
    "浚县": "Xun Xian",
    "荥阳市": "Xingyang Shi",
    "涡阳县": "Guoyang Xian",
    "厦门市": "Xiamen Shi",
    "重庆市": "Chongqing Shi",
    "朝阳区": "Chaoyang Qu",
    "长春市": "Changchun Shi",
    "周口店": "Zhoukoudian",
    "李家屯": "Lijiatun",
    "东明朝鲜族乡": "Dongming Chaoxianzu Xiang",
    "福兴满族乡": "Fuxing Manzu Xiang",
    "太平沟乡": "Taipinggou Xiang",
    "东方红乡": "Dongfanghong Xiang",
    "北岗乡": "Beigang Xiang",
    "二九〇农场": "290 Nongchang",
    "宝泉岭农场": "Baoquanling Nongchang",
    "兴安路街道": "Xing'anlu Jiedao",
    "永昌村村委会": "Yongchang Cun Cunweihui",
    "鹤岗市殡仪馆": "Hegang Shi Binyiguan",
    "新华农场临江管理区": "Xinhua Nongchang Linjiang Guanliqu",
}


@pytest.mark.parametrize(("name", "expected"), sorted(KNOWN.items()))
def test_known_spellings(name, expected):
    assert romanize(name).pinyin == expected


def _real_names(hegang_data_dir):
    with (hegang_data_dir / "mca20251231_divisions.csv").open(encoding="utf-8") as f:
        mca = [row["name"] for row in csv.DictReader(f)]
    with (hegang_data_dir / "nbs2023_villages.csv").open(encoding="utf-8") as f:
        nbs = [row["name"] for row in csv.DictReader(f)]
    return mca, nbs


def test_every_real_hegang_name_romanises(hegang_data_dir):
    mca, nbs = _real_names(hegang_data_dir)
    assert len(mca) == 62 and len(nbs) == 446
    for name in mca + nbs:
        result = romanize(name)
        assert result.pinyin.strip(), name
        # Only letters, ü, digits, apostrophes, hyphens and single spaces; capitalised words.
        assert all(w[:1].isupper() or w[:1].isdigit() for w in result.pinyin.split(" ")), name
        assert "  " not in result.pinyin


def test_polyphone_outside_dictionary_needs_check():
    assert romanize("五柏街").needs_check
    assert romanize("五柏街").unsettled == ("柏",)
    assert not romanize("鹤岗市").needs_check
    assert not romanize("六安市").needs_check  # settled by the phrase dictionary


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="为空"):
        romanize("  ")
    with pytest.raises(ValueError, match="超过"):
        romanize("长" * 101)


def test_search_keys():
    assert pinyin_key("鹤岗市") == "hegangshi"
    assert pinyin_initials("鹤岗") == "hg"
    assert pinyin_key("吕梁") == "lüliang"


def test_fuzzy_keys_meet_for_one_syllable_typos():
    name = set(fuzzy_keys("五柏街"))
    assert name & set(fuzzy_query_keys("五百街"))  # homophone from a pinyin keyboard
    assert name & set(fuzzy_query_keys("五柏"))  # missing character
    assert name & set(fuzzy_query_keys("五柏大街"))  # extra character
    assert name & set(fuzzy_query_keys("五松街"))  # one wrong character
    assert not name & set(fuzzy_query_keys("光明路"))


def test_chinese_numbers():
    assert chinese_number("五") == 5
    assert chinese_number("十三") == 13
    assert chinese_number("二十") == 20
    assert chinese_number("一百零五") == 105
    assert chinese_number("二九〇") == 290
    assert chinese_number("五a") is None
