"""Print a standard map sheet from the live data (or as of a past date): the one entry point
of the print page, its API and ``manage.py print_map``.

Everything a sheet draws is read through the layer catalogue: each layer's declared source
SQL, its style (symbol, colours, label and pinyin fields, classes) and who may read it; the
sheet's area is read from the catalogue's ``areas`` layer. Nothing here names a domain app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import shapely
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from gis_portal.catalogue.registry import CATALOGUE, may_read
from gis_portal.catalogue.spec import CatalogueLayer
from gis_portal.catalogue.sql import rows_where
from gis_portal.metric_crs import METRIC_EPSG, to_lonlat
from gis_portal.printing.render import (
    DrawLayer,
    RenderReport,
    SheetDrawing,
    map_frame_mm,
    render_pdf,
)
from gis_portal.printing.romanizers import label_pinyin
from gis_portal.printing.sheets import (
    PAPERS_MM,
    STAFF_LAYERS,
    PrintOrder,
    PrintOrderError,
    order_check,
    scale_to_fit,
    zoom_of_scale,
)

AREAS = "areas"
# On the city's division map only these classes of place names are drawn (administrative
# units and settlements); the urban and district sheets draw every class.
CITY_PLACE_CLASSES = ("21", "22")


@dataclass
class PrintedSheet:
    pdf: bytes
    filename: str
    report: RenderReport
    scale: int


def first_record_date() -> date | None:
    """The earliest date any layer's records are in force from (nothing is drawable before)."""
    firsts = []
    with connection.cursor() as cur:
        for layer in CATALOGUE.values():
            if layer.source.period is None:
                continue
            start = layer.source.period[0]
            cur.execute(
                f"SELECT min({start}) FROM {layer.source.table} {rows_where(layer)}"  # noqa: S608
            )
            value = cur.fetchone()[0]
            if value is not None:
                firsts.append(value)
    return min(firsts) if firsts else None


def order_from(params: dict) -> PrintOrder:
    """Check an order's parameters (PrintOrderError naming the wrong one)."""
    return order_check(
        sheet=params.get("sheet") or "",
        paper=params.get("paper") or "A3",
        scale=params.get("scale"),
        as_of=params.get("as_of"),
        county=params.get("county"),
        boundaries=bool(params.get("boundaries")),
        today=timezone.localdate(),
        first_record=first_record_date() if params.get("as_of") else None,
    )


def _area_sql(column: str) -> str:
    return CATALOGUE[AREAS].field(column).sql


STREETS = "streets"
# Ground metres around the built-up area's streets on the urban sheet.
URBAN_MARGIN_M = 800.0


def _streets_extent(order: PrintOrder) -> shapely.Geometry:
    """The built-up area: the box of the streets of the sheet's areas, with a margin."""
    streets, areas = CATALOGUE[STREETS], CATALOGUE[AREAS]
    as_of = order.as_of is not None
    area_code = _area_sql("code")
    union_sql = (
        f"SELECT ST_Union({areas.source.geometry_4490}) FROM {areas.source.table} "  # noqa: S608
        + rows_where(areas, f"{area_code} = ANY(%s)", as_of=as_of)
    )
    inside = f"ST_Intersects({streets.source.geometry_4490}, ({union_sql}))"
    extent = f"ST_SetSRID(ST_Extent({streets.source.geometry_4490}), 4490)"
    sql = (
        f"SELECT ST_AsBinary(ST_Transform({extent}, {METRIC_EPSG})) "  # noqa: S608
        f"FROM {streets.source.table} {rows_where(streets, inside, as_of=as_of)}"
    )
    day = [order.as_of, order.as_of] if as_of else []
    table, table_params = (
        history_source(streets, order.as_of) if as_of else (streets.source.table, [])
    )
    sql = sql.replace(f"FROM {streets.source.table} ", f"FROM {table} ", 1)
    params = [*table_params, list(order.sheet.area_codes), *day, *day]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        wkb = cur.fetchone()[0]
    if wkb is None:
        raise PrintOrderError("sheet", f"{order.sheet.title}的区域内没有街路巷数据，不能出图")
    return shapely.from_wkb(bytes(wkb)).buffer(URBAN_MARGIN_M, join_style="mitre")


