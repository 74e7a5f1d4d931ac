"""Reads of the archive's culture: one name's page, a district's page, the register."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.errors import NotFound
from placenames.models import MediaKind, PlaceName, PlaceNameMedia, PlaceSign, ProtectedName


class PlaceNameNotFound(NotFound):
    code = "placename_not_found"


class DistrictNotFound(NotFound):
    code = "district_not_found"


HAS_CULTURE = ~Q(origin="") | ~Q(meaning="") | ~Q(history="")


@dataclass
class NameCulture:
    place: PlaceName
    district: AdministrativeArea | None
    photos: list[PlaceNameMedia]
    scans: list[PlaceNameMedia]
    recordings: list[PlaceNameMedia]
    protection: ProtectedName | None
    former_names: list
    is_demo: bool


def _county(area: AdministrativeArea | None) -> AdministrativeArea | None:
    while area is not None and area.level not in (AreaLevel.COUNTY, AreaLevel.CITY):
        area = area.parent
    return area if area is not None and area.level == AreaLevel.COUNTY else None


def name_culture(*, place_code: str) -> NameCulture:
    """Return what the public culture page of one name shows."""
    place = (
        PlaceName.objects.select_related("category", "division__parent__parent")
        .filter(place_code=place_code)
        .first()
    )
    if place is None:
        raise PlaceNameNotFound(f"没有代码为 {place_code} 的地名")
    media = list(place.media.order_by("kind", "id"))
    protection = ProtectedName.objects.filter(place=place).first()
    return NameCulture(
        place=place,
        district=_county(place.division),
        photos=[m for m in media if m.kind == MediaKind.PHOTO],
        scans=[m for m in media if m.kind == MediaKind.SCAN],
        recordings=[m for m in media if m.kind == MediaKind.PRONUNCIATION],
        protection=protection,
        former_names=list(place.aliases.order_by("valid_from", "name")),
        is_demo=place.is_demo
        or any(m.is_demo for m in media)
        or bool(protection and protection.is_demo),
    )


def _in_county(code: str) -> Q:
    return (
        Q(division__code=code)
        | Q(division__parent__code=code)
        | Q(division__parent__parent__code=code)
    )


def districts() -> QuerySet[AdministrativeArea]:
    """Return the current county-level units, in code order."""
    return AdministrativeArea.objects.filter(
        level=AreaLevel.COUNTY, valid_to__isnull=True
    ).order_by("code")


def district_summaries() -> list[dict]:
    """Return per district: names with 来历/含义/沿革, protected names, media."""
    out = []
    for area in districts().defer("geom_4490"):
        names = PlaceName.objects.filter(_in_county(area.code))
        out.append(
            {
                "area": area,
                "with_culture": names.filter(HAS_CULTURE).count(),
                "protected": ProtectedName.objects.filter(place__in=names).count(),
                "media": PlaceNameMedia.objects.filter(place__in=names).count(),
            }
        )
    return out


@dataclass
class DistrictCulture:
    area: AdministrativeArea
    protected: list[ProtectedName]
    names: list[PlaceName]  # names with culture text or media, protected first
    names_total: int
    is_demo: bool


def district_culture(*, code: str, limit: int = 200) -> DistrictCulture:
    """Return what the public culture page of a county-level district shows."""
    area = districts().filter(code=code).defer("geom_4490").first()
    if area is None:
        raise DistrictNotFound(f"没有代码为 {code} 的县（区）")
    in_county = PlaceName.objects.filter(_in_county(code))
    protected = list(
        ProtectedName.objects.filter(place__in=in_county)
        .select_related("place__category")
        .order_by("place__standard_name")
    )
    names_qs = (
        in_county.annotate(media_count=Count("media"))
        .filter(HAS_CULTURE | Q(media_count__gt=0))
        .select_related("category")
        .order_by("standard_name")
    )
    names = list(names_qs[:limit])
    return DistrictCulture(
        area=area,
        protected=protected,
        names=names,
        names_total=names_qs.count(),
        is_demo=any(p.is_demo for p in protected) or any(n.is_demo for n in names),
    )


def protected_register() -> QuerySet[ProtectedName]:
    """Return the register of names to protect, by district code and name."""
    return ProtectedName.objects.select_related("place__division", "place__category").order_by(
        "place__division__code", "place__standard_name"
    )


@dataclass
class CultureChange:
    at: object
    record: str
    action: str
    username: str
    comment: str


_CULTURE_RECORDS = (
    (PlaceSign, "地名标志"),
    (PlaceNameMedia, "多媒体"),
    (ProtectedName, "保护名录"),
)
_ACTIONS = {"insert": "登记", "update": "修改", "delete": "删除"}


def culture_changes(*, place: PlaceName, limit: int = 50) -> list[CultureChange]:
    """Return the recorded changes of a name's signs, media and protection entry, newest
    first (from the history triggers, so admin and bulk writes are included)."""
    changes = []
    for model, label in _CULTURE_RECORDS:
        events = (
            model.pgh_event_model.objects.filter(place_id=place.pk)
            .select_related("pgh_context")
            .order_by("-pgh_id")[:limit]
        )
        for e in events:
            meta = e.pgh_context.metadata if e.pgh_context else {}
            changes.append(
                CultureChange(
                    at=e.pgh_created_at,
                    record=label,
                    action=_ACTIONS.get(e.pgh_label, e.pgh_label),
                    username=meta.get("username") or "",
                    comment=meta.get("comment") or "",
                )
            )
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]
