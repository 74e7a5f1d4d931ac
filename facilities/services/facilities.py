"""Facilities: every write of a facility, from the registry import, the editor and its API.

The registry import (``facilities_import``, on the importing kernel) and the editor
(``facility_create_from_changes`` and ``FACILITY_WRITES``) hold a facility to the same rules:
a point inside the city (and the planner's area, if scoped), a name unique within its
programme, a known programme and type, closing not before opening; the county is re-derived
from the position (``county_of``). Every write runs inside ``pghistory.context`` (who, from
where, why); the version trigger bumps ``version``. Validation that needs no database runs
first; a refused edit changes nothing. The registry's exports (file and Excel) are here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError

from boundaries.models import AreaLevel
from boundaries.selectors.areas import areas_at_point
from facilities.bulk_io import FacilitySpec
from facilities.errors import ImportRejected
from facilities.exporters import as_xlsx
from facilities.models import (
    Facility,
    FacilityStatus,
    FacilityType,
    Operator,
    Programme,
)
from gis_portal.editing.attributes import (
    ChoiceRule,
    DateRule,
    GeometryRule,
    NumberRule,
    TextRule,
    changes_clean,
)
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.writes import FeatureWrites, geos_4490
from gis_portal.errors import Conflict, DomainError
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


# ---- the editor and the edit API ---------------------------------------------------------

FACILITY_RULES = {
    "name": TextRule("名称", 100, required=True),
    "address": TextRule("地址", 200),
    "status": ChoiceRule("状态", tuple(FacilityStatus.choices)),
    "operator": ChoiceRule("运营方式", tuple(Operator.choices)),
    "capacity": NumberRule("容量", 0, 1_000_000),
    "site_area_m2": NumberRule("占地面积（平方米）", 0, 100_000_000),
    "planned_on": DateRule("规划日期"),
    "construction_started_on": DateRule("开工日期"),
    "opened_on": DateRule("启用日期"),
    "closed_on": DateRule("停用日期"),
    "geometry": GeometryRule("point", geometry_parse),
}


def facility_type_choices() -> tuple[tuple[str, str], ...]:
    """(slug, "服务项目 · 类型") of every facility type: the type names its programme."""
    rows = FacilityType.objects.select_related("programme").order_by(
        "programme__sort_order", "slug"
    )
    return tuple((t.slug, f"{t.programme.name} · {t.name}") for t in rows)


FACILITY_CREATE_RULES = {
    **FACILITY_RULES,
    "facility_type": ChoiceRule("设施类型", facility_type_choices),
    "programme": TextRule("服务项目", 40),  # optional: the type already names it
}


def _dates_check(opened_on, closed_on) -> None:
    if opened_on and closed_on and closed_on < opened_on:
        raise InvalidEdit("closed_on", "停用日期不能早于启用日期")


def _name_free(*, programme_id: int, name: str, facility_id: int | None) -> None:
    taken = Facility.objects.filter(programme_id=programme_id, name=name).exclude(pk=facility_id)
    if taken.exists():
        raise InvalidEdit("name", f"同一服务项目下已有名为「{name}」的设施")


def _facility_check(facility: Facility, values: dict, *, topology_check: bool) -> None:
    new_geom = values.get("position_4490")
    if new_geom is not None:
        values["county"] = county_of(new_geom.x, new_geom.y)
    if "name" in values:
        _name_free(programme_id=facility.programme_id, name=values["name"], facility_id=facility.pk)
    _dates_check(
        values.get("opened_on", facility.opened_on), values.get("closed_on", facility.closed_on)
    )


def _facility_delete_row(facility: Facility) -> None:
    """Delete a facility nothing refers to (a closed one is better marked 停用)."""
    try:
        with transaction.atomic():
            facility.delete()
    except ProtectedError:
        raise Conflict(
            f"设施「{facility.name}」仍被选址方案等记录引用，不能删除：可将状态改为停用"
        ) from None


# Update and delete (attributes, position, comment) through the one write skeleton.
FACILITY_WRITES = FeatureWrites(
    model=Facility,
    geometry_field="position_4490",
    rules=FACILITY_RULES,
    check=_facility_check,
    delete_row=_facility_delete_row,
)


def _programme_and_type(values: dict) -> tuple[Programme, FacilityType]:
    ftype = FacilityType.objects.select_related("programme").get(slug=values["facility_type"])
    key = values.get("programme")
    if key and key not in (ftype.programme.slug, ftype.programme.name):
        raise InvalidEdit("facility_type", f"设施类型「{ftype.name}」不属于服务项目「{key}」")
    return ftype.programme, ftype


def facility_create_from_changes(
    *, changes: Mapping, user: User | None, source: str = "api"
) -> Facility:
    """Create a facility drawn in the editor (a point) in a programme and type."""
    values, comment = changes_clean(changes, FACILITY_CREATE_RULES)
    for field, message in (
        ("facility_type", "请选择设施类型"),
        ("name", "请填写设施名称"),
        ("geometry", "请在地图上点出设施位置"),
    ):
        if values.get(field) in (None, ""):
            raise InvalidEdit(field, message)
    geom = geos_4490(values.pop("geometry"))
    _dates_check(values.get("opened_on"), values.get("closed_on"))
    with FACILITY_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        programme, ftype = _programme_and_type(values)
        _name_free(programme_id=programme.pk, name=values["name"], facility_id=None)
        attrs = {k: v for k, v in values.items() if k not in ("programme", "facility_type")}
        attrs = {k: v for k, v in attrs.items() if v is not None and v != ""} | {
            "name": values["name"]
        }
        facility = Facility.objects.create(
            programme=programme,
            facility_type=ftype,
            position_4490=geom,
            county=county_of(geom.x, geom.y),
            capacity_unit=programme.capacity_unit,
            source="地图编辑新建",
            **attrs,
        )
    return facility
