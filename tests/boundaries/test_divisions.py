from collections import Counter

from boundaries.divisions import kind_of, read_mca_divisions, reconcile_nbs


def _load(d):
    mca = read_mca_divisions(d / "mca20251231_divisions.csv")
    extra = reconcile_nbs(mca, d / "nbs2023_townships.csv", d / "nbs2023_villages.csv")
    return mca, extra


def test_mca_has_the_city_8_counties_and_53_townships(hegang_data_dir):
    mca, _ = _load(hegang_data_dir)
    levels = Counter(r.level for r in mca)
    assert levels == {"city": 1, "county": 8, "township": 53}
    kinds = Counter(r.kind for r in mca if r.level == "township")
    assert kinds == {"街道": 32, "镇": 11, "乡": 10}


def test_mca_and_nbs_townships_are_matched_by_name_not_code(hegang_data_dir):
    mca, _ = _load(hegang_data_dir)
    by_code = {r.code: r for r in mca}
    # 光明街道 is 230402001 for civil affairs and 230402003 for statistics.
    assert by_code["230402001"].name == "光明街道"
    assert by_code["230402001"].nbs_code == "230402003"
    assert by_code["230403001"].name == "育才路街道"
    assert by_code["230403001"].nbs_code == "230403001"  # NBS spells it 育才街道
    assert by_code["230422204"].nbs_code == "230422204"  # 福兴满族乡 / 福兴乡


def test_gongnong_has_six_mca_units_and_four_nbs_ones(hegang_data_dir):
    mca, _ = _load(hegang_data_dir)
    gongnong = [r for r in mca if r.parent_code == "230403"]
    assert len(gongnong) == 6
    assert sum(1 for r in gongnong if r.nbs_code) == 4


def test_every_village_has_a_township_parent(hegang_data_dir):
    mca, extra = _load(hegang_data_dir)
    villages = [r for r in extra if r.level == "village"]
    assert len(villages) == 446
    townships = {r.code for r in mca if r.level == "township"} | {
        r.code for r in extra if r.level == "township"
    }
    assert all(v.parent_code in townships for v in villages)
    state_farms = [r for r in extra if r.level == "township"]
    assert {r.name for r in state_farms} >= {"新华农场", "宝泉岭农场", "二九〇农场"}
    assert all(r.code_authority == "nbs" for r in state_farms)


def test_kind_of_reads_the_generic():
    assert kind_of("梧桐社区") == "社区"
    assert kind_of("东明朝鲜族乡") == "乡"
    assert kind_of("鹤岗市林业局生活区") == "生活区"
    assert kind_of("红旗村委会") == "村"
