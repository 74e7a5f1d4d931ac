"""The census form's layout and the register's rule, without the database."""

from __future__ import annotations

from placenames import culture

CODE = "23040500023400000001"
OTHER = "23040500021610000002"


def test_the_table_layout_reads_the_forms_headings_with_their_asterisks():
    rows = [
        ["代码*", "标准名称*", "地名来历", "地名含义*", "历史沿革*"],
        [CODE, "松鹤桥", "因桥畔古松得名", "松鹤延年", "1958年建"],
        [OTHER, "红旗村", "", "寓意红旗飘扬", ""],
    ]
    layout, records, errors = culture.culture_records(rows)
    assert (layout, errors) == ("table", [])
    assert records[0].values == {
        "origin": "因桥畔古松得名",
        "meaning": "松鹤延年",
        "history": "1958年建",
    }
    assert records[1].values == {"meaning": "寓意红旗飘扬"}  # empty cells change nothing


def test_the_registration_form_layout_reads_label_value_pairs_record_by_record():
    rows = [
        ["地名普查登记表", None, None, None],
        ["代码*", CODE, "标准名称*", "松鹤桥"],
        ["罗马字母拼写*", "Songhe Qiao", "类别*", "桥梁"],
        ["地名来历", "因桥畔古松得名", None, None],
        ["地名含义*", "松鹤延年", None, None],
        ["历史沿革*", "1958年建，1986年重修", None, None],
        [None, None, None, None],
        ["代码*", OTHER, "标准名称*", "红旗村"],
        ["地名含义*", "寓意红旗飘扬", None, None],
    ]
    layout, records, errors = culture.culture_records(rows)
    assert (layout, errors) == ("form", [])
    assert [(r.row, r.place_code, r.standard_name) for r in records] == [
        (2, CODE, "松鹤桥"),
        (8, OTHER, "红旗村"),
    ]
    assert records[0].values["history"] == "1958年建，1986年重修"


def test_errors_name_the_row_and_the_column():
    rows = [
        ["代码", "标准名称", "地名含义", "历史沿革"],
        ["2304", "松鹤桥", "松鹤延年", ""],
        [CODE, "松鹤桥", '=HYPERLINK("x")', ""],
        [CODE, "松鹤桥", "", "x" * 5000],
    ]
    _, _, errors = culture.culture_records(rows)
    texts = sorted(str(e) for e in errors)
    assert "第 2 行 A 列「代码」：“2304”不是 20 位地名代码" in texts
    assert "第 3 行 C 列「地名含义」：单元格是公式，请填写文字" in texts
    assert "第 4 行 D 列「历史沿革」：超过 4000 字" in texts
    assert "第 4 行 A 列「代码」：与第 3 行重复" in texts


def test_a_table_without_culture_columns_is_refused():
    _, _, errors = culture.culture_records([["代码", "标准名称"], [CODE, "松鹤桥"]])
    assert [e.message for e in errors] == ["表头缺少“地名来历”“地名含义”“历史沿革”列"]


def test_a_century_name_needs_a_hundred_years_of_use():
    assert (
        culture.protection_problem(
            reason_kind="century", reason="清末设驿", in_use_since_year=1900, listed_year=2026
        )
        is None
    )
    assert "不足 100 年" in culture.protection_problem(
        reason_kind="century", reason="1950年代命名", in_use_since_year=1950, listed_year=2026
    )
    assert "须填写始用年份" in culture.protection_problem(
        reason_kind="century", reason="老地名", in_use_since_year=None, listed_year=2026
    )
    assert (
        culture.protection_problem(
            reason_kind="historic", reason="  ", in_use_since_year=None, listed_year=2026
        )
        == "请填写保护理由"
    )


def test_column_letters():
    assert [culture.column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
