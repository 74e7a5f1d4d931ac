"""The indicators demo step: yearly figures per county, generated, marked as demo data."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from boundaries.models import AdministrativeArea, AreaLevel
from facilities import demogen
from facilities.models import Indicator, IndicatorValue, PlanPeriod
from facilities.services.standards import programmes_seed

DEMO_SOURCE = "演示数据：按固定规则生成，非统计数"
DEMO_PERIOD = "“十四五”"
# The years of the current plan that have ended by the demo's writing (2021–2024).
DEMO_LAST_YEAR = 2024


@transaction.atomic
def indicators_demo_load() -> dict:
    """Replace the demo figures of every indicator, county and year of the current plan."""
    programmes_seed()
    period = PlanPeriod.objects.get(name=DEMO_PERIOD)
    years = list(range(period.first_year, min(period.last_year, DEMO_LAST_YEAR) + 1))
    counties = AdministrativeArea.objects.filter(
        level=AreaLevel.COUNTY, valid_to__isnull=True
    ).order_by("code")
    IndicatorValue.objects.filter(is_demo=True).delete()
    taken = set(IndicatorValue.objects.values_list("indicator_id", "county_id", "year"))
    now = timezone.now()
    rows = [
        IndicatorValue(
            indicator=indicator,
            county=county,
            year=year,
            value_percent=Decimal(str(value)),
            entered_at=now,
            source=DEMO_SOURCE,
            is_demo=True,
        )
        for indicator in Indicator.objects.all()
        for county in counties
        for year, value in demogen.indicator_demo_values(indicator.slug, county.code, years)
        if (indicator.pk, county.pk, year) not in taken  # a real figure is never replaced
    ]
    IndicatorValue.objects.bulk_create(rows)
    return {"indicator_values": len(rows), "years": [years[0], years[-1]] if years else []}
