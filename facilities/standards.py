"""The seed programmes, facility kinds, plan periods, indicators and plan targets, as data.

Every number carries its source. [C] confirmed, [P] partial source, [M] commonly stated, not
confirmed — the marks of DOMAIN.md, kept in ``sources``. Citations follow the plan's own
numbering: 一 指导思想, 二 “十三五” achievements (a figure already reached is cited as
二.(x)n), 三 overall goals, 四 the 14th-plan tasks (a target is cited as 四.(x)n), 五 safeguards.
Migrations 0002 and 0006 seeded frozen copies of these; the demo step and the tests re-seed
them (get_or_create: a planner's edits are never overwritten).
"""

# fmt: off
PLAN = "鹤岗市“十四五”民政事业发展规划"

PROGRAMMES = [
    # slug, name, target, distance m, kind, capacity unit, per 1000, unit rule, plan target, sources
    (
        "eldercare_daycare", "社区居家养老（日间照料）", "age_60_plus", 300, "network", "", None, "",
        "各区已建成日间照料中心 23 个；居家社区养老服务设施补建",
        "服务距离 300 米：GB 50180-2018 五分钟生活圈配置老年人日间照料中心 [M，常见表述，未核实]；"
        f"数量 23 个：{PLAN} 二.(二)4“各区已经建成免费对老人开放的日间照料中心有 23 个” [C]；"
        f"补建：{PLAN} 四.(二)1“推进社区居家养老服务设施新建和补建” [C]；"
        "对象 60 岁及以上：GB 50437 老年人定义 [P]",
    ),
    (
        "eldercare_institution", "机构养老", "age_60_plus", 1000, "network", "beds", 40.0, "",
        "市级养老服务综合体 3 个、区级养老服务中心 6 个；200 张床位护养院；五福园",
        "服务距离 1000 米：GB 50180-2018 十五分钟生活圈 800–1000 米 [C]，养老院属十五分钟圈 [M]；"
        "每千名老人 40 张床位：GB 50437 [P]；"
        f"3 个综合体、6 个区级中心：{PLAN} 二.(二)4 [C]；200 床护养院、五福园：{PLAN} 二.(二)8 [C]",
    ),
    (
        "children_home", "儿童之家", "age_0_14", 500, "network", "", None, "urban_community",
        "城市社区儿童之家挂牌率 100%",
        "每个城市社区一处：" + PLAN + " 二.(二)9“城市社区儿童之家挂牌率达 100%” [C]、"
        "四.(二)6“加强社区‘儿童之家’服务平台建设” [C]；"
        "服务距离 500 米：GB 50180-2018 十分钟生活圈约 500 米 [C，用于儿童之家为假设 M]",
    ),
    (
        "child_protection", "儿童福利与未成年人保护", "age_0_14", 30000, "straight", "", None,
        "county", "未成年人救助保护机构县级全覆盖；儿童福利院",
        f"每县（区）一处未成年人救助保护机构：{PLAN} 四.(二)6“加快县级未成年人救助保护机构建设，"
        f"实现县级全覆盖” [C]（二.(二)9 为“未成年人保护工作机制实现县级全覆盖”）；"
        "儿童福利院按“区域共享”不计入每县一处 [P]；服务距离 30 公里：无国家标准，暂定 [M]",
    ),
    (
        "rescue", "救助管理", "all", 1000, "straight", "", None, "",
        "救助管理站 1 处，冬季临时救助点 50 余处",
        f"临时救助点 50 余处：{PLAN} 二.(三)4“在市内设置临时救助点 50 余处” [C]；"
        "服务距离 1000 米：无国家标准，暂定 [M]",
    ),
    (
        "funeral", "殡葬服务", "all", 30000, "straight", "plots", None, "",
        "殡仪馆（占地 65000 平方米）；十里河公墓、天逸园、卧龙岗公墓；加快公益性骨灰安放设施建设",
        f"殡仪馆、公墓：{PLAN} 二.(三)2 [C]；公益性骨灰安放设施：{PLAN} 四.(六)4“加快公益性骨灰安放"
        "设施建设” [C]；DOMAIN.md：未找到殡仪馆、公墓的国家服务半径，30 公里为暂定值 [M]",
    ),
    (
        "social_work", "社会工作服务", "all", 5000, "straight", "", None, "county",
        "博爱社工服务中心（市本级）、心康园社工服务中心（绥滨县）",
        f"机构名称：{PLAN} 二.(六)1 [C]；每县（区）一处、服务距离 5 公里：暂定 [M]",
    ),
    (
        "community_service", "城市社区综合服务设施", "all", 500, "network", "", None,
        "urban_community", "城市社区综合服务设施覆盖率 129%（“十三五”末）",
        f"按面积分级（500、1000、2000 平方米）与覆盖率 129%：{PLAN} 二.(五)1“城市社区 500 平方米"
        "增加了 14 个、1000 平方米增加了 21 个、2000 平方米加了 5 个，城市社区综合服务设施覆盖率"
        f"达到 129%” [C]；1000 平方米以上社区 39 个：{PLAN} 二.(二)4 [C]；每个城市社区一处：[P]；"
        "服务距离 500 米：GB 50180-2018 十分钟生活圈约 500 米 [M]",
    ),
    (
        "rural_community_service", "农村社区综合服务设施", "rural", 2000, "straight", "", None,
        "village", "农村社区综合服务设施覆盖率 100%",
        f"覆盖率 100%：{PLAN} 二.(五)1“农村社区综合服务设施覆盖率达到 100%” [C]；"
        f"{PLAN} 四.(二)3“加强农村社区综合服务能力建设” [C]；每个行政村一处：[P]；"
        "服务距离 2 公里：无国家标准，暂定 [M]",
    ),
    (
        "social_org_incubation", "社会组织孵化", "all", 30000, "straight", "", None, "county",
        "市级社会组织孵化基地 1 个、县区级社区社会组织孵化站 9 个",
        f"1 个市级孵化基地、9 个县区级孵化站：{PLAN} 二.(四)1“筹建了 1 个市级社会组织孵化基地，9 个"
        f"县区级社区社会组织孵化站” [C]；培训基地、公益基地：{PLAN} 四.(四)2 [C]；"
        "每县（区）一处孵化站、服务距离 30 公里：暂定 [M]",
    ),
    (
        "marriage_registration", "婚姻登记", "all", 30000, "straight", "", None, "county",
        "婚姻登记机关规范化建设；婚姻登记合格率 100%",
        f"六区婚姻登记：{PLAN} 二.(三)3“为六区民政局配备了电脑……登记合格率达到 100%” [C]；"
        f"{PLAN} 四.(六)3“加强婚姻登记机关规范化建设……婚姻登记合格率达到 100%” [C]；"
        "每县（区）一处、服务距离 30 公里：暂定 [M]",
    ),
    (
        "rural_mutual_aid", "农村互助养老", "rural_age_60_plus", 1000, "straight", "", None, "",
        "推动社区互助养老发展；农村养老服务设施建设",
        f"互助养老：{PLAN} 四.(二)1“推动社区互助养老发展” [C]；农村养老服务设施：{PLAN} 四.(二)3"
        "“加大具备日间照料、文化娱乐、康复护理等综合服务功能的养老服务设施建设力度” [C]；"
        "服务距离 1 公里：无国家标准，暂定 [M]",
    ),
]

