"""The database side of a bulk boundary import: staging, checks, writes, requests, export.

Checks run over the whole staging table (duplicates in the file, references to areas and
lines, the line/marker rule, pending change requests) and through the one edit-scope
rule (``gis_portal.editing.scope``). A direct write (areas; lines and markers of a
系统管理员's initial load) is a few set-based statements with one history event per row
(``write_with_history``). A boundary officer's lines and markers become one batch of
change requests (``change_requests_submit_batch``): checked now by a rolled-back trial,
applied on approval by ``boundaries.record_services``.
"""

from __future__ import annotations

from collections.abc import Mapping

import shapely
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry

from boundaries import bulk_rows
from boundaries.edit_services import line_footprint, marker_footprint
from boundaries.models import (
    LEVEL_RANK,
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
)
from boundaries.services import area_pieces_rebuild
from gis_portal.editing import change_services
from gis_portal.editing.layers import layer_get
from gis_portal.editing.models import ChangeRequest, ChangeStatus
from gis_portal.editing.scope import Footprint, footprints_in_scope
from gis_portal.errors import DomainError
from gis_portal.importing.history import write_with_history
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ExportQuery

# Each change request is checked by a trial application: a file that would file more is an
# initial load, for a 系统管理员.
MAX_REQUESTS = 500
LAYER_KEYS = {"lines": "boundary-lines", "markers": "boundary-markers"}
KEY_COLUMN = {"areas": ("code", "区划代码"), "lines": ("code", "界线编号"), "markers": ("number", "界桩编号")}  # fmt: skip


class BoundaryImportRefused(DomainError):
    """A bulk boundary import refused as a whole (who runs it, how, or a failed check)."""

    code = "import_refused"


STAGING = {
    "areas": (
        ("code", "text"),
        ("name", "text"),
        ("level", "text"),
        ("parent", "text"),
        ("kind", "text"),
        ("nbs_code", "text"),
        ("code_authority", "text"),
        ("source", "text"),
        ("valid_from", "date"),
        ("geom", "text"),
    ),
    "lines": (
        ("code", "text"),
        ("name", "text"),
        ("area_a", "text"),
        ("area_b", "text"),
        ("agreement_ref", "text"),
        ("agreement_date", "date"),
        ("geom", "text"),
        ("original_wkt", "text"),
        ("original_crs", "text"),
        ("converted_with", "integer"),
    ),
    "markers": (
        ("number", "text"),
        ("line_code", "text"),
        ("sequence", "integer"),
        ("type_code", "text"),
        ("material", "text"),
        ("description", "text"),
        ("geom", "text"),
        ("original_x", "float8"),
        ("original_y", "float8"),
        ("original_h", "float8"),
        ("original_crs", "text"),
        ("cgcs_x_m", "float8"),
        ("cgcs_y_m", "float8"),
        ("cgcs_crs", "text"),
        ("converted_with", "integer"),
    ),
}
GEOM_SQL = "ST_GeomFromEWKB(decode({col}, 'hex'))"


def _hex(geom) -> str:
    return shapely.to_wkb(shapely.set_srid(geom, 4490), hex=True, include_srid=True)


def staged_values(layer: str, clean) -> dict:
    """Return the staging values of a validated row."""
    loc = clean.located
    geom = {"geom": _hex(loc.geom_4490) if loc else None}
    if layer == "areas":
        return {"code": clean.code, "name": clean.name, "level": clean.level,
                "parent": clean.parent or None, **clean.values, **geom}  # fmt: skip
    survey = {}
    if loc is not None:
        survey = {
            "original_crs": loc.original_crs,
            "converted_with": loc.conversion.set_id if loc.conversion else None,
        }
    if layer == "lines":
        if loc is not None:
            survey["original_wkt"] = loc.original_wkt
        return {"code": clean.code, **clean.values, **geom, **survey}
    if loc is not None:
        x, y, plane = bulk_rows.plane_of(loc)
        survey |= {
            "original_x": loc.original.x,
            "original_y": loc.original.y,
            "cgcs_x_m": x,
            "cgcs_y_m": y,
            "cgcs_crs": plane,
        }
    return {
        "number": clean.number,
        "line_code": clean.line_code,
        "sequence": clean.sequence,
        "type_code": clean.type_code,
        "original_h": clean.h,
        **clean.values,
        **geom,
        **survey,
    }


