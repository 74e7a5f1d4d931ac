"""Direct writes of a bulk boundary import, and the export queries.

A direct write (areas; lines and markers of a 系统管理员's initial load) is a few
set-based statements over the staging table with one history event per row
(``write_with_history``); a boundary officer's lines and markers go to
``boundaries.bulk.requests`` instead. The export selects the import's headings first.
"""

from __future__ import annotations

from boundaries.bulk.requests import requests_file
from boundaries.bulk.staging import GEOM_SQL
from boundaries.models import AdministrativeArea, AreaLevel, BoundaryLine, BoundaryMarker
from boundaries.services.areas import area_pieces_rebuild
from gis_portal.importing.history import write_with_history
from gis_portal.importing.spec import ExportQuery


def write(layer: str, cursor, table: str, ctx) -> tuple[int, int]:
    """Write the staged rows (directly, or as change requests); return (created, updated)."""
    if ctx.direct:
        return {"areas": _write_areas, "lines": _write_lines, "markers": _write_markers}[layer](
            cursor, table
        )
    requests_file(layer, cursor, table, ctx)
    return 0, 0


_AREA_T = "boundaries_administrativearea"


def _write_areas(cursor, table: str) -> tuple[int, int]:
    g = GEOM_SQL.format(col="s.geom")
    updated = write_with_history(
        cursor,
        AdministrativeArea,
        label="update",
        sql=f"""
        UPDATE {_AREA_T} a SET name = s.name, level = s.level,
            kind = COALESCE(s.kind, a.kind), nbs_code = COALESCE(s.nbs_code, a.nbs_code),
            code_authority = COALESCE(s.code_authority, a.code_authority),
            source = COALESCE(s.source, a.source),
            valid_from = COALESCE(s.valid_from, a.valid_from),
            geom_4490 = COALESCE({g}, a.geom_4490),
            -- a surveyed polygon replaces the demo one
            geom_is_demo = a.geom_is_demo AND s.geom IS NULL,
            parent_id = COALESCE(p.id, a.parent_id)
        FROM "{table}" s LEFT JOIN {_AREA_T} p ON p.code = s.parent AND p.valid_to IS NULL
        WHERE a.code = s.code AND a.valid_to IS NULL AND (
            a.name <> s.name OR a.level <> s.level
            OR a.kind <> COALESCE(s.kind, a.kind) OR a.nbs_code <> COALESCE(s.nbs_code, a.nbs_code)
            OR a.code_authority <> COALESCE(s.code_authority, a.code_authority)
            OR a.source <> COALESCE(s.source, a.source)
            OR a.valid_from IS DISTINCT FROM COALESCE(s.valid_from, a.valid_from)
            OR a.parent_id IS DISTINCT FROM COALESCE(p.id, a.parent_id)
            OR (s.geom IS NOT NULL AND (a.geom_4490 IS NULL
                OR (ST_AsBinary(a.geom_4490) <> ST_AsBinary({g})
                    AND ST_HausdorffDistance(a.geom_4490, {g}) > 1e-9))))
        RETURNING a.id""",  # noqa: S608
    )
    created = write_with_history(
        cursor,
        AdministrativeArea,
        label="insert",
        sql=f"""
        INSERT INTO {_AREA_T} (code, code_authority, nbs_code, name, level, kind, geom_4490,
            source, is_demo, geom_is_demo, is_neighbour, valid_from, version)
        SELECT s.code, COALESCE(s.code_authority, 'mca'), COALESCE(s.nbs_code, ''), s.name,
            s.level, COALESCE(s.kind, ''), {g}, COALESCE(s.source, '导入'), false, false,
            false, s.valid_from, 1
        FROM "{table}" s
        WHERE NOT EXISTS (SELECT 1 FROM {_AREA_T} a WHERE a.code = s.code AND a.valid_to IS NULL)
        RETURNING id""",  # noqa: S608
    )
    # Parents named in the same file exist only now.
    write_with_history(
        cursor,
        AdministrativeArea,
        label="update",
        sql=f"""
        UPDATE {_AREA_T} a SET parent_id = p.id
        FROM "{table}" s JOIN {_AREA_T} p ON p.code = s.parent AND p.valid_to IS NULL
        WHERE a.code = s.code AND a.valid_to IS NULL AND a.parent_id IS DISTINCT FROM p.id
        RETURNING a.id""",  # noqa: S608
    )
    cursor.execute(
        f'SELECT a.id FROM {_AREA_T} a JOIN "{table}" s ON s.code = a.code '  # noqa: S608
        "WHERE a.valid_to IS NULL AND s.geom IS NOT NULL"
    )
    area_pieces_rebuild(area_ids=[row[0] for row in cursor.fetchall()])
    return created, updated


_LINE_T = "boundaries_boundaryline"


