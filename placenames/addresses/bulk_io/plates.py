"""Door plates (门牌) in bulk: on a known street, by its numbering rule, upserted by number.

A row names its street (街路巷, which must exist), number and sub-number, and a position.
It is checked as the editor checks one plate: within MAX_DISTANCE_M of the street, off the
centre line, on the side the number's parity belongs to (the street's rule), no number
twice in the file; inside the officer's edit scope. A row whose street already has an
active plate of that number updates it (an export imports back as "no change"); if the
street holds that number twice (a legacy duplicate) the row is refused, never guessed.
"""

from __future__ import annotations

from gis_portal.importing import columns as cells
from gis_portal.importing.columns import Column
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ExportQuery, Staged
from gis_portal.importing.staging import staged_lines
from placenames.addresses.bulk_io.common import (
    CRS_COLUMN,
    LAT_COLUMN,
    LON_COLUMN,
    MAX_DISTANCE_M,
    POSITION,
    AddressContext,
    AddressSpec,
    labels_case_sql,
    located_by_street,
    point_4490,
    point_scope_errors,
    row_street,
    staged_points_write,
)
from placenames.addresses.models import DoorPlate, PlateStatus
from placenames.addresses.numbering import LEFT, format_number

STATUS = dict(PlateStatus.choices)
# Plain strings: reading an enum member costs a descriptor call per row.
INSTALLED, RETIRED = PlateStatus.INSTALLED.value, PlateStatus.RETIRED.value
SIDE_NAMES = {LEFT: "左侧", "right": "右侧"}
COLUMNS = (
    Column("street", "街路巷", ("街路巷名称", "街路名", "所属街路巷"), required=True),
    Column("number", "门牌号", ("号",), required=True),
    Column("sub_number", "副号", ("之号", "附号")),
    Column("building", "楼栋"),
    Column("unit", "单元"),
    Column("name_on_plate", "牌面街路名"),
    Column("status", "状态", ("门牌状态",)),
    Column("installed_on", "安装时间"),
    Column("retired_on", "注销时间"),
    LON_COLUMN,
    LAT_COLUMN,
    CRS_COLUMN,
)
STAGING = (
    ("street_id", "bigint"),
    ("number", "integer"),
    ("sub_number", "integer"),
    ("building", "text"),
    ("unit", "text"),
    ("name_on_plate", "text"),
    ("status", "text"),
    ("installed_on", "date"),
    ("retired_on", "date"),
    ("lon", "double precision"),
    ("lat", "double precision"),
    ("side", "text"),
    ("chainage_m", "double precision"),  # along the street from its base end
    ("target_id", "bigint"),  # the active plate the row updates (filled in SQL)
)
TEXT_LIMITS = {"building": ("楼栋", 20), "unit": ("单元", 20), "name_on_plate": ("牌面街路名", 50)}


def _number(value) -> int:
    return cells.integer(value, low=1, high=99_999)


def _sub_number(value) -> int:
    return cells.integer(value, low=0, high=99)


# The columns an imported row sets on the record it names.
UPDATED = ("building", "unit", "name_on_plate", "status", "installed_on", "retired_on", "side")


