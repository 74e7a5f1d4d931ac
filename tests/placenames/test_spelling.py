"""Typed-pinyin typo candidates (pure module, no database)."""

from placenames.spelling import edits1, is_pinyin, pinyin_variants


def test_whole_syllables_parse_and_broken_ones_do_not():
    assert is_pinyin("hegangdajie")
    assert is_pinyin("lühualu")
    assert is_pinyin("xian")  # 西安 or 县: either way whole syllables
    assert not is_pinyin("hegqngdajie")
    assert not is_pinyin("bjishijie")


def test_one_wrong_missing_extra_or_swapped_letter_is_undone():
    assert "luobeixian" in pinyin_variants("luobixian")  # a letter missing: 萝北县
    assert "luobeixian" in pinyin_variants("luobeixain")  # two letters swapped
    assert "suibinxian" in pinyin_variants("suibinxiang")  # a letter extra: 绥滨县
    assert "baoquanling" in pinyin_variants("baoquanlimg")  # a wrong letter: 宝泉岭
    assert all(is_pinyin(v) for v in pinyin_variants("hegangdajie"))


def test_short_keys_get_no_variants():
    assert pinyin_variants("hgs") == ()
    assert "abd" in edits1("abc") and "abc" not in edits1("abc")