def _rows(cursor, table: str, layer: str) -> list[dict]:
    names = ["line", *(n for n, _t in STAGING[layer])]
    cursor.execute(f'SELECT {", ".join(names)} FROM "{table}" ORDER BY line')  # noqa: S608
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _geom(value: str | None) -> GEOSGeometry | None:
    return None if value is None else GEOSGeometry(value)


# --- checks ---------------------------------------------------------------------------


def staging_problems(layer: str, cursor, table: str, ctx) -> list[RowError]:
    """Return the problems that need the whole file or the database, naming each row."""
    rows = _rows(cursor, table, layer)
    key, label = KEY_COLUMN[layer]
    errors, first = [], {}
    for row in rows:
        seen = first.setdefault(row[key], row["line"])
        if seen != row["line"]:
            errors.append(RowError(row["line"], label, f"{row[key]} 与第 {seen} 行重复"))
    errors += {"areas": _area_problems, "lines": _line_problems, "markers": _marker_problems}[
        layer
    ](rows, ctx)
    return errors


def _scope_errors(ctx, rows: list[dict], footprints: list[Footprint], label: str) -> list[RowError]:
    if ctx.area_ids is None:
        return []
    inside = footprints_in_scope(ctx.area_ids, footprints)
    return [
        RowError(row["line"], label, f"不在您的编辑范围（{ctx.scope_label}）内，此行不导入")
        for row, ok in zip(rows, inside, strict=True)
        if not ok
    ]


def _area_problems(rows: list[dict], ctx) -> list[RowError]:
    codes = {r["code"] for r in rows} | {r["parent"] for r in rows if r["parent"]}
    current = {
        a.code: a for a in AdministrativeArea.objects.filter(code__in=codes, valid_to__isnull=True)
    }
    in_file = {r["code"]: r for r in rows}
    errors = []
    for row in rows:
        if not row["parent"]:
            if row["level"] != AreaLevel.CITY and row["code"] not in current:
                errors.append(RowError(row["line"], "上级代码", "新建区域需要上级区划代码"))
            continue
        parent = current.get(row["parent"]) or in_file.get(row["parent"])
        if parent is None:
            errors.append(RowError(row["line"], "上级代码", f"上级区划 {row['parent']} 不存在"))
            continue
        parent_level = parent.level if isinstance(parent, AdministrativeArea) else parent["level"]
        if row["parent"] == row["code"] or LEVEL_RANK[parent_level] >= LEVEL_RANK[row["level"]]:
            errors.append(RowError(row["line"], "上级代码", f"上级区划 {row['parent']} 级别不高于本区域"))  # fmt: skip
    footprints = []
    for row in rows:
        area = current.get(row["code"])
        parent = current.get(row["parent"] or "")
        footprints.append(
            Footprint.of(
                area.geom_4490 if area else None,
                _geom(row["geom"]),
                divisions=[area.pk if area else (parent.pk if parent else -1)],
            )
        )
    return errors + _scope_errors(ctx, rows, footprints, "区划代码")


def _pending(model, ids: list[int]) -> dict[int, int]:
    return dict(
        ChangeRequest.objects.filter(
            target_type=ContentType.objects.get_for_model(model),
            target_id__in=ids,
            status__in=(ChangeStatus.PROPOSAL, ChangeStatus.REVIEW),
        ).values_list("target_id", "pk")
    )


def _line_problems(rows: list[dict], ctx) -> list[RowError]:
    current = {
        ln.code: ln
        for ln in BoundaryLine.objects.filter(code__in=[r["code"] for r in rows]).select_related(
            "area_a", "area_b"
        )
    }
    areas = dict(AdministrativeArea.objects.filter(valid_to__isnull=True).values_list("code", "pk"))
    pairs = set(BoundaryLine.objects.values_list("area_a_id", "area_b_id"))
    errors = []
    for row in rows:
        line = current.get(row["code"])
        given = {row["area_a"], row["area_b"]} - {None}
        if line is None:
            if len(given) < 2 or row["geom"] is None:
                errors.append(RowError(row["line"], "界线编号", f"界线 {row['code']} 不存在；新建界线需要区域甲乙代码和几何"))  # fmt: skip
            elif tuple(sorted(areas[c] for c in given)) in pairs:
                errors.append(RowError(row["line"], "区域乙代码", "这两个区域之间已有界线"))
        elif not given <= {line.area_a.code, line.area_b.code}:
            errors.append(RowError(row["line"], "区域甲代码", f"界线 {line.code} 的区域不能通过导入修改"))  # fmt: skip
    errors += _lines_keep_markers(rows, current)
    footprints = [
        (line_footprint(current[r["code"]]) if r["code"] in current else Footprint())
        + Footprint.of(_geom(r["geom"]))
        for r in rows
    ]
    errors += _scope_errors(ctx, rows, footprints, "界线编号")
    if not ctx.direct:
        pending = _pending(BoundaryLine, [ln.pk for ln in current.values()])
        errors += [
            RowError(
                r["line"],
                "界线编号",
                f"界线 {r['code']} 已有待审批的变更申请 #{pending[current[r['code']].pk]}",
            )
            for r in rows
            if r["code"] in current and current[r["code"]].pk in pending
        ]
    return errors