class PlateSpec(AddressSpec):
    key = "plates"
    label = "门牌"
    columns = COLUMNS
    staging = STAGING

    def validate(self, raw: RawRow, mapped: dict, ctx: AddressContext) -> Staged | list:
        problems: list[tuple[str, str]] = []
        street = row_street(
            mapped, ctx, problems, must="门牌须挂在已登记的街路巷上（请先导入街路巷）"
        )
        number = cells.optional(mapped, "number", _number, "门牌号", problems)
        sub = cells.optional(mapped, "sub_number", _sub_number, "副号", problems, 0)
        status = cells.optional_choice(mapped, "status", STATUS, "状态", problems, INSTALLED)
        installed = retired = None
        if "installed_on" in mapped or "retired_on" in mapped:
            installed = cells.optional(mapped, "installed_on", cells.date, "安装时间", problems)
            retired = cells.optional(mapped, "retired_on", cells.date, "注销时间", problems)
            if installed and retired and retired < installed:
                problems.append(("注销时间", "注销时间不能早于安装时间"))
        texts = cells.limited_texts(mapped, TEXT_LIMITS, problems)
        where = point_4490(raw, mapped, ctx, problems)
        if problems or street is None or number is None or where is None:
            return problems
        lon, lat, conversion = where
        return Staged(
            line=raw.line,
            values={
                "street_id": street.id,
                "number": number,
                "sub_number": sub,
                "name_on_plate": texts["name_on_plate"] or street.name,
                "building": texts["building"],
                "unit": texts["unit"],
                "status": status,
                "installed_on": installed,
                "retired_on": retired,
                "lon": lon,
                "lat": lat,
                "_street": street,
            },
            conversion=conversion,
        )

    def check_chunk(self, rows: list[Staged], ctx: AddressContext) -> list[RowError]:
        """Side, distance and parity of every plate, one vectorised pass per street."""
        errors = []
        for street, indices, chainage, side, offset in located_by_street(rows):
            for i, s, d, c in zip(
                indices, side.tolist(), offset.tolist(), chainage.tolist(), strict=True
            ):
                row, values = rows[i], rows[i].values
                values["chainage_m"] = c
                label = f"{street.name}{format_number(values['number'], values['sub_number'])}"
                if d > MAX_DISTANCE_M:
                    errors.append(
                        RowError(
                            row.line,
                            POSITION,
                            f"{label}距街路 {d:.0f} 米，超过 {MAX_DISTANCE_M:g} 米：门牌应在所属街路旁",
                        )
                    )
                    continue
                if s == 0:
                    errors.append(
                        RowError(row.line, POSITION, "门牌位置在街路中线上，无法判断在哪一侧")
                    )
                    continue
                values["side"] = LEFT if s > 0 else "right"
                expected = street.rule.side_of(values["number"])
                if values["status"] != RETIRED and values["side"] != expected:
                    parity = "单号" if values["number"] % 2 else "双号"
                    errors.append(
                        RowError(
                            row.line,
                            "门牌号",
                            f"{label}为{parity}，按该街编号规则应在{SIDE_NAMES[expected]}"
                            f"（面向编号增加方向），该位置在{SIDE_NAMES[values['side']]}",
                        )
                    )
        return errors

    def staging_problems(self, cursor, table: str, ctx: AddressContext) -> list[RowError]:
        errors = [
            RowError(line, "门牌号", f"与第 {first} 行重复（同一街路巷的同一门牌号）")
            for line, first in staged_lines(
                cursor,
                f"""
                SELECT line, first FROM (
                    SELECT line, first_value(line) OVER (
                        PARTITION BY street_id, number, sub_number ORDER BY line) AS first
                    FROM "{table}" WHERE status <> 'retired') d
                WHERE line <> first
                """,  # noqa: S608
            )
        ]
        # The plate each row updates: the very plate (same street, number and place: a
        # retired one too, as an export lists it), else the street's active plate of that
        # number; a number held twice by active plates is refused, never guessed.
        cursor.execute(
            f"""
            WITH same AS (
                SELECT s.line, min(d.id) AS id
                FROM "{table}" s JOIN addresses_doorplate d
                  ON d.street_id = s.street_id AND d.number = s.number
                 AND d.sub_number = s.sub_number
                 AND ST_X(d.point_4490) = s.lon AND ST_Y(d.point_4490) = s.lat
                GROUP BY s.line)
            UPDATE "{table}" s SET target_id = same.id FROM same WHERE same.line = s.line
            """  # noqa: S608
        )
        held = f"""
            SELECT s.line, min(d.id) AS id, count(*) AS n
            FROM "{table}" s JOIN addresses_doorplate d
              ON d.street_id = s.street_id AND d.number = s.number
             AND d.sub_number = s.sub_number AND d.status <> 'retired'
            WHERE s.target_id IS NULL
            GROUP BY s.line"""  # noqa: S608
        errors += [
            RowError(
                line,
                "门牌号",
                f"该街路巷已有 {n} 块在用门牌为此号（重复号），无法确定更新哪一块：请先在核查中处理",
            )
            for line, _id, n in staged_lines(cursor, f"{held} HAVING count(*) > 1 ORDER BY s.line")
        ]
        cursor.execute(
            f"""WITH held AS ({held})
            UPDATE "{table}" s SET target_id = held.id FROM held
            WHERE held.line = s.line AND held.n = 1"""  # noqa: S608
        )
        errors += self._order_errors(cursor, table, ctx)
        errors += point_scope_errors(
            cursor, ctx, table, target_table="addresses_doorplate", target_id="target_id"
        )
        return errors

    def _order_errors(self, cursor, table: str, ctx: AddressContext) -> list[RowError]:
        """Numbers must grow along the street from its base end, on each side (the editor's
        rule): every active plate of the file is ordered by chainage with the street's other
        active plates of its parity; a plate after a higher number is refused."""
        names = {street.id: street.name for street in ctx.streets.values()}
        rows = staged_lines(
            cursor,
            f"""
            WITH pts AS (
                SELECT s.line, s.street_id, s.number, s.sub_number, s.chainage_m
                FROM "{table}" s WHERE s.status <> 'retired'
                UNION ALL
                SELECT NULL, d.street_id, d.number, d.sub_number,
                       ST_Length(t.line_4552) * CASE WHEN t.base_end = 'end'
                           THEN 1 - ST_LineLocatePoint(t.line_4552, d.point_4552)
                           ELSE ST_LineLocatePoint(t.line_4552, d.point_4552) END
                FROM addresses_doorplate d JOIN addresses_street t ON t.id = d.street_id
                WHERE d.status <> 'retired'
                  AND d.street_id IN (SELECT street_id FROM "{table}")
                  AND d.id NOT IN (SELECT target_id FROM "{table}" WHERE target_id IS NOT NULL)
            ), ordered AS (
                SELECT line, street_id, number, sub_number,
                       lag(number) OVER w AS prev_number, lag(sub_number) OVER w AS prev_sub
                FROM pts
                WINDOW w AS (PARTITION BY street_id, number %% 2
                             ORDER BY chainage_m, number, sub_number)
            )
            SELECT line, street_id, number, sub_number, prev_number, prev_sub FROM ordered
            WHERE line IS NOT NULL AND (prev_number, prev_sub) > (number, sub_number)
            ORDER BY line
            """,  # noqa: S608
        )
        return [
            RowError(
                line,
                "门牌号",
                f"{names.get(street_id, '')}{format_number(number, sub)}位于"
                f"{format_number(prev, prev_sub)}之后（沿编号方向），编号不能更小",
            )
            for line, street_id, number, sub, prev, prev_sub in rows
        ]

    def write(self, cursor, table: str, ctx: AddressContext) -> tuple[int, int]:
        return staged_points_write(
            cursor,
            table,
            DoorPlate,
            id_column="target_id",
            updated=UPDATED,
            created_only=("street_id", "number", "sub_number"),
            tile_layer="doorplates",
        )

    def export_query(self, *, street_ids: list[int] | None = None, **_: object) -> ExportQuery:
        where, params = "", []
        if street_ids is not None:
            where, params = "WHERE d.street_id = ANY(%s)", [street_ids]
        return ExportQuery(
            sql=f"""
            SELECT s.name, d.number, d.sub_number, d.building, d.unit, d.name_on_plate,
                   CASE d.status {labels_case_sql(PlateStatus)} END, d.installed_on, d.retired_on,
                   ST_X(d.point_4490), ST_Y(d.point_4490), '2000', ST_AsBinary(d.point_4490)
            FROM addresses_doorplate d JOIN addresses_street s ON s.id = d.street_id
            {where}
            ORDER BY s.name, d.number, d.sub_number, d.id
            """,  # noqa: S608
            params=params,
            columns=tuple(c.label for c in COLUMNS),
            layer_name="门牌",
        )
