"""The plan's measurable targets that the registry can answer, as met / not met."""

from __future__ import annotations

from django.db.models import Sum

from boundaries.models import AdministrativeArea, AreaLevel
from facilities.models import DemandUnit, Facility, FacilityStatus, Programme

PLAN = "鹤岗市“十四五”民政事业发展规划"
ACTIVE = [FacilityStatus.OPEN, FacilityStatus.UNDER_CONSTRUCTION]


def _count(type_slug: str, statuses=(FacilityStatus.OPEN,)) -> int:
    return Facility.objects.filter(facility_type__slug=type_slug, status__in=statuses).count()


def plan_targets(*, eldercare_report: dict | None = None) -> list[dict]:
    """Return each target with its figure, the goal, met (bool) and the plan's wording."""
    communities = AdministrativeArea.objects.filter(
        level=AreaLevel.VILLAGE, kind="社区", valid_to__isnull=True
    )
    n_comm = communities.count()
    with_home = (
        Facility.objects.filter(
            facility_type__slug="children_home",
            status=FacilityStatus.OPEN,
            community__in=communities,
        )
        .values("community")
        .distinct()
        .count()
    )
    counties = AdministrativeArea.objects.filter(level=AreaLevel.COUNTY, valid_to__isnull=True)
    protected = set(
        Facility.objects.filter(
            facility_type__slug="minor_protection_centre", status__in=ACTIVE
        ).values_list("county_id", flat=True)
    )
    lacking = [c.name for c in counties.order_by("code") if c.pk not in protected]
    elders = DemandUnit.objects.aggregate(s=Sum("age_60_plus"))["s"] or 0
    beds = (
        Facility.objects.filter(
            programme__slug="eldercare_institution", status=FacilityStatus.OPEN
        ).aggregate(s=Sum("capacity"))["s"]
        or 0
    )
    ratio = (
        Programme.objects.filter(slug="eldercare_institution")
        .values_list("capacity_per_1000", flat=True)
        .first()
    )
    targets = [
        {
            "key": "children_home_communities",
            "label": "城市社区儿童之家覆盖率",
            "figure": f"{with_home}/{n_comm} 个社区",
            "value": with_home / n_comm if n_comm else None,
            "goal": "100%",
            "met": n_comm > 0 and with_home == n_comm,
            "source": f"{PLAN} 一.(二)9；社区数取自 2023 年统计用区划（{n_comm} 个“社区”），规划原文为 79 个城市社区",
        },
        {
            "key": "minor_protection_counties",
            "label": "县级未成年人救助保护机构全覆盖",
            "figure": f"{len(counties) - len(lacking)}/{len(counties)} 个县（区）"
            + (f"；缺：{'、'.join(lacking)}" if lacking else ""),
            "value": (len(counties) - len(lacking)) / len(counties) if counties else None,
            "goal": "每个县（区）一处（含在建）",
            "met": not lacking,
            "source": f"{PLAN} 四.(二)6",
        },
        _count_target("daycare_centre", "日间照料中心（运营）", 23, f"{PLAN} 一.(二)4"),
        _count_target(
            "municipal_complex", "市级养老服务综合体（运营或在建）", 3, f"{PLAN} 一.(二)4", ACTIVE
        ),
        _count_target(
            "district_centre", "区级养老服务中心（运营或在建）", 6, f"{PLAN} 一.(二)4", ACTIVE
        ),
        _count_target("rescue_point", "冬季临时救助点", 50, f"{PLAN} 一.(三)4（50 余处）"),
        {
            "key": "beds_per_1000_elders",
            "label": "机构养老床位 / 千名 60 岁以上老人",
            "figure": f"{beds} 张 / {elders} 人 = {beds / elders * 1000:.1f}"
            if elders
            else "无需求数据",
            "value": beds / elders * 1000 if elders else None,
            "goal": f"≥ {ratio:g}" if ratio else "未设定",
            "met": bool(elders and ratio and beds / elders * 1000 >= ratio),
            "source": "GB 50437 每千名老人 40 张床位 [P]（标准可在服务项目中修改）",
        },
    ]
    if eldercare_report and "served_share" in eldercare_report:
        share = eldercare_report["served_share"] or 0
        targets.append(
            {
                "key": "daycare_coverage",
                "label": f"日间照料服务覆盖（{eldercare_report['service_distance_m']} 米内的 60 岁以上老人）",
                "figure": f"{eldercare_report['served']}/{eldercare_report['target_population']} 人",
                "value": share,
                "goal": "规划未给出数值目标：仅供参考",
                "met": None,
                "source": "GB 50180-2018 五分钟生活圈 [M]",
            }
        )
    return targets


def _count_target(type_slug, label, goal, source, statuses=(FacilityStatus.OPEN,)) -> dict:
    n = _count(type_slug, statuses)
    return {
        "key": type_slug,
        "label": label,
        "figure": f"{n} 处",
        "value": n,
        "goal": f"≥ {goal} 处",
        "met": n >= goal,
        "source": source,
    }
