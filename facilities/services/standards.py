"""Seed the programmes, kinds, periods, indicators and targets (idempotent; never overwrites
a planner's edits)."""

from __future__ import annotations

from django.db import transaction

from facilities.models import FacilityType, Indicator, PlanPeriod, PlanTarget, Programme
from facilities.standards import INDICATORS, PERIODS, PROGRAMMES, TARGETS, TYPE_DETAILS, TYPES


@transaction.atomic
def programmes_seed() -> dict:
    """Create the missing rows of ``facilities.standards``; return how many were created."""
    by_slug = {}
    created = 0
    for order, row in enumerate(PROGRAMMES):
        slug, name, target, dist, kind, unit, per_1000, rule, plan, sources = row
        by_slug[slug], new = Programme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "target_population": target,
                "service_distance_m": dist,
                "distance_kind": kind,
                "capacity_unit": unit,
                "capacity_per_1000": per_1000,
                "unit_rule": rule,
                "plan_target": plan,
                "sources": sources,
                "sort_order": order,
            },
        )
        created += new
    types = {}
    for slug, programme, name in TYPES:
        area, counts, source = TYPE_DETAILS.get(slug, (None, True, ""))
        types[slug], new = FacilityType.objects.get_or_create(
            slug=slug,
            defaults={
                "programme": by_slug[programme],
                "name": name,
                "floor_area_m2": area,
                "counts_for_unit_rule": counts,
                "sources": source,
            },
        )
        created += new
    periods = {}
    for name, first, last, source in PERIODS:
        periods[name], new = PlanPeriod.objects.get_or_create(
            name=name, defaults={"first_year": first, "last_year": last, "sources": source}
        )
        created += new
    indicators = {}
    for order, (slug, name, definition, source) in enumerate(INDICATORS):
        indicators[slug], new = Indicator.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "definition": definition,
                "sources": source,
                "sort_order": order,
            },
        )
        created += new
    for order, row in enumerate(TARGETS):
        key, label, measure, programme, kinds, building, indicator, goal, basis, period, src = row
        target, new = PlanTarget.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "measure": measure,
                "programme": by_slug.get(programme),
                "with_building": building,
                "indicator": indicators.get(indicator),
                "goal": goal,
                "basis": basis,
                "period": periods[period],
                "sources": src,
                "sort_order": order,
            },
        )
        if new and kinds:
            target.facility_types.set([types[k] for k in kinds])
        created += new
    return {"created": created}
