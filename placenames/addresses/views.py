"""HTML pages: the address map, the checks report and the production lists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from boundaries.models import AdministrativeArea, AreaLevel
from gis_portal.editing.layers import PLACENAME_EDITORS
from gis_portal.editing.permissions import user_may_edit
from gis_portal.errors import DomainError, InvalidParameter
from gis_portal.throttles import heavy_work
from placenames.addresses.checks import RULES
from placenames.addresses.exporters import production_workbook
from placenames.addresses.models import Street
from placenames.addresses.selectors import addresses as selectors


@require_GET
def address_map(request: HttpRequest) -> HttpResponse:
    """Render the address lookup map (search, click for the address, plates as vector tiles).

    The number a new door at the tapped point would get (新门牌建议) is the place-name
    officers' planning aid, shown to them only: a citizen's tap asks for the address alone.
    """
    return render(
        request,
        "addresses/map.html",
        {
            "has_demo": Street.objects.filter(is_demo=True).exists(),
            "may_propose": user_may_edit(request.user, PLACENAME_EDITORS),
        },
    )


def _filters(request: HttpRequest) -> tuple[int | None, str | None]:
    street = request.GET.get("street") or None
    township = request.GET.get("township") or None
    if street is not None:
        if not street.isdigit() or len(street) > 12:
            raise InvalidParameter("street", "应为街路巷 ID（正整数）")
        street = int(street)
    if township is not None and (not township.isdigit() or len(township) > 12):
        raise InvalidParameter("township", "应为街道/乡镇区划代码")
    return street, township


def _choices() -> dict:
    streets = Street.objects.order_by("name").values("id", "name")
    township_ids = Street.objects.values("township_id")
    townships = AdministrativeArea.objects.filter(
        level=AreaLevel.TOWNSHIP, pk__in=township_ids
    ).order_by("code")
    return {"streets": streets, "townships": townships}


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "addresses/error.html", {"message": exc.message}, status=exc.http_status)


@require_GET
@heavy_work("compute")
def checks_report(request: HttpRequest) -> HttpResponse:
    """Render the checks report for the city, a township or a street."""
    try:
        street_id, township = _filters(request)
        report = selectors.address_checks(street_id=street_id, township_code=township)
    except DomainError as exc:
        return _error_page(request, exc)
    names = selectors.street_names()
    counts = report.counts()
    groups = [
        {
            "rule": rule,
            "label": label,
            "count": counts[rule],
            "findings": [
                {"street": names.get(f.street_id, ""), "kind": f.kind, "id": f.object_id,
                 "message": f.message}
                for f in report.findings if f.rule == rule
            ],
        }
        for rule, label in RULES.items()
    ]  # fmt: skip
    return render(
        request,
        "addresses/checks.html",
        {
            "report": report,
            "groups": groups,
            "total": len(report.findings),
            "street_id": street_id,
            "township": township,
            "has_demo": Street.objects.filter(is_demo=True).exists(),
            **_choices(),
        },
    )


def _production(request: HttpRequest):
    street_id, township = _filters(request)
    items = selectors.production_list(street_id=street_id, township_code=township)
    if street_id is not None:
        scope = Street.objects.get(pk=street_id).name
    elif township:
        area = AdministrativeArea.objects.filter(code=township).first()
        scope = area.name if area else township
    else:
        scope = "全市"
    return street_id, township, items, f"{scope}门牌与路牌制作清单"


@require_GET
@heavy_work("compute")
def production_page(request: HttpRequest) -> HttpResponse:
    """Render the printable production list for a street, a township or the city."""
    try:
        street_id, township, items, title = _production(request)
    except DomainError as exc:
        return _error_page(request, exc)
    query = request.GET.urlencode()
    return render(
        request,
        "addresses/production.html",
        {
            "items": items,
            "title": title,
            "street_id": street_id,
            "township": township,
            "xlsx_query": query,
            "has_demo": Street.objects.filter(is_demo=True).exists(),
            **_choices(),
        },
    )


@require_GET
@heavy_work("export")
def production_xlsx(request: HttpRequest) -> HttpResponse:
    """Return the production list as an Excel workbook."""
    try:
        _, _, items, title = _production(request)
    except DomainError as exc:
        return _error_page(request, exc)
    data = production_workbook(
        items, title=title, is_demo=Street.objects.filter(is_demo=True).exists()
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename=production-list.xlsx"
    return response
