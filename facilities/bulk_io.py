"""Bulk import and export of the facility registry (the kernel's layer spec).

Rows: name, programme and type (slug or name), a position (经度/纬度 in a table, with the
坐标系 of the file or of the row — CGCS2000, WGS 84, GCJ-02, BD-09 or Beijing 1954 with an
approved set — or the geometry of a GIS file), status, capacity, operator and dates.
Upserted by (programme, name); the county is the county-level area holding the point.
Inside the city, and inside the importer's edit scope; every problem names line and
column. The export's columns are the import's headings: an export imports back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from shapely.geometry import Point

from boundaries.importers.crs import DeclaredCrsError, declared_crs
from boundaries.selectors.areas import beijing1954_conversions
from facilities.models import Facility, FacilityStatus, FacilityType, Operator, Programme
from facilities.permissions import user_is_planner
from facilities.selectors import city_outline_4490, points_outside
from gis_portal.editing.scope import scope_area_ids, scope_names, staged_outside_scope
from gis_portal.importing import columns as cells
from gis_portal.importing.columns import Column
from gis_portal.importing.history import write_with_history
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ExportQuery, ImportContext, LayerSpec, Staged, register

COLUMNS = (
    Column("name", "名称", ("name",), required=True),
    Column("programme", "服务项目", ("programme",), required=True),
    Column("facility_type", "类型", ("type", "facility_type"), required=True),
    Column("lon", "经度", ("lon", "x")),
    Column("lat", "纬度", ("lat", "y")),
    Column("crs", "坐标系", ("crs",)),
    Column("address", "地址", ("address",)),
    Column("status", "状态", ("status",)),
    Column("capacity", "容量", ("capacity",)),
    Column("operator", "运营方式", ("operator",)),
    Column("opened_on", "启用日期", ("opened_on",)),
    Column("planned_on", "规划日期", ("planned_on",)),
    Column("construction_started_on", "开工日期", ("construction_started_on",)),
    Column("closed_on", "停用日期", ("closed_on",)),
)
DATES = ("opened_on", "planned_on", "construction_started_on", "closed_on")
LABEL = {c.field: c.label for c in COLUMNS}
STAGING = (
    ("name", "text"),
    ("programme_id", "integer"),
    ("facility_type_id", "integer"),
    ("lon", "float8"),
    ("lat", "float8"),
    ("address", "text"),
    ("status", "text"),
    ("capacity", "integer"),
    ("operator", "text"),
    *((d, "date") for d in DATES),
)
_T = "facilities_facility"
_AREA_T = "boundaries_administrativearea"
POINT_SQL = "ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4490)"


@dataclass
class FacilityContext(ImportContext):
    programmes: dict[str, Programme] = field(default_factory=dict)  # slug and name → row
    types: dict[tuple[int, str], int] = field(default_factory=dict)  # (programme, slug|name)
    area_ids: list[int] | None = None
    city_outline_4490: object | None = None
    declared: str = ""
    file_name: str = ""


class FacilitySpec(LayerSpec):
    key = "facilities"
    label = "民政设施"
    columns = COLUMNS
    staging = STAGING
    source = "import_facilities"
    refusal = "您的账户没有导入民政设施的权限（需“规划人员”或“系统管理员”角色）"

    def __init__(self, *, declared_crs: str = "", file_name: str = "") -> None:
        self.declared_crs = declared_crs
        self.file_name = file_name

    def may_import(self, user: User) -> bool:
        return user_is_planner(user)

    def context(self, *, user: User | None) -> FacilityContext:
        programmes = list(Programme.objects.all())
        area_ids = scope_area_ids(user)
        return FacilityContext(
            user=user,
            scope_label=scope_names(area_ids) if area_ids else "全市",
            conversions=beijing1954_conversions(),
            programmes={p.slug: p for p in programmes} | {p.name: p for p in programmes},
            types={(t.programme_id, t.slug): t.pk for t in FacilityType.objects.all()}
            | {(t.programme_id, t.name): t.pk for t in FacilityType.objects.all()},
            area_ids=area_ids,
            city_outline_4490=city_outline_4490(),
            declared=self.declared_crs,
            file_name=self.file_name,
        )

    def validate(self, raw: RawRow, mapped: dict[str, Any], ctx: FacilityContext):
        problems: list[tuple[str, str]] = []
        values: dict[str, Any] = {"name": cells.text(mapped.get("name"))[:200]}
        if len(values["name"]) > 100:
            problems.append(("名称", "不能超过 100 个字符"))
        programme = ctx.programmes.get(cells.text(mapped.get("programme")))
        if programme is None and mapped.get("programme"):
            problems.append(("服务项目", f"未知服务项目 {cells.text(mapped['programme'])[:30]!r}"))
        elif programme is not None:
            values["programme_id"] = programme.pk
            ftype = ctx.types.get((programme.pk, cells.text(mapped.get("facility_type"))))
            if ftype is None and mapped.get("facility_type"):
                problems.append(("类型", f"服务项目 {programme.name} 下没有类型 {cells.text(mapped['facility_type'])[:30]!r}"))  # fmt: skip
            values["facility_type_id"] = ftype
        lonlat = self._position(raw, mapped, ctx, problems)
        values["address"] = cells.text(mapped.get("address"))
        if len(values["address"]) > 200:
            problems.append(("地址", "不能超过 200 个字符"))
        for key, enum in (("status", FacilityStatus), ("operator", Operator)):
            if mapped.get(key) not in (None, ""):
                values[key] = cells.optional_choice(
                    mapped, key, dict(enum.choices), LABEL[key], problems
                )
        if mapped.get("capacity") not in (None, ""):
            try:
                values["capacity"] = cells.integer(mapped["capacity"], low=0, high=10_000_000)
            except ValueError as exc:
                problems.append(("容量", f"必须是不小于 0 的整数：{exc}"))
        for key in DATES:
            if mapped.get(key) not in (None, ""):
                values[key] = cells.optional(mapped, key, cells.date, LABEL[key], problems)
        opened, closed = values.get("opened_on"), values.get("closed_on")
        if opened and closed and closed < opened:
            problems.append(("停用日期", "早于启用日期"))
        if problems or lonlat is None:
            return problems
        values["lon"], values["lat"], conversion = lonlat
        return Staged(
            line=raw.line, values=values, geometry=Point(values["lon"], values["lat"]),
            conversion=conversion,
        )  # fmt: skip

    def _position(self, raw: RawRow, mapped, ctx: FacilityContext, problems):
        """Return (lon, lat, Beijing 1954 set or None) in EPSG:4490, or None with problems."""
        if raw.geometry is not None:
            if raw.geometry.geom_type != "Point":
                problems.append(("几何", f"几何类型应为点 (Point)，收到 {raw.geometry.geom_type}"))
                return None
            return raw.geometry.x, raw.geometry.y, raw.converted_with
        try:
            lon = cells.decimal(mapped["lon"]) if mapped.get("lon") not in (None, "") else None
        except ValueError as exc:
            problems.append(("经度", str(exc)))
            lon = None
        try:
            lat = cells.decimal(mapped["lat"]) if mapped.get("lat") not in (None, "") else None
        except ValueError as exc:
            problems.append(("纬度", str(exc)))
            lat = None
        if lon is None or lat is None:
            for key, value in (("lon", lon), ("lat", lat)):
                if value is None and mapped.get(key) in (None, ""):
                    problems.append((LABEL[key], "必填项为空"))
            return None
        try:
            system = declared_crs(mapped.get("crs") or ctx.declared, ctx.conversions)
            out_lon, out_lat = system.convert_xy(np.array([lon]), np.array([lat]))
        except DeclaredCrsError as exc:
            problems.append(("坐标系", str(exc)))
            return None
        return float(out_lon[0]), float(out_lat[0]), system.conversion

    def check_chunk(self, rows: list[Staged], ctx: FacilityContext) -> list[RowError]:
        # No database here: the staging COPY is open on the connection.
        lonlat = np.array([[r.values["lon"], r.values["lat"]] for r in rows])
        outside = points_outside(ctx.city_outline_4490, lonlat)
        return [RowError(rows[i].line, "经度", "位置不在鹤岗市范围内") for i in outside]

    def staging_problems(self, cursor, table: str, ctx: FacilityContext) -> list[RowError]:
        cursor.execute(
            f"""SELECT line, first FROM (SELECT line, min(line) OVER w AS first FROM "{table}"
                WINDOW w AS (PARTITION BY programme_id, name)) d WHERE line <> first"""  # noqa: S608
        )
        errors = [
            RowError(line, "名称", f"与第 {first} 行重名（同一服务项目）")
            for line, first in cursor.fetchall()
        ]
        if ctx.area_ids is not None:
            outside = staged_outside_scope(
                cursor,
                ctx.area_ids,
                f"""SELECT s.line, {POINT_SQL} FROM "{table}" s
                    UNION ALL SELECT s.line, f.position_4490 FROM "{table}" s
                    JOIN {_T} f ON f.programme_id = s.programme_id AND f.name = s.name""",  # noqa: S608
            )
            errors += [
                RowError(line, "经度", f"不在您的编辑范围（{ctx.scope_label}）内，此行不导入")
                for line in outside
            ]
        return errors

    def write(self, cursor, table: str, ctx: FacilityContext) -> tuple[int, int]:
        county = f"""(SELECT a.id FROM {_AREA_T} a WHERE a.level = 'county'
            AND a.valid_to IS NULL AND ST_Covers(a.geom_4490, {POINT_SQL}) ORDER BY a.code LIMIT 1)"""  # noqa: S608
        source = f"导入：{ctx.file_name}"[:200]
        kept = ("address", "status", "capacity", "operator", *DATES)
        assign = ", ".join(f"{c} = COALESCE(s.{c}, f.{c})" for c in kept)
        # 1e-9° (~0.1 mm): an Excel round trip keeps 15 significant digits, not all 17.
        differs = " OR ".join(f"f.{c} IS DISTINCT FROM COALESCE(s.{c}, f.{c})" for c in kept)
        updated = write_with_history(
            cursor,
            Facility,
            label="update",
            sql=f"""
            UPDATE {_T} f SET facility_type_id = s.facility_type_id,
                position_4490 = {POINT_SQL}, county_id = {county}, {assign}
            FROM "{table}" s
            WHERE f.programme_id = s.programme_id AND f.name = s.name AND (
                f.facility_type_id <> s.facility_type_id
                OR NOT ST_DWithin(f.position_4490, {POINT_SQL}, 1e-9) OR {differs})
            RETURNING f.id""",  # noqa: S608
        )
        created = write_with_history(
            cursor,
            Facility,
            label="insert",
            sql=f"""
            INSERT INTO {_T} (programme_id, facility_type_id, name, address, position_4490,
                county_id, status, capacity, capacity_unit, operator, source, is_demo,
                version, {", ".join(DATES)})
            SELECT s.programme_id, s.facility_type_id, s.name, COALESCE(s.address, ''),
                {POINT_SQL}, {county}, COALESCE(s.status, 'open'), s.capacity,
                p.capacity_unit, COALESCE(s.operator, 'public'), %s, false, 1,
                {", ".join(f"s.{d}" for d in DATES)}
            FROM "{table}" s JOIN facilities_programme p ON p.id = s.programme_id
            WHERE NOT EXISTS (SELECT 1 FROM {_T} f
                              WHERE f.programme_id = s.programme_id AND f.name = s.name)
            RETURNING id""",  # noqa: S608
            params=[source],
        )
        return created, updated

    def export_query(self, *, programme: str = "", **_filters: Any) -> ExportQuery:
        status = " ".join(f"WHEN '{v}' THEN '{lbl}'" for v, lbl in FacilityStatus.choices)
        operator = " ".join(f"WHEN '{v}' THEN '{lbl}'" for v, lbl in Operator.choices)
        sql = f"""
        SELECT f.name, p.slug, t.slug, ST_X(f.position_4490), ST_Y(f.position_4490),
            'CGCS2000', f.address,
            CASE f.status {status} END, f.capacity, CASE f.operator {operator} END,
            {", ".join(f"f.{d}" for d in DATES)}, c.name,
            CASE WHEN f.is_demo THEN '是' ELSE '否' END, ST_AsBinary(f.position_4490)
        FROM {_T} f JOIN facilities_programme p ON p.id = f.programme_id
        JOIN facilities_facilitytype t ON t.id = f.facility_type_id
        LEFT JOIN {_AREA_T} c ON c.id = f.county_id
        WHERE %s = '' OR p.slug = %s
        ORDER BY p.sort_order, p.slug, f.name"""  # noqa: S608
        return ExportQuery(
            sql=sql,
            params=(programme, programme),
            columns=(*(c.label for c in COLUMNS), "所在县（区）", "演示数据"),
            layer_name="民政设施",
        )


register(FacilitySpec())
