"""Deterministic demo generation helpers for facilities and demand (no Django).

No public source has Hegang's facility positions or sub-county population, so the demo
spreads the real 2020 county census figures over residential locations and places the
plan's facilities at seeded positions inside the right districts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

SEED = 230400
AGE_FIELDS = ("population", "age_0_14", "age_60_plus", "age_65_plus", "age_80_plus")


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Return non-negative integers proportional to ``weights`` that sum exactly to ``total``."""
    weights = np.asarray(weights, dtype=np.float64)
    if total < 0:
        raise ValueError("total must be ≥ 0")
    if weights.sum() <= 0:
        raise ValueError("weights must have a positive sum")
    share = weights / weights.sum() * total
    base = np.floor(share).astype(np.int64)
    short = int(total - base.sum())
    if short:
        # Ties broken by position, so the result is deterministic.
        order = np.lexsort((np.arange(share.size), -(share - base)))
        base[order[:short]] += 1
    return base


def split_census(county: dict[str, int], weights: np.ndarray) -> dict[str, np.ndarray]:
    """Spread one county's census figures over locations; totals exact, age groups nested.

    80+ ⊆ 65+ ⊆ 60+ and 60+ and 0–14 never exceed the population of a location, because
    each nested group is allocated as an increment over the narrower one.
    """
    a80 = largest_remainder(county["age_80_plus"], weights)
    a65 = a80 + largest_remainder(county["age_65_plus"] - county["age_80_plus"], weights)
    a60 = a65 + largest_remainder(county["age_60_plus"] - county["age_65_plus"], weights)
    a014 = largest_remainder(county["age_0_14"], weights)
    rest = county["population"] - county["age_60_plus"] - county["age_0_14"]
    pop = a60 + a014 + largest_remainder(rest, weights)
    return {
        "population": pop,
        "age_0_14": a014,
        "age_60_plus": a60,
        "age_65_plus": a65,
        "age_80_plus": a80,
    }


def urban_rural_weights(
    urban: np.ndarray, rural_count: int, urban_share: float | None
) -> np.ndarray:
    """Return location weights: ``urban_share`` of the total on the urban locations (in
    proportion to ``urban``), the rest in equal parts on ``rural_count`` rural locations.

    Without rural locations, or without a known share, everything stays urban.
    """
    urban = np.asarray(urban, dtype=np.float64)
    if rural_count == 0 or urban_share is None or urban_share >= 1:
        return urban
    share = min(max(float(urban_share), 0.0), 1.0)
    return np.concatenate(
        [urban / urban.sum() * share, np.full(rural_count, (1 - share) / rural_count)]
    )


def grid_in(polygon: BaseGeometry, *, centre_xy: tuple[float, float], half_m: float, step_m: float):
    """Return grid cell centres (metres) inside ``polygon`` within a square around a centre."""
    cx, cy = centre_xy
    xs = np.arange(cx - half_m, cx + half_m + 1e-6, step_m)
    ys = np.arange(cy - half_m, cy + half_m + 1e-6, step_m)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    shapely.prepare(polygon)
    inside = shapely.contains_xy(polygon, gx, gy)
    return np.column_stack([gx[inside], gy[inside]])


