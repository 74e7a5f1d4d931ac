"""Street signs: every write of a sign and its inspections, from the API, importers and editor.

A sign stands by its street (within ``MAX_SIGN_DISTANCE_M``); ``sign_create`` is the write,
``sign_create_from_changes`` takes the editor's changes and writes through it inside
``SIGN_WRITES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import transaction

from gis_portal.editing.attributes import (
    ChoiceRule,
    DateRule,
    GeometryRule,
    NumberRule,
    changes_clean,
)
from gis_portal.editing.geometry_input import geometry_parse
from gis_portal.editing.scope import scope_check
from gis_portal.editing.writes import FeatureWrites, geos_4490
from placenames.addresses.errors import (
    InvalidPlate,
    SignNotFound,
)
from placenames.addresses.models import (
    Condition,
    SignInspection,
    SignKind,
    SignStatus,
    StreetSign,
)
from placenames.addresses.services.common import (
    MAX_SIGN_DISTANCE_M,
    boxes_union,
    near_street_check,
    point_box,
    required_check,
    street_of_changes,
)
from placenames.addresses.services.streets import street_locked
from placenames.addresses.tile_store import tile_cache_invalidate


def sign_create(
    *,
    street_id: int,
    kind: str,
    lon: float,
    lat: float,
    installed_on: date | None = None,
    status: str = SignStatus.PLANNED,
) -> StreetSign:
    """Create a street sign carrying the street's current name and its pinyin."""
    if kind not in SignKind.values:
        raise InvalidPlate(f"路牌类型无效：{kind}")
    with transaction.atomic():
        street = street_locked(street_id)
        sign = StreetSign.objects.create(
            street=street,
            kind=kind,
            text_zh=street.name,
            text_pinyin=street.name_pinyin,
            point_4490=Point(lon, lat, srid=4490),
            installed_on=installed_on,
            status=status,
            is_demo=street.is_demo,
        )
        tile_cache_invalidate(bbox_4490=(lon, lat, lon, lat), layers=["signs"])
    return sign


def sign_inspect(
    *,
    sign_id: int,
    on: date,
    condition: str,
    user: User | None,
    inspector: str = "",
    note: str = "",
) -> SignInspection:
    """Record an inspection and update the sign's condition: a write to the sign, so only
    inside the edit scope of ``user`` (None: a system write)."""
    if condition not in Condition.values:
        raise InvalidPlate(f"路牌现状无效：{condition}")
    with transaction.atomic():
        sign = StreetSign.objects.select_for_update().filter(pk=sign_id).first()
        if sign is None:
            raise SignNotFound(f"路牌 {sign_id} 不存在", sign_id=sign_id)
        scope_check(user, sign.point_4490)
        if sign.installed_on and on < sign.installed_on:
            raise InvalidPlate("巡检日期不能早于安装日期")
        record = SignInspection.objects.create(
            sign=sign, inspected_on=on, condition=condition, inspector=inspector, note=note
        )
        sign.condition = condition
        sign.save(update_fields=["condition"])
    return record


SIGN_RULES = {
    "kind": ChoiceRule("路牌类型", tuple(SignKind.choices)),
    "condition": ChoiceRule("现状", tuple(Condition.choices)),
    "status": ChoiceRule("状态", tuple(SignStatus.choices)),
    "installed_on": DateRule("安装时间"),
    "geometry": GeometryRule("point", geometry_parse),
}


SIGN_CREATE_RULES = {**SIGN_RULES, "street_id": NumberRule("所属街路巷", 1, 2**62)}


def _sign_check(sign: StreetSign, values: dict, *, topology_check: bool) -> None:
    new_geom = values.get("point_4490")
    if new_geom is not None:
        near_street_check(sign.street, new_geom, MAX_SIGN_DISTANCE_M, "路牌")


# One street sign: it must stay by its street; its inspections go with it when deleted.
SIGN_WRITES = FeatureWrites(
    model=StreetSign,
    geometry_field="point_4490",
    rules=SIGN_RULES,
    check=_sign_check,
    after_write=lambda sign, old, new: tile_cache_invalidate(
        bbox_4490=boxes_union(old, new), layers=["signs"]
    ),
    after_delete=lambda sign, old: tile_cache_invalidate(
        bbox_4490=point_box(old), layers=["signs"]
    ),
)


def sign_create_from_changes(
    *, changes: Mapping, user: User | None, source: str = "api"
) -> StreetSign:
    """Create a street sign drawn in the editor; its text is the street's name."""
    values, comment = changes_clean(changes, SIGN_CREATE_RULES)
    required_check(values, "kind", "请选择路牌类型")
    required_check(values, "geometry", "请在地图上点出路牌位置")
    geom = geos_4490(values["geometry"])
    with SIGN_WRITES.creating(user=user, comment=comment, source=source, geometry=geom):
        street = street_of_changes(values)
        near_street_check(street, geom, MAX_SIGN_DISTANCE_M, "路牌")
        sign = sign_create(
            street_id=street.pk,
            kind=values["kind"],
            lon=geom.x,
            lat=geom.y,
            installed_on=values.get("installed_on"),
            status=values.get("status") or SignStatus.PLANNED,
        )
        if values.get("condition"):
            sign.condition = values["condition"]
            sign.save(update_fields=["condition"])
            sign.refresh_from_db(fields=["version"])
    return sign