def _lines_keep_markers(rows: list[dict], current: Mapping[str, BoundaryLine]) -> list[RowError]:
    """A moved line must stay within the tolerance of its surveyed markers (the editor's rule)."""
    moved = [r for r in rows if r["geom"] and r["code"] in current]
    if not moved:
        return []
    with_geom = BoundaryMarker.objects.filter(
        line__in=[current[r["code"]] for r in moved], geom_4490__isnull=False
    ).values_list("line__code", "number", "geom_4490")
    by_line: dict[str, list] = {}
    for code, number, geom in with_geom:
        by_line.setdefault(code, []).append((number, shapely.from_wkb(bytes(geom.wkb))))
    errors = []
    for row in moved:
        markers = by_line.get(row["code"], [])
        if not markers:
            continue
        line_m = bulk_rows.to_metric(shapely.from_wkb(bytes.fromhex(row["geom"])))
        far = [
            n
            for n, p in markers
            if line_m.distance(bulk_rows.to_metric(p)) > bulk_rows.MARKER_LINE_TOLERANCE_M
        ]
        if far:
            errors.append(
                RowError(
                    row["line"],
                    "几何",
                    f"界线离界桩 {'、'.join(far[:10])} 超过 {bulk_rows.MARKER_LINE_TOLERANCE_M:g} m："
                    "界线由界桩确定，请同时调整界桩",
                )
            )
    return errors


def _marker_problems(rows: list[dict], ctx) -> list[RowError]:
    lines = {
        ln.code: ln for ln in BoundaryLine.objects.filter(code__in={r["line_code"] for r in rows})
    }
    current = {
        m.number: m
        for m in BoundaryMarker.objects.filter(
            number__in=[r["number"] for r in rows]
        ).select_related("line")
    }
    errors = []
    for row in rows:
        if row["line_code"] not in lines:
            errors.append(RowError(row["line"], "界桩编号", f"所属界线 {row['line_code']} 不存在"))
        elif row["number"] not in current and row["geom"] is None:
            errors.append(RowError(row["line"], "几何", f"界桩 {row['number']} 不存在；新建界桩需要坐标"))  # fmt: skip
    footprints = [
        (marker_footprint(current[r["number"]]) if r["number"] in current else Footprint())
        + Footprint.of(_geom(r["geom"]))
        for r in rows
    ]
    errors += _scope_errors(ctx, rows, footprints, "界桩编号")
    if not ctx.direct:
        pending = _pending(BoundaryMarker, [m.pk for m in current.values()])
        errors += [
            RowError(
                r["line"],
                "界桩编号",
                f"界桩 {r['number']} 已有待审批的变更申请 #{pending[current[r['number']].pk]}",
            )
            for r in rows
            if r["number"] in current and current[r["number"]].pk in pending
        ]
    return errors


# --- writes ---------------------------------------------------------------------------


def write(layer: str, cursor, table: str, ctx) -> tuple[int, int]:
    """Write the staged rows (directly, or as change requests); return (created, updated)."""
    if ctx.direct:
        return {"areas": _write_areas, "lines": _write_lines, "markers": _write_markers}[layer](
            cursor, table
        )
    _file_requests(layer, cursor, table, ctx)
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
            source, is_demo, valid_from, version)
        SELECT s.code, COALESCE(s.code_authority, 'mca'), COALESCE(s.nbs_code, ''), s.name,
            s.level, COALESCE(s.kind, ''), {g}, COALESCE(s.source, '导入'), false,
            s.valid_from, 1
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


# --- change requests ---------------------------------------------------------------------