def _covered_area(order: PrintOrder) -> tuple[shapely.Geometry, str]:
    """The sheet's area (EPSG:4552) and the name that goes into a district sheet's title."""
    areas = CATALOGUE[AREAS]
    code, level, name = _area_sql("code"), _area_sql("level"), _area_sql("name")
    if order.sheet.covers == "city":
        condition, params = f"{level} = 'city'", []
    elif order.sheet.covers == "streets":
        return _streets_extent(order), ""
    else:
        condition, params = f"{code} = %s AND {level} = 'county'", [order.county]
    as_of = order.as_of is not None
    sql = (
        f"SELECT ST_AsBinary(ST_Transform(ST_Union({areas.source.geometry_4490}), {METRIC_EPSG})), "  # noqa: S608
        f"string_agg({name}, '、') FROM {areas.source.table} "
        f"{rows_where(areas, condition, as_of=as_of)}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params + ([order.as_of, order.as_of] if as_of else []))
        wkb, names = cur.fetchone()
    if wkb is None:
        if order.sheet.covers == "district":
            raise PrintOrderError(
                "county", f"没有代码为 {order.county} 的县级行政区（或它没有边界）"
            )
        raise PrintOrderError("sheet", f"{order.sheet.title}的区域没有边界数据，不能出图")
    return shapely.from_wkb(bytes(wkb)), names or ""


# Layers whose rows are edited in place (a renaming, a moved point or line updates the row)
# are drawn as of a past date from their trigger-recorded history: each row's names and
# geometry as its last event before the end of that day (Asia/Shanghai) left them, or, for a
# row first recorded later (the census archive loaded after the fact), as first recorded.
# A row deleted after that day is drawn too, from the same events (the delete event keeps
# its last state); one deleted by then is not. The tables a layer's source joins (a door
# plate's street, a marker's line) are read from their history the same way. Whether a row
# was in force on the day is read from its validity dates (named_on, abolished_on, …: the
# archive's best knowledge, corrections included; for a deleted row, as last recorded).
# Areas are not read from history: a division adjustment ends the old unit and starts a new
# one, and their validity dates (valid_from/valid_to) are the record.
HISTORY_TABLE_SUFFIX = "event"
NOT_FROM_HISTORY = (AREAS,)
_PERIOD_COLUMN = re.compile(r"\bt\.(\w+)")


def _end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in the project's time zone."""
    zone = timezone.get_default_timezone()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def _columns(cur, table: str) -> list[tuple[str, str]]:
    """The table's columns in order, each with its SQL type; none for a missing table."""
    cur.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [table],
    )
    return [(r[0], r[1]) for r in cur.fetchall()]


