"""What the street, sign and door-plate writes share: distances, boxes, required fields."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Q

from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.writes import geos_4490
from gis_portal.metric_crs import to_metric
from placenames.addresses.checks import DEFAULT_MAX_DISTANCE_M
from placenames.addresses.models import (
    PlateStatus,
    Street,
)
from placenames.addresses.numbering import (
    LEFT,
    locate_many,
)

# A plate farther from its street than the frontage setback is reported by the checks
# (too_far); the editor refuses to put one there. Signs stand at their street too.
MAX_PLATE_DISTANCE_M = DEFAULT_MAX_DISTANCE_M


MAX_SIGN_DISTANCE_M = DEFAULT_MAX_DISTANCE_M


SIDE_NAMES = {LEFT: "左侧", "right": "右侧"}


geos_4490 = geos_4490


def required_check(values: dict, field: str, message: str) -> None:
    if values.get(field) in (None, ""):
        raise InvalidEdit(field, message)


def near_street_check(street: Street, geom: GEOSGeometry, limit_m: float, what: str) -> float:
    x, y = to_metric(geom.x, geom.y)
    _chainage, _side, offset = locate_many(list(street.line_4552.coords), [x], [y])
    distance_m = float(offset[0])
    if distance_m > limit_m:
        raise InvalidEdit(
            "geometry",
            f"{what}距{street.name} {distance_m:.0f} 米，超过 {limit_m:g} 米：请放在所属街路旁",
        )
    return distance_m


def point_box(geom: GEOSGeometry) -> tuple[float, float, float, float]:
    return (geom.x, geom.y, geom.x, geom.y)


def boxes_union(old: GEOSGeometry, new: GEOSGeometry | None) -> tuple[float, float, float, float]:
    """The box of a point before and after a move: one tile invalidation for both places."""
    points = [old] if new is None else [old, new]
    xs, ys = [p.x for p in points], [p.y for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def street_of_changes(values: dict) -> Street:
    required_check(values, "street_id", "请选择所属街路巷")
    street = Street.objects.select_for_update().filter(pk=values["street_id"]).first()
    if street is None:
        raise InvalidEdit("street_id", f"街路巷 {values['street_id']} 不存在")
    return street


ACTIVE_PLATE = ~Q(status=PlateStatus.RETIRED)