def _moved(current: str, staged: str = "s.g") -> str:
    """SQL: the staged geometry differs from the record's (beyond 1e-9°, ~0.1 mm). An
    export imported back is no change: the record keeps its surveyed original."""
    return (
        f"({staged} IS NOT NULL AND ({current} IS NULL OR (ST_AsBinary({current}) <> "
        f"ST_AsBinary({staged}) AND ST_HausdorffDistance({current}, {staged}) > 1e-9)))"
    )


def _write_lines(cursor, table: str) -> tuple[int, int]:
    g = GEOM_SQL.format(col="s.geom")
    # A new geometry comes with its original and the set that converted it; the record is
    # then current (converted_at now) or plainly CGCS2000 (no set).
    updated = write_with_history(
        cursor,
        BoundaryLine,
        label="update",
        sql=f"""
        UPDATE {_LINE_T} l SET name = COALESCE(c.name, l.name),
            agreement_ref = COALESCE(c.agreement_ref, l.agreement_ref),
            agreement_date = COALESCE(c.agreement_date, l.agreement_date),
            geom_4490 = CASE WHEN c.moved THEN c.g ELSE l.geom_4490 END,
            original_wkt = CASE WHEN c.moved THEN c.original_wkt ELSE l.original_wkt END,
            original_crs = CASE WHEN c.moved THEN c.original_crs ELSE l.original_crs END,
            converted_with_id = CASE WHEN c.moved THEN c.converted_with ELSE l.converted_with_id END,
            converted_at = CASE WHEN NOT c.moved THEN l.converted_at
                                WHEN c.converted_with IS NULL THEN NULL ELSE now() END
        FROM (SELECT s.*, x.id AS target, {_moved("x.geom_4490")} AS moved
              FROM (SELECT t.*, {g.replace("s.geom", "t.geom")} AS g FROM "{table}" t) s
              JOIN {_LINE_T} x ON x.code = s.code) c
        WHERE l.id = c.target AND (
            c.moved OR l.name <> COALESCE(c.name, l.name)
            OR l.agreement_ref <> COALESCE(c.agreement_ref, l.agreement_ref)
            OR l.agreement_date IS DISTINCT FROM COALESCE(c.agreement_date, l.agreement_date))
        RETURNING l.id""",  # noqa: S608
    )
    created = write_with_history(
        cursor,
        BoundaryLine,
        label="insert",
        sql=f"""
        INSERT INTO {_LINE_T} (code, name, area_a_id, area_b_id, level, agreement_ref,
            agreement_date, geom_4490, original_wkt, original_crs, converted_with_id,
            converted_at, is_demo, version)
        SELECT s.code, COALESCE(s.name, a.name || '—' || b.name || '线'), a.id, b.id, a.level,
            COALESCE(s.agreement_ref, ''), s.agreement_date, {g}, s.original_wkt,
            s.original_crs, s.converted_with,
            CASE WHEN s.converted_with IS NULL THEN NULL ELSE now() END, false, 1
        FROM "{table}" s
        JOIN {_AREA_T} a ON a.code = LEAST(s.area_a, s.area_b) AND a.valid_to IS NULL
        JOIN {_AREA_T} b ON b.code = GREATEST(s.area_a, s.area_b) AND b.valid_to IS NULL
        WHERE NOT EXISTS (SELECT 1 FROM {_LINE_T} l WHERE l.code = s.code)
        RETURNING id""",  # noqa: S608
    )
    return created, updated


_MARKER_T = "boundaries_boundarymarker"
_KIND_SQL = "CASE s.type_code WHEN 'Q' THEN 'single' WHEN 'A' THEN 'paired' WHEN 'B' THEN 'paired' ELSE 'triple' END"  # fmt: skip


