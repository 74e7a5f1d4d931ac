"""Street signs (路牌) in bulk: on a known street, standing by it.

A row names its street (which must exist), kind, position and optionally its 编号 (the
sign's id in an export): with one it updates that sign, without one it creates a sign
whose text is the street's name and pinyin unless the row gives them.
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
from placenames.addresses.models import Condition, SignKind, SignStatus, StreetSign
from placenames.romanize import RomanizeInputError, romanize

KIND, CONDITION, STATUS = dict(SignKind.choices), dict(Condition.choices), dict(SignStatus.choices)
COLUMNS = (
    Column("sign_id", "编号", ("路牌编号",)),
    Column("street", "街路巷", ("街路巷名称", "所属街路巷"), required=True),
    Column("kind", "类型", ("路牌类型",), required=True),
    Column("text_zh", "牌面中文"),
    Column("text_pinyin", "牌面拼音"),
    Column("condition", "现状"),
    Column("status", "状态", ("路牌状态",)),
    Column("installed_on", "安装时间"),
    LON_COLUMN,
    LAT_COLUMN,
    CRS_COLUMN,
)
STAGING = (
    ("sign_id", "bigint"),
    ("street_id", "bigint"),
    ("kind", "text"),
    ("text_zh", "text"),
    ("text_pinyin", "text"),
    ("condition", "text"),
    ("status", "text"),
    ("installed_on", "date"),
    ("lon", "double precision"),
    ("lat", "double precision"),
)

TEXT_LIMITS = {"text_zh": ("牌面中文", 50), "text_pinyin": ("牌面拼音", 120)}

# The columns an imported row sets on the record it names.
UPDATED = ("street_id", "kind", "text_zh", "text_pinyin", "condition", "status", "installed_on")


class SignSpec(AddressSpec):
    key = "signs"
    label = "路牌"
    columns = COLUMNS
    staging = STAGING

    def validate(self, raw: RawRow, mapped: dict, ctx: AddressContext) -> Staged | list:
        problems: list[tuple[str, str]] = []
        street = row_street(mapped, ctx, problems, must="路牌须属于已登记的街路巷")
        sign_id = cells.optional(
            mapped, "sign_id", lambda v: cells.integer(v, low=1, high=2**62), "编号", problems
        )
        kind = cells.optional_choice(mapped, "kind", KIND, "类型", problems)
        condition = cells.optional_choice(
            mapped, "condition", CONDITION, "现状", problems, Condition.GOOD
        )
        status = cells.optional_choice(
            mapped, "status", STATUS, "状态", problems, SignStatus.INSTALLED
        )
        installed = cells.optional(mapped, "installed_on", cells.date, "安装时间", problems)
        texts = cells.limited_texts(mapped, TEXT_LIMITS, problems)
        text_zh, text_pinyin = texts["text_zh"], texts["text_pinyin"]
        where = point_4490(raw, mapped, ctx, problems)
        if problems or street is None or kind is None or where is None:
            return problems
        lon, lat, conversion = where
        try:
            pinyin = text_pinyin or romanize(text_zh or street.name).pinyin
        except RomanizeInputError as exc:
            return [("牌面中文", f"无法拼写：{exc}")]
        return Staged(
            line=raw.line,
            values={
                "sign_id": sign_id,
                "street_id": street.id,
                "kind": str(kind),
                "text_zh": text_zh or street.name,
                "text_pinyin": pinyin,
                "condition": str(condition),
                "status": str(status),
                "installed_on": installed,
                "lon": lon,
                "lat": lat,
                "_street": street,
            },
            conversion=conversion,
        )

    def check_chunk(self, rows: list[Staged], ctx: AddressContext) -> list[RowError]:
        errors = []
        for street, indices, _chainage, _side, offset in located_by_street(
            rows, with_base_end=False
        ):
            for i, d in zip(indices, offset.tolist(), strict=True):
                if d > MAX_DISTANCE_M:
                    errors.append(
                        RowError(
                            rows[i].line,
                            POSITION,
                            f"路牌距{street.name} {d:.0f} 米，超过 {MAX_DISTANCE_M:g} 米：请放在所属街路旁",
                        )
                    )
        return errors

    def staging_problems(self, cursor, table: str, ctx: AddressContext) -> list[RowError]:
        errors = [
            RowError(line, "编号", f"路牌编号 {sign_id} 不存在（新路牌请留空编号）")
            for line, sign_id in staged_lines(
                cursor,
                f"""SELECT s.line, s.sign_id FROM "{table}" s WHERE s.sign_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM addresses_streetsign g WHERE g.id = s.sign_id)
                ORDER BY s.line""",  # noqa: S608
            )
        ]
        errors += [
            RowError(line, "编号", f"与第 {first} 行的路牌编号重复")
            for line, first in staged_lines(
                cursor,
                f"""SELECT line, first FROM (SELECT line, first_value(line) OVER (
                    PARTITION BY sign_id ORDER BY line) AS first
                FROM "{table}" WHERE sign_id IS NOT NULL) d WHERE line <> first""",  # noqa: S608
            )
        ]
        errors += point_scope_errors(
            cursor, ctx, table, target_table="addresses_streetsign", target_id="sign_id"
        )
        return errors

    def write(self, cursor, table: str, ctx: AddressContext) -> tuple[int, int]:
        return staged_points_write(
            cursor,
            table,
            StreetSign,
            id_column="sign_id",
            updated=UPDATED,
            tile_layer="signs",
        )

    def export_query(self, **_: object) -> ExportQuery:
        return ExportQuery(
            sql=f"""
            SELECT g.id, t.name, CASE g.kind {labels_case_sql(SignKind)} END, g.text_zh,
                   g.text_pinyin, CASE g.condition {labels_case_sql(Condition)} END,
                   CASE g.status {labels_case_sql(SignStatus)} END, g.installed_on,
                   ST_X(g.point_4490), ST_Y(g.point_4490), '2000', ST_AsBinary(g.point_4490)
            FROM addresses_streetsign g JOIN addresses_street t ON t.id = g.street_id
            ORDER BY t.name, g.id
            """,  # noqa: S608
            params=[],
            columns=tuple(c.label for c in COLUMNS),
            layer_name="路牌",
        )