TYPES = [
    # slug, programme, name
    ("daycare_centre", "eldercare_daycare", "老年人日间照料中心"),
    ("seniors_activity_centre", "eldercare_daycare", "老年活动中心"),
    ("municipal_complex", "eldercare_institution", "市级养老服务综合体"),
    ("district_centre", "eldercare_institution", "区级养老服务中心"),
    ("nursing_home", "eldercare_institution", "养老院/护养院"),
    ("welfare_home", "eldercare_institution", "社会福利院"),
    ("children_home", "children_home", "儿童之家"),
    ("child_welfare_home", "child_protection", "儿童福利院"),
    ("minor_protection_centre", "child_protection", "未成年人救助保护机构"),
    ("rescue_station", "rescue", "救助管理站"),
    ("rescue_point", "rescue", "临时救助点"),
    ("funeral_home", "funeral", "殡仪馆"),
    ("cemetery", "funeral", "公墓"),
    ("public_ashes_facility", "funeral", "公益性骨灰安放设施"),
    ("public_cemetery", "funeral", "公益性公墓"),
    ("social_work_centre", "social_work", "社工服务中心"),
    ("community_service_500", "community_service", "城市社区综合服务设施（500 平方米级）"),
    ("community_service_1000", "community_service", "城市社区综合服务设施（1000 平方米级）"),
    ("community_service_2000", "community_service", "城市社区综合服务设施（2000 平方米级）"),
    ("rural_community_service", "rural_community_service", "农村社区综合服务设施"),
    ("incubation_base", "social_org_incubation", "市级社会组织孵化基地"),
    ("incubation_station", "social_org_incubation", "县区级社区社会组织孵化站"),
    ("marriage_registry", "marriage_registration", "婚姻登记处"),
    ("rural_mutual_aid_point", "rural_mutual_aid", "农村互助养老点"),
]

