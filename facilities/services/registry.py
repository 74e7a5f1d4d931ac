"""Facility registry writes: import (on the importing kernel) and area assignment."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User

from boundaries.models import AreaLevel
from boundaries.selectors.areas import areas_at_point
from facilities.bulk_io import FacilitySpec
from facilities.errors import ImportRejected
from facilities.exporters import as_xlsx
from gis_portal.errors import DomainError
from gis_portal.importing.export import export_file, export_rows
from gis_portal.importing.pipeline import layer_import, operator_name
from gis_portal.importing.report import ImportReport


def county_of(lon: float, lat: float):
    """Return the county-level area covering the point, or None."""
    for area in areas_at_point(lon=lon, lat=lat):
        if area.level == AreaLevel.COUNTY:
            return area
    return None


def facilities_import(
    *,
    path: Path,
    declared_crs: str = "EPSG:4490",
    dry_run: bool = False,
    user: User | None = None,
    file_name: str = "",
) -> ImportReport:
    """Import facilities from xlsx, CSV, a zipped shapefile or a GeoPackage: every row or
    none (the kernel's pipeline, ``facilities.bulk_io``); the same report with ``dry_run``.

    ``user`` imports with their role inside their edit scope; None is a system load.
    Raises ImportRejected, naming every bad row and column, when anything is refused.
    """
    spec = FacilitySpec(declared_crs=declared_crs, file_name=(file_name or path.name)[:200])
    try:
        report = layer_import(
            spec=spec,
            path=path,
            user=user,
            operator=operator_name(),
            file_name=spec.file_name,
            dry_run=dry_run,
        )
    except DomainError as exc:
        raise ImportRejected(exc.message) from None
    if report.refused:
        raise ImportRejected(
            f"导入被拒绝，共 {report.refused_rows} 行有错误，未写入任何数据",
            errors=[str(e) for e in report.errors[:200]],
        )
    return report


EXPORT_FORMATS = ("gpkg", "geojson", "csv", "xlsx")


def facilities_export(*, fmt: str, path: Path, programme: str = "") -> int:
    """Write the registry (one programme, or all) in ``fmt`` to ``path``; return the rows.

    GeoPackage, GeoJSON and CSV stream through the kernel's exporter; Excel is the same
    query's rows in one sheet (formula text quoted).
    """
    if fmt != "xlsx":
        return export_file(facilities_export_query(programme=programme), fmt=fmt, path=path)
    body, count = registry_xlsx(programme=programme)
    path.write_bytes(body)
    return count


def facilities_export_query(*, programme: str = ""):
    """Return the registry's export query (the import's headings, then county and demo flag)."""
    return FacilitySpec().export_query(programme=programme)


def registry_xlsx(*, programme: str = "") -> tuple[bytes, int]:
    """Return the registry as one Excel sheet (the export query's rows, formula text
    quoted) and its number of rows."""
    query = facilities_export_query(programme=programme)
    rows = [list(row[:-1]) for chunk in export_rows(query) for row in chunk]
    return as_xlsx({"民政设施": (list(query.columns), rows)}), len(rows)
