"""What the three address layers' imports share: street lines, scope, cells, coordinates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth.models import User

from boundaries.importers.crs import DeclaredCrsError, declared_crs
from boundaries.selectors.areas import beijing1954_conversions
from gis_portal.editing.layers import PLACENAME_EDITORS
from gis_portal.editing.permissions import user_may_edit
from gis_portal.editing.scope import scope_area_ids, scope_names, staged_outside_scope
from gis_portal.importing import columns as cells
from gis_portal.importing.columns import Column
from gis_portal.importing.crs import DatumConversion
from gis_portal.importing.history import write_with_history
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ImportContext, LayerSpec
from gis_portal.metric_crs import to_metric
from placenames.addresses.checks import DEFAULT_MAX_DISTANCE_M
from placenames.addresses.models import Street
from placenames.addresses.numbering import START, NumberingRule, locate_many
from placenames.addresses.tile_store import tile_cache_invalidate

# Plates and signs stand by their street (the checks' too_far distance; the editor's limit).
MAX_DISTANCE_M = DEFAULT_MAX_DISTANCE_M
LON_COLUMN = Column("lon", "东经", ("经度", "lon", "longitude"))
LAT_COLUMN = Column("lat", "北纬", ("纬度", "lat", "latitude"))
CRS_COLUMN = Column("crs", "坐标系")
POSITION = "东经/北纬"
# The officers' page and API accept these; the census importer's refusals apply.
IMPORTERS = PLACENAME_EDITORS


@dataclass(frozen=True)
class StreetLine:
    id: int
    name: str
    coords_4552: np.ndarray  # the street line in EPSG:4552 metres
    rule: NumberingRule


@dataclass
class AddressContext(ImportContext):
    area_ids: list[int] | None = None  # the officer's edit areas; None: the whole city
    streets: dict[str, StreetLine] = field(default_factory=dict)


def address_context(*, user: User | None, with_streets: bool = True) -> AddressContext:
    """Read what validation needs: the officer's scope, Beijing 1954 sets, street lines."""
    area_ids = scope_area_ids(user)
    streets = {}
    if with_streets:
        rows = Street.objects.values_list(
            "id", "name", "base_end", "odd_side", "numbering_mode", "metres_per_number",
            "line_4552",
        )  # fmt: skip
        for pk, name, base_end, odd_side, mode, metres, line in rows:
            rule = NumberingRule(base_end, odd_side, mode, metres)
            streets[name] = StreetLine(pk, name, np.asarray(line.coords), rule)
    return AddressContext(
        user=user,
        scope_label=scope_names(area_ids) if area_ids else "全市",
        conversions=beijing1954_conversions(),
        area_ids=area_ids,
        streets=streets,
    )


class AddressSpec(LayerSpec):
    """The address layers: 地名管理员 and 系统管理员 import, inside their edit scope."""

    source = "import_addresses"
    refusal = "您的账户没有导入门牌、街路巷或路牌的权限（需“地名管理员”角色）"

    # Whether validation needs the street lines (plates and signs stand on a street).
    with_streets = True

    def may_import(self, user: User) -> bool:
        return user_may_edit(user, IMPORTERS)

    def context(self, *, user: User | None) -> AddressContext:
        return address_context(user=user, with_streets=self.with_streets)


def row_street(
    mapped: dict, ctx: AddressContext, problems: list[tuple[str, str]], *, must: str
) -> StreetLine | None:
    """Return the street a row names; an unknown one is a problem, ``must`` saying why a
    known street is needed."""
    name = cells.text(mapped.get("street"))
    street = ctx.streets.get(name)
    if name and street is None:
        problems.append(("街路巷", f"未知街路巷「{name[:50]}」：{must}"))
    return street


def labels_case_sql(choices) -> str:
    """Return the CASE arms showing a model's stored choices as their labels (constants)."""
    return " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in choices.choices)


def point_4490(
    raw: RawRow, mapped: dict, ctx: ImportContext, problems: list[tuple[str, str]]
) -> tuple[float, float, DatumConversion | None] | None:
    """Return the row's lon/lat in EPSG:4490 (GIS geometry, or 东经/北纬 in its 坐标系)."""
    if raw.geometry is not None:
        geom = raw.geometry
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point" or geom.is_empty:
            problems.append(("几何", f"应为点，而不是 {geom.geom_type}"))
            return None
        return geom.x, geom.y, raw.converted_with
    if "lon" not in mapped or "lat" not in mapped:
        problems.append((POSITION, "缺少东经、北纬（或 GIS 文件的点几何）"))
        return None
    try:
        x = cells.decimal(mapped["lon"])
        y = cells.decimal(mapped["lat"])
    except ValueError as exc:
        problems.append((POSITION, str(exc)))
        return None
    if "crs" not in mapped:  # CGCS2000, the common case
        return x, y, None
    try:
        declared = declared_crs(mapped["crs"], ctx.conversions)
        if declared.is_cgcs2000:
            return x, y, None
        lon, lat = declared.convert_xy(np.array([x]), np.array([y]))
    except DeclaredCrsError as exc:
        problems.append(("坐标系", str(exc)))
        return None
    return float(lon[0]), float(lat[0]), declared.conversion