# A kind's own facts: its floor-area class, whether it counts for its programme's
# one-per-unit rule, and where the kind is named. Kinds not listed: counts, no class.
TYPE_DETAILS = {
    # slug: (floor area m², counts for the unit rule, source)
    "child_welfare_home": (None, False, f"{PLAN} 二.(二)9、四.(二)6“加强儿童福利院养育机构综合能力建设”"),
    "minor_protection_centre": (None, True, f"{PLAN} 四.(二)6"),
    "public_ashes_facility": (None, True, f"{PLAN} 四.(六)4“加快公益性骨灰安放设施建设”"),
    "public_cemetery": (None, True, "DOMAIN.md（规划原文 四.(六)4 为“推行节地生态安葬”，未单列公益性公墓）[P]"),
    "community_service_500": (500, True, f"{PLAN} 二.(五)1"),
    "community_service_1000": (1000, True, f"{PLAN} 二.(五)1、二.(二)4"),
    "community_service_2000": (2000, True, f"{PLAN} 二.(五)1"),
    "rural_community_service": (None, True, f"{PLAN} 二.(五)1"),
    "incubation_base": (None, False, f"{PLAN} 二.(四)1（市级，不计入每县一处）"),
    "incubation_station": (None, True, f"{PLAN} 二.(四)1"),
    "marriage_registry": (None, True, f"{PLAN} 二.(三)3、四.(六)3"),
    "rural_mutual_aid_point": (None, True, f"{PLAN} 四.(二)1、四.(二)3"),
}

PERIODS = [
    # name, first year, last year, source
    ("“十三五”", 2016, 2020, f"{PLAN} 二"),
    ("“十四五”", 2021, 2025, f"{PLAN} 三、四"),
]

INDICATORS = [
    # slug, name, definition, source (all percentages 0–100)
    ("cremation_rate", "年均火化率", "当年火化遗体数 / 当年死亡人数", f"{PLAN} 四.(六)4"),
    ("eco_burial_share", "节地生态安葬率", "当年节地生态安葬数 / 当年安葬总数", f"{PLAN} 四.(六)4"),
    (
        "destitute_centralised_share", "生活不能自理特困人员集中供养率",
        "集中供养的生活不能自理特困人员 / 生活不能自理特困人员总数", f"{PLAN} 四.(一)1、四.(二)4",
    ),
    (
        "dispersed_need_met", "分散供养特困人员集中供养需求满足率",
        "已满足的集中供养需求 / 分散供养特困人员提出的集中供养需求", f"{PLAN} 四.(一)1",
    ),
    ("low_income_verification", "低收入对象审核确认率", "已审核确认的低收入对象 / 申请对象", f"{PLAN} 四.(一)1"),
    ("orphan_support", "孤儿基本生活保障率", "已纳入保障的孤儿 / 孤儿总数", f"{PLAN} 四.(二)6"),
    ("marriage_registration_accuracy", "婚姻登记合格率", "合格登记数 / 登记总数", f"{PLAN} 四.(六)3"),
    ("volunteer_share", "注册志愿者占常住人口比例", "全国志愿服务网注册志愿者 / 常住人口", f"{PLAN} 四.(三)2"),
]

