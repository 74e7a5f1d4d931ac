"""The seed programmes and standards, from DOMAIN.md and the plan, each with its source.

[C] confirmed, [P] partial source, [M] commonly stated, not confirmed — the marks of
DOMAIN.md, kept in ``sources``. Migration 0002 seeded a frozen copy of these; the demo
step and the tests re-seed them (get_or_create: a planner's edits are never overwritten).
"""

# fmt: off
PLAN = "鹤岗市“十四五”民政事业发展规划"

PROGRAMMES = [
    # slug, name, target, distance m, kind, capacity unit, per 1000, unit rule, plan target, sources
    (
        "eldercare_daycare", "社区居家养老（日间照料）", "age_60_plus", 300, "network", "", None, "",
        "各区已建成日间照料中心 23 个；居家社区养老服务设施补建",
        "服务距离 300 米：GB 50180-2018 五分钟生活圈配置老年人日间照料中心 [M，常见表述，未核实]；"
        f"数量 23 个：{PLAN} 一.(二)4 [C]；对象 60 岁及以上：GB 50437 老年人定义 [P]",
    ),
    (
        "eldercare_institution", "机构养老", "age_60_plus", 1000, "network", "beds", 40.0, "",
        "市级养老服务综合体 3 个、区级养老服务中心 6 个；200 张床位护养院；五福园",
        "服务距离 1000 米：GB 50180-2018 十五分钟生活圈 800–1000 米 [C]，养老院属十五分钟圈 [M]；"
        "每千名老人 40 张床位：GB 50437 [P]；"
        f"3 个综合体、6 个区级中心、200 床护养院：{PLAN} 一.(二)4、8 [C]",
    ),
    (
        "children_home", "儿童之家", "age_0_14", 500, "network", "", None, "urban_community",
        "城市社区儿童之家挂牌率 100%",
        "每个城市社区一处：" + PLAN + " 一.(二)9“城市社区儿童之家挂牌率达 100%” [C]；"
        "服务距离 500 米：GB 50180-2018 十分钟生活圈约 500 米 [C，用于儿童之家为假设 M]",
    ),
    (
        "child_protection", "儿童福利与未成年人保护", "age_0_14", 30000, "straight", "", None,
        "county", "未成年人救助保护机构县级全覆盖；儿童福利院",
        f"每县（区）一处：{PLAN} 一.(二)9、四.(二)6“加快县级未成年人救助保护机构建设，实现县级全覆盖” [C]；"
        "服务距离 30 公里：无国家标准，暂定 [M]",
    ),
    (
        "rescue", "救助管理", "all", 1000, "straight", "", None, "",
        "救助管理站 1 处，冬季临时救助点 50 余处",
        f"临时救助点 50 余处：{PLAN} 一.(三)4 [C]；服务距离 1000 米：无国家标准，暂定 [M]",
    ),
    (
        "funeral", "殡葬服务", "all", 30000, "straight", "plots", None, "",
        "殡仪馆（占地 65000 平方米）；十里河公墓、天逸园、卧龙岗公墓；火化率 90%、节地生态安葬率 60%",
        f"殡仪馆、公墓：{PLAN} 一.(三)2 [C]；DOMAIN.md：未找到殡仪馆、公墓的国家服务半径，"
        "30 公里为暂定值 [M]",
    ),
    (
        "social_work", "社会工作服务", "all", 5000, "straight", "", None, "county",
        "博爱社工服务中心（市本级）、心康园社工服务中心（绥滨县）",
        f"机构名称：{PLAN} 一.(六)1 [C]；每县（区）一处、服务距离 5 公里：暂定 [M]",
    ),
]

TYPES = [
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
    ("social_work_centre", "social_work", "社工服务中心"),
]
# fmt: on