def _same_geometry(current: GEOSGeometry | None, staged_hex: str) -> bool:
    if current is None:
        return False
    new = shapely.from_wkb(bytes.fromhex(staged_hex))
    old = shapely.from_wkb(bytes(current.wkb))
    return old.equals_exact(new, 1e-9)


def _line_proposal(row: dict, line: BoundaryLine | None) -> dict:
    attrs = {
        "name": row["name"],
        "agreement_ref": row["agreement_ref"],
        "agreement_date": row["agreement_date"].isoformat() if row["agreement_date"] else None,
    }
    if line is None:
        proposal = {"code": row["code"], "area_a": row["area_a"], "area_b": row["area_b"]}
        proposal |= {k: v for k, v in attrs.items() if v is not None}
    else:
        current = {
            "name": line.name,
            "agreement_ref": line.agreement_ref,
            "agreement_date": line.agreement_date.isoformat() if line.agreement_date else None,
        }
        proposal = {k: v for k, v in attrs.items() if v is not None and v != current[k]}
    survey = {"original_wkt": row["original_wkt"], "original_crs": row["original_crs"],
              "converted_with": row["converted_with"]}  # fmt: skip
    if row["geom"] is not None and (
        line is None or not _same_geometry(line.geom_4490, row["geom"])
    ):
        proposal["geometry"] = GEOSGeometry(row["geom"]).ewkt
        proposal["survey"] = survey
    return proposal


def _marker_proposal(row: dict, marker: BoundaryMarker | None) -> dict:
    attrs = {"material": row["material"], "description": row["description"]}
    if marker is None:
        proposal = {"number": row["number"], **{k: v for k, v in attrs.items() if v is not None}}
    else:
        proposal = {k: v for k, v in attrs.items() if v is not None and v != getattr(marker, k)}
    survey_keys = ("original_x", "original_y", "original_h", "original_crs", "cgcs_x_m",
                   "cgcs_y_m", "cgcs_crs", "converted_with")  # fmt: skip
    survey = {k: row[k] for k in survey_keys if row[k] is not None}
    if row["geom"] is not None and (
        marker is None or not _same_geometry(marker.geom_4490, row["geom"])
    ):
        proposal["geometry"] = GEOSGeometry(row["geom"]).ewkt
        proposal["survey"] = survey
    return proposal


def _file_requests(layer: str, cursor, table: str, ctx) -> None:
    """File one change request per new or changed line/marker, as one batch."""
    rows = _rows(cursor, table, layer)
    boundary_layer = layer_get(LAYER_KEYS[layer])
    if layer == "lines":
        current = {x.code: x for x in BoundaryLine.objects.filter(code__in=[r["code"] for r in rows])}  # fmt: skip
        plans = [(r, current.get(r["code"]), _line_proposal(r, current.get(r["code"]))) for r in rows]  # fmt: skip
    else:
        current = {x.number: x for x in BoundaryMarker.objects.filter(number__in=[r["number"] for r in rows])}  # fmt: skip
        plans = [(r, current.get(r["number"]), _marker_proposal(r, current.get(r["number"]))) for r in rows]  # fmt: skip
    plans = [p for p in plans if p[2]]
    ctx.unchanged = len(rows) - len(plans)
    if not plans:
        return
    if len(plans) > MAX_REQUESTS:
        raise BoundaryImportRefused(
            f"此文件有 {len(plans)} 行须提交变更申请，一次最多 {MAX_REQUESTS} 行："
            "请分批导入；整批初始数据由系统管理员以初始导入方式载入"
        )
    try:
        requests = change_services.change_requests_submit_batch(
            edits=[
                (boundary_layer, obj.pk if obj else None, obj.version if obj else None, proposal)
                for _row, obj, proposal in plans
            ],
            reason=f"批量导入「{ctx.file_name[:100]}」",
            user=ctx.user,
            source="import_boundaries",
        )
    except DomainError as exc:
        raise BoundaryImportRefused(f"变更申请未通过检查，未提交任何申请：{exc.message}") from None
    for (row, _obj, _proposal), request in zip(plans, requests, strict=True):
        ctx.requests.append(
            {
                "line": row["line"],
                "action": request.action,
                "action_display": request.get_action_display(),
                "kind_display": request.get_kind_display(),
                "target": request.target_label or row[KEY_COLUMN[layer][0]],
                "request_id": request.pk,
            }
        )
    ctx.batch = str(requests[0].batch) if requests[0].batch else ""


# --- export ---------------------------------------------------------------------------


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