def scope_errors(
    cursor, ctx: AddressContext, geoms_sql: str, *, column: str = POSITION
) -> list[RowError]:
    """Rows whose geometry (imported, or of the record they update) is outside the scope."""
    if ctx.area_ids is None:
        return []
    return [
        RowError(line, column, f"位置不在您的编辑范围（{ctx.scope_label}）内，此行不导入")
        for line in staged_outside_scope(cursor, ctx.area_ids, geoms_sql)
    ]


def point_scope_errors(
    cursor, ctx: AddressContext, table: str, *, target_table: str, target_id: str
) -> list[RowError]:
    """``scope_errors`` of staged points: each row's imported position and the position of
    the record it updates (``target_table``'s row whose id is the staged ``target_id``)."""
    return scope_errors(
        cursor,
        ctx,
        f"""
        SELECT line, ST_SetSRID(ST_MakePoint(lon, lat), 4490) FROM "{table}"
        UNION ALL
        SELECT s.line, r.point_4490 FROM "{table}" s
        JOIN {target_table} r ON r.id = s.{target_id}
        """,  # noqa: S608
    )


def located_by_street(rows: list, *, with_base_end: bool = True) -> Iterator[tuple]:
    """Yield ``(street, indices, chainage_m, side, offset_m)`` for the staged rows of each
    street (``values["_street"]``, ``lon``/``lat``): one vectorised locate per street,
    chainage from the street's numbering base end (``with_base_end``) or its start."""
    xs, ys = to_metric(
        np.array([r.values["lon"] for r in rows]), np.array([r.values["lat"] for r in rows])
    )
    by_street: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_street.setdefault(row.values["street_id"], []).append(i)
    for indices in by_street.values():
        street = rows[indices[0]].values["_street"]
        base_end = street.rule.base_end if with_base_end else START
        chainage, side, offset = locate_many(
            street.coords_4552, xs[indices], ys[indices], base_end=base_end
        )
        yield street, indices, chainage, side, offset


def staged_points_write(
    cursor,
    table: str,
    model,
    *,
    id_column: str,
    updated: Sequence[str],
    created_only: Sequence[str] = (),
    tile_layer: str,
) -> tuple[int, int]:
    """Write a staged point layer (``lon``/``lat`` in EPSG:4490); return (created, updated).

    A row whose ``id_column`` names a record updates that record's ``updated`` columns and
    point where any differs; a row without one is a new record (``created_only`` columns
    too: what an update never changes, such as a plate's street and number), not demo data,
    at version 1. Each write is recorded in history; the tiles over every old and new
    position are invalidated.
    """
    target = model._meta.db_table
    cursor.execute(
        f"""
        SELECT min(lon), min(lat), max(lon), max(lat) FROM (
            SELECT lon, lat FROM "{table}"
            UNION ALL SELECT ST_X(t.point_4490), ST_Y(t.point_4490)
            FROM "{table}" s JOIN {target} t ON t.id = s.{id_column}) p
        """  # noqa: S608
    )
    box = cursor.fetchone()
    point = "ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4490)"
    assignments = ", ".join(f"{c} = s.{c}" for c in updated)
    now = ", ".join(f"t.{c}" for c in updated)
    staged = ", ".join(f"s.{c}" for c in updated)
    updated_n = write_with_history(
        cursor,
        model,
        label="update",
        alias="t",
        sql=f"""
        UPDATE {target} t SET {assignments}, point_4490 = {point}
        FROM "{table}" s
        WHERE t.id = s.{id_column} AND ({now}, ST_X(t.point_4490), ST_Y(t.point_4490))
            IS DISTINCT FROM ({staged}, s.lon, s.lat)
        """,  # noqa: S608
    )
    columns = [*created_only, *updated]
    created_n = write_with_history(
        cursor,
        model,
        label="insert",
        alias="t",
        sql=f"""
        INSERT INTO {target} AS t ({", ".join(columns)}, point_4490, is_demo, version)
        SELECT {", ".join(f"s.{c}" for c in columns)}, {point}, false, 1
        FROM "{table}" s WHERE s.{id_column} IS NULL ORDER BY s.line
        """,  # noqa: S608
    )
    if box[0] is not None:
        tile_cache_invalidate(bbox_4490=tuple(box), layers=[tile_layer])
    return created_n, updated_n
