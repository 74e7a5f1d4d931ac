"""Reads: the checks report, production lists and the street index."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from placenames.addresses import checks
from placenames.addresses.errors import StreetNotFound
from placenames.addresses.models import (
    Condition,
    DoorPlate,
    PlateStatus,
    SignStatus,
    Street,
    StreetFormerName,
    StreetSign,
)
from placenames.addresses.numbering import format_number, locate_many
from placenames.models import PlaceName, PlaceSignKind
from placenames.selectors.signs import place_sign_states


@dataclass
class ChecksReport:
    as_of: date
    streets_checked: int
    plates_checked: int
    signs_checked: int
    findings: list[checks.Finding] = field(default_factory=list)
    positions: dict[tuple[str, int], tuple[float, float]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(checks.RULES, 0)
        for f in self.findings:
            out[f.rule] += 1
        return out


def _street_facts(streets: QuerySet[Street]) -> dict[int, checks.StreetFacts]:
    former: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for street_id, name, used_to in (
        StreetFormerName.objects.filter(street__in=streets)
        .order_by("street_id", "-used_to")
        .values_list("street_id", "name", "used_to")
    ):
        former[street_id].append((name, used_to))
    return {
        s["id"]: checks.StreetFacts(
            id=s["id"],
            name=s["name"],
            odd_side=s["odd_side"],
            archive_name=s["place_name__standard_name"] or "",
            former_names=tuple(former[s["id"]]),
        )
        for s in streets.values("id", "name", "odd_side", "place_name__standard_name")
    }


_PLATES_SQL = """
    SELECT p.id, p.street_id, p.number, p.sub_number, p.name_on_plate,
           ST_X(p.point_4552), ST_Y(p.point_4552), ST_X(p.point_4490), ST_Y(p.point_4490)
    FROM addresses_doorplate p
    WHERE p.status <> %s AND p.street_id = ANY(%s)
    ORDER BY p.street_id
"""


def address_checks(
    *,
    street_id: int | None = None,
    township_code: str | None = None,
    is_demo: bool | None = None,
    as_of: date | None = None,
    max_distance_m: float = checks.DEFAULT_MAX_DISTANCE_M,
    inspection_interval_days: int = checks.DEFAULT_INSPECTION_INTERVAL_DAYS,
) -> ChecksReport:
    """Run every rule over one street, one township's streets or the whole city."""
    as_of = as_of or timezone.localdate()
    streets = Street.objects.all()
    if street_id is not None:
        streets = streets.filter(pk=street_id)
        if not streets.exists():
            raise StreetNotFound(f"街路巷 {street_id} 不存在", street_id=street_id)
    if township_code:
        streets = streets.filter(township__code=township_code)
    if is_demo is not None:
        streets = streets.filter(is_demo=is_demo)
    facts = _street_facts(streets)
    lines = {
        s.id: (np.asarray(s.line_4552.coords), s.base_end)
        for s in streets.only("id", "line_4552", "base_end")
    }
    report = ChecksReport(
        as_of=as_of, streets_checked=len(facts), plates_checked=0, signs_checked=0
    )

    with connection.cursor() as cur:
        cur.execute(_PLATES_SQL, [PlateStatus.RETIRED, list(facts)])
        rows = cur.fetchall()
    by_street: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_street[row[1]].append(row)
        report.positions[("plate", row[0])] = (row[7], row[8])
    report.plates_checked = len(rows)
    for sid, plate_rows in by_street.items():
        coords, base_end = lines[sid]
        xs = np.fromiter((r[5] for r in plate_rows), float, len(plate_rows))
        ys = np.fromiter((r[6] for r in plate_rows), float, len(plate_rows))
        chainage, side, offset = locate_many(coords, xs, ys, base_end=base_end)
        plates = [
            checks.PlateFacts(
                id=r[0],
                street_id=sid,
                number=r[2],
                sub_number=r[3],
                name_on_plate=r[4],
                chainage_m=float(c),
                side=None if sd == 0 else ("left" if sd > 0 else "right"),
                offset_m=float(o),
            )
            for r, c, sd, o in zip(plate_rows, chainage, side, offset, strict=True)
        ]
        report.findings += checks.check_plates(facts[sid], plates, max_distance_m=max_distance_m)

    signs = (
        StreetSign.objects.filter(street_id__in=list(facts), status=SignStatus.INSTALLED)
        .annotate(last_inspected=Max("inspections__inspected_on"))
        .values_list("id", "street_id", "text_zh", "installed_on", "last_inspected", "point_4490")
    )
    sign_by_street: dict[int, list[checks.SignFacts]] = defaultdict(list)
    for sid_, street_id_, text, installed, last, point in signs:
        sign_by_street[street_id_].append(checks.SignFacts(sid_, street_id_, text, installed, last))
        report.positions[("sign", sid_)] = (point.x, point.y)
        report.signs_checked += 1
    for sid, sign_facts in sign_by_street.items():
        report.findings += checks.check_signs(
            facts[sid], sign_facts, as_of=as_of, inspection_interval_days=inspection_interval_days
        )
    for sid, street_facts in facts.items():
        report.findings += checks.check_street_signed(
            street_facts, installed_signs=len(sign_by_street.get(sid, ()))
        )
    if street_id is None:
        report.findings += _place_sign_findings(
            report, as_of=as_of, township_code=township_code, is_demo=is_demo
        )
    order = {rule: i for i, rule in enumerate(checks.RULES)}
    report.findings.sort(key=lambda f: (order[f.rule], f.street_id, f.object_id))
    return report


