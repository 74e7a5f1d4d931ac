"""Differences between two snapshots of a feature (no Django).

Snapshots are plain dicts of field → value; geometry values are shapely geometries (or
None). A geometry change is described by vertex counts, the largest displacement in metres
(Hausdorff distance on a local metric approximation) and both geometries as GeoJSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

# Degrees → metres near Hegang (~47.3°N): good to ~0.5% for displacements of a few km,
# which is what a diff shows; exact lengths are measured in EPSG:4552 elsewhere.
_LAT_REF = 47.3
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(_LAT_REF))


@dataclass
class GeometryChange:
    before: dict | None
    after: dict | None
    vertices_before: int
    vertices_after: int
    max_shift_m: float | None


@dataclass
class SnapshotDiff:
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)
    geometry: GeometryChange | None = None

    @property
    def is_empty(self) -> bool:
        return not self.changed and self.geometry is None


def _to_metres(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy * [M_PER_DEG_LON, M_PER_DEG_LAT])


def as_geojson(geom: BaseGeometry) -> dict:
    # mapping() measured faster than json.loads(shapely.to_geojson()) for these sizes.
    return mapping(geom)


def geometry_change(before: BaseGeometry | None, after: BaseGeometry | None) -> GeometryChange:
    shift = None
    if before is not None and after is not None:
        shift = round(shapely.hausdorff_distance(_to_metres(before), _to_metres(after)), 2)
    return GeometryChange(
        before=as_geojson(before) if before is not None else None,
        after=as_geojson(after) if after is not None else None,
        vertices_before=shapely.get_num_coordinates(before) if before is not None else 0,
        vertices_after=shapely.get_num_coordinates(after) if after is not None else 0,
        max_shift_m=shift,
    )


def snapshot_diff(before: dict | None, after: dict, *, geometry_field: str) -> SnapshotDiff:
    """Return what changed from ``before`` (None for a creation) to ``after``."""
    before = before or {}
    diff = SnapshotDiff()
    for name, new in after.items():
        if name == geometry_field:
            continue
        old = before.get(name)
        if old != new:
            diff.changed[name] = (old, new)
    old_geom, new_geom = before.get(geometry_field), after.get(geometry_field)
    same = (old_geom is None and new_geom is None) or (
        old_geom is not None
        and new_geom is not None
        and shapely.equals_exact(old_geom, new_geom, 0)
    )
    if not same:
        diff.geometry = geometry_change(old_geom, new_geom)
    return diff
