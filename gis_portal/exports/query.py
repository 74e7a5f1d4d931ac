"""The SELECT of an export, built from a catalogue layer's declarations (pure: strings only).

One statement per export, read through a server-side cursor. Its columns: the visible
fields (choice codes as their labels, each typed by its kind), then the geometry in the
export's CRS (WKB, WKT, two coordinates or a whole GeoJSON Feature, as the format needs),
then for DXF the class (layer) and label of each feature. Every SQL piece is a constant of
the code; the bbox and the county travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from gis_portal.catalogue.spec import CatalogueLayer, Field
from gis_portal.catalogue.sql import bbox_condition, label_sql, properties_sql, rows_where
from gis_portal.exports.formats import ExportCrs

# How a field's value is cast for a typed file (GeoPackage, shapefile).
KIND_CASTS = {
    "text": "text",
    "integer": "bigint",
    "number": "float8",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamptz",
}
# What the geometry column holds, per consumer.
GEOMETRY_OUTPUTS = ("wkb", "wkt", "xy", "geojson")


@dataclass(frozen=True)
class ExportSelect:
    """An export's SQL, its parameters, and what its columns are."""

    sql: str
    params: tuple
    fields: tuple[Field, ...]
    geometry: str  # one of GEOMETRY_OUTPUTS
    # DXF: the row ends with the class (a DXF layer) and the label of the feature.
    with_class_and_label: bool = False


def _value_sql(field: Field) -> str:
    if field.choices:
        return label_sql(field)
    return f"({field.sql})::{KIND_CASTS[field.kind]}"


def geometry_sql(layer: CatalogueLayer, crs: ExportCrs) -> str:
    """The layer's geometry in ``crs`` (2D)."""
    g = f"ST_Force2D({layer.source.geometry_4490})"
    return g if crs.srid == 4490 else f"ST_Transform({g}, {crs.srid:d})"


def export_select(
    layer: CatalogueLayer,
    *,
    fields: tuple[Field, ...],
    crs: ExportCrs,
    geometry: str,
    bbox_4490: tuple[float, float, float, float] | None = None,
    bbox_in_crs: tuple[float, float, float, float] | None = None,
    county_id: int | None = None,
    class_field: Field | None = None,
    label_field: Field | None = None,
    with_class_and_label: bool = False,
) -> ExportSelect:
    """Return the export's SELECT: ``fields`` of the rows in force today, optionally in a
    bbox (the index test on the EPSG:4490 envelope, then the exact test in ``crs``) and a
    county (the layer's ``source.county`` id)."""
    if geometry not in GEOMETRY_OUTPUTS:
        raise ValueError(geometry)
    g = geometry_sql(layer, crs)
    conditions: list[str] = []
    params: list = []
    if bbox_4490 is not None and bbox_in_crs is not None:
        condition, times = bbox_condition(layer)
        conditions.append(condition)
        params.extend(list(bbox_4490) * times)
        conditions.append(f"ST_Intersects({g}, ST_MakeEnvelope(%s, %s, %s, %s, {crs.srid:d}))")
        params.extend(bbox_in_crs)
    if county_id is not None:
        if layer.source.county is None:
            raise ValueError(f"layer {layer.key} has no county")
        conditions.append(f"({layer.source.county}) = %s")
        params.append(county_id)
    where = rows_where(layer, *conditions)
    if geometry == "geojson":
        # The whole Feature built by PostGIS: the fastest path, and one text per row.
        columns = [
            "json_build_object('type', 'Feature', 'id', "
            f"{layer.source.id}, 'geometry', ST_AsGeoJSON({g}, {crs.decimals:d}, 0)::json, "
            f"'properties', {properties_sql(fields, labels=True)})::text"
        ]
    else:
        columns = [_value_sql(f) for f in fields]
        if geometry == "wkb":
            columns.append(f"ST_AsBinary({g})")
        elif geometry == "wkt":
            columns.append(f"ST_AsText({g}, {crs.decimals:d})")
        else:
            columns.append(f"round(ST_X({g})::numeric, {crs.decimals:d})")
            columns.append(f"round(ST_Y({g})::numeric, {crs.decimals:d})")
    if with_class_and_label:
        columns.append(label_sql(class_field) if class_field is not None else "NULL::text")
        columns.append(
            f"({label_sql(label_field)})::text" if label_field is not None else "NULL::text"
        )
    sql = (
        f"SELECT {', '.join(columns)} FROM {layer.source.table} {where} "  # noqa: S608 — code only
        f"ORDER BY {layer.source.id}"
    )
    return ExportSelect(
        sql=sql,
        params=tuple(params),
        fields=fields,
        geometry=geometry,
        with_class_and_label=with_class_and_label,
    )