def _place_sign_findings(
    report: ChecksReport, *, as_of: date, township_code: str | None, is_demo: bool | None
) -> list[checks.Finding]:
    """Return the places (other than streets, checked above) with no sign of their kind."""
    in_township: set[int] | None = None
    if township_code:
        in_township = set(
            PlaceName.objects.filter(
                Q(division__code=township_code) | Q(division__parent__code=township_code)
            ).values_list("id", flat=True)
        )
    out: list[checks.Finding] = []
    for state in place_sign_states(year=as_of.year):
        if state.sign_kind == "street" or (is_demo is not None and state.is_demo != is_demo):
            continue
        if in_township is not None and state.id not in in_township:
            continue
        if state.lon is not None and state.lat is not None:
            report.positions[("place", state.id)] = (state.lon, state.lat)
        out += checks.check_place_signed(
            place_id=state.id,
            name=state.name,
            sign_label=PlaceSignKind(state.sign_kind).label,
            group_label=state.group_label,
            covered=state.covered,
        )
    return out


def street_names() -> dict[int, str]:
    """Return {street id: name} (for labels in reports)."""
    return dict(Street.objects.values_list("id", "name"))


# ---- production lists --------------------------------------------------------------------

TO_MAKE_PLATES = [PlateStatus.PLANNED, PlateStatus.DAMAGED]


@dataclass(frozen=True)
class ProductionItem:
    kind: str  # 门牌 / 灯箱路牌 / 单立柱路牌 …
    street: str
    text_zh: str
    text_pinyin: str
    number: str
    township: str
    county: str
    status: str
    lon: float
    lat: float


def _plate_reason(p: DoorPlate) -> str:
    if p.status in TO_MAKE_PLATES:
        return p.get_status_display()
    return f"更名待换（牌面「{p.name_on_plate}」）"


def _sign_reason(g: StreetSign) -> str:
    if g.status == SignStatus.PLANNED:
        return g.get_status_display()
    if g.text_zh != g.street.name:
        return f"更名待换（牌面「{g.text_zh}」）"
    return f"{g.get_condition_display()}待换"


def production_list(
    *, street_id: int | None = None, township_code: str | None = None
) -> list[ProductionItem]:
    """Return the plates and signs to be made for a street, a township or the city.

    Plates: to be made (待制作), damaged, or still carrying a former street name. Signs: to
    be made, damaged or missing, or not replaced after the street was renamed.
    """
    plates = (
        DoorPlate.objects.exclude(status=PlateStatus.RETIRED)
        .filter(Q(status__in=TO_MAKE_PLATES) | ~Q(name_on_plate=F("street__name")))
        .select_related("street__township", "street__county")
    )
    signs = (
        StreetSign.objects.exclude(status=SignStatus.REMOVED)
        .filter(
            Q(status=SignStatus.PLANNED)
            | Q(condition__in=[Condition.DAMAGED, Condition.MISSING])
            | ~Q(text_zh=F("street__name"))
        )
        .select_related("street__township", "street__county")
    )
    if street_id is not None:
        if not Street.objects.filter(pk=street_id).exists():
            raise StreetNotFound(f"街路巷 {street_id} 不存在", street_id=street_id)
        plates, signs = plates.filter(street_id=street_id), signs.filter(street_id=street_id)
    if township_code:
        plates = plates.filter(street__township__code=township_code)
        signs = signs.filter(street__township__code=township_code)
    out = []
    for p in plates.order_by("street__name", "number", "sub_number"):
        s = p.street
        out.append(
            ProductionItem(
                kind="门牌",
                street=s.name,
                text_zh=s.name,
                text_pinyin=s.name_pinyin,
                number=format_number(p.number, p.sub_number),
                township=s.township.name if s.township else "",
                county=s.county.name if s.county else "",
                status=_plate_reason(p),
                lon=p.point_4490.x,
                lat=p.point_4490.y,
            )
        )
    for g in signs.order_by("street__name", "id"):
        s = g.street
        out.append(
            ProductionItem(
                kind=g.get_kind_display(),
                street=s.name,
                text_zh=s.name,
                text_pinyin=s.name_pinyin,
                number="",
                township=s.township.name if s.township else "",
                county=s.county.name if s.county else "",
                status=_sign_reason(g),
                lon=g.point_4490.x,
                lat=g.point_4490.y,
            )
        )
    return out


def street_list(
    *,
    county_code: str | None = None,
    township_code: str | None = None,
    named_only: bool = False,
    bbox_4490: tuple[float, float, float, float] | None = None,
) -> QuerySet[Street]:
    """Return streets with their areas, former names and active plate counts."""
    qs = (
        Street.objects.select_related("county", "township", "place_name")
        .prefetch_related("former_names")
        .annotate(plate_count=Count("plates", filter=~Q(plates__status=PlateStatus.RETIRED)))
    )
    if county_code:
        qs = qs.filter(county__code=county_code)
    if township_code:
        qs = qs.filter(township__code=township_code)
    if named_only:
        qs = qs.filter(named_on__isnull=False)
    if bbox_4490:
        qs = qs.filter(geom_4490__intersects=Polygon.from_bbox(bbox_4490))
    return qs.order_by("-named_on", "name") if named_only else qs.order_by("name")
