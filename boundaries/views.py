"""Boundary officers' pages (界线管理): lines and markers, topology, parameters, conversion,
inspections. Every page needs a signed-in user; writes need the boundaries permissions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from boundaries.api.lines import (
    TOPOLOGY_PARAM_LABELS,
    topology_params,
    topology_tolerance_fields,
)
from boundaries.bulk.io import SPECS
from boundaries.crs import CrsError, crs_get
from boundaries.forms import ApproveForm, FitForm, ImportForm, InspectionForm
from boundaries.importers.surveys import (
    SurveyFileError,
    parse_dxf,
    parse_marker_table,
    parse_shapefile_zip,
)
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    ConversionRun,
    TransformationModel,
    TransformationParameterSet,
)
from boundaries.reports import parameter_rows
from boundaries.selectors import lines as line_selectors
from boundaries.services.bulk import EXPORT_FORMATS, LAYERS, townships_dxf_import
from boundaries.services.conversion import (
    boundaries_convert,
    parameter_set_approve,
    parameter_set_create,
)
from boundaries.services.imports import survey_import
from boundaries.services.inspections import inspection_record
from boundaries.topology import CHECK_LABELS
from boundaries.transform_fit import (
    CSV_HEADER,
    FitError,
    common_points_read_csv,
    fit_transformation,
)
from gis_portal.accounts import OutsideEditScope
from gis_portal.errors import DomainError, InvalidParameter
from gis_portal.importing.downloads import export_response
from gis_portal.importing.spec import spec_get
from gis_portal.importing.uploads import upload_saved
from gis_portal.limits import accepts_upload
from gis_portal.spreadsheet import csv_text
from gis_portal.throttles import heavy_work


def _residual_rows(residuals_m: dict, rejected: list) -> list[tuple[str, str, bool]]:
    """Return (point id, residual in cm as text, rejected?) rows for the residual tables."""
    return [(pid, f"{v * 100:.2f}", pid in rejected) for pid, v in sorted(residuals_m.items())]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("需要界线管理员权限")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Render the lines map and table."""
    lines = list(line_selectors.line_list())
    return render(
        request,
        "boundaries/index.html",
        {
            "lines": lines,
            "any_demo": any(ln.is_demo for ln in lines),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
@heavy_work("compute")
def topology_page(request: HttpRequest) -> HttpResponse:
    """Render the topology report with its map."""
    return render(request, "boundaries/topology.html", topology_context(request))


def topology_context(request: HttpRequest) -> dict:
    """The topology report the query asks for (tolerance, versions), or its error, for a page."""
    error = None
    try:
        tol, versions = topology_params(request.GET)
        report = line_selectors.topology_report(tol=tol, versions=versions)
    except InvalidParameter as exc:
        error, report = exc.message_for(TOPOLOGY_PARAM_LABELS), None
    except DomainError as exc:
        error, report = exc.message, None
    return {
        "report": report,
        "error": error,
        "query": request.GET.urlencode(),
        "check_labels": CHECK_LABELS,
        "tolerance_fields": topology_tolerance_fields(request.GET),
    }


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def parameter_list(request: HttpRequest) -> HttpResponse:
    """List parameter sets; fit a new one from an uploaded common-point table."""
    form = FitForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST":
        _require(request, "boundaries.add_transformationparameterset")
        if form.is_valid():
            try:
                points = common_points_read_csv(form.cleaned_data["points_file"])
                result = fit_transformation(
                    points,
                    model=form.cleaned_data["model"],
                    source=crs_get(form.cleaned_data["source_crs"]),
                    target=crs_get(form.cleaned_data["target_crs"]),
                )
            except (FitError, CrsError) as exc:
                error = str(exc)
            else:
                ps = parameter_set_create(
                    name=form.cleaned_data["name"], result=result, points=points
                )
                messages.success(request, "拟合完成，请核对残差和检查点精度后审批。")
                return redirect("boundaries:parameter-detail", pk=ps.pk)
    return render(
        request,
        "boundaries/parameters.html",
        {
            "sets": TransformationParameterSet.objects.all(),
            "form": form,
            "error": error,
            "csv_header": ",".join(CSV_HEADER),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def parameter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a parameter set's evidence; approve it; run or dry-run the conversion."""
    ps = get_object_or_404(TransformationParameterSet, pk=pk)
    approve_form = ApproveForm(request.POST if request.POST.get("action") == "approve" else None)
    dry_report, error = None, None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                _require(request, "boundaries.change_transformationparameterset")
                if approve_form.is_valid():
                    parameter_set_approve(
                        parameter_set=ps, approved_by=approve_form.cleaned_data["approved_by"]
                    )
                    messages.success(request, "已审批。")
                    return redirect("boundaries:parameter-detail", pk=ps.pk)
            elif action in {"dry_run", "convert"}:
                _require(request, "boundaries.change_boundaryline")
                report = boundaries_convert(
                    parameter_set_id=ps.pk,
                    dry_run=action == "dry_run",
                    run_by=request.user.get_username(),
                )
                if action == "convert":
                    return redirect("boundaries:conversion-report", pk=report["run_id"])
                dry_report = report
        except DomainError as exc:
            error = exc.message
    residuals = _residual_rows(ps.residuals_m, ps.rejected)
    return render(
        request,
        "boundaries/parameter_detail.html",
        {
            "ps": ps,
            "rows": parameter_rows(ps.parameters),
            "residuals": residuals,
            "checks": _residual_rows(ps.check_residuals_m, []),
            "approve_form": approve_form,
            "dry_report": dry_report,
            "error": error,
            "runs": ps.runs.all()[:10],
        },
    )


@login_required
@require_GET
def parameter_points_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the common-point table a set was fitted from (the fit_transformation format)."""
    ps = get_object_or_404(TransformationParameterSet, pk=pk)
    body = csv_text(CSV_HEADER, ([p[k] for k in CSV_HEADER] for p in ps.common_points))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="common_points_{ps.pk}.csv"'
    return response


def _crs_label(code: str) -> str:
    """Return a CRS in words with its code: "Beijing 1954 / 3° GK 43 带（EPSG:2435）"."""
    try:
        return f"{crs_get(code).name}（{code}）"
    except CrsError:
        return code


@login_required
@require_GET
def conversion_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Render a conversion run's report as a printable page."""
    run = get_object_or_404(ConversionRun.objects.select_related("parameter_set"), pk=pk)
    report = run.report
    ps = report["parameter_set"]
    return render(
        request,
        "boundaries/conversion_report.html",
        {
            "run": run,
            "report": report,
            "ps": ps,
            "model_label": dict(TransformationModel.choices).get(ps["model"], ps["model"]),
            "source_crs_label": _crs_label(ps["source_crs"]),
            "target_crs_label": _crs_label(ps["target_crs"]),
            "rows": parameter_rows(ps["parameters"]),
            "residuals": _residual_rows(ps["residuals_m"], ps["rejected"]),
            "checks": _residual_rows(ps["check_residuals_m"], []),
            "by_crs": sorted(report["points_by_crs"].items()),
        },
    )


@login_required
@require_GET
def inspections_due(request: HttpRequest) -> HttpResponse:
    """List lines by joint-inspection urgency (overdue first)."""
    rows = line_selectors.inspections_due(today=timezone.localdate())
    return render(
        request,
        "boundaries/inspections.html",
        {"rows": rows, "labels": line_selectors.DUE_STATUS_LABELS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, code: str) -> HttpResponse:
    """Record a joint inspection of one line, with a finding for each of its markers."""
    line = get_object_or_404(BoundaryLine, code=code)
    markers = list(line.markers.order_by("sequence", "type_code"))
    form = InspectionForm(request.POST or None, markers=markers)
    error = None
    if request.method == "POST":
        _require(request, "boundaries.add_jointinspection")
        if form.is_valid():
            try:
                inspection = inspection_record(
                    line=line,
                    inspected_on=form.cleaned_data["inspected_on"],
                    participants=form.cleaned_data["participants"],
                    summary=form.cleaned_data["summary"],
                    findings=form.findings(),
                    recorded_by=request.user.get_username(),
                    today=timezone.localdate(),
                    user=request.user,
                )
            except OutsideEditScope as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request, f"已记录 {line.code} 的联检，下次到期 {inspection.next_due}。"
                )
                return redirect("boundaries:inspections")
    return render(
        request, "boundaries/inspection_form.html", {"line": line, "form": form, "error": error}
    )


@login_required
@require_GET
def marker_detail(request: HttpRequest, number: str) -> HttpResponse:
    """Show one marker: coordinates in both systems and its inspection history."""
    marker = get_object_or_404(
        BoundaryMarker.objects.select_related("line", "converted_with"), number=number
    )
    return render(
        request,
        "boundaries/marker_detail.html",
        {
            "marker": marker,
            "history": line_selectors.marker_history(marker=marker),
            "point_json": json.dumps(
                [marker.geom_4490.x, marker.geom_4490.y] if marker.geom_4490 else None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def survey_import_page(request: HttpRequest) -> HttpResponse:
    """Import a surveyor's file (Shapefile zip, DXF, marker table); dry run by default."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report, areas_report, error = None, None, None
    if request.method == "POST":
        _require(request, "boundaries.change_boundaryline")
        if form.is_valid():
            data = form.cleaned_data
            upload = data["survey_file"]
            raw = upload.read()
            try:
                if data["kind"] == "townships_dxf":
                    with upload_saved(upload) as path:
                        areas_report = townships_dxf_import(
                            path=path,
                            user=request.user,
                            declared_crs=data["declared_crs"],
                            dry_run=data["dry_run"],
                            file_name=upload.name or "",
                        )
                elif data["kind"] == "shapefile":
                    survey = parse_shapefile_zip(raw, declared_crs=data["declared_crs"] or None)
                elif data["kind"] == "dxf":
                    if not data["line_code"]:
                        raise SurveyFileError("DXF 导入需要填写界线编号")
                    survey = parse_dxf(
                        raw, declared_crs=data["declared_crs"], line_code=data["line_code"]
                    )
                else:
                    survey = parse_marker_table(
                        raw, filename=data["survey_file"].name, declared_crs=data["declared_crs"]
                    )
                if areas_report is None:
                    report = survey_import(survey=survey, dry_run=data["dry_run"])
            except SurveyFileError as exc:
                error = str(exc)
            except DomainError as exc:
                error = exc.message
    return render(
        request,
        "boundaries/import.html",
        {"form": form, "report": report, "areas_report": areas_report, "error": error},
    )


@login_required
@require_GET
@heavy_work("export")
def export_download(request: HttpRequest, layer: str, fmt: str) -> HttpResponse:
    """Download areas, lines or markers as GeoPackage, GeoJSON or CSV (the import's columns)."""
    if layer not in SPECS or fmt not in EXPORT_FORMATS:
        raise Http404("没有这种导出")
    query = spec_get(SPECS[layer].key).export_query(with_wkt=fmt == "csv")
    return export_response(query, fmt=fmt, filename=LAYERS[layer])
