"""The staging side of a bulk boundary import: staged columns and values, read back.

A validated row (``boundaries.bulk.rows``) is staged as plain values: geometry as hex
EWKB in EPSG:4490 beside its surveyed original, its system and the approved parameter set
that converted it (``boundaries.bulk.io`` copies them into the kernel's staging table).
"""

from __future__ import annotations

import shapely
from django.contrib.gis.geos import GEOSGeometry

from boundaries.bulk import geometry as bulk_geometry
from gis_portal.errors import DomainError

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
        x, y, plane = bulk_geometry.plane_of(loc)
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


def staged_rows(cursor, table: str, layer: str) -> list[dict]:
    names = ["line", *(n for n, _t in STAGING[layer])]
    cursor.execute(f'SELECT {", ".join(names)} FROM "{table}" ORDER BY line')  # noqa: S608
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def staged_geom(value: str | None) -> GEOSGeometry | None:
    return None if value is None else GEOSGeometry(value)