def cells_of(points_xy: np.ndarray, *, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate points into square cells; return (mean position per cell, points per cell)."""
    keys = np.floor(points_xy / cell_m).astype(np.int64)
    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    sums = np.zeros((counts.size, 2))
    np.add.at(sums, inverse, points_xy)
    return sums / counts[:, None], counts


@dataclass(frozen=True)
class FacilitySpec:
    name: str
    programme: str
    facility_type: str
    county: str  # MCA code
    status: str = "open"
    capacity: int | None = None
    operator: str = "public"
    site_area_m2: int | None = None
    # urban: at a residential location in town; outskirts: edge of town; village: at the
    # village's own settlement (or a rural one of its township or county).
    placement: str = "urban"
    township: str | None = None
    community: str | None = None
    note: str = ""


CENTRAL = ("230402", "230403", "230404")  # 向阳区, 工农区, 南山区
DISTRICTS = ("230402", "230403", "230404", "230405", "230406", "230407")
PLAN = "“十四五”民政规划"


def plan_facilities(
    *,
    elders_by_county: dict[str, int],
    communities: list[tuple[str, str, str | None]],
    villages: Sequence[tuple[str, str, str | None, str]] = (),
) -> list[FacilitySpec]:
    """Return every facility the plan names or counts, with its district.

    ``communities`` are (community code, county code, township code) of urban communities;
    ``villages`` (village code, county code, township code, label) of administrative villages.
    """
    specs = [
        FacilitySpec("鹤岗市社会福利大院（五福园）", "eldercare_institution", "welfare_home", "230403",
                     capacity=300, note=f"{PLAN}二.(二)8：公园式养老机构"),
        FacilitySpec("鹤岗市失能半失能老人护养院", "eldercare_institution", "nursing_home", "230404",
                     capacity=200, note=f"{PLAN}二.(二)8：设计床位 200 张"),
        FacilitySpec("鹤岗市老年活动中心", "eldercare_daycare", "seniors_activity_centre", "230402",
                     note=f"{PLAN}二.(二)4：大型老年活动中心 1 个"),
        FacilitySpec("鹤岗市殡仪馆", "funeral", "funeral_home", "230406", site_area_m2=65000,
                     placement="outskirts", note=f"{PLAN}二.(三)2：占地 65000 平方米"),
        FacilitySpec("十里河公墓", "funeral", "cemetery", "230404", placement="outskirts"),
        FacilitySpec("天逸园", "funeral", "cemetery", "230406", placement="outskirts"),
        FacilitySpec("卧龙岗公墓", "funeral", "cemetery", "230405", placement="outskirts"),
        FacilitySpec("鹤岗市博爱社工服务中心", "social_work", "social_work_centre", "230402",
                     operator="private", note=f"{PLAN}二.(六)1：2020 年 5 月成立"),
        FacilitySpec("绥滨县心康园社工服务中心", "social_work", "social_work_centre", "230422",
                     operator="private", note=f"{PLAN}二.(六)1：2020 年 10 月成立"),
        FacilitySpec("鹤岗市救助管理站", "rescue", "rescue_station", "230403"),
        FacilitySpec("鹤岗市儿童福利院", "child_protection", "child_welfare_home", "230402"),
        FacilitySpec("鹤岗市未成年人救助保护中心", "child_protection", "minor_protection_centre", "230403"),
        FacilitySpec("萝北县未成年人救助保护中心", "child_protection", "minor_protection_centre", "230421"),
        FacilitySpec("绥滨县未成年人救助保护中心", "child_protection", "minor_protection_centre", "230422"),
    ]  # fmt: skip
    for i, code in enumerate(CENTRAL, start=1):
        specs.append(
            FacilitySpec(
                f"市级养老服务综合体（{i}号）",
                "eldercare_institution",
                "municipal_complex",
                code,
                status="building",
                capacity=150,
                note=f"{PLAN}二.(二)4：正在改扩建的市级养老服务综合体 3 个",
            )
        )
    for code in DISTRICTS:
        specs.append(
            FacilitySpec(
                f"区级养老服务中心（{code}）",
                "eldercare_institution",
                "district_centre",
                code,
                status="building",
                capacity=60,
                note=f"{PLAN}二.(二)4：区级养老服务中心 6 个",
            )
        )
    # 23 day-care centres over the six districts in proportion to their 60+ population.
    counts = largest_remainder(23, np.array([elders_by_county[c] for c in DISTRICTS]))
    for code, n in zip(DISTRICTS, counts, strict=True):
        for k in range(int(n)):
            specs.append(
                FacilitySpec(
                    f"日间照料中心（{code}-{k + 1:02d}）",
                    "eldercare_daycare",
                    "daycare_centre",
                    code,
                    capacity=30,
                    note=f"{PLAN}二.(二)4：日间照料中心 23 个",
                )
            )
    # 50余处 winter rescue points: 52, in the six districts by 60+ population (a proxy).
    counts = largest_remainder(52, np.array([elders_by_county[c] for c in DISTRICTS]))
    for code, n in zip(DISTRICTS, counts, strict=True):
        for k in range(int(n)):
            specs.append(
                FacilitySpec(
                    f"临时救助点（{code}-{k + 1:02d}）",
                    "rescue",
                    "rescue_point",
                    code,
                    note=f"{PLAN}二.(三)4：冬季临时救助点 50 余处",
                )
            )
    specs.append(
        FacilitySpec("鹤岗市社会组织孵化基地", "social_org_incubation", "incubation_base", "230403",
                     note=f"{PLAN}二.(四)1：市级社会组织孵化基地 1 个")
    )  # fmt: skip
    # 9 county/district incubation stations: one per county-level area, a second in 向阳区.
    for k, code in enumerate((*DISTRICTS, "230421", "230422", "230402")):
        specs.append(
            FacilitySpec(
                f"社区社会组织孵化站（{code}{'-2' if k == 8 else ''}）",
                "social_org_incubation",
                "incubation_station",
                code,
                note=f"{PLAN}二.(四)1：县区级社区社会组织孵化站 9 个",
            )
        )
    for code in DISTRICTS:
        specs.append(
            FacilitySpec(
                f"婚姻登记处（{code}）",
                "marriage_registration",
                "marriage_registry",
                code,
                note=f"{PLAN}二.(三)3：为六区民政局婚姻登记配备设备",
            )
        )
    specs.append(
        FacilitySpec("公益性骨灰安放设施（规划）", "funeral", "public_ashes_facility", "230406",
                     status="planned", placement="outskirts",
                     note=f"{PLAN}四.(六)4：加快公益性骨灰安放设施建设")
    )  # fmt: skip
    # Community service facilities by floor-area class: 39 communities of ≥1000 m² (5 of
    # them 2000 m²), the rest 500 m² (二.(二)4, 二.(五)1); which community gets which class
    # follows the list order.
    for k, (community_code, county, township) in enumerate(communities):
        area = 2000 if k < 5 else 1000 if k < 39 else 500
        specs.append(
            FacilitySpec(
                f"社区综合服务设施（{community_code}）",
                "community_service",
                f"community_service_{area}",
                county,
                township=township,
                community=community_code,
                note=f"{PLAN}二.(五)1：城市社区综合服务设施（{area} 平方米级）",
            )
        )
    # 农村社区综合服务设施覆盖率 100% (二.(五)1): one in every administrative village.
    for village_code, county, township, label in villages:
        specs.append(
            FacilitySpec(
                f"农村社区综合服务设施（{label}）",
                "rural_community_service",
                "rural_community_service",
                county,
                placement="village",
                township=township,
                community=village_code,
                note=f"{PLAN}二.(五)1：农村社区综合服务设施覆盖率 100%",
            )
        )
    for community_code, county, township in communities:
        specs.append(
            FacilitySpec(
                f"儿童之家（{community_code}）",
                "children_home",
                "children_home",
                county,
                township=township,
                community=community_code,
                note=f"{PLAN}二.(二)9：城市社区儿童之家挂牌率 100%",
            )
        )
    return specs


# Demo yearly indicators: (first-year level, yearly rise), percent. A level near the plan's
# target, so that the demo shows counties on both sides of it; not statistics.
INDICATOR_DEMO_LEVELS = {
    "cremation_rate": (84.0, 1.5),
    "eco_burial_share": (45.0, 3.0),
    "destitute_centralised_share": (58.0, 3.0),
    "dispersed_need_met": (95.0, 1.0),
    "low_income_verification": (96.0, 1.0),
    "orphan_support": (97.0, 0.8),
    "marriage_registration_accuracy": (98.5, 0.4),
    "volunteer_share": (6.0, 1.0),
}


def village_labels(villages: list[tuple[str, str, str]]) -> dict[str, str]:
    """Return a short label per village code: the name without 村委会, prefixed with the
    township's name where two villages share it (东兴村 is in several townships).

    ``villages`` are (village code, village name, township name).
    """
    short = {code: re.sub(r"(村民委员会|村委会)$", "", name) for code, name, _ in villages}
    seen: dict[str, int] = {}
    for label in short.values():
        seen[label] = seen.get(label, 0) + 1
    return {
        code: f"{town}{short[code]}" if seen[short[code]] > 1 else short[code]
        for code, _, town in villages
    }


def _unit_interval(*parts: object) -> float:
    """Return a number in [0, 1) fixed by ``parts`` (sha256: the same on every machine)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def indicator_demo_values(
    indicator: str, county_code: str, years: list[int]
) -> list[tuple[int, float]]:
    """Return (year, percent 0–100, one decimal) for a county, rising year on year."""
    level, rise = INDICATOR_DEMO_LEVELS.get(indicator, (80.0, 1.0))
    offset = (_unit_interval(indicator, county_code) - 0.5) * 12.0
    out = []
    for k, year in enumerate(sorted(years)):
        noise = (_unit_interval(indicator, county_code, year) - 0.5) * 1.5
        out.append((year, round(min(100.0, max(0.0, level + offset + rise * k + noise)), 1)))
    return out