def _table_as_of(cur, base: str, *, from_row: set[str]) -> str | None:
    """SQL of ``base``'s rows as they stood at a cutoff (its ``%s`` placeholders all take the
    cutoff); ``from_row``: columns read from the current row, never from history. None for a
    table that keeps no history."""
    events = base + HISTORY_TABLE_SUFFIX
    recorded = {name for name, _ in _columns(cur, events)}
    columns = _columns(cur, base)
    if not recorded:
        return None
    before = "ev.pgh_created_at < %s"
    # The event that describes a row at the cutoff: its last one before it, else its first.
    pick_event = (
        f"ORDER BY ({before}) DESC, "
        f"CASE WHEN {before} THEN ev.pgh_created_at END DESC NULLS LAST, "
        f"CASE WHEN {before} THEN ev.pgh_id END DESC NULLS LAST, "
        "ev.pgh_created_at, ev.pgh_id LIMIT 1"
    )
    live, gone = [], []
    for column, sql_type in columns:
        if column == "id":
            live.append('c."id"')
            gone.append('d.pgh_obj_id AS "id"')
        elif column in recorded and column not in from_row:
            live.append(
                f'CASE WHEN e.pgh_id IS NULL THEN c."{column}" ELSE e."{column}" END AS "{column}"'
            )
            gone.append(f'e."{column}"')
        else:
            live.append(f'c."{column}"')
            gone.append(
                f'e."{column}"' if column in recorded else f'NULL::{sql_type} AS "{column}"'
            )
    # Identifiers come from the catalogue and the database's own column list.
    return (
        f"(SELECT {', '.join(live)} FROM {base} c LEFT JOIN LATERAL ("  # noqa: S608
        f"SELECT ev.* FROM {events} ev WHERE ev.pgh_obj_id = c.id AND ev.pgh_label <> 'delete' "
        f"{pick_event}) e ON true "
        f"UNION ALL SELECT {', '.join(gone)} FROM {events} d JOIN LATERAL ("
        f"SELECT ev.* FROM {events} ev WHERE ev.pgh_obj_id = d.pgh_obj_id {pick_event}) e ON true "
        "WHERE d.pgh_label = 'delete' AND d.pgh_created_at >= %s "
        f"AND NOT EXISTS (SELECT 1 FROM {base} x WHERE x.id = d.pgh_obj_id))"
    )


def history_source(layer: CatalogueLayer, as_of: date) -> tuple[str, list]:
    """The layer's FROM clause with its own table ``t`` and each table it joins replaced by
    their rows as they stood at the end of ``as_of``, and the parameters it takes (before any
    other of the query); unchanged for tables that keep no history (or an area:
    NOT_FROM_HISTORY)."""
    table = layer.source.table
    if layer.key in NOT_FROM_HISTORY:
        return table, []
    period = set()
    for expression in layer.source.period or ():
        period.update(_PERIOD_COLUMN.findall(expression))
    cutoff = _end_of_day(as_of)
    # "base t JOIN other o ON …": a table name is the first word and each word after JOIN,
    # its alias the word after it.
    words = table.split(" ")
    params: list = []
    with connection.cursor() as cur:
        for i, word in enumerate(words):
            if i + 1 >= len(words) or not (i == 0 or words[i - 1].upper() == "JOIN"):
                continue
            alias = words[i + 1]
            snapshot = _table_as_of(cur, word, from_row=period if alias == "t" else set())
            if snapshot is not None:
                words[i] = snapshot
                params += [cutoff] * snapshot.count("%s")
    return " ".join(words), params


