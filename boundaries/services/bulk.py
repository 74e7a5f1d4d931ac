"""Bulk import and export of areas, boundary lines and markers: who may do what, and how.

Boundaries are legal records (行政区域界线管理条例): a boundary officer's file of lines or
markers is filed as one batch of change requests for approval; only a 系统管理员's initial
load (``initial_load``) — or the server operator's, from the command line — writes them
directly. Areas are written directly by either role, inside the importer's edit scope.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import shapely
from django.contrib.auth.models import User

from boundaries.bulk.io import SPECS
from boundaries.bulk.staging import BoundaryImportRefused
from boundaries.importers.dxf_polygons import DxfTownshipDrawing, parse_dxf_townships
from boundaries.importers.surveys import SurveyFileError
from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.editing.permissions import user_may_decide
from gis_portal.importing.export import export_file
from gis_portal.importing.pipeline import layer_import, operator_name
from gis_portal.importing.spec import spec_get

LAYERS = {"areas": "行政区域", "lines": "行政区域界线", "markers": "界桩"}
EXPORT_FORMATS = ("gpkg", "geojson", "csv")


def _layer(layer: str) -> None:
    if layer not in SPECS:
        raise BoundaryImportRefused(f"图层应为 {'、'.join(SPECS)}，收到 {layer[:20]!r}")


def boundaries_import(
    *,
    layer: str,
    path: Path,
    user: User | None = None,
    initial_load: bool = False,
    declared_crs: str = "",
    dry_run: bool = False,
    file_name: str = "",
    operator: str = "",
) -> dict:
    """Import one file of ``layer`` (areas | lines | markers); return the report as a dict.

    ``user`` None: the server operator's load (the command without ``--user``), which for
    lines and markers must be an initial load. A user imports with their role and edit
    scope; ``initial_load`` needs the 系统管理员 role. Dry run: the same report, nothing
    written or filed. Refused rows, a refused file or a failed check write nothing.
    """
    _layer(layer)
    if path.suffix.lower() == ".dxf":
        if layer != "areas":
            raise BoundaryImportRefused(
                "DXF 批量导入只用于乡级区域面；DXF 界线请在“导入测量成果”页按界线编号导入"
            )
        return townships_dxf_import(
            path=path,
            user=user,
            declared_crs=declared_crs,
            dry_run=dry_run,
            file_name=file_name,
            operator=operator,
        )
    if initial_load and user is not None and not user_may_decide(user):
        raise BoundaryImportRefused("只有系统管理员可以初始导入（不经变更审批直接写入界线、界桩）")
    if layer != "areas" and user is None and not initial_load:
        raise BoundaryImportRefused(
            "界线、界桩是法定记录：请用 --user 指定界线管理员（导入生成变更申请），"
            "或由系统管理员以 --initial-load 初始导入"
        )
    spec = SPECS[layer](declared_crs=declared_crs, initial_load=initial_load)
    spec.file_name = (file_name or path.name)[:200]
    report = layer_import(
        spec=spec,
        path=path,
        user=user,
        operator=operator or operator_name(),
        file_name=spec.file_name,
        dry_run=dry_run,
    )
    ctx = spec.last_context
    out = report.as_dict() | {"summary": report.summary()}
    filed = report.written and not dry_run
    out |= {
        "initial_load": ctx.direct and layer != "areas",
        "requests": [r | {"request_id": r["request_id"] if filed else None} for r in ctx.requests],
        "batch": ctx.batch if filed else "",
        "unchanged": ctx.unchanged,
    }
    if out["requests"]:
        verb = "将提交" if dry_run else "已提交"
        out["summary"] += f"；{verb} {len(out['requests'])} 项变更申请（待系统管理员审批）"
    return out


DXF_MAX_BYTES = 50 * 1024 * 1024


def townships_dxf_import(
    *,
    path: Path,
    user: User | None = None,
    declared_crs: str = "",
    dry_run: bool = False,
    file_name: str = "",
    operator: str = "",
) -> dict:
    """Import the township polygons of a DXF (docs/township-dxf.md) as an areas file.

    The drawing becomes the areas import's own table (区划代码, 名称, 几何 as WKT in the
    declared system, 坐标系), so the same checks apply: Beijing 1954 only with an approved
    parameter set, each polygon inside its county within the tolerance, the edit scope.
    Only existing townships are given polygons: a code not in the archive is refused
    rather than created from a drawing.
    """
    if path.stat().st_size > DXF_MAX_BYTES:
        raise BoundaryImportRefused(f"DXF 文件超过上限 {DXF_MAX_BYTES // 1024**2} MB")
    try:
        drawing = parse_dxf_townships(path.read_bytes(), declared_crs=declared_crs)
    except SurveyFileError as exc:
        raise BoundaryImportRefused(f"文件被拒绝：{exc}") from None
    names = _township_names(drawing)
    with tempfile.TemporaryDirectory(prefix="township-dxf-") as tmp:
        table = Path(tmp) / "townships.csv"
        with table.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["区划代码", "名称", "几何", "坐标系"])
            for t in drawing.townships:
                wkt = shapely.to_wkt(t.geometry, rounding_precision=-1)
                writer.writerow([t.code, names[t.code], wkt, drawing.crs.code])
        out = boundaries_import(
            layer="areas",
            path=table,
            user=user,
            declared_crs=drawing.crs.code,
            dry_run=dry_run,
            file_name=file_name or path.name,
            operator=operator,
        )
    # The table's line n (header = 1) is the drawing's township n-1: name its entities.
    for error in out["errors"]:
        t = drawing.townships[error["line"] - 2]
        error["reason"] = (
            f"{names[t.code]}（{t.code}，图元 {'、'.join(t.handles)}）：{error['reason']}"
        )
    out["format"] = "dxf"
    rows = f"共 {out['rows']} 行，正确 {out['valid']} 行，错误 {out['refused_rows']} 行"
    polygons = (
        f"共 {out['rows']} 个乡级区域面，正确 {out['valid']} 个，错误 {out['refused_rows']} 个"
    )
    out["summary"] = out["summary"].replace("，csv）", "，DXF）").replace(rows, polygons)
    out["crs"] = drawing.crs.code
    if drawing.ignored_entities:
        out["summary"] += f"；未读取 {drawing.ignored_entities} 个直线/圆弧图元（只读闭合轮廓）"
    return out


def _township_names(drawing: DxfTownshipDrawing) -> dict[str, str]:
    """Return code → name of the drawing's townships; refuse codes the archive lacks."""
    codes = [t.code for t in drawing.townships]
    found = dict(
        AdministrativeArea.objects.filter(
            code__in=codes, valid_to__isnull=True, level=AreaLevel.TOWNSHIP
        ).values_list("code", "name")
    )
    unknown = [t for t in drawing.townships if t.code not in found]
    if unknown:
        listed = "；".join(f"{t.code}（图元 {'、'.join(t.handles)}）" for t in unknown)
        raise BoundaryImportRefused(
            f"文件被拒绝：区划代码不是现行的乡级区域：{listed}。请先在区划管理中登记该乡级区域"
        )
    return found


def boundaries_export(*, layer: str, fmt: str, path: Path) -> int:
    """Write ``layer`` in ``fmt`` (gpkg, geojson, csv) to ``path``; return the rows."""
    _layer(layer)
    if fmt not in EXPORT_FORMATS:
        raise BoundaryImportRefused(f"导出格式应为 {'、'.join(EXPORT_FORMATS)}")
    spec = spec_get(SPECS[layer].key)
    return export_file(spec.export_query(with_wkt=fmt == "csv"), fmt=fmt, path=path)