def _write_markers(cursor, table: str) -> tuple[int, int]:
    g = GEOM_SQL.format(col="s.geom")
    survey_cols = ("original_x", "original_y", "original_h", "original_crs", "cgcs_x_m",
                   "cgcs_y_m", "cgcs_crs")  # fmt: skip
    survey_set = ", ".join(
        f"{c} = CASE WHEN c.moved THEN c.{c} ELSE m.{c} END" for c in survey_cols
    )
    updated = write_with_history(
        cursor,
        BoundaryMarker,
        label="update",
        sql=f"""
        UPDATE {_MARKER_T} m SET material = COALESCE(c.material, m.material),
            description = COALESCE(c.description, m.description),
            geom_4490 = CASE WHEN c.moved THEN c.g ELSE m.geom_4490 END, {survey_set},
            converted_with_id = CASE WHEN c.moved THEN c.converted_with ELSE m.converted_with_id END,
            converted_at = CASE WHEN NOT c.moved THEN m.converted_at
                                WHEN c.converted_with IS NULL THEN NULL ELSE now() END
        FROM (SELECT s.*, x.id AS target, {_moved("x.geom_4490")} AS moved
              FROM (SELECT t.*, {g.replace("s.geom", "t.geom")} AS g FROM "{table}" t) s
              JOIN {_MARKER_T} x ON x.number = s.number) c
        WHERE m.id = c.target AND (
            c.moved OR m.material <> COALESCE(c.material, m.material)
            OR m.description <> COALESCE(c.description, m.description))
        RETURNING m.id""",  # noqa: S608
    )
    created = write_with_history(
        cursor,
        BoundaryMarker,
        label="insert",
        sql=f"""
        INSERT INTO {_MARKER_T} (line_id, number, sequence, type_code, kind, material,
            description, photo, geom_4490, {", ".join(survey_cols)}, converted_with_id,
            converted_at, is_demo, version)
        SELECT l.id, s.number, s.sequence, s.type_code, {_KIND_SQL},
            COALESCE(s.material, ''), COALESCE(s.description, ''), '', {g},
            {", ".join(f"s.{c}" for c in survey_cols)}, s.converted_with,
            CASE WHEN s.converted_with IS NULL THEN NULL ELSE now() END, false, 1
        FROM "{table}" s JOIN {_LINE_T} l ON l.code = s.line_code
        WHERE NOT EXISTS (SELECT 1 FROM {_MARKER_T} m WHERE m.number = s.number)
        RETURNING id""",  # noqa: S608
    )
    return created, updated


def export_query(layer: str, *, with_wkt: bool) -> ExportQuery:
    """Return the export's SELECT: the import's headings first, then what is only shown."""
    wkt = ", ST_AsText({g}) AS wkt, 'EPSG:4490'" if with_wkt else ""
    if layer == "areas":
        levels = " ".join(f"WHEN '{v}' THEN '{lbl}'" for v, lbl in AreaLevel.choices)
        sql = f"""
        SELECT a.code, a.name, CASE a.level {levels} END, a.kind, p.code, a.nbs_code,
            CASE a.code_authority WHEN 'nbs' THEN '统计用区划代码' ELSE '民政区划代码' END,
            a.source, a.valid_from{wkt.format(g="a.geom_4490")},
            CASE WHEN a.is_demo THEN '是' ELSE '否' END, ST_AsBinary(a.geom_4490)
        FROM {_AREA_T} a LEFT JOIN {_AREA_T} p ON p.id = a.parent_id
        WHERE a.valid_to IS NULL ORDER BY a.code"""  # noqa: S608
        heads = ["区划代码", "名称", "级别", "类型", "上级代码", "统计用区划代码", "代码来源",
                 "数据来源", "生效日期"]  # fmt: skip
        tail = ["演示数据"]
    elif layer == "lines":
        sql = f"""
        SELECT l.code, l.name, a.code, b.code, l.agreement_ref, l.agreement_date
            {wkt.format(g="l.geom_4490")}, l.level, l.original_crs, ps.name,
            CASE WHEN l.is_demo THEN '是' ELSE '否' END, ST_AsBinary(l.geom_4490)
        FROM {_LINE_T} l JOIN {_AREA_T} a ON a.id = l.area_a_id JOIN {_AREA_T} b ON b.id = l.area_b_id
        LEFT JOIN boundaries_transformationparameterset ps ON ps.id = l.converted_with_id
        ORDER BY l.code"""  # noqa: S608
        heads = ["界线编号", "界线名称", "区域甲代码", "区域乙代码", "协议书编号", "协议书签订日期"]
        tail = ["级别", "原始坐标系", "转换参数", "演示数据"]
    else:
        sql = f"""
        SELECT m.number, m.material, m.description, ST_X(m.geom_4490), ST_Y(m.geom_4490),
            m.original_h, 'EPSG:4490', l.code, m.type_code, m.kind, m.cgcs_x_m, m.cgcs_y_m,
            m.cgcs_crs, m.original_crs, ps.name,
            CASE WHEN m.is_demo THEN '是' ELSE '否' END, ST_AsBinary(m.geom_4490)
        FROM {_MARKER_T} m JOIN {_LINE_T} l ON l.id = m.line_id
        LEFT JOIN boundaries_transformationparameterset ps ON ps.id = m.converted_with_id
        ORDER BY l.code, m.sequence, m.type_code"""  # noqa: S608
        heads = ["界桩编号", "材质", "位置描述", "经度", "纬度", "高程", "坐标系", "所属界线",
                 "类型", "立法", "CGCS2000 东坐标 (m)", "CGCS2000 北坐标 (m)",
                 "CGCS2000 平面坐标系", "原始坐标系", "转换参数", "演示数据"]  # fmt: skip
        return ExportQuery(sql=sql, params=(), columns=tuple(heads), layer_name="界桩")
    middle = ["几何", "坐标系"] if with_wkt else []
    names = {"areas": "行政区域", "lines": "行政区域界线"}
    return ExportQuery(
        sql=sql, params=(), columns=tuple(heads + middle + tail), layer_name=names[layer]
    )
