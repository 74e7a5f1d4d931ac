"""Streets (街路巷) in bulk: upserted by standard name, with their numbering rule.

A row gives the name, a line (几何 WKT, or the line of a GIS file) and optionally the
rule (起编端, 单号一侧, 编号方式, 每号米数; a new street without one gets the Beijing 2012
preset from its line). The line must be one simple line of at least 5 m inside the city;
a street that exists already keeps its name (renaming is a change request) and its line
must stay within reach of its plates and signs. County and township come from the
line's middle, as in the editor.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString

from boundaries.importers.crs import DeclaredCrsError, declared_crs
from gis_portal.importing import columns as cells
from gis_portal.importing.columns import Column
from gis_portal.importing.history import write_with_history
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ExportQuery, Staged
from gis_portal.importing.staging import staged_lines
from gis_portal.metric_crs import to_metric
from placenames.addresses.bulk_io.common import (
    CRS_COLUMN,
    MAX_DISTANCE_M,
    AddressContext,
    AddressSpec,
    labels_case_sql,
    scope_errors,
)
from placenames.addresses.models import BaseEnd, NumberingMode, Side, Street
from placenames.addresses.numbering import (
    NumberingError,
    NumberingRule,
    rule_beijing,
    validate_line,
)
from placenames.addresses.tile_store import tile_cache_invalidate
from placenames.romanize import RomanizeInputError, romanize

GEOMETRY = "几何"
COLUMNS = (
    Column("name", "标准名称", ("街路巷", "街路巷名称", "名称"), required=True),
    Column("start_description", "起点"),
    Column("end_description", "止点"),
    Column("base_end", "起编端"),
    Column("odd_side", "单号一侧"),
    Column("numbering_mode", "编号方式"),
    Column("metres_per_number", "每号米数"),
    Column("named_on", "命名时间", ("命名/更名时间", "更名时间")),
    Column("approved_by", "批准机关"),
    Column("wkt", GEOMETRY, ("WKT", "走向")),
    CRS_COLUMN,
)
STAGING = (
    ("name", "text"),
    ("name_pinyin", "text"),
    ("start_description", "text"),
    ("end_description", "text"),
    ("base_end", "text"),
    ("odd_side", "text"),
    ("numbering_mode", "text"),
    ("metres_per_number", "double precision"),
    ("named_on", "date"),
    ("approved_by", "text"),
    ("geom", "geometry(LineString, 4490)"),
    ("target_id", "bigint"),
)
TEXT_LIMITS = {
    "name": ("标准名称", 50),
    "start_description": ("起点", 100),
    "end_description": ("止点", 100),
    "approved_by": ("批准机关", 100),
}
RULE_CHOICES = {
    "base_end": ("起编端", dict(BaseEnd.choices)),
    "odd_side": ("单号一侧", dict(Side.choices)),
    "numbering_mode": ("编号方式", dict(NumberingMode.choices)),
}


def _line(raw: RawRow, mapped: dict, ctx: AddressContext, problems: list) -> LineString | None:
    geom = raw.geometry
    if geom is None:
        if "wkt" not in mapped:
            problems.append((GEOMETRY, "缺少街路走向（几何列 WKT，或 GIS 文件的线几何）"))
            return None
        try:
            geom = shapely.from_wkt(cells.text(mapped["wkt"]))
        except shapely.errors.GEOSException:
            problems.append((GEOMETRY, "WKT 无法解析"))
            return None
        try:
            declared = declared_crs(mapped.get("crs"), ctx.conversions)
            geom = declared.apply(geom)
        except DeclaredCrsError as exc:
            problems.append(("坐标系", str(exc)))
            return None
    if geom.geom_type == "MultiLineString" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != "LineString":
        problems.append((GEOMETRY, f"街路走向应为一条连续的线，而不是 {geom.geom_type}"))
        return None
    coords = np.asarray(geom.coords)[:, :2]
    xs, ys = to_metric(coords[:, 0], coords[:, 1])
    try:
        validate_line(np.column_stack([xs, ys]))
    except NumberingError as exc:
        problems.append((GEOMETRY, str(exc)))
        return None
    return LineString(coords)


class StreetSpec(AddressSpec):
    key = "streets"
    label = "街路巷"
    columns = COLUMNS
    staging = STAGING
    chunk_size = 1000

    with_streets = False  # a street row names itself

    def validate(self, raw: RawRow, mapped: dict, ctx: AddressContext) -> Staged | list:
        problems: list[tuple[str, str]] = []
        texts = cells.limited_texts(mapped, TEXT_LIMITS, problems)
        rule_values = {
            key: cells.optional_choice(mapped, key, choices, label, problems)
            for key, (label, choices) in RULE_CHOICES.items()
        }
        metres = cells.optional(
            mapped,
            "metres_per_number",
            lambda v: cells.decimal(v, low=0.1, high=1000),
            "每号米数",
            problems,
        )
        named_on = cells.optional(mapped, "named_on", cells.date, "命名时间", problems)
        line = _line(raw, mapped, ctx, problems)
        if problems or line is None:
            return problems
        xs, ys = to_metric(*np.asarray(line.coords).T)
        preset = rule_beijing(np.column_stack([xs, ys]))
        try:
            rule = NumberingRule(
                base_end=rule_values["base_end"] or preset.base_end,
                odd_side=rule_values["odd_side"] or preset.odd_side,
                mode=rule_values["numbering_mode"] or preset.mode,
                metres_per_number=metres,
            )
        except NumberingError as exc:
            return [("每号米数", str(exc))]
        try:
            name_pinyin = romanize(texts["name"]).pinyin
        except RomanizeInputError as exc:
            return [("名称", f"无法拼写：{exc}")]
        return Staged(
            line=raw.line,
            values={
                **texts,
                "name_pinyin": name_pinyin,
                "base_end": rule.base_end,
                "odd_side": rule.odd_side,
                "numbering_mode": rule.mode,
                "metres_per_number": rule.metres_per_number,
                "named_on": named_on,
                "geom": shapely.to_wkb(line, hex=True, include_srid=False),
            },
            conversion=raw.converted_with,
        )

    def staging_problems(self, cursor, table: str, ctx: AddressContext) -> list[RowError]:
        errors = [
            RowError(line, "标准名称", f"与第 {first} 行重名（同一城区内街路巷不得重名）")
            for line, first in staged_lines(
                cursor,
                f"""
                SELECT line, first FROM (
                    SELECT line, first_value(line) OVER (PARTITION BY name ORDER BY line) AS first
                    FROM "{table}") d
                WHERE line <> first
                """,  # noqa: S608
            )
        ]
        cursor.execute(
            f"""UPDATE "{table}" s SET target_id = t.id FROM addresses_street t
            WHERE t.name = s.name"""  # noqa: S608
        )
        errors += [
            RowError(line, GEOMETRY, "位置不在鹤岗市范围内（请检查坐标与坐标系）")
            for (line,) in staged_lines(
                cursor,
                f"""
                WITH city AS MATERIALIZED (
                    SELECT ST_Buffer(a.geom_4490, 0.002) AS g
                    FROM boundaries_administrativearea a
                    WHERE a.level = 'city' AND a.valid_to IS NULL AND a.geom_4490 IS NOT NULL
                    LIMIT 1)
                SELECT s.line FROM "{table}" s, city WHERE NOT ST_Covers(city.g, s.geom)
                ORDER BY s.line
                """,  # noqa: S608
            )
        ]
        errors += [
            RowError(
                line,
                GEOMETRY,
                f"修改后的街路走向离{what}超过 {MAX_DISTANCE_M:g} 米："
                "请同时调整门牌/路牌位置，或缩小走向修改",
            )
            for line, what in staged_lines(
                cursor,
                f"""
                SELECT DISTINCT ON (s.line) s.line, f.what FROM "{table}" s
                CROSS JOIN LATERAL (
                    SELECT '门牌 ' || d.number AS what FROM addresses_doorplate d
                    WHERE d.street_id = s.target_id AND d.status <> 'retired'
                      AND NOT ST_DWithin(d.point_4552, ST_Transform(s.geom, 4552), %s)
                    UNION ALL
                    SELECT '路牌 #' || g.id FROM addresses_streetsign g
                    WHERE g.street_id = s.target_id AND g.status <> 'removed'
                      AND NOT ST_DWithin(g.point_4552, ST_Transform(s.geom, 4552), %s)
                    LIMIT 1) f
                WHERE s.target_id IS NOT NULL
                ORDER BY s.line
                """,  # noqa: S608
                [MAX_DISTANCE_M, MAX_DISTANCE_M],
            )
        ]
        errors += scope_errors(
            cursor,
            ctx,
            f"""
            SELECT line, geom FROM "{table}"
            UNION ALL
            SELECT s.line, t.geom_4490 FROM "{table}" s JOIN addresses_street t ON t.id = s.target_id
            """,  # noqa: S608
            column=GEOMETRY,
        )
        return errors

    def write(self, cursor, table: str, ctx: AddressContext) -> tuple[int, int]:
        cursor.execute(
            f"""SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (
                SELECT ST_Extent(g) AS e FROM (
                    SELECT geom AS g FROM "{table}" UNION ALL
                    SELECT t.geom_4490 FROM "{table}" s JOIN addresses_street t
                    ON t.id = s.target_id) x) y"""  # noqa: S608
        )
        box = cursor.fetchone()
        area = """(SELECT a.id FROM boundaries_areapiece p
                   JOIN boundaries_administrativearea a ON a.id = p.area_id
                   WHERE a.level = '{level}' AND a.valid_to IS NULL
                     AND ST_Covers(p.geom_4490, ST_LineInterpolatePoint(s.geom, 0.5))
                   ORDER BY a.code LIMIT 1)"""
        county, township = area.format(level="county"), area.format(level="township")
        updated = write_with_history(
            cursor,
            Street,
            label="update",
            alias="t",
            sql=f"""
            UPDATE addresses_street t SET
                start_description = s.start_description, end_description = s.end_description,
                base_end = s.base_end, odd_side = s.odd_side,
                numbering_mode = s.numbering_mode, metres_per_number = s.metres_per_number,
                named_on = s.named_on, approved_by = s.approved_by, geom_4490 = s.geom,
                county_id = {county}, township_id = {township}
            FROM "{table}" s
            WHERE t.id = s.target_id AND ((
                t.start_description, t.end_description, t.base_end, t.odd_side,
                t.numbering_mode, t.metres_per_number, t.named_on, t.approved_by
            ) IS DISTINCT FROM (
                s.start_description, s.end_description, s.base_end, s.odd_side,
                s.numbering_mode, s.metres_per_number, s.named_on, s.approved_by)
               OR NOT ST_OrderingEquals(t.geom_4490, s.geom))
            """,  # noqa: S608
        )
        created = write_with_history(
            cursor,
            Street,
            label="insert",
            alias="n",
            sql=f"""
            INSERT INTO addresses_street AS n (
                name, name_pinyin, start_description, end_description, base_end, odd_side,
                numbering_mode, metres_per_number, named_on, approved_by, geom_4490,
                county_id, township_id, is_demo, version)
            SELECT s.name, s.name_pinyin, s.start_description, s.end_description, s.base_end,
                   s.odd_side, s.numbering_mode, s.metres_per_number, s.named_on,
                   s.approved_by, s.geom, {county}, {township}, false, 1
            FROM "{table}" s WHERE s.target_id IS NULL ORDER BY s.line
            """,  # noqa: S608
        )
        if box[0] is not None:
            tile_cache_invalidate(bbox_4490=tuple(box), layers=["streets"])
        return created, updated

    def export_query(self, **_: object) -> ExportQuery:
        return ExportQuery(
            sql=f"""
            SELECT t.name, t.start_description, t.end_description,
                   CASE t.base_end {labels_case_sql(BaseEnd)} END, CASE t.odd_side {labels_case_sql(Side)} END,
                   CASE t.numbering_mode {labels_case_sql(NumberingMode)} END, t.metres_per_number,
                   t.named_on, t.approved_by, ST_AsText(t.geom_4490), '2000',
                   ST_AsBinary(t.geom_4490)
            FROM addresses_street t ORDER BY t.name
            """,  # noqa: S608
            params=[],
            columns=tuple(c.label for c in COLUMNS),
            layer_name="街路巷",
        )