def _layer_features(
    layer: CatalogueLayer,
    *,
    bbox_4490,
    as_of: date | None,
    classes: tuple[str, ...] | None,
    spell: bool = False,
) -> DrawLayer:
    """The layer's features in the sheet's box; ``spell``: labels without a stored pinyin
    get one from the registered romanisation (areas carry no spelling of their own)."""
    style = layer.style
    assert style is not None
    label = layer.field(style.label_field).sql if style.label_field else "NULL"
    pinyin = layer.field(style.pinyin_field).sql if style.pinyin_field else "NULL"
    cls = layer.field(style.class_field).sql if style.class_field else "NULL"
    demo = layer.field(layer.demo_field).sql if layer.demo_field else "false"
    cls_label = layer.field(style.class_label_field).sql if style.class_label_field else "NULL"
    columns = layer.source.bbox_columns or (layer.source.geometry_4490,)
    conditions = [" OR ".join(f"{c} && ST_MakeEnvelope(%s, %s, %s, %s, 4490)" for c in columns)]
    params: list = list(bbox_4490) * len(columns)
    if classes is not None and style.class_field:
        conditions.append(f"({cls})::text = ANY(%s)")
        params.append(list(classes))
    where = rows_where(layer, *conditions, as_of=as_of is not None)
    if as_of is not None:
        params += [as_of, as_of]
    table, table_params = (
        history_source(layer, as_of) if as_of is not None else (layer.source.table, [])
    )
    params = table_params + params
    sql = (
        f"SELECT ST_AsBinary(ST_Transform({layer.source.geometry_4490}, {METRIC_EPSG})), "  # noqa: S608
        f"({label})::text, ({pinyin})::text, ({cls})::text, ({demo}), ({cls_label})::text "
        f"FROM {table} {where} ORDER BY {layer.source.id}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    class_field = layer.field(style.class_field) if style.class_field else None
    class_labels = dict(class_field.choices or {}) if class_field else {}
    class_labels.update({r[3]: r[5] for r in rows if r[3] and r[5]})
    drawn = DrawLayer(
        key=layer.key,
        label=style.legend or layer.label,
        symbol=style.symbol,
        colour=style.colour,
        geoms=[shapely.from_wkb(bytes(r[0])) for r in rows],
        labels=[r[1] for r in rows],
        pinyins=[r[2] if r[2] or not spell else label_pinyin(r[1]) for r in rows],
        classes=[r[3] for r in rows],
        class_colours=dict(style.class_colours),
        class_labels=class_labels,
        label_priority=style.label_priority,
        demo=any(r[4] for r in rows),
    )
    return drawn


def print_sheet(order: PrintOrder, *, user, trusted: bool = False) -> PrintedSheet:
    """Render ``order`` as a vector PDF. Staff-only layers for anyone else: PermissionDenied
    (``trusted``: the bureau's own command line, which may draw every layer)."""
    for key in order.layers:
        layer = CATALOGUE.get(key)
        if layer is None:
            raise PrintOrderError("sheet", f"图层 {key} 不存在")
        if not trusted and not may_read(layer, user):
            raise PermissionDenied(
                "界线和界桩只有工作人员可以打印" if key in STAFF_LAYERS else "无权打印该图层"
            )
    area, names = _covered_area(order)
    paper = PAPERS_MM[order.paper]
    frame = map_frame_mm(paper)
    minx, miny, maxx, maxy = area.bounds
    scale = order.scale or scale_to_fit((minx, miny, maxx, maxy), (frame[2], frame[3]))
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    half_w = frame[2] / 1000 * scale / 2
    half_h = frame[3] / 1000 * scale / 2
    lons, lats = to_lonlat(
        [centre[0] - half_w, centre[0] + half_w, centre[0] - half_w, centre[0] + half_w],
        [centre[1] - half_h, centre[1] - half_h, centre[1] + half_h, centre[1] + half_h],
    )
    bbox_4490 = (float(min(lons)), float(min(lats)), float(max(lons)), float(max(lats)))
    zoom = zoom_of_scale(scale)
    layers = []
    for key in order.layers:
        layer = CATALOGUE[key]
        if layer.style is None:
            continue
        # A layer the web map shows only from a closer zoom is not drawn at a small scale
        # (door plates at 1:500 000 are a grey smear); areas are always drawn.
        if key != AREAS and layer.tiles is not None and zoom + 2 < layer.tiles.min_zoom:
            continue
        classes = (
            CITY_PLACE_CLASSES if (order.sheet.key == "city" and key == "placenames") else None
        )
        drawn = _layer_features(
            layer,
            bbox_4490=bbox_4490,
            as_of=order.as_of,
            classes=classes,
            spell=order.sheet.pinyin and key == AREAS,
        )
        layers.append(drawn)
    title = order.sheet.title.format(name=names)
    subtitle = (
        order.sheet.description if order.sheet.covers != "district" else f"{names}的地名、街路巷"
    )
    drawing = SheetDrawing(
        title=title,
        subtitle=subtitle,
        paper_mm=paper,
        scale=scale,
        centre_m=centre,
        layers=layers,
        data_date=order.as_of or timezone.localdate(),
        as_of=order.as_of,
        demo=any(layer.demo for layer in layers),
    )
    pdf, report = render_pdf(drawing)
    suffix = f"_{order.as_of:%Y%m%d}" if order.as_of else ""
    filename = f"{title}_{order.paper}_1-{scale}{suffix}.pdf"
    return PrintedSheet(pdf=pdf, filename=filename, report=report, scale=scale)
