"""A boundary officer's bulk import as one batch of change requests.

Each new or changed line or marker is one request (``change_requests_submit_batch``):
checked now by a rolled-back trial, applied on approval by ``boundaries.services.lines``
with its surveyed original. A row whose geometry and attributes come back unchanged files
nothing.
"""

from __future__ import annotations

import shapely
from django.contrib.gis.geos import GEOSGeometry

from boundaries.bulk.staging import KEY_COLUMN, BoundaryImportRefused, staged_rows
from boundaries.models import BoundaryLine, BoundaryMarker
from gis_portal.editing import change_services
from gis_portal.editing.layers import layer_get
from gis_portal.errors import DomainError

# Each change request is checked by a trial application: a file that would file more is an
# initial load, for a 系统管理员.
MAX_REQUESTS = 500
LAYER_KEYS = {"lines": "boundary-lines", "markers": "boundary-markers"}


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


def requests_file(layer: str, cursor, table: str, ctx) -> None:
    """File one change request per new or changed line/marker, as one batch."""
    rows = staged_rows(cursor, table, layer)
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
