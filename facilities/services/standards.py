"""Seed the programmes and facility types (idempotent; never overwrites a planner's edits)."""

from __future__ import annotations

from django.db import transaction

from facilities.models import FacilityType, Programme
from facilities.standards import PROGRAMMES, TYPES


@transaction.atomic
def programmes_seed() -> dict:
    """Create the missing programmes and types of ``facilities.standards``."""
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
    for slug, programme, name in TYPES:
        _, new = FacilityType.objects.get_or_create(
            slug=slug, defaults={"programme": by_slug[programme], "name": name}
        )
        created += new
    return {"created": created}
