"""The planner's page and its downloadable report (HTML with an embedded map, Excel)."""

from __future__ import annotations

import json

import numpy as np
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from boundaries.models import AdministrativeArea, AreaLevel
from facilities.api.facilities import FacilitySerializer
from facilities.errors import CoverageUnavailable
from facilities.figures import FIGURES, figure_labels
from facilities.models import Facility, Indicator, Programme, Scenario
from facilities.permissions import planner_required
from facilities.report import report_html, report_xlsx, scenario_allocation_xlsx
from facilities.selectors.coverage import demand_arrays, programme_coverage
from facilities.selectors.targets import counties, plan_targets
from facilities.services.facilities import EXPORT_FORMATS, facilities_export_query, registry_xlsx
from facilities.services.siting import DISTANCE_KINDS
from facilities.services.standards_io import standards_xlsx
from facilities.siting.catalogue import DEFAULT_MODEL, SITING_MODELS
from gis_portal.importing.downloads import export_response
from gis_portal.metric_crs import to_lonlat
from gis_portal.throttles import heavy_work


@planner_required
def planner(request: HttpRequest) -> HttpResponse:
    programmes = list(Programme.objects.all())
    return render(
        request,
        "facilities/planner.html",
        {
            "programmes": programmes,
            "has_demo": Facility.objects.filter(is_demo=True).exists(),
            "siting_models": SITING_MODELS.values(),
            "default_model": DEFAULT_MODEL,
            "indicators": Indicator.objects.all(),
            "figures": FIGURES,
            "figure_labels": figure_labels(),
            "counties": counties(),
            # The last full year, inside the current plan period (the form's max).
            "default_year": min(timezone.localdate().year - 1, 2025),
            "distance_kinds": DISTANCE_KINDS.items(),
        },
    )


def _report_inputs(programme: Programme) -> dict:
    demand = demand_arrays(with_cells=True)
    report = programme_coverage(programme, demand=demand, with_gaps=True)
    target = demand.target(programme)
    keep = np.flatnonzero(target > 0)
    lon, lat = to_lonlat(demand.xy_m[keep, 0], demand.xy_m[keep, 1])
    points = np.column_stack([lon, lat, target[keep], report["_served_per_unit"][keep]]).tolist()
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": a.name},
                "geometry": json.loads(a.geom_4490.simplify(0.002, preserve_topology=True).geojson),
            }
            for a in AdministrativeArea.objects.filter(
                level=AreaLevel.COUNTY, valid_to__isnull=True, geom_4490__isnull=False
            )
        ],
    }
    facilities = Facility.objects.filter(programme=programme).select_related(
        "programme", "facility_type", "county"
    )
    return {
        "report": report,
        "targets": plan_targets(coverage_reports={programme.slug: report}),
        "facilities_geojson": FacilitySerializer(facilities, many=True).data,
        "outlines_geojson": outlines,
        "demand_points": points,
        "scenarios": list(Scenario.objects.filter(programme=programme)[:10]),
    }


def _programme_or_404(request) -> Programme:
    return get_object_or_404(Programme, slug=request.GET.get("programme", ""))


@login_required
@heavy_work("export")
def report_download(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_404(request)
    try:
        inputs = _report_inputs(programme)
    except CoverageUnavailable as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    page = report_html(
        **inputs,
        generated_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        has_demo=Facility.objects.filter(programme=programme, is_demo=True).exists(),
    )
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coverage_{programme.slug}.html"'
    return response


@login_required
@heavy_work("export")
def report_excel(request: HttpRequest) -> HttpResponse:
    programme = _programme_or_404(request)
    try:
        inputs = _report_inputs(programme)
    except CoverageUnavailable as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    body = report_xlsx(
        report=inputs["report"], targets=inputs["targets"], scenarios=inputs["scenarios"]
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="coverage_{programme.slug}.xlsx"'
    return response


@planner_required
@heavy_work("export")
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the facility registry (``?programme=`` one programme) in the import's columns."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("没有这种导出格式")
    programme = request.GET.get("programme", "")
    if programme:
        programme = _programme_or_404(request).slug
    name = f"民政设施_{programme}" if programme else "民政设施"
    if fmt == "xlsx":
        response = HttpResponse(
            registry_xlsx(programme=programme)[0],
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="facilities.xlsx"'
        return response
    return export_response(facilities_export_query(programme=programme), fmt=fmt, filename=name)


@planner_required
def standards_export(request: HttpRequest) -> HttpResponse:
    """Download the standards workbook (the standards import's template)."""
    response = HttpResponse(
        standards_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="standards.xlsx"'


def scenario_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """Download one scenario's allocation (demand → site) and site loads as Excel."""
    scenario = get_object_or_404(Scenario.objects.select_related("programme"), pk=pk)
    response = HttpResponse(
        scenario_allocation_xlsx([scenario]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario_{scenario.pk}.xlsx"'
    return response
