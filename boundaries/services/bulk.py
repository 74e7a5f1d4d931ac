"""Bulk import and export of areas, boundary lines and markers: who may do what, and how.

Boundaries are legal records (行政区域界线管理条例): a boundary officer's file of lines or
markers is filed as one batch of change requests for approval; only a 系统管理员's initial
load (``initial_load``) — or the server operator's, from the command line — writes them
directly. Areas are written directly by either role, inside the importer's edit scope.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User

from boundaries.bulk.io import SPECS
from boundaries.bulk.staging import BoundaryImportRefused
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


def boundaries_export(*, layer: str, fmt: str, path: Path) -> int:
    """Write ``layer`` in ``fmt`` (gpkg, geojson, csv) to ``path``; return the rows."""
    _layer(layer)
    if fmt not in EXPORT_FORMATS:
        raise BoundaryImportRefused(f"导出格式应为 {'、'.join(EXPORT_FORMATS)}")
    spec = spec_get(SPECS[layer].key)
    return export_file(spec.export_query(with_wkt=fmt == "csv"), fmt=fmt, path=path)