# The plan's targets the system measures, one row each. measure: count (facilities of the
# kinds, in the statuses), unit_coverage (the programme's one-per-unit rule, the same
# check the coverage report shows), per_unit (facilities of the kinds per unit of the
# programme's rule: the plan's "覆盖率 129%"), capacity_ratio (capacity per 1,000 of the
# programme's target population), served_share (the coverage report's served share; no
# goal), indicator (the yearly statistics). basis: target (四, the 14th plan) or baseline
# (二, what the plan reports built by 2020, which the registry should hold at least).
TARGETS = [
    # key, label, measure, programme, kinds, with building, indicator, goal, basis, period, source
    ("children_home_communities", "城市社区儿童之家覆盖率", "unit_coverage", "children_home", (),
     False, "", 100.0, "baseline", "“十三五”", f"{PLAN} 二.(二)9“城市社区儿童之家挂牌率达 100%”"),
    ("minor_protection_counties", "县级未成年人救助保护机构全覆盖", "unit_coverage",
     "child_protection", (), False, "", 100.0, "target", "“十四五”", f"{PLAN} 四.(二)6"),
    ("daycare_centre", "日间照料中心（运营）", "count", "", ("daycare_centre",), False, "", 23,
     "baseline", "“十三五”", f"{PLAN} 二.(二)4"),
    ("municipal_complex", "市级养老服务综合体（运营或在建）", "count", "", ("municipal_complex",),
     True, "", 3, "baseline", "“十三五”", f"{PLAN} 二.(二)4"),
    ("district_centre", "区级养老服务中心（运营或在建）", "count", "", ("district_centre",), True,
     "", 6, "baseline", "“十三五”", f"{PLAN} 二.(二)4"),
    ("rescue_point", "冬季临时救助点", "count", "", ("rescue_point",), False, "", 50, "baseline",
     "“十三五”", f"{PLAN} 二.(三)4（50 余处）"),
    ("beds_per_1000_elders", "机构养老床位 / 千名 60 岁以上老人", "capacity_ratio",
     "eldercare_institution", (), False, "", None, "target", "“十四五”",
     "GB 50437 每千名老人 40 张床位 [P]（目标值取服务项目标准，可在后台修改）"),
    ("daycare_coverage", "日间照料服务覆盖", "served_share", "eldercare_daycare", (), False, "",
     None, "target", "“十四五”", "GB 50180-2018 五分钟生活圈 [M]；规划未给出数值目标"),
    ("community_service_coverage", "城市社区综合服务设施覆盖率（设施数 / 城市社区数）", "per_unit",
     "community_service", ("community_service_500", "community_service_1000", "community_service_2000"),
     False, "", 129.0, "baseline", "“十三五”", f"{PLAN} 二.(五)1“城市社区综合服务设施覆盖率达到 129%”"),
    ("rural_community_service_coverage", "农村社区综合服务设施覆盖率", "unit_coverage",
     "rural_community_service", (), False, "", 100.0, "baseline", "“十三五”",
     f"{PLAN} 二.(五)1“农村社区综合服务设施覆盖率达到 100%”"),
    ("incubation_base", "市级社会组织孵化基地", "count", "", ("incubation_base",), True, "", 1,
     "baseline", "“十三五”", f"{PLAN} 二.(四)1"),
    ("incubation_station", "县区级社区社会组织孵化站", "count", "", ("incubation_station",), True,
     "", 9, "baseline", "“十三五”", f"{PLAN} 二.(四)1"),
    ("marriage_registry", "婚姻登记处（六区）", "count", "", ("marriage_registry",), False, "", 6,
     "baseline", "“十三五”", f"{PLAN} 二.(三)3"),
    ("public_ashes_facility", "公益性骨灰安放设施（运营或在建）", "count", "",
     ("public_ashes_facility",), True, "", None, "target", "“十四五”",
     f"{PLAN} 四.(六)4“加快公益性骨灰安放设施建设”；规划未给出数量"),
    ("rural_mutual_aid_points", "农村互助养老点（运营或在建）", "count", "",
     ("rural_mutual_aid_point",), True, "", None, "target", "“十四五”",
     f"{PLAN} 四.(二)1“推动社区互助养老发展”；规划未给出数量"),
    ("cremation_rate", "年均火化率", "indicator", "", (), False, "cremation_rate", 90.0, "target",
     "“十四五”", f"{PLAN} 四.(六)4“力争实现全市年均火化率达到 90%”"),
    ("eco_burial_share", "节地生态安葬率", "indicator", "", (), False, "eco_burial_share", 60.0,
     "target", "“十四五”", f"{PLAN} 四.(六)4“节地生态安葬率 60%”"),
    ("destitute_centralised_share", "生活不能自理特困人员集中供养率", "indicator", "", (), False,
     "destitute_centralised_share", 70.0, "target", "“十四五”",
     f"{PLAN} 四.(一)1“达到 70%以上”、四.(二)4“到 2025 年底……达到 70%”"),
    ("dispersed_need_met", "分散供养特困人员集中供养需求满足率", "indicator", "", (), False,
     "dispersed_need_met", 100.0, "target", "“十四五”", f"{PLAN} 四.(一)1"),
    ("low_income_verification", "低收入对象审核确认率", "indicator", "", (), False,
     "low_income_verification", 100.0, "target", "“十四五”", f"{PLAN} 四.(一)1"),
    ("orphan_support", "孤儿基本生活保障率", "indicator", "", (), False, "orphan_support", 100.0,
     "target", "“十四五”", f"{PLAN} 四.(二)6“保障率达到 100%”"),
    ("marriage_registration_accuracy", "婚姻登记合格率", "indicator", "", (), False,
     "marriage_registration_accuracy", 100.0, "target", "“十四五”", f"{PLAN} 四.(六)3"),
    ("volunteer_share", "注册志愿者占常住人口比例", "indicator", "", (), False, "volunteer_share",
     10.0, "target", "“十四五”", f"{PLAN} 四.(三)2“达到 10%以上”"),
]
# fmt: on
