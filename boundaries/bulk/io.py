"""Bulk import and export of areas, boundary lines and markers (the kernel's layer specs).

Rows are validated by ``boundaries.bulk.rows`` (no database), checked together over the
staging table (duplicates, references, the edit scope, the line/marker rule), then
written by ``boundaries.bulk.write``: directly for areas and for a 系统管理员's initial
load, and as one batch of change requests for a boundary officer's lines and markers.
Each spec instance carries the options of one import (declared CRS, initial load); the
registered instances serve exports and the kernel's registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely
from django.conf import settings
from django.contrib.auth.models import User

from boundaries.bulk import checks as bulk_checks
from boundaries.bulk import geometry as bulk_geometry
from boundaries.bulk import rows as bulk_rows
from boundaries.bulk import staging as bulk_staging
from boundaries.bulk import write as bulk_write
from boundaries.bulk.geometry import Vocabulary
from boundaries.bulk.rows import AREA_COLUMNS, LINE_COLUMNS, MARKER_COLUMNS
from boundaries.crs import CrsDef, CrsError
from boundaries.models import AdministrativeArea, BoundaryLine
from boundaries.selectors.areas import beijing1954_conversions
from gis_portal.editing.layers import BOUNDARY_EDITORS
from gis_portal.editing.permissions import user_may_edit
from gis_portal.editing.scope import scope_area_ids, scope_names
from gis_portal.importing.readers import RawRow
from gis_portal.importing.report import RowError
from gis_portal.importing.spec import ExportQuery, ImportContext, LayerSpec, Staged, register
from gis_portal.metric_crs import geometry_to_metric

SOURCE = "import_boundaries"


@dataclass
class BoundaryContext(ImportContext):
    vocab: Vocabulary | None = None
    area_ids: list[int] | None = None  # the importer's edit scope (None: the whole city)
    declared: CrsDef | str | None = None
    direct: bool = True  # False: lines and markers go in as change requests
    file_name: str = ""
    requests: list[dict] = field(default_factory=list)
    batch: str = ""
    unchanged: int = 0


def _vocabulary(*, with_lines: bool) -> Vocabulary:
    areas = AdministrativeArea.objects.filter(valid_to__isnull=True)
    city = areas.filter(code=settings.HEGANG_CITY_CODE, geom_4490__isnull=False).first()
    line_geoms = {}
    if with_lines:
        for code, geom in BoundaryLine.objects.filter(geom_4490__isnull=False).values_list(
            "code", "geom_4490"
        ):
            line_geoms[code] = geometry_to_metric(shapely.from_wkb(bytes(geom.wkb)))
    return Vocabulary(
        area_codes=dict(areas.values_list("code", "level")),
        conversions=beijing1954_conversions(),
        city_outline_m=bulk_geometry.city_outline_m(
            shapely.from_wkb(bytes(city.geom_4490.wkb)) if city else None
        ),
        line_geoms_m=line_geoms,
    )


class BoundarySpec(LayerSpec):
    """What the three boundary layers share: roles, scope, CRS and the row geometry."""

    layer = ""  # areas | lines | markers
    source = SOURCE
    refusal = "您的账户没有导入界线数据的权限（需“界线管理员”或“系统管理员”角色）"
    chunk_size = 2000

    def __init__(self, *, declared_crs: str = "", initial_load: bool = False) -> None:
        self.declared_crs = declared_crs
        self.initial_load = initial_load
        self.file_name = ""
        self.last_context: BoundaryContext | None = (
            None  # the import's (this instance is one import)
        )

    def may_import(self, user: User) -> bool:
        return user_may_edit(user, BOUNDARY_EDITORS)

    def context(self, *, user: User | None) -> BoundaryContext:
        declared = None
        if self.declared_crs:
            try:
                declared = bulk_geometry.crs_of_text(self.declared_crs)
            except CrsError as exc:
                raise bulk_staging.BoundaryImportRefused(f"声明的坐标系无效：{exc}") from None
        area_ids = scope_area_ids(user)
        vocab = _vocabulary(with_lines=self.layer == "markers")
        self.last_context = BoundaryContext(
            user=user,
            scope_label=scope_names(area_ids) if area_ids else "全市",
            conversions=vocab.conversions,
            vocab=vocab,
            area_ids=area_ids,
            declared=declared,
            direct=self.initial_load or self.layer == "areas",
            file_name=self.file_name,
        )
        return self.last_context

    def validate(self, raw: RawRow, mapped: dict[str, Any], ctx: BoundaryContext):
        geometry, declared = None, ctx.declared
        if raw.source_geometry is not None:
            # A GIS file: validate the surveyed geometry in the file's own system (its
            # .prj or srs, not a 坐标系 or 几何 column an export carried along).
            geometry = raw.source_geometry
            mapped = {k: v for k, v in mapped.items() if k not in ("crs", "wkt")}
            try:
                declared = bulk_geometry.crs_of_text(f"EPSG:{raw.source_epsg}")
            except CrsError:
                return [("几何", f"文件的坐标系 EPSG:{raw.source_epsg} 不是界线数据支持的坐标系")]
        result = bulk_rows.ROW_VALIDATORS[self.layer](
            raw.line, mapped, geometry, declared=declared, vocab=ctx.vocab
        )
        if isinstance(result, list):
            return result
        return Staged(
            line=raw.line,
            values=bulk_staging.staged_values(self.layer, result),
            geometry=result.located.geom_4490 if result.located else None,
            conversion=result.located.conversion if result.located else None,
        )

    def staging_problems(self, cursor, table: str, ctx: BoundaryContext) -> list[RowError]:
        return bulk_checks.staging_problems(self.layer, cursor, table, ctx)

    def write(self, cursor, table: str, ctx: BoundaryContext) -> tuple[int, int]:
        return bulk_write.write(self.layer, cursor, table, ctx)

    def export_query(self, *, with_wkt: bool = False, **_filters: Any) -> ExportQuery:
        return bulk_write.export_query(self.layer, with_wkt=with_wkt)


class AreaSpec(BoundarySpec):
    key = "areas"
    layer = "areas"
    label = "行政区域"
    columns = tuple(AREA_COLUMNS.values())
    staging = bulk_staging.STAGING["areas"]


class LineSpec(BoundarySpec):
    key = "boundary-lines"
    layer = "lines"
    label = "行政区域界线"
    columns = tuple(LINE_COLUMNS.values())
    staging = bulk_staging.STAGING["lines"]


class MarkerSpec(BoundarySpec):
    key = "boundary-markers"
    layer = "markers"
    label = "界桩"
    columns = tuple(MARKER_COLUMNS.values())
    staging = bulk_staging.STAGING["markers"]


SPECS = {"areas": AreaSpec, "lines": LineSpec, "markers": MarkerSpec}
for _spec in SPECS.values():
    register(_spec())
